/**
 * Date and time conversions between the canonical formats (UTC instant with whole seconds, floating date) and the
 * wire formats: offset date-times (Zoho), wall-clock date-times in a named zone (Graph `dateTimeTimeZone`, EWS local
 * times), UTC date-times with fractions (Graph, EWS). Sub-second parts are truncated because Zoho stores none
 * (zoho-crm-api.md §8.5), so an instant read back from any side compares equal.
 *
 * These run for every time of every synced item, so the wire's usual shapes (`yyyy-MM-ddTHH:mm:ss[.f…]` with `Z`,
 * an offset or none; `yyyy-MM-dd`) in IANA zones take a fast path of plain `Date` arithmetic with zone offsets from
 * the runtime's ICU data (the data luxon reads too), remembered per zone and day. Anything else — other ISO forms,
 * out-of-range fields, luxon Zone objects, names Intl does not know — goes to luxon as before, so what is accepted,
 * refused and how stays luxon's.
 */
import { DateTime, type Zone } from "luxon";
import { type Instant, type LocalDate, remembered } from "../model/index.js";
import { MappingError } from "./errors.js";

const MINUTE = 60_000;
const DAY = 86_400_000;

/** `yyyy-MM-ddTHH:mm:ss`, optional fraction, optional `Z` / `±HH:mm` / `±HHmm`. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Wall-clock fields read as if UTC (milliseconds), or undefined when a field is out of range. */
function fieldsMillis(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number | undefined {
  // Years below 1000 would need Date's two-digit-year care, and luxon handles them: not worth a fast path.
  if (year < 1000 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 31 April over into 1 May; luxon refuses it.
  return new Date(millis).getUTCDate() === day ? millis : undefined;
}

interface ParsedDateTime {
  /** The wall-clock fields as if UTC. */
  local: number;
  /** Offset in minutes east of UTC, undefined when the value has none. */
  offset: number | undefined;
}

function parseDateTime(value: string): ParsedDateTime | undefined {
  const match = DATE_TIME.exec(value);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number);
  const local = fieldsMillis(year as number, month as number, day as number, hour, minute, second);
  if (local === undefined) return undefined;
  const designator = match[7];
  if (designator === undefined) return { local, offset: undefined };
  if (designator === "Z") return { local, offset: 0 };
  const digits = designator.replace(":", "");
  const hours = Number(digits.slice(1, 3));
  const minutes = Number(digits.slice(3, 5));
  if (hours > 18 || minutes > 59) return undefined;
  return { local, offset: (digits.startsWith("-") ? -1 : 1) * (hours * 60 + minutes) };
}

const isoOf = (millis: number) => new Date(millis).toISOString();
/** A UTC instant in the canonical form, fractions truncated; undefined outside the 4-digit years. */
function instantFromMillis(millis: number): Instant | undefined {
  const iso = isoOf(Math.floor(millis / 1000) * 1000);
  return iso.length === 24 && !iso.startsWith("0") ? `${iso.slice(0, 19)}Z` : undefined;
}

/** An Intl formatter per IANA zone answering its wall-clock fields; undefined for names Intl does not know. */
const zoneFormatter = remembered((zone: string): Intl.DateTimeFormat | undefined => {
  try {
    return new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  } catch {
    return undefined;
  }
});

/** en-US numeric output with hourCycle h23: `5/15/2026, 09:00:00`. */
const FORMATTED = /^(\d+)\/(\d+)\/(\d+),? (\d+):(\d+):(\d+)$/;

/**
 * The zone's offset east of UTC (milliseconds) at an instant, from ICU, as luxon computes it (IANAZone.offset).
 * The formatted string is read like luxon's hackyOffset: a third of formatToParts' cost; the parts are the fallback.
 */
function exactOffset(format: Intl.DateTimeFormat, millis: number): number {
  const match = FORMATTED.exec(format.format(millis));
  const fields: Record<string, string> = {};
  if (match === null) for (const part of format.formatToParts(millis)) fields[part.type] = part.value;
  const field = (index: number, type: string) => Number(match === null ? fields[type] : match[index]);
  const wall = new Date(0);
  wall.setUTCFullYear(field(3, "year"), field(1, "month") - 1, field(2, "day"));
  wall.setUTCHours(field(4, "hour"), field(5, "minute"), field(6, "second"), 0);
  return wall.getTime() - (millis - (((millis % 1000) + 1000) % 1000));
}

/**
 * Offsets per zone and UTC day: a day whose first and last millisecond have the same offset has no transition in it
 * (zones change offset at most once a day), so every instant of it shares that offset; transition days are computed
 * exactly each time. Bounded per zone.
 */
const dayOffsets = remembered((): Map<number, number | null> => new Map());

function offsetAt(zone: string, format: Intl.DateTimeFormat, millis: number): number {
  const days = dayOffsets(zone);
  const day = Math.floor(millis / DAY);
  let known = days.get(day);
  if (known === undefined) {
    const first = exactOffset(format, day * DAY);
    known = first === exactOffset(format, day * DAY + DAY - 1) ? first : null;
    if (days.size >= 50_000) days.clear();
    days.set(day, known);
  }
  return known ?? exactOffset(format, millis);
}

/** A zone the fast path can use: a name Intl knows (luxon's FixedOffsetZone names and Zone objects are not). */
function fastZone(zone: string | Zone): { name: string; format: Intl.DateTimeFormat } | undefined {
  if (typeof zone !== "string") return undefined;
  const format = zoneFormatter(zone);
  return format === undefined ? undefined : { name: zone, format };
}

/**
 * The instant at which the zone's clocks show `local`. A time that occurs twice (clocks going back) is the first of
 * the two, a time skipped by clocks going forward is read with the offset before the gap — RFC 5545 §3.3.5's rule
 * for local times in a zone, and what luxon answers for skipped times. Offsets a day either side bracket the local
 * time, since zones change at most once in that span.
 */
function instantAtWallClock(zone: string, format: Intl.DateTimeFormat, local: number): number {
  const before = offsetAt(zone, format, local - DAY);
  const after = offsetAt(zone, format, local + DAY);
  const candidates = [local - before, local - after].filter(
    (instant) => instant + offsetAt(zone, format, instant) === local,
  );
  return candidates.length === 0 ? local - before : Math.min(...candidates);
}

/** Wall-clock milliseconds (fields as if UTC) of an instant in the zone. */
function wallClockMillis(zone: string, format: Intl.DateTimeFormat, millis: number): number {
  return millis + offsetAt(zone, format, millis);
}

/** Canonical instant (or any UTC `…Z` date-time the fast path reads) → milliseconds, else undefined. */
function utcMillis(instant: string): number | undefined {
  const parsed = parseDateTime(instant);
  return parsed?.offset === 0 ? parsed.local : undefined;
}

function offsetText(offsetMillis: number): string | undefined {
  if (offsetMillis % MINUTE !== 0) return undefined;
  const minutes = Math.abs(offsetMillis / MINUTE);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${offsetMillis < 0 ? "-" : "+"}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

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
  const fast = parseDateTime(value);
  // Already UTC (Graph's and EWS's form): the checked fields are the instant, fractions dropped.
  if (fast?.offset === 0) return `${value.slice(0, 19)}Z`;
  const instant = fast?.offset === undefined ? undefined : instantFromMillis(fast.local - fast.offset * MINUTE);
  return instant ?? instantOf(parsed(field, value, DateTime.fromISO(value, { setZone: true })));
}

/** Canonical instant → `yyyy-MM-ddTHH:mm:ss±HH:mm` in `zone` (Zoho's DateTime input format). */
export function offsetDateTimeFromInstant(instant: Instant, zone: string | Zone): string {
  const fast = fastZone(zone);
  const millis = utcMillis(instant);
  if (fast !== undefined && millis !== undefined) {
    const offset = offsetAt(fast.name, fast.format, millis);
    const text = offsetText(offset);
    const wall = isoOf(millis + offset);
    if (text !== undefined && wall.length === 24) return `${wall.slice(0, 19)}${text}`;
  }
  return DateTime.fromISO(instant, { zone: "UTC" }).setZone(zone).toFormat("yyyy-MM-dd'T'HH:mm:ssZZ");
}

/** Wall-clock time without offset (`2026-03-29T09:00:00.0000000`) in an IANA zone → instant. */
export function instantFromWallClock(field: string, value: string, zone: string | Zone): Instant {
  if (/(Z|[+-]\d{2}:\d{2})$/.test(value)) return instantFromOffsetDateTime(field, value);
  const fast = fastZone(zone);
  const local = fast === undefined ? undefined : parseDateTime(value);
  const instant =
    fast === undefined || local === undefined || local.offset !== undefined
      ? undefined
      : instantFromMillis(instantAtWallClock(fast.name, fast.format, local.local));
  return instant ?? instantOf(parsed(field, value, DateTime.fromISO(value, { zone })));
}

/** Instant → wall-clock `yyyy-MM-ddTHH:mm:ss` in an IANA zone (Graph `dateTimeTimeZone.dateTime`). */
export function wallClockFromInstant(instant: Instant, zone: string | Zone): string {
  const wall = localIso(instant, zone);
  if (wall !== undefined) return wall.slice(0, 19);
  return DateTime.fromISO(instant, { zone: "UTC" }).setZone(zone).toFormat("yyyy-MM-dd'T'HH:mm:ss");
}

/** The fast path's wall clock of an instant in a zone, as an ISO string of 4-digit years; else undefined. */
function localIso(instant: Instant, zone: string | Zone): string | undefined {
  const fast = fastZone(zone);
  const millis = utcMillis(instant);
  if (fast === undefined || millis === undefined) return undefined;
  const wall = isoOf(wallClockMillis(fast.name, fast.format, millis));
  return wall.length === 24 && !wall.startsWith("0") ? wall : undefined;
}

/** The calendar date an instant falls on in `zone`. */
export function dateOfInstant(instant: Instant, zone: string | Zone): LocalDate {
  return (
    localIso(instant, zone)?.slice(0, 10) ??
    DateTime.fromISO(instant, { zone: "UTC" }).setZone(zone).toISODate() ??
    instant.slice(0, 10)
  );
}

/** Midnight starting `date` in `zone`, as an instant (EWS all-day bounds). */
export function startOfDateInstant(date: LocalDate, zone: string | Zone): Instant {
  if (DATE.test(date)) return instantFromWallClock("date", `${date}T00:00:00`, zone);
  return instantOf(parsed("date", date, DateTime.fromISO(date, { zone })));
}

/** The date part of a wire date or date-time, checked: `2026-03-29T00:00:00.0000000` → `2026-03-29`. */
export function datePart(field: string, value: string): LocalDate {
  const date = value.slice(0, 10);
  if (dateMillis(date) === undefined) parsed(field, value, DateTime.fromISO(date));
  return date;
}

/** A `yyyy-MM-dd` date as UTC midnight milliseconds, undefined for anything else. */
function dateMillis(date: string): number | undefined {
  const match = DATE.exec(date);
  return match === null ? undefined : fieldsMillis(Number(match[1]), Number(match[2]), Number(match[3]));
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const millis = dateMillis(date);
  const moved = millis === undefined ? undefined : isoOf(millis + days * DAY);
  if (moved !== undefined && moved.length === 24 && !moved.startsWith("0")) return moved.slice(0, 10);
  return DateTime.fromISO(date, { zone: "UTC" }).plus({ days }).toISODate() ?? date;
}

/**
 * The date nearest to a date-time that should have been a midnight: Exchange stores date-only values (contact
 * birthdays, To Do due dates) as the owner's local midnight converted to UTC, e.g. `1974-07-21T22:00:00Z` for a
 * 22 July birthday in Berlin, so rounding to the nearest midnight recovers the date for zones within ±12 h.
 */
export function nearestDate(field: string, value: string): LocalDate {
  const fast = parseDateTime(value);
  if (fast !== undefined) {
    const noon = isoOf(fast.local - (fast.offset ?? 0) * MINUTE + 12 * 60 * MINUTE);
    if (noon.length === 24 && !noon.startsWith("0")) return noon.slice(0, 10);
  }
  const dateTime = parsed(field, value, DateTime.fromISO(value, { zone: "UTC" }));
  return dateTime.plus({ hours: 12 }).toISODate() ?? value.slice(0, 10);
}

/**
 * The date a date-only Exchange value (task due/start/complete) stands for. Writers store it either as the owner's
 * local midnight or as UTC midnight; an exact local midnight in the mailbox zone is taken as such, anything else is
 * rounded to the nearest date.
 */
export function dateOfMidnight(field: string, instant: Instant, mailboxTimeZone: string): LocalDate {
  const wall = localIso(instant, mailboxTimeZone);
  if (wall !== undefined) return wall.slice(11, 19) === "00:00:00" ? wall.slice(0, 10) : nearestDate(field, instant);
  const local = parsed(field, instant, DateTime.fromISO(instant, { zone: "UTC" })).setZone(mailboxTimeZone);
  if (local.hour === 0 && local.minute === 0 && local.second === 0) return local.toISODate() ?? instant.slice(0, 10);
  return nearestDate(field, instant);
}

/** For writes to Exchange: values without a zone of their own (date-only values, Zoho events) use the mailbox's. */
export interface MailboxZoneOptions {
  /** IANA zone of the mailbox owner (Graph mailboxSettings.timeZone / EWS GetUserOofSettings…, mapped to IANA). */
  mailboxTimeZone: string;
}
