import { describe, expect, it } from "vitest";
import { occurrenceKeys } from "../../src/mapping/occurrences.js";
import { recurrenceFromRrule, recurrenceToZohoRrule } from "../../src/mapping/rrule.js";
import { htmlToText } from "../../src/mapping/text.js";
import { instantFromOffsetDateTime, nearestDate, offsetDateTimeFromInstant } from "../../src/mapping/time.js";
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

  it("extracts plain text from HTML bodies", () => {
    const html =
      "<html><head><style>p{}</style></head><body><p>Grüße &amp; &lt;Dank&gt;&nbsp;&#128512;</p><div>Zeile&#x32;</div>x<br>y</body></html>";
    expect(htmlToText(html)).toBe("Grüße & <Dank>\u00a0😀\nZeile2\nx\ny");
  });
});
