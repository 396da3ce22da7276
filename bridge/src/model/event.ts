/**
 * Canonical calendar event.
 *
 * Invariants:
 * - A timed event's `start`/`end` are UTC instants; the zone the organiser scheduled in is the separate `timeZone`
 *   field, so a side that keeps only offsets (Zoho) still agrees on the instants and merely lacks `timeZone`.
 * - An all-day event is a floating date range with an exclusive end (`2026-03-29`…`2026-03-30` is one day), the
 *   convention Graph and EWS use; Zoho's `T00:00:00+00:00 … T23:59:59+00:00` is normalised to it by the mapping.
 * - A recurring series holds its rule plus the occurrences that differ from it: `movedOccurrences` (exceptions) and
 *   `cancelledOccurrences`, both keyed by the occurrence's original start (an instant for timed series, a date for
 *   all-day series), kept sorted by that key.
 */
import { z } from "zod";
import { categoriesSchema, ianaZoneSchema, instantSchema, localDateSchema, mailboxSchema } from "./primitives.js";

export const timedSpanSchema = z.object({ kind: z.literal("timed"), start: instantSchema, end: instantSchema });
export const allDaySpanSchema = z.object({
  kind: z.literal("allDay"),
  startDate: localDateSchema,
  /** Exclusive. */
  endDate: localDateSchema,
});
export const eventSpanSchema = z.discriminatedUnion("kind", [timedSpanSchema, allDaySpanSchema]);
export type TimedSpan = z.infer<typeof timedSpanSchema>;
export type AllDaySpan = z.infer<typeof allDaySpanSchema>;
export type EventSpan = z.infer<typeof eventSpanSchema>;

export const weekdays = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;
export const weekdaySchema = z.enum(weekdays);
export type Weekday = z.infer<typeof weekdaySchema>;

/**
 * A recurrence rule in RFC 5545 terms, restricted to what Exchange patterns can express:
 * daily / weekly(byWeekday) / monthly(byMonthDay | byWeekday+bySetPos) / yearly(byMonth + the same).
 * The first occurrence is the event's own start.
 */
export const recurrenceSchema = z.object({
  frequency: z.enum(["daily", "weekly", "monthly", "yearly"]),
  interval: z.number().int().min(1),
  /** Sorted Monday-first. */
  byWeekday: z.array(weekdaySchema).optional(),
  byMonthDay: z.number().int().min(1).max(31).optional(),
  byMonth: z.number().int().min(1).max(12).optional(),
  /** 1–4 = first…fourth, -1 = last; only together with byWeekday on monthly/yearly rules. */
  bySetPos: z.number().int().min(-1).max(4).optional(),
  /** Week start for weekly rules with interval > 1; absent = Monday. */
  weekStart: weekdaySchema.optional(),
  end: z.discriminatedUnion("type", [
    z.object({ type: z.literal("never") }),
    /** Inclusive last date, in the series' time zone. */
    z.object({ type: z.literal("until"), date: localDateSchema }),
    z.object({ type: z.literal("count"), count: z.number().int().min(1) }),
  ]),
});
export type Recurrence = z.infer<typeof recurrenceSchema>;

/** An occurrence's identity: its original start (instant for timed series, date for all-day series). */
export const occurrenceKeySchema = z.union([instantSchema, localDateSchema]);

export const movedOccurrenceSchema = z.object({
  originalStart: occurrenceKeySchema,
  span: eventSpanSchema,
  subject: z.string().optional(),
  location: z.string().optional(),
});
export type MovedOccurrence = z.infer<typeof movedOccurrenceSchema>;

export const attendeeSchema = z.object({
  address: z.string().min(3),
  name: z.string().optional(),
  type: z.enum(["required", "optional", "resource"]),
  response: z.enum(["unknown", "organizer", "accepted", "tentative", "declined", "notResponded"]),
});
export type Attendee = z.infer<typeof attendeeSchema>;

export const sensitivities = ["normal", "personal", "private", "confidential"] as const;

export const eventSchema = z.object({
  subject: z.string(),
  span: eventSpanSchema,
  /** IANA zone the event was scheduled in (recurrence expands in it); absent for all-day events on Zoho. */
  timeZone: ianaZoneSchema.optional(),
  location: z.string().optional(),
  /** Plain text. */
  body: z.string().optional(),
  organizer: mailboxSchema.optional(),
  /** Sorted by lower-cased address; the organiser is not repeated here. */
  attendees: z.array(attendeeSchema),
  /** Minutes before start; absent = no reminder. */
  reminderMinutesBefore: z.number().int().min(0).optional(),
  recurrence: recurrenceSchema.optional(),
  movedOccurrences: z.array(movedOccurrenceSchema),
  cancelledOccurrences: z.array(occurrenceKeySchema),
  onlineMeetingUrl: z.string().optional(),
  categories: categoriesSchema,
  sensitivity: z.enum(sensitivities),
  /** iCalendar UID (Graph `iCalUId`, EWS `UID`): the first-sync match key. Never written by us. */
  uid: z.string().optional(),
});
export type CalendarEvent = z.infer<typeof eventSchema>;
