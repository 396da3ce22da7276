/**
 * Occurrences of a canonical series, and their keys.
 *
 * A key is an occurrence's original start: a UTC instant for timed series, a date for all-day series. Expansion
 * uses the `rrule` library on floating wall-clock times (its documented way to handle zones) and converts each to an
 * instant in the series' zone with luxon, so a 09:00 Berlin series stays at 09:00 local across DST changes.
 * EWS addresses occurrences by 1-based InstanceIndex (OccurrenceItemId), which `occurrenceIndex` computes.
 */
import { DateTime } from "luxon";
import rrule from "rrule";
import { type CalendarEvent, type EventSpan, type LocalDate, weekdays } from "../model/index.js";
import { dateOfInstant, instantFromOffsetDateTime, instantFromWallClock, wallClockFromInstant } from "./time.js";

const { RRule } = rrule;
const RRULE_DAYS = [RRule.MO, RRule.TU, RRule.WE, RRule.TH, RRule.FR, RRule.SA, RRule.SU];
const FREQUENCIES = { daily: RRule.DAILY, weekly: RRule.WEEKLY, monthly: RRule.MONTHLY, yearly: RRule.YEARLY };

/** The key of an occurrence whose original start the wire gives as a date-time with offset. */
export function occurrenceKey(span: EventSpan, originalStart: string, zone: string): string {
  const instant = instantFromOffsetDateTime("originalStart", originalStart);
  return span.kind === "allDay" ? dateOfInstant(instant, zone) : instant;
}

/** The key of the occurrence on a local date: the series' wall-clock start time on that date. */
export function occurrenceKeyOnDate(span: EventSpan, date: LocalDate, zone: string): string {
  if (span.kind === "allDay") return date;
  const time = wallClockFromInstant(span.start, zone).slice(11);
  return instantFromWallClock("occurrence", `${date}T${time}`, zone);
}

/** Floating wall-clock Date (rrule's convention: the UTC fields hold local time). */
function floating(local: DateTime): Date {
  return new Date(Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second));
}

/** Keys of the series' first `limit` occurrences in order (the pattern only: cancellations are not removed). */
export function occurrenceKeys(event: CalendarEvent, zone: string, limit = 500): string[] {
  const rule = event.recurrence;
  const { span } = event;
  const start =
    span.kind === "allDay"
      ? DateTime.fromISO(span.startDate, { zone: "UTC" })
      : DateTime.fromISO(span.start, { zone: "UTC" }).setZone(zone);
  if (rule === undefined) return [span.kind === "allDay" ? span.startDate : span.start];
  const expander = new RRule({
    freq: FREQUENCIES[rule.frequency],
    interval: rule.interval,
    dtstart: floating(start),
    byweekday: rule.byWeekday?.map((day) => RRULE_DAYS[weekdays.indexOf(day)] ?? RRule.MO) ?? null,
    bymonthday: rule.byMonthDay ?? null,
    bymonth: rule.byMonth ?? null,
    bysetpos: rule.bySetPos ?? null,
    wkst: RRULE_DAYS[weekdays.indexOf(rule.weekStart ?? "MO")] ?? RRule.MO,
    count: rule.end.type === "count" ? rule.end.count : null,
    until: rule.end.type === "until" ? floating(DateTime.fromISO(`${rule.end.date}T23:59:59`, { zone: "UTC" })) : null,
  });
  return expander
    .all((_, index) => index < limit)
    .map((date) => {
      const wallClock = date.toISOString().slice(0, 19);
      return span.kind === "allDay" ? wallClock.slice(0, 10) : instantFromWallClock("occurrence", wallClock, zone);
    });
}

/** EWS InstanceIndex (1-based) of the occurrence with this key, or undefined when the pattern has no such start. */
export function occurrenceIndex(event: CalendarEvent, key: string, zone: string): number | undefined {
  const index = occurrenceKeys(event, zone).indexOf(key);
  return index < 0 ? undefined : index + 1;
}
