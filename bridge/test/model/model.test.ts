import { describe, expect, it } from "vitest";
import {
  canonicalZone,
  contactSchema,
  emailSchema,
  eventSchema,
  ianaFromWindows,
  taskSchema,
  windowsFromIana,
} from "../../src/model/index.js";

describe("canonical schemas", () => {
  it("accept a weekly series with a moved and a cancelled occurrence", () => {
    const event = eventSchema.parse({
      subject: "Jour fixe — Größe 😀",
      span: { kind: "timed", start: "2026-03-23T08:00:00Z", end: "2026-03-23T09:00:00Z" },
      timeZone: "Europe/Berlin",
      attendees: [{ address: "a@example.com", type: "required", response: "accepted" }],
      recurrence: { frequency: "weekly", interval: 1, byWeekday: ["MO"], end: { type: "count", count: 5 } },
      movedOccurrences: [
        {
          originalStart: "2026-03-30T07:00:00Z",
          span: { kind: "timed", start: "2026-03-31T07:00:00Z", end: "2026-03-31T08:00:00Z" },
        },
      ],
      cancelledOccurrences: ["2026-04-06T07:00:00Z"],
      categories: [],
      sensitivity: "normal",
    });
    expect(event.recurrence?.byWeekday).toEqual(["MO"]);
  });

  it("reject instants with offsets or milliseconds, and unknown zones", () => {
    const base = {
      subject: "x",
      attendees: [],
      movedOccurrences: [],
      cancelledOccurrences: [],
      categories: [],
      sensitivity: "normal",
    };
    const span = (start: string) => ({ kind: "timed", start, end: "2026-03-23T09:00:00Z" });
    expect(eventSchema.safeParse({ ...base, span: span("2026-03-23T08:00:00+01:00") }).success).toBe(false);
    expect(eventSchema.safeParse({ ...base, span: span("2026-03-23T08:00:00.000Z") }).success).toBe(false);
    expect(
      eventSchema.safeParse({ ...base, span: span("2026-03-23T08:00:00Z"), timeZone: "Mars/Olympus" }).success,
    ).toBe(false);
  });

  it("accept minimal contact, task and e-mail", () => {
    expect(contactSchema.parse({ surname: "Ωmega", email1: "o@example.com", categories: [] }).surname).toBe("Ωmega");
    expect(
      taskSchema.parse({
        subject: "t",
        status: "notStarted",
        priority: "normal",
        dueDate: "2026-02-28",
        categories: [],
      }).dueDate,
    ).toBe("2026-02-28");
    const email = {
      messageId: "<abc@example.com>",
      from: { address: "a@example.com" },
      to: [],
      cc: [],
      date: "2026-01-01T00:00:00Z",
      subject: "s",
      body: { format: "text", content: "" },
      direction: "received",
      attachments: [],
    };
    expect(emailSchema.safeParse(email).success).toBe(true);
    expect(emailSchema.safeParse({ ...email, messageId: "abc@example.com" }).success).toBe(false);
  });
});

describe("Windows ⇄ IANA time zones (CLDR)", () => {
  it.each([
    ["W. Europe Standard Time", "Europe/Berlin"],
    ["Pacific Standard Time", "America/Los_Angeles"],
    ["India Standard Time", "Asia/Calcutta"],
    ["UTC", "UTC"],
    ["tzone://Microsoft/Utc", "UTC"],
    ["Europe/Paris", "Europe/Paris"],
  ])("%s → %s", (windows, iana) => {
    expect(ianaFromWindows(windows)).toBe(iana);
  });

  it("maps back, including aliases", () => {
    expect(windowsFromIana("Europe/Berlin")).toBe("W. Europe Standard Time");
    expect(windowsFromIana("Asia/Kolkata")).toBe("India Standard Time");
    expect(windowsFromIana("UTC")).toBe("UTC");
    expect(ianaFromWindows("Customized Time Zone")).toBeUndefined();
  });
});

describe("canonical zone spelling", () => {
  it.each([
    ["Asia/Kolkata", "Asia/Calcutta"],
    ["Asia/Calcutta", "Asia/Calcutta"],
    ["Etc/UTC", "UTC"],
    ["Europe/Vienna", "Europe/Vienna"],
    ["Europe/Berlin", "Europe/Berlin"],
  ])("%s → %s", (zone, canonical) => {
    expect(canonicalZone(zone)).toBe(canonical);
  });
});
