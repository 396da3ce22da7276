/**
 * Well-typed wire records carrying arbitrary text (what a misbehaving server or an org customisation can send) map
 * to a valid canonical value or fail with a MappingError naming the field — never another exception.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MappingError } from "../../src/mapping/errors.js";
import { eventFromEws } from "../../src/mapping/ews/event.js";
import { eventFromGraph } from "../../src/mapping/graph/event.js";
import { taskFromGraph } from "../../src/mapping/graph/task.js";
import { eventFromZoho } from "../../src/mapping/zoho/event.js";
import { taskFromZoho } from "../../src/mapping/zoho/task.js";
import { eventSchema, taskSchema } from "./support.js";

/** Strings that are often almost valid: real values, near misses and noise. */
const wireText = fc.oneof(
  fc.constantFrom(
    "2026-03-29T02:30:00+01:00",
    "2026-02-30T10:00:00+01:00",
    "2026-03-29T10:00:00",
    "",
    "FREQ=WEEKLY;BYDAY=MO",
  ),
  fc.constantFrom(
    "FREQ=MONTHLY;BYDAY=9XX",
    "FREQ=YEARLY;INTERVAL=-1",
    "W. Europe Standard Time",
    "Mars Standard Time",
    "OID.x.2026-13-01",
  ),
  fc.string({ maxLength: 30 }),
);

function mapsOrNamesTheField<T>(map: () => T, validate: (value: T) => unknown): void {
  try {
    validate(map());
  } catch (error) {
    expect(error).toBeInstanceOf(MappingError);
  }
}

describe("garbage in", () => {
  it("Zoho events and tasks", () => {
    fc.assert(
      fc.property(wireText, wireText, wireText, fc.boolean(), (start, end, text, allDay) => {
        mapsOrNamesTheField(
          () =>
            eventFromZoho(
              {
                Event_Title: text,
                Start_DateTime: start,
                End_DateTime: end,
                All_day: allDay,
                Recurring_Activity: { RRULE: text },
              },
              { userTimeZone: "Europe/Berlin" },
            ),
          (event) => eventSchema.parse(event),
        );
        mapsOrNamesTheField(
          () =>
            taskFromZoho(
              { Subject: text, Status: text, Due_Date: start, Remind_At: { ALARM: `TRIGGER=${end}` } },
              { userTimeZone: "UTC" },
            ),
          (task) => taskSchema.parse(task),
        );
      }),
    );
  });

  it("Graph events and tasks", () => {
    fc.assert(
      fc.property(wireText, wireText, wireText, fc.boolean(), (dateTime, zone, text, allDay) => {
        mapsOrNamesTheField(
          () =>
            eventFromGraph({
              subject: text,
              isAllDay: allDay,
              start: { dateTime, timeZone: zone },
              end: { dateTime, timeZone: zone },
              cancelledOccurrences: [text],
              originalStartTimeZone: zone,
            }),
          (event) => eventSchema.parse(event),
        );
        mapsOrNamesTheField(
          () => taskFromGraph({ title: text, dueDateTime: { dateTime, timeZone: zone } }, { mailboxTimeZone: "UTC" }),
          (task) => taskSchema.parse(task),
        );
      }),
    );
  });

  it("EWS calendar items", () => {
    fc.assert(
      fc.property(wireText, wireText, wireText, (start, zone, text) => {
        mapsOrNamesTheField(
          () =>
            eventFromEws({
              Subject: text,
              Start: start,
              End: start,
              StartTimeZone: { Id: zone },
              Recurrence: {
                WeeklyRecurrence: { Interval: 1, DaysOfWeek: text },
                EndDateRecurrence: { StartDate: start, EndDate: text },
              },
            }),
          (event) => eventSchema.parse(event),
        );
      }),
    );
  });
});
