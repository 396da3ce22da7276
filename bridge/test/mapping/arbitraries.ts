/**
 * fast-check generators of canonical records, plus the round-trip check every mapping test uses: a value mapped to a
 * side and back must equal the original on every field that side holds, compared in the sync core's own terms
 * (`SyncModule.normalizeField`), since that is the equality the planner acts on.
 */
import fc from "fast-check";
import { DateTime } from "luxon";
import { expect } from "vitest";
import { occurrenceKeys } from "../../src/mapping/occurrences.js";
import type { FieldOf, SyncModule } from "../../src/sync/module.js";
import {
  type Attendee,
  type CalendarEvent,
  type Contact,
  completeRecurrenceFor,
  type EventSpan,
  normaliseContact,
  type PostalAddress,
  type Recurrence,
  type Task,
  weekdays,
} from "./support.js";

/** Zones with DST in either hemisphere, half-hour and 45-minute offsets, and UTC. */
export const ZONES = [
  "Europe/Berlin",
  "America/New_York",
  "Australia/Sydney",
  "Asia/Kolkata",
  "Pacific/Chatham",
  "UTC",
];

/** Non-empty text including non-Latin scripts, combining marks and emoji. */
export const text = fc.oneof(
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }),
  fc.constantFrom("Zoë Ångström", "Łukasz Żółć", "山田 太郎", "Ølstrøm & Söhne", "محمد", "😀 Team", "Ιωάννης"),
);
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const localPart = fc.stringMatching(/^[a-z][a-z0-9.]{0,8}[a-z0-9]$/);
export const address = fc
  .tuple(localPart, fc.constantFrom("example.com", "contoso.de", "zylker.co.in"))
  .map(([l, d]) => `${l}@${d}`);

const MIN = DateTime.fromISO("2000-01-01T00:00:00Z").toSeconds();
const MAX = DateTime.fromISO("2037-12-31T00:00:00Z").toSeconds();
export const instant = fc
  .integer({ min: MIN, max: MAX })
  .map((seconds) => DateTime.fromSeconds(seconds, { zone: "UTC" }).toFormat("yyyy-MM-dd'T'HH:mm:ss'Z'"));
export const localDate = fc
  .integer({ min: MIN, max: MAX })
  .map((s) => DateTime.fromSeconds(s, { zone: "UTC" }).toISODate() ?? "");

const postalAddress: fc.Arbitrary<PostalAddress> = fc
  .record({
    street: optional(text),
    city: optional(text),
    state: optional(text),
    postalCode: optional(text),
    country: optional(text),
  })
  .map((a) => Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)))
  .filter((a) => Object.keys(a).length > 0);

export const contact: fc.Arbitrary<Contact> = fc
  .record(
    {
      salutation: optional(fc.constantFrom("Mr.", "Mrs.", "Ms.", "Dr.", "Prof.")),
      givenName: optional(text),
      middleName: optional(text),
      surname: text,
      displayName: optional(text),
      companyName: optional(text),
      jobTitle: optional(text),
      department: optional(text),
      assistantName: optional(text),
      email1: optional(address),
      email2: optional(address),
      email3: optional(address),
      businessPhone: optional(text),
      businessPhone2: optional(text),
      mobilePhone: optional(text),
      homePhone: optional(text),
      homePhone2: optional(text),
      otherPhone: optional(text),
      assistantPhone: optional(text),
      businessFax: optional(text),
      homeFax: optional(text),
      businessAddress: optional(postalAddress),
      homeAddress: optional(postalAddress),
      otherAddress: optional(postalAddress),
      birthday: optional(localDate),
      website: optional(text),
      notes: optional(text),
      categories: fc.uniqueArray(text, { maxLength: 3 }),
    },
    { requiredKeys: ["surname", "categories"] },
  )
  .map((value) => normaliseContact(value as Contact));

const attendee: fc.Arbitrary<Attendee> = fc.record(
  {
    address,
    name: optional(text),
    type: fc.constantFrom("required", "optional", "resource"),
    response: fc.constantFrom("unknown", "accepted", "tentative", "declined", "notResponded"),
  },
  { requiredKeys: ["address", "type", "response"] },
);

const recurrenceShape: fc.Arbitrary<Recurrence> = fc.record({
  frequency: fc.constantFrom("daily", "weekly", "monthly", "yearly"),
  interval: fc.integer({ min: 1, max: 4 }),
  end: fc.oneof(
    fc.constant({ type: "never" as const }),
    fc.integer({ min: 1, max: 30 }).map((count) => ({ type: "count" as const, count })),
  ),
});

const relativeDay = fc.record({ bySetPos: fc.constantFrom(1, 2, 3, 4, -1), day: fc.constantFrom(...weekdays) });

export interface EventOptions {
  /** Generate all-day events only, timed only, or both. */
  allDay?: boolean;
}

/** A span, the zone it was scheduled in, and a recurrence anchored on its start. */
export function eventCore(options: EventOptions = {}) {
  const timed = fc
    .tuple(
      instant,
      fc.integer({ min: 1, max: 48 * 4 }).map((q) => q * 15 * 60),
      fc.constantFrom(...ZONES),
    )
    .map(([start, seconds, zone]) => ({
      span: {
        kind: "timed" as const,
        start,
        end: DateTime.fromISO(start, { zone: "UTC" }).plus({ seconds }).toFormat("yyyy-MM-dd'T'HH:mm:ss'Z'"),
      } satisfies EventSpan,
      zone,
    }));
  const allDay = fc
    .tuple(localDate, fc.integer({ min: 1, max: 5 }), fc.constantFrom(...ZONES))
    .map(([startDate, days, zone]) => ({
      span: {
        kind: "allDay" as const,
        startDate,
        endDate: DateTime.fromISO(startDate).plus({ days }).toISODate() ?? startDate,
      } satisfies EventSpan,
      zone,
    }));
  const spans = options.allDay === undefined ? fc.oneof(timed, allDay) : options.allDay ? allDay : timed;
  return fc
    .tuple(spans, optional(fc.tuple(recurrenceShape, fc.option(relativeDay, { nil: undefined }))))
    .map(([{ span, zone }, rule]) => {
      if (rule === undefined) return { span, zone, recurrence: undefined };
      const [shape, relative] = rule;
      const monthlyish = shape.frequency === "monthly" || shape.frequency === "yearly";
      const recurrence =
        relative !== undefined && monthlyish
          ? { ...shape, byWeekday: [relative.day], bySetPos: relative.bySetPos }
          : shape;
      return { span, zone, recurrence: completeRecurrenceFor(recurrence, span, zone) };
    });
}

export function event(options: EventOptions = {}): fc.Arbitrary<CalendarEvent> {
  return fc
    .tuple(
      eventCore(options),
      fc.record(
        {
          subject: text,
          location: optional(text),
          body: optional(text),
          organizer: optional(fc.record({ address, name: optional(text) }, { requiredKeys: ["address"] })),
          attendees: fc.uniqueArray(attendee, { maxLength: 4, selector: (a) => a.address }),
          reminderMinutesBefore: optional(fc.constantFrom(0, 5, 15, 30, 60, 120, 1440, 10080, 17)),
          onlineMeetingUrl: optional(fc.webUrl()),
          categories: fc.uniqueArray(text, { maxLength: 3 }),
          sensitivity: fc.constantFrom("normal", "personal", "private", "confidential"),
          uid: optional(fc.stringMatching(/^[0-9A-F]{16,40}$/)),
        },
        { requiredKeys: ["subject", "attendees", "categories", "sensitivity"] },
      ),
    )
    .map(([{ span, zone, recurrence }, rest]) => {
      const value: CalendarEvent = { ...rest, span, timeZone: zone, movedOccurrences: [], cancelledOccurrences: [] };
      if (recurrence !== undefined) value.recurrence = recurrence;
      return value;
    });
}

export const task: fc.Arbitrary<Task> = fc.record(
  {
    subject: text,
    status: fc.constantFrom("notStarted", "inProgress", "completed", "waitingOnOthers", "deferred"),
    priority: fc.constantFrom("lowest", "low", "normal", "high", "highest"),
    dueDate: optional(localDate),
    startDate: optional(localDate),
    completedDate: optional(localDate),
    reminderAt: optional(instant),
    body: optional(text),
    categories: fc.uniqueArray(text, { maxLength: 3 }),
  },
  { requiredKeys: ["subject", "status", "priority", "categories"] },
);

/**
 * Asserts `after` is a valid canonical value (as stored by the core: through JSON and the module's schema) and
 * equals `before` on every field in `fields`, in the sync core's comparison form.
 */
export function expectSameOn<T>(module: SyncModule<T>, fields: readonly FieldOf<T>[], before: T, after: T): void {
  expect(module.parse(JSON.parse(JSON.stringify(after)))).toEqual(after);
  for (const field of fields) {
    expect({ field, value: module.normalizeField(field, after[field]) }).toEqual({
      field,
      value: module.normalizeField(field, before[field]),
    });
  }
}

/** The fields a side holds, minus the ones a test excludes on purpose (with a reason at the call site). */
export function heldFields<T>(
  module: SyncModule<T>,
  side: "exchange" | "crm",
  except: readonly FieldOf<T>[] = [],
): FieldOf<T>[] {
  return module.sideFields[side].filter((field) => !except.includes(field));
}

/**
 * Recurring events whose moved and cancelled occurrences are real occurrences of their pattern (what Exchange
 * reports), moved by whole hours or days.
 */
export function eventWithOccurrences(): fc.Arbitrary<CalendarEvent> {
  return event()
    .filter((value) => value.recurrence !== undefined)
    .chain((value) => {
      const keys = occurrenceKeys(value, value.timeZone ?? "UTC", 12).slice(1);
      if (keys.length === 0) return fc.constant(value);
      return fc
        .tuple(
          fc.shuffledSubarray(keys, { maxLength: Math.min(3, keys.length) }),
          // A shift of 0 hours (timed) or 0 days (all-day: shift % 5) would be no move at all: Exchange reports such
          // an exception as following its pattern again, and the mappings rightly drop it.
          fc.integer({ min: -48, max: 48 }).filter((shift) => shift % 5 !== 0),
          optional(text),
        )
        .map(([picked, shift, subject]) => {
          const [moved, ...cancelled] = picked;
          const result: CalendarEvent = { ...value, cancelledOccurrences: [...cancelled].sort() };
          if (moved !== undefined) result.movedOccurrences = [movedOccurrence(value, moved, shift, subject)];
          return result;
        });
    });
}

function movedOccurrence(
  series: CalendarEvent,
  key: string,
  shift: number,
  subject: string | undefined,
): CalendarEvent["movedOccurrences"][number] {
  const { span } = series;
  const moved: CalendarEvent["movedOccurrences"][number] =
    span.kind === "allDay"
      ? {
          originalStart: key,
          span: {
            kind: "allDay",
            startDate:
              DateTime.fromISO(key)
                .plus({ days: shift % 5 })
                .toISODate() ?? key,
            endDate:
              DateTime.fromISO(key)
                .plus({ days: (shift % 5) + 1 })
                .toISODate() ?? key,
          },
        }
      : {
          originalStart: key,
          span: {
            kind: "timed",
            start: plusHours(key, shift),
            end: plusHours(key, shift + 1),
          },
        };
  if (subject !== undefined) moved.subject = subject;
  return moved;
}

const plusHours = (instant: string, hours: number) =>
  DateTime.fromISO(instant, { zone: "UTC" }).plus({ hours }).toFormat("yyyy-MM-dd'T'HH:mm:ss'Z'");

/** Event properties expand time zones and recurrences and are the slow ones; this many runs keeps the suite fast. */
export const EVENT_RUNS = { numRuns: 40 };
