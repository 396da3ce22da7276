import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MappingError } from "../../src/mapping/errors.js";
import { contactFromEws, contactToEws } from "../../src/mapping/ews/contact.js";
import { type EwsCalendarWrite, eventFromEws, eventToEws } from "../../src/mapping/ews/event.js";
import { emailFromEws } from "../../src/mapping/ews/message.js";
import { taskFromEws, taskToEws } from "../../src/mapping/ews/task.js";
import { meetingTimeZoneFor, zoneFromMeetingTimeZone } from "../../src/mapping/ews/timezone.js";
import {
  type EwsCalendarItem,
  type EwsContact,
  type EwsMessage,
  type EwsTask,
  type EwsTimeZoneStyle,
  timeZoneStyleFor,
} from "../../src/mapping/ews/wire.js";
import { occurrenceIndex } from "../../src/mapping/occurrences.js";
import { startOfDateInstant } from "../../src/mapping/time.js";
import * as arb from "./arbitraries.js";
import { ewsItems } from "./ews-xml.js";
import { type CalendarEvent, contactSyncModule, eventSyncModule, taskSyncModule } from "./support.js";

const SAMPLES = "/work/shared/conformance/ews/samples";
const STYLES: EwsTimeZoneStyle[] = ["MeetingTimeZone", "StartEndTimeZone"];

/** What GetItem returns for the master after the connector applied a write (occurrence changes included). */
function asStored(write: EwsCalendarWrite, original: CalendarEvent): EwsCalendarItem {
  const zone = original.timeZone ?? "UTC";
  const asInstant = (key: string) => (key.length === 10 ? startOfDateInstant(key, zone) : key);
  return {
    ...write.item,
    UID: original.uid,
    Organizer: original.organizer && {
      Mailbox: { EmailAddress: original.organizer.address, Name: original.organizer.name },
    },
    ModifiedOccurrences: write.modifiedOccurrences.map(({ originalStart, changes }) => ({
      OriginalStart: asInstant(originalStart),
      Start: changes.Start ?? "",
      End: changes.End ?? "",
      Subject: changes.Subject,
      Location: changes.Location,
    })),
    DeletedOccurrences: write.deletedOccurrences.map((key) => ({ Start: asInstant(key) })),
  };
}

const weeklyAcrossDst: CalendarEvent = {
  subject: "Jour fixe – Größenplanung 😀",
  span: { kind: "timed", start: "2026-03-16T08:00:00Z", end: "2026-03-16T09:00:00Z" },
  timeZone: "Europe/Berlin",
  attendees: [
    { address: "ann@example.com", name: "Ann Ørsted", type: "required", response: "accepted" },
    { address: "raum-3@example.com", type: "resource", response: "unknown" },
  ],
  recurrence: { frequency: "weekly", interval: 1, byWeekday: ["MO"], end: { type: "count", count: 5 } },
  movedOccurrences: [
    {
      originalStart: "2026-03-30T07:00:00Z",
      span: { kind: "timed", start: "2026-03-31T12:00:00Z", end: "2026-03-31T13:00:00Z" },
      subject: "Jour fixe (Dienstag)",
    },
  ],
  cancelledOccurrences: ["2026-04-06T07:00:00Z"],
  reminderMinutesBefore: 15,
  categories: [],
  sensitivity: "normal",
};

describe("EWS contacts", () => {
  const sync = contactSyncModule("ews");

  it("reads the Exchange 2019 recording of an international contact", () => {
    const [item] = ewsItems<EwsContact>(
      `${SAMPLES}/php-ews-recordings/Exchange2019-2025/ContactsAPITest.testInternationalContactSupport.03.GetItem.xml`,
      "Contact",
    );
    expect(contactFromEws(item ?? {})).toEqual({
      displayName: "François Müller",
      givenName: "François",
      surname: "Müller",
      email1: "francois.muller@example.com",
      categories: [],
    });
  });

  it("writes only the dictionary keys it owns", () => {
    const item = contactToEws({
      surname: "Ng",
      businessFax: "+49 30 1",
      homeAddress: { city: "Köln" },
      categories: ["VIP"],
    });
    expect(item.PhoneNumbers).toEqual([{ Key: "BusinessFax", value: "+49 30 1" }]);
    expect(item.PhysicalAddresses).toEqual([{ Key: "Home", City: "Köln" }]);
  });

  it("round-trips every field EWS holds (property)", () => {
    fc.assert(
      fc.property(arb.contact, (contact) =>
        arb.expectSameOn(sync, sync.sideFields.exchange, contact, contactFromEws(contactToEws(contact))),
      ),
    );
  });
});

describe("EWS calendar items", () => {
  const sync = eventSyncModule("ews");

  it("reads the Exchange 2019 recurring master (weekly, numbered range with a zoned xs:date)", () => {
    const [item] = ewsItems<EwsCalendarItem>(
      `${SAMPLES}/php-ews-recordings/Exchange2019-2025/CalendarTest.testRecurringEventSupport.04.GetItem.xml`,
      "CalendarItem",
    );
    const event = eventFromEws(item ?? {});
    expect(event).toMatchObject({
      subject: "Weekly Team Meeting",
      span: { kind: "timed", start: "2025-07-02T10:00:00Z", end: "2025-07-02T11:00:00Z" },
      location: "Conference Room A",
      organizer: { address: "user@test.user.com", name: "test.user" },
      reminderMinutesBefore: 15,
      recurrence: { frequency: "weekly", interval: 1, byWeekday: ["WE"], end: { type: "count", count: 4 } },
      uid: "040000008200E00074C5B7101A82E008000000001AF45EF9C7EDDB01000000000000000010000000F73231FC2ADB164D941E037E14477E38",
    });
  });

  it("reads the docs' single item", () => {
    const [item] = ewsItems<EwsCalendarItem>(
      `${SAMPLES}/msdocs/GetItem.CalendarItem.AllProperties.response.xml`,
      "CalendarItem",
    );
    expect(eventFromEws(item ?? {})).toMatchObject({
      span: { kind: "timed", start: "2006-06-16T00:30:00Z" },
      organizer: { address: "someone@example.com" },
    });
  });

  it("writes 2007's MeetingTimeZone with the zone's DST rule, 2010+'s StartTimeZone/EndTimeZone", () => {
    expect(timeZoneStyleFor("Exchange2007_SP1")).toBe("MeetingTimeZone");
    expect(timeZoneStyleFor("Exchange2010_SP2")).toBe("StartEndTimeZone");
    const for2007 = eventToEws(weeklyAcrossDst, { timeZoneStyle: "MeetingTimeZone", mailboxTimeZone: "UTC" }).item;
    expect(for2007.MeetingTimeZone).toEqual({
      TimeZoneName: "W. Europe Standard Time",
      BaseOffset: "-PT1H",
      Standard: {
        Offset: "PT0M",
        RelativeYearlyRecurrence: { DaysOfWeek: "Sunday", DayOfWeekIndex: "Last", Month: "October" },
        Time: "03:00:00",
      },
      Daylight: {
        Offset: "-PT1H",
        RelativeYearlyRecurrence: { DaysOfWeek: "Sunday", DayOfWeekIndex: "Last", Month: "March" },
        Time: "02:00:00",
      },
    });
    expect(for2007.StartTimeZone).toBeUndefined();
    const for2010 = eventToEws(weeklyAcrossDst, { timeZoneStyle: "StartEndTimeZone", mailboxTimeZone: "UTC" }).item;
    expect([for2010.StartTimeZone, for2010.EndTimeZone, for2010.MeetingTimeZone]).toEqual([
      { Id: "W. Europe Standard Time" },
      { Id: "W. Europe Standard Time" },
      undefined,
    ]);
    expect(for2010.Recurrence).toEqual({
      WeeklyRecurrence: { Interval: 1, DaysOfWeek: "Monday" },
      NumberedRecurrence: { StartDate: "2026-03-16", NumberOfOccurrences: 5 },
    });
  });

  it.each(STYLES)("round-trips the weekly DST series with a moved and a cancelled occurrence (%s)", (timeZoneStyle) => {
    const write = eventToEws(weeklyAcrossDst, { timeZoneStyle, mailboxTimeZone: "UTC" });
    expect(write.modifiedOccurrences[0]?.changes).toEqual({
      Start: "2026-03-31T12:00:00Z",
      End: "2026-03-31T13:00:00Z",
      Subject: "Jour fixe (Dienstag)",
    });
    expect(eventFromEws(asStored(write, weeklyAcrossDst))).toEqual({
      ...weeklyAcrossDst,
      organizer: undefined,
      uid: undefined,
    });
  });

  it("numbers occurrences for OccurrenceItemId (InstanceIndex), across DST", () => {
    expect(occurrenceIndex(weeklyAcrossDst, "2026-03-16T08:00:00Z", "Europe/Berlin")).toBe(1);
    expect(occurrenceIndex(weeklyAcrossDst, "2026-03-30T07:00:00Z", "Europe/Berlin")).toBe(3);
    expect(occurrenceIndex(weeklyAcrossDst, "2026-03-30T08:00:00Z", "Europe/Berlin")).toBeUndefined();
  });

  it("writes an all-day event as the zone's midnights and reads its dates back in that zone", () => {
    const allDay: CalendarEvent = {
      ...weeklyAcrossDst,
      span: { kind: "allDay", startDate: "2026-03-29", endDate: "2026-03-30" },
      timeZone: "Pacific/Auckland",
      recurrence: undefined,
      movedOccurrences: [],
      cancelledOccurrences: [],
    };
    const { item } = eventToEws(allDay, { timeZoneStyle: "StartEndTimeZone", mailboxTimeZone: "UTC" });
    expect([item.Start, item.End]).toEqual(["2026-03-28T11:00:00Z", "2026-03-29T11:00:00Z"]);
    expect(eventFromEws(item).span).toEqual(allDay.span);
  });

  it("falls back to BaseOffset for a 2007 zone known only by display name", () => {
    expect(
      zoneFromMeetingTimeZone({
        TimeZoneName: "(GMT+05:30) Chennai, Kolkata, Mumbai, New Delhi",
        BaseOffset: "-PT5H30M",
      }),
    ).toBe("UTC+5:30");
    expect(zoneFromMeetingTimeZone({ TimeZoneName: "UTC" })).toBe("UTC");
    const item = {
      Start: "2026-01-01T18:30:00Z",
      End: "2026-01-02T18:30:00Z",
      IsAllDayEvent: true,
      MeetingTimeZone: { TimeZoneName: "(GMT+05:30) Chennai", BaseOffset: "-PT5H30M" },
    };
    const event = eventFromEws(item);
    expect([event.span, event.timeZone]).toEqual([
      { kind: "allDay", startDate: "2026-01-02", endDate: "2026-01-03" },
      undefined,
    ]);
    expect(meetingTimeZoneFor("Asia/Kolkata", 2026)).toEqual({
      TimeZoneName: "India Standard Time",
      BaseOffset: "-PT5H30M",
    });
  });

  it("rejects unknown days and missing times", () => {
    expect(() => eventFromEws({ Start: "2026-01-01T10:00:00Z" })).toThrow(MappingError);
    expect(() =>
      eventFromEws({
        Start: "2026-01-01T10:00:00Z",
        End: "2026-01-01T11:00:00Z",
        Recurrence: {
          WeeklyRecurrence: { Interval: 1, DaysOfWeek: "Caturday" },
          NoEndRecurrence: { StartDate: "2026-01-01" },
        },
      }),
    ).toThrow(/Caturday/);
  });

  for (const timeZoneStyle of STYLES) {
    it(`round-trips every field EWS holds, with real moved/cancelled occurrences (${timeZoneStyle}, property)`, () => {
      fc.assert(
        fc.property(fc.oneof(arb.event(), arb.eventWithOccurrences()), (event) => {
          const write = eventToEws(event, { timeZoneStyle, mailboxTimeZone: "UTC" });
          arb.expectSameOn(sync, sync.sideFields.exchange, event, eventFromEws(asStored(write, event)));
        }),
        arb.EVENT_RUNS,
      );
    });
  }
});

describe("EWS tasks", () => {
  const sync = taskSyncModule();

  it("reads the docs' task", () => {
    const [item] = ewsItems<EwsTask>(`${SAMPLES}/msdocs/GetItem.Task.response.xml`, "Task");
    expect(taskFromEws(item ?? {}, { mailboxTimeZone: "UTC" })).toEqual({
      subject: "Buy new shoes",
      status: "notStarted",
      priority: "normal",
      categories: [],
    });
  });

  it("round-trips every field EWS holds for owners in any zone (property)", () => {
    fc.assert(
      fc.property(arb.task, fc.constantFrom(...arb.ZONES), (task, mailboxTimeZone) => {
        arb.expectSameOn(
          sync,
          sync.sideFields.exchange,
          task,
          taskFromEws(taskToEws(task, { mailboxTimeZone }), { mailboxTimeZone }),
        );
      }),
    );
  });
});

describe("EWS messages", () => {
  const path = `${SAMPLES}/php-ews-recordings/ExchangeOnline-2020/MailAPITest.testGetSingleMailItem.09.GetItem.xml`;

  it("maps the recorded message once it has a sender, keeping the HTML body", () => {
    const [item] = ewsItems<EwsMessage>(path, "Message");
    expect(() => emailFromEws(item ?? {}, { mailboxAddress: "me@contoso.com" })).toThrow(/sender/);
    const email = emailFromEws(
      { ...item, From: { Mailbox: { EmailAddress: "gareth@contoso.com", Name: "Gareth Parker" } } },
      { mailboxAddress: "me@contoso.com" },
    );
    expect(email).toMatchObject({
      messageId: "<DU7PPFC05AD3D4A844B0C3566527EDA9154EE05A@DU7PPFC05AD3D4A.EURP251.PROD.OUTLOOK.COM>",
      subject: "Test Message",
      direction: "received",
      date: "2025-08-30T18:10:41Z",
      body: { format: "html" },
    });
    expect(email.body.content).toContain("Test Draft Body");
  });
});
