import { describe, expect, it } from "vitest";
import { occurrenceKeys } from "../../src/mapping/occurrences.js";
import { recurrenceFromRrule, recurrenceToZohoRrule } from "../../src/mapping/rrule.js";
import { htmlToText } from "../../src/mapping/text.js";
import {
  dateOfInstant,
  instantFromOffsetDateTime,
  instantFromWallClock,
  nearestDate,
  offsetDateTimeFromInstant,
  startOfDateInstant,
  wallClockFromInstant,
} from "../../src/mapping/time.js";
import type { CalendarEvent } from "./support.js";

describe("RRULE", () => {
  it("accepts Zoho's date form and the RFC forms, making implicit parts explicit", () => {
    expect(recurrenceFromRrule("FREQ=DAILY;INTERVAL=1;DTSTART=2023-05-20;UNTIL=2023-05-28", "2023-05-20")).toEqual({
      frequency: "daily",
      interval: 1,
      end: { type: "until", date: "2023-05-28" },
    });
    expect(recurrenceFromRrule("RRULE:FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20261231T235959Z", "2026-01-30")).toEqual({
      frequency: "monthly",
      interval: 1,
      byWeekday: ["FR"],
      bySetPos: -1,
      end: { type: "until", date: "2026-12-31" },
    });
    expect(recurrenceFromRrule("FREQ=MONTHLY;COUNT=3", "2026-01-31")).toMatchObject({
      byMonthDay: 31,
      end: { type: "count", count: 3 },
    });
    expect(recurrenceFromRrule("FREQ=MONTHLY;INTERVAL=24", "2026-02-10")).toMatchObject({
      frequency: "yearly",
      interval: 2,
      byMonth: 2,
      byMonthDay: 10,
    });
    expect(recurrenceFromRrule("FREQ=WEEKLY;BYDAY=WE,MO;WKST=SU;INTERVAL=2", "2026-01-05")).toMatchObject({
      byWeekday: ["MO", "WE"],
      weekStart: "SU",
    });
  });

  it("writes Zoho's form and rejects what it cannot read", () => {
    const rule = recurrenceFromRrule("FREQ=WEEKLY;BYDAY=MO;COUNT=5", "2026-03-16");
    expect(recurrenceToZohoRrule(rule, "2026-03-16")).toBe(
      "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO;DTSTART=2026-03-16;COUNT=5",
    );
    expect(() => recurrenceFromRrule("FREQ=WEEKLY;BYDAY=XX", "2026-03-16")).toThrow(/BYDAY/);
    expect(() => recurrenceFromRrule("FREQ=DAILY;INTERVAL=0", "2026-03-16")).toThrow(/INTERVAL/);
    expect(() => recurrenceFromRrule("FREQ=DAILY;UNTIL=2026-02-30", "2026-03-16")).toThrow(/UNTIL/);
  });
});

describe("occurrence expansion", () => {
  it("keeps the wall-clock time across DST and ends at UNTIL in the series' zone", () => {
    const event: CalendarEvent = {
      subject: "x",
      span: { kind: "timed", start: "2026-10-19T07:30:00Z", end: "2026-10-19T08:00:00Z" },
      timeZone: "Europe/Berlin",
      attendees: [],
      recurrence: { frequency: "weekly", interval: 1, byWeekday: ["MO"], end: { type: "until", date: "2026-11-02" } },
      movedOccurrences: [],
      cancelledOccurrences: [],
      categories: [],
      sensitivity: "normal",
    };
    expect(occurrenceKeys(event, "Europe/Berlin")).toEqual([
      "2026-10-19T07:30:00Z",
      "2026-10-26T08:30:00Z",
      "2026-11-02T08:30:00Z",
    ]);
  });
});

describe("times and text", () => {
  it("turns offsets into UTC instants without milliseconds and back", () => {
    expect(instantFromOffsetDateTime("t", "2026-05-15T07:30:00.123+03:00")).toBe("2026-05-15T04:30:00Z");
    expect(offsetDateTimeFromInstant("2026-05-15T04:30:00Z", "America/St_Johns")).toBe("2026-05-15T02:00:00-02:30");
    expect(() => instantFromOffsetDateTime("t", "2026-05-15T07:30:00")).toThrow(/offset/);
    expect(nearestDate("d", "1974-07-21T22:00:00Z")).toBe("1974-07-22");
  });

  it("reads offsets on both sides of a transition inside one UTC day, half-hour zones and a skipped date", () => {
    expect(offsetDateTimeFromInstant("2026-03-29T00:59:59Z", "Europe/Berlin")).toBe("2026-03-29T01:59:59+01:00");
    expect(offsetDateTimeFromInstant("2026-03-29T01:00:00Z", "Europe/Berlin")).toBe("2026-03-29T03:00:00+02:00");
    expect(wallClockFromInstant("2026-11-01T04:29:59Z", "America/St_Johns")).toBe("2026-11-01T01:59:59");
    expect(wallClockFromInstant("2026-11-01T04:30:00Z", "America/St_Johns")).toBe("2026-11-01T01:00:00");
    expect(offsetDateTimeFromInstant("2026-07-01T12:00:00Z", "Asia/Kathmandu")).toBe("2026-07-01T17:45:00+05:45");
    // Samoa moved across the date line: 30 December 2011 never happened there.
    expect(dateOfInstant("2011-12-30T09:59:59Z", "Pacific/Apia")).toBe("2011-12-29");
    expect(wallClockFromInstant("2011-12-30T10:00:00Z", "Pacific/Apia")).toBe("2011-12-31T00:00:00");
    expect(startOfDateInstant("2026-05-15", "Asia/Kolkata")).toBe("2026-05-14T18:30:00Z");
  });

  it("reads a repeated wall-clock time as its first occurrence and a skipped one with the offset before the gap", () => {
    // RFC 5545 §3.3.5, whatever the season the process runs in.
    expect(instantFromWallClock("t", "2026-10-25T02:30:00", "Europe/Berlin")).toBe("2026-10-25T00:30:00Z");
    expect(instantFromWallClock("t", "2026-11-01T01:30:00.0000000", "America/New_York")).toBe("2026-11-01T05:30:00Z");
    expect(instantFromWallClock("t", "2026-03-29T02:30:00", "Europe/Berlin")).toBe("2026-03-29T01:30:00Z");
    expect(instantFromWallClock("t", "2026-03-08T02:30:00", "America/New_York")).toBe("2026-03-08T07:30:00Z");
    expect(instantFromWallClock("t", "2026-10-25T03:30:00", "Europe/Berlin")).toBe("2026-10-25T02:30:00Z");
  });

  it("leaves forms and zones outside the fast path to luxon, refusing the same values", () => {
    expect(instantFromWallClock("t", "2026-01-01T24:00:00", "Europe/Berlin")).toBe("2026-01-01T23:00:00Z");
    expect(instantFromWallClock("t", "2026-05-15T09:00", "Europe/Berlin")).toBe("2026-05-15T07:00:00Z");
    expect(instantFromWallClock("t", "2026-05-15T09:00:00", "UTC+3")).toBe("2026-05-15T06:00:00Z");
    expect(() => instantFromWallClock("t", "2026-02-30T10:00:00", "Europe/Berlin")).toThrow(/day/);
    expect(() => instantFromOffsetDateTime("t", "2026-04-31T10:00:00Z")).toThrow(/day/);
    expect(() => instantFromWallClock("t", "2026-05-15T09:00:00", "Mars/Olympus")).toThrow(/zone/);
  });

  it("extracts plain text from HTML bodies", () => {
    const html =
      "<html><head><style>p{}</style></head><body><p>Grüße &amp; &lt;Dank&gt;&nbsp;&#128512;</p><div>Zeile&#x32;</div>x<br>y</body></html>";
    expect(htmlToText(html)).toBe("Grüße & <Dank>\u00a0😀\nZeile2\nx\ny");
  });
});
