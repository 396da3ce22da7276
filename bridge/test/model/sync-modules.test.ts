import { describe, expect, it } from "vitest";
import {
  type CalendarEvent,
  type Contact,
  carryAttendeeDetails,
  contactSyncModule,
  eventSyncModule,
  type Task,
  taskSyncModule,
} from "../../src/model/index.js";

const contact: Contact = {
  givenName: "Zoë",
  surname: "Ångström",
  companyName: "Ørsted A/S",
  email1: "Zoe@Example.com",
  email3: "zoe.private@example.com",
  categories: ["b", "a"],
};

describe("contact sync module", () => {
  const module = contactSyncModule("graph", "Contacts");

  it("lists only the fields each side holds", () => {
    expect(module.sideFields.crm).not.toContain("email3");
    expect(module.sideFields.crm).toContain("email2");
    expect(module.sideFields.exchange).not.toContain("businessFax");
    expect(contactSyncModule("ews", "Contacts").sideFields.exchange).toContain("businessFax");
    expect(contactSyncModule("graph", "Leads").sideFields.crm).not.toContain("department");
    expect(module.fields).toContain("homeAddress");
  });

  it("matches by normalised e-mail first, then name + company", () => {
    expect(module.matchKeys(contact)).toEqual([
      "email:zoe@example.com",
      "email:zoe.private@example.com",
      "name:zoë ångström|ørsted a/s",
    ]);
    expect(module.matchKeys({ categories: [] })).toEqual([]);
  });

  it("compares e-mail without case, text without surrounding blanks or CRLF, categories as a set", () => {
    expect(module.normalizeField("email1", "A@B.example")).toBe(module.normalizeField("email1", "a@b.example"));
    expect(module.normalizeField("notes", "line 1\r\nline 2\r\n")).toBe("line 1\nline 2");
    expect(module.normalizeField("categories", ["b", "a", "a"])).toEqual(["a", "b"]);
    expect(module.normalizeField("businessAddress", { city: "Köln", street: "" })).toEqual({ city: "Köln" });
  });

  it("parses a stored base and rejects garbage", () => {
    expect(module.parse(JSON.parse(JSON.stringify(contact)))).toEqual(contact);
    expect(() => module.parse({ categories: "x" })).toThrow();
  });
});

describe("event sync module", () => {
  const module = eventSyncModule("ews");
  const event: CalendarEvent = {
    subject: "Kick-off",
    span: { kind: "timed", start: "2026-03-23T08:00:00Z", end: "2026-03-23T09:00:00Z" },
    attendees: [
      { address: "B@example.com", type: "optional", response: "accepted" },
      { address: "a@example.com", type: "required", response: "unknown" },
    ],
    movedOccurrences: [],
    cancelledOccurrences: [],
    categories: [],
    sensitivity: "normal",
    uid: "040000008200E00074C5B7101A82E008",
  };

  it("matches by UID, then start + subject", () => {
    expect(module.matchKeys(event)).toEqual([
      "uid:040000008200E00074C5B7101A82E008",
      "start:2026-03-23T08:00:00Z|kick-off",
    ]);
  });

  it("compares attendees by address only (Zoho holds no types or responses)", () => {
    const fromZoho = [
      { address: "a@example.com", type: "required" as const, response: "unknown" as const },
      { address: "b@example.com", type: "required" as const, response: "unknown" as const },
    ];
    expect(module.normalizeField("attendees", fromZoho)).toEqual(module.normalizeField("attendees", event.attendees));
  });

  it("keeps time zone and occurrences out of Zoho's fields", () => {
    expect(module.sideFields.crm).not.toContain("timeZone");
    expect(module.sideFields.crm).not.toContain("cancelledOccurrences");
    expect(module.sideFields.exchange).toContain("cancelledOccurrences");
  });
});

describe("task sync module", () => {
  const module = taskSyncModule();
  const task: Task = {
    subject: "Call Ünal",
    status: "notStarted",
    priority: "highest",
    dueDate: "2026-05-01",
    categories: [],
  };

  it("compares priority on Exchange's three levels", () => {
    expect(module.normalizeField("priority", "highest")).toBe(module.normalizeField("priority", "high"));
    expect(module.normalizeField("priority", "lowest")).not.toBe(module.normalizeField("priority", "normal"));
  });

  it("matches by subject + due date", () => {
    expect(module.matchKeys(task)).toEqual(["subject:call ünal|2026-05-01"]);
  });
});

describe("carryAttendeeDetails", () => {
  it("keeps what Exchange knew about attendees the CRM still lists, and takes the CRM's list", () => {
    const previous = [
      { address: "Ann@example.com", name: "Ann", type: "optional" as const, response: "accepted" as const },
      { address: "gone@example.com", type: "required" as const, response: "declined" as const },
    ];
    const fromCrm = [
      { address: "ann@example.com", type: "required" as const, response: "unknown" as const },
      { address: "new@example.com", type: "required" as const, response: "unknown" as const },
    ];
    expect(carryAttendeeDetails(fromCrm, previous)).toEqual([
      { address: "ann@example.com", name: "Ann", type: "optional", response: "accepted" },
      { address: "new@example.com", type: "required", response: "unknown" },
    ]);
  });
});
