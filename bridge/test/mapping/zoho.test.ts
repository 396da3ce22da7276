import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MappingError } from "../../src/mapping/errors.js";
import { contactFromZoho, contactToZoho } from "../../src/mapping/zoho/contact.js";
import { emailToZoho } from "../../src/mapping/zoho/email.js";
import { eventFromZoho, eventToZoho } from "../../src/mapping/zoho/event.js";
import { taskFromZoho, taskToZoho } from "../../src/mapping/zoho/task.js";
import type { ZohoEventRecord, ZohoRecord, ZohoTaskRecord } from "../../src/mapping/zoho/wire.js";
import * as arb from "./arbitraries.js";
import { contactSyncModule, emailSchema, eventSyncModule, taskSyncModule } from "./support.js";

const CONFORMANCE = "/work/shared/conformance/zoho";
const fixture = <T>(name: string): T => JSON.parse(readFileSync(`${CONFORMANCE}/${name}`, "utf8")) as T;
const firstRecord = <T>(name: string): T => fixture<{ data: T[] }>(name).data[0] as T;

const berlin = { userTimeZone: "Europe/Berlin" };

describe("Zoho contacts and leads", () => {
  it("reads the v8 Contacts insert example", () => {
    const contact = contactFromZoho(firstRecord<ZohoRecord>("records-insert-request-contacts-v8.json"), "Contacts");
    expect(contact).toMatchObject({
      givenName: "Kane",
      surname: "Kingslei",
      companyName: "Bentley Systems",
      email1: "anna.kingsley@bentley.com",
      jobTitle: "VP of Sales",
      businessPhone: "555-33445561",
      homePhone: "555-3344557",
      otherPhone: "555-3344558",
      businessFax: "555-3344559",
      mobilePhone: "555-3344550",
      birthday: "1985-04-12",
      assistantName: "Diane Cole",
      businessAddress: {
        street: "220 Market Street",
        city: "Philadelphia",
        state: "Pennsylvania",
        postalCode: "19103",
        country: "USA",
      },
      notes: "Primary decision maker",
    });
    expect(contact.displayName).toBeUndefined();
  });

  it("reads the Leads insert example (Company and Designation are text fields there)", () => {
    const lead = contactFromZoho(firstRecord<ZohoRecord>("records-insert-request-leads-v8.json"), "Leads");
    expect(lead.surname).toBeDefined();
    expect(Object.values(lead).includes("-None-")).toBe(false);
  });

  it("treats null, empty and -None- as absent and clears absent fields with null", () => {
    const contact = contactFromZoho({ Last_Name: "Ünal", Salutation: "-None-", Email: "", Phone: null }, "Contacts");
    expect(contact).toEqual({ surname: "Ünal", categories: [] });
    const record = contactToZoho(contact, "Contacts");
    expect(record).toMatchObject({ Last_Name: "Ünal", Email: null, Mailing_City: null, Account_Name: null });
  });

  it("writes Account_Name only as a lookup id the connector resolved", () => {
    expect(contactToZoho({ surname: "A", companyName: "Acme", categories: [] }, "Contacts")).not.toHaveProperty(
      "Account_Name",
    );
    expect(
      contactToZoho({ surname: "A", companyName: "Acme", categories: [] }, "Contacts", { accountId: "42" })
        .Account_Name,
    ).toEqual({
      id: "42",
    });
    expect(contactToZoho({ surname: "A", companyName: "Acme", categories: [] }, "Leads").Company).toBe("Acme");
  });

  it("falls back for the mandatory Last_Name", () => {
    expect(contactToZoho({ displayName: "李雷", categories: [] }, "Contacts").Last_Name).toBe("李雷");
  });

  for (const module of ["Contacts", "Leads"] as const) {
    it(`round-trips every field ${module} holds (property)`, () => {
      const sync = contactSyncModule("ews", module);
      // companyName on Contacts travels as an Account lookup the connector resolves; see the Account_Name test.
      const fields = arb.heldFields(sync, "crm", module === "Contacts" ? ["companyName"] : []);
      fc.assert(
        fc.property(arb.contact, (contact) => {
          arb.expectSameOn(sync, fields, contact, contactFromZoho(contactToZoho(contact, module), module));
        }),
      );
    });
  }
});

describe("Zoho events", () => {
  const sync = eventSyncModule("graph");

  it("reads the real event: offsets become instants", () => {
    const event = eventFromZoho(firstRecord<ZohoEventRecord>("records-get-event-real-response.json"), berlin);
    expect(event).toMatchObject({
      subject: "Test Meeting with Prospect",
      span: { kind: "timed", start: "2026-05-15T04:30:00Z", end: "2026-05-15T05:30:00Z" },
      location: "Zoom Meeting",
      body: "Initial discovery meeting with the prospect",
      attendees: [],
    });
    expect(event.reminderMinutesBefore).toBeUndefined();
  });

  it("reads the recurring example: participants, first relative reminder, RRULE", () => {
    const event = eventFromZoho(firstRecord<ZohoEventRecord>("records-insert-request-recurring-event.json"), {
      userTimeZone: "Asia/Kolkata",
    });
    expect(event.attendees).toEqual([{ address: "patricia.boyle@zylker.com", type: "required", response: "unknown" }]);
    expect(event.reminderMinutesBefore).toBe(15);
    expect(event.recurrence).toEqual({ frequency: "daily", interval: 1, end: { type: "until", date: "2023-05-28" } });
  });

  it("normalises Zoho's all-day read-back (T00:00:00+00:00 … T23:59:59+00:00) to an exclusive date range", () => {
    const record = {
      Event_Title: "Offsite",
      All_day: true,
      Start_DateTime: "2026-03-29T00:00:00+00:00",
      End_DateTime: "2026-03-30T23:59:59+00:00",
    };
    const event = eventFromZoho(record, { userTimeZone: "America/New_York" });
    expect(event.span).toEqual({ kind: "allDay", startDate: "2026-03-29", endDate: "2026-03-31" });
    const written = eventToZoho(event, { userTimeZone: "Pacific/Chatham" });
    expect([written.Start_DateTime, written.End_DateTime]).toEqual([record.Start_DateTime, record.End_DateTime]);
  });

  it("does not see a change when Zoho answers in the user's offset instead of ours", () => {
    const sent = eventToZoho(
      {
        subject: "s",
        span: { kind: "timed", start: "2026-03-29T00:30:00Z", end: "2026-03-29T01:30:00Z" },
        attendees: [],
        movedOccurrences: [],
        cancelledOccurrences: [],
        categories: [],
        sensitivity: "normal",
      },
      { userTimeZone: "Asia/Kolkata" },
    );
    expect(sent.Start_DateTime).toBe("2026-03-29T06:00:00+05:30");
    const readBack = eventFromZoho(
      { ...sent, Start_DateTime: "2026-03-29T03:30:00+03:00", End_DateTime: "2026-03-29T04:30:00+03:00" },
      berlin,
    );
    expect(readBack.span).toEqual({ kind: "timed", start: "2026-03-29T00:30:00Z", end: "2026-03-29T01:30:00Z" });
  });

  it("keeps participants it cannot represent and the ids of those still invited", () => {
    const current: ZohoEventRecord = {
      Participants: [
        { type: "user", participant: "111", name: "Owner" },
        { type: "contact", participant: "222", Email: "Ann@Example.com", name: "Ann" },
        { type: "email", Email: "gone@example.com" },
      ],
    };
    const event = eventFromZoho(
      {
        ...current,
        Event_Title: "x",
        Start_DateTime: "2026-01-01T10:00:00+01:00",
        End_DateTime: "2026-01-01T11:00:00+01:00",
      },
      berlin,
    );
    const written = eventToZoho(
      {
        ...event,
        attendees: [event.attendees[0], { address: "new@example.com", type: "required", response: "unknown" }].filter(
          (a) => a?.address !== "gone@example.com",
        ) as typeof event.attendees,
      },
      { ...berlin, current },
    );
    expect(written.Participants).toEqual([
      { type: "user", participant: "111", name: "Owner" },
      { type: "contact", participant: "222", Email: "Ann@Example.com" },
      { type: "email", Email: "new@example.com" },
    ]);
  });

  it("rejects a DateTime without offset and an unknown RRULE frequency with a MappingError", () => {
    const base = { Event_Title: "x", Start_DateTime: "2026-01-01T10:00:00", End_DateTime: "2026-01-01T11:00:00+01:00" };
    expect(() => eventFromZoho(base, berlin)).toThrow(MappingError);
    expect(() =>
      eventFromZoho(
        { ...base, Start_DateTime: "2026-01-01T10:00:00+01:00", Recurring_Activity: { RRULE: "FREQ=HOURLY" } },
        berlin,
      ),
    ).toThrow(/FREQ/);
  });

  it("round-trips every field Zoho holds, all-day and timed, in any user zone (property)", () => {
    fc.assert(
      fc.property(arb.event(), fc.constantFrom(...arb.ZONES), (event, userTimeZone) => {
        const back = eventFromZoho(eventToZoho(event, { userTimeZone }), { userTimeZone });
        arb.expectSameOn(sync, sync.sideFields.crm, event, back);
      }),
      arb.EVENT_RUNS,
    );
  });
});

describe("Zoho tasks", () => {
  const sync = taskSyncModule();

  it("reads the v8 task example and the recurring task's relative reminder", () => {
    expect(taskFromZoho(firstRecord<ZohoTaskRecord>("records-insert-request-tasks-v8.json"), berlin)).toMatchObject({
      subject: "Follow up on renewal contract",
      status: "inProgress",
      priority: "high",
      dueDate: "2026-08-28",
    });
    const recurring = {
      ...firstRecord<ZohoTaskRecord>("records-insert-request-recurring-task.json"),
      Due_Date: "2022-04-12",
    };
    expect(taskFromZoho(recurring, { userTimeZone: "Asia/Kolkata" }).reminderAt).toBe("2022-04-11T17:22:00Z");
  });

  it("writes an absolute ALARM in the user's offset", () => {
    const record = taskToZoho(
      { subject: "x", status: "deferred", priority: "lowest", reminderAt: "2026-03-29T01:00:00Z", categories: [] },
      berlin,
    );
    expect(record).toMatchObject({
      Status: "Deferred",
      Priority: "Lowest",
      Remind_At: { ALARM: "FREQ=NONE;ACTION=POPUP;TRIGGER=DATE-TIME:2026-03-29T03:00:00+02:00" },
    });
  });

  it("names an unknown picklist value instead of guessing", () => {
    expect(() => taskFromZoho({ Subject: "x", Status: "Blocked" }, berlin)).toThrow(/Status/);
  });

  it("round-trips every field Zoho holds (property)", () => {
    fc.assert(
      fc.property(arb.task, fc.constantFrom(...arb.ZONES), (task, userTimeZone) => {
        arb.expectSameOn(
          sync,
          sync.sideFields.crm,
          task,
          taskFromZoho(taskToZoho(task, { userTimeZone }), { userTimeZone }),
        );
      }),
    );
  });
});

describe("Zoho associate_email", () => {
  it("builds the documented Emails element from a canonical mail", () => {
    const email = emailSchema.parse({
      messageId: "<CAF=abc@mail.example.com>",
      from: { address: "test@zoho.com", name: "user1" },
      to: [{ address: "test1@zoho.com", name: "user2" }],
      cc: [{ address: "test2@zoho.com", name: "user3" }],
      date: "2018-06-12T06:42:12Z",
      subject: "Mail subject",
      body: { format: "html", content: "<h3>Grüße</h3>" },
      direction: "sent",
      attachments: [{ name: "Test File", isInline: false }],
    });
    const element = emailToZoho(email, { userTimeZone: "Asia/Kolkata", attachmentFileIds: ["39c17f"] });
    const documented = fixture<{ Emails: Record<string, unknown>[] }>("associate-email-request.json").Emails[0] ?? {};
    for (const key of Object.keys(element)) expect(documented).toHaveProperty(key);
    expect(element).toMatchObject({
      from: { user_name: "user1", email: "test@zoho.com" },
      date_time: "2018-06-12T12:12:12+05:30",
      sent: true,
      mail_format: "html",
      original_message_id: "<CAF=abc@mail.example.com>",
      attachments: [{ id: "39c17f", name: "Test File" }],
    });
  });
});
