/**
 * Date and time conversions between the canonical formats (UTC instant with whole seconds, floating date) and the
 * wire formats: offset date-times (Zoho), wall-clock date-times in a named zone (Graph `dateTimeTimeZone`, EWS local
 * times), UTC date-times with fractions (Graph, EWS). Luxon does the calendar arithmetic; sub-second parts are
 * truncated because Zoho stores none (zoho-crm-api.md §8.5), so an instant read back from any side compares equal.
 */
import { DateTime, type Zone } from "luxon";
import type { Instant, LocalDate } from "../model/index.js";
import { MappingError } from "./errors.js";

function parsed(field: string, value: string, dateTime: DateTime): DateTime<true> {
  if (dateTime.isValid) return dateTime as DateTime<true>;
  throw new MappingError(field, value, dateTime.invalidExplanation ?? "invalid date-time");
}

export function instantOf(dateTime: DateTime<true>): Instant {
  return dateTime.toUTC().startOf("second").toFormat("yyyy-MM-dd'T'HH:mm:ss'Z'");
}

/** `2026-05-15T07:30:00+03:00` (or `…Z`, or with fractions) → `2026-05-15T04:30:00Z`. Requires an offset. */
export function instantFromOffsetDateTime(field: string, value: string): Instant {
  if (!/(Z|[+-]\d{2}:?\d{2})$/.test(value)) throw new MappingError(field, value, "expected a date-time with an offset");
  return instantOf(parsed(field, value, DateTime.fromISO(value, { setZone: true })));
}

/** Canonical instant → `yyyy-MM-ddTHH:mm:ss±HH:mm` in `zone` (Zoho's DateTime input format). */
export function offsetDateTimeFromInstant(instant: Instant, zone: string | Zone): string {
  return DateTime.fromISO(instant, { zone: "UTC" }).setZone(zone).toFormat("yyyy-MM-dd'T'HH:mm:ssZZ");
}

/** Wall-clock time without offset (`2026-03-29T09:00:00.0000000`) in an IANA zone → instant. */
export function instantFromWallClock(field: string, value: string, zone: string | Zone): Instant {
  if (/(Z|[+-]\d{2}:\d{2})$/.test(value)) return instantFromOffsetDateTime(field, value);
  return instantOf(parsed(field, value, DateTime.fromISO(value, { zone })));
}

/** Instant → wall-clock `yyyy-MM-ddTHH:mm:ss` in an IANA zone (Graph `dateTimeTimeZone.dateTime`). */
export function wallClockFromInstant(instant: Instant, zone: string | Zone): string {
  return DateTime.fromISO(instant, { zone: "UTC" }).setZone(zone).toFormat("yyyy-MM-dd'T'HH:mm:ss");
}

/** The calendar date an instant falls on in `zone`. */
export function dateOfInstant(instant: Instant, zone: string | Zone): LocalDate {
  return DateTime.fromISO(instant, { zone: "UTC" }).setZone(zone).toISODate() ?? instant.slice(0, 10);
}

/** Midnight starting `date` in `zone`, as an instant (EWS all-day bounds). */
export function startOfDateInstant(date: LocalDate, zone: string | Zone): Instant {
  return instantOf(parsed("date", date, DateTime.fromISO(date, { zone })));
}

/** The date part of a wire date or date-time, checked: `2026-03-29T00:00:00.0000000` → `2026-03-29`. */
export function datePart(field: string, value: string): LocalDate {
  const date = value.slice(0, 10);
  parsed(field, value, DateTime.fromISO(date));
  return date;
}

export function addDays(date: LocalDate, days: number): LocalDate {
  return DateTime.fromISO(date, { zone: "UTC" }).plus({ days }).toISODate() ?? date;
}

/**
 * The date nearest to a date-time that should have been a midnight: Exchange stores date-only values (contact
 * birthdays, To Do due dates) as the owner's local midnight converted to UTC, e.g. `1974-07-21T22:00:00Z` for a
 * 22 July birthday in Berlin, so rounding to the nearest midnight recovers the date for zones within ±12 h.
 */
export function nearestDate(field: string, value: string): LocalDate {
  const dateTime = parsed(field, value, DateTime.fromISO(value, { zone: "UTC" }));
  return dateTime.plus({ hours: 12 }).toISODate() ?? value.slice(0, 10);
}

/**
 * The date a date-only Exchange value (task due/start/complete) stands for. Writers store it either as the owner's
 * local midnight or as UTC midnight; an exact local midnight in the mailbox zone is taken as such, anything else is
 * rounded to the nearest date.
 */
export function dateOfMidnight(field: string, instant: Instant, mailboxTimeZone: string): LocalDate {
  const local = parsed(field, instant, DateTime.fromISO(instant, { zone: "UTC" })).setZone(mailboxTimeZone);
  if (local.hour === 0 && local.minute === 0 && local.second === 0) return local.toISODate() ?? instant.slice(0, 10);
  return nearestDate(field, instant);
}

/** For writes to Exchange: values without a zone of their own (date-only values, Zoho events) use the mailbox's. */
export interface MailboxZoneOptions {
  /** IANA zone of the mailbox owner (Graph mailboxSettings.timeZone / EWS GetUserOofSettings…, mapped to IANA). */
  mailboxTimeZone: string;
}
