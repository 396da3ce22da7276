/**
 * The time zone GetUserAvailability speaks: free/busy windows, CalendarEvent times and suggestion times carry no
 * offset and are wall-clock times in it (docs getuseravailability-operation.md; ews.md §10).
 *
 * Which zone: the body's `t:TimeZone` (SerializableTimeZone: Bias, StandardTime, DaylightTime — required by the
 * 2007 SP1 schema, optional later) when present, else the `TimeZoneContext` header's zone (2010+), else UTC.
 * SerializableTimeZone follows the Windows TIME_ZONE_INFORMATION rules: UTC = local + Bias (+ StandardTime.Bias or
 * DaylightTime.Bias, minutes); a transition happens at `Time` local on the DayOrder-th (5 = last) DayOfWeek of Month.
 */
import { DateTime } from "luxon";
import { ianaZone } from "./calendar.js";
import { child, childText, type XNode } from "./xml.js";

export interface RequestZone {
  /** A wall-clock time without offset (or an absolute one) as a UTC instant. */
  toUtc(value: string): number;
  /** A UTC instant as wall-clock time without offset, `YYYY-MM-DDTHH:mm:ss`. */
  toLocal(utcMs: number): string;
}

const WALL_CLOCK = "yyyy-MM-dd'T'HH:mm:ss";
const hasOffset = (value: string) => /(Z|[+-]\d\d:\d\d)$/.test(value);

function ianaRequestZone(zone: string): RequestZone {
  return {
    toUtc: (value) => (hasOffset(value) ? Date.parse(value) : DateTime.fromISO(value, { zone }).toMillis()),
    toLocal: (utcMs) => DateTime.fromMillis(utcMs, { zone }).toFormat(WALL_CLOCK),
  };
}

const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

interface Transition {
  bias: number;
  month: number;
  dayOrder: number;
  dayOfWeek: number;
  time: string;
}

function transition(node: XNode | undefined): Transition | undefined {
  if (!node) return undefined;
  return {
    bias: Number(childText(node, "Bias") ?? "0"),
    month: Number(childText(node, "Month") ?? "0"),
    dayOrder: Number(childText(node, "DayOrder") ?? "0"),
    dayOfWeek: DAY_NAMES.indexOf(childText(node, "DayOfWeek") ?? ""),
    time: childText(node, "Time") ?? "00:00:00",
  };
}

/** The transition's wall-clock moment in `year`, as milliseconds of a UTC-based wall clock. */
function transitionWallClock(rule: Transition, year: number): number {
  const first = new Date(Date.UTC(year, rule.month - 1, 1));
  let day = 1 + ((rule.dayOfWeek - first.getUTCDay() + 7) % 7) + 7 * (rule.dayOrder - 1);
  const daysInMonth = new Date(Date.UTC(year, rule.month, 0)).getUTCDate();
  while (day > daysInMonth) day -= 7;
  const [hours = 0, minutes = 0, seconds = 0] = rule.time.split(":").map(Number);
  return Date.UTC(year, rule.month - 1, day, hours, minutes, seconds);
}

function serializableRequestZone(node: XNode): RequestZone {
  const bias = Number(childText(node, "Bias") ?? "0");
  const standard = transition(child(node, "StandardTime"));
  const daylight = transition(child(node, "DaylightTime"));
  const observesDst = standard !== undefined && daylight !== undefined && standard.month > 0 && daylight.month > 0;
  /** Minutes to add to UTC for local time at this instant. */
  const offsetAt = (utcMs: number): number => {
    const standardOffset = -(bias + (standard?.bias ?? 0));
    if (!observesDst || !standard || !daylight) return standardOffset;
    const year = new Date(utcMs).getUTCFullYear();
    // Daylight starts at standard wall-clock time, standard time starts at daylight wall-clock time.
    const daylightStarts = transitionWallClock(daylight, year) + (bias + standard.bias) * 60_000;
    const standardStarts = transitionWallClock(standard, year) + (bias + daylight.bias) * 60_000;
    const inDaylight =
      daylightStarts < standardStarts
        ? utcMs >= daylightStarts && utcMs < standardStarts
        : !(utcMs >= standardStarts && utcMs < daylightStarts);
    return inDaylight ? -(bias + daylight.bias) : standardOffset;
  };
  return {
    toUtc(value) {
      if (hasOffset(value)) return Date.parse(value);
      const wallClock = Date.parse(`${value}Z`);
      const guess = wallClock - offsetAt(wallClock) * 60_000;
      return wallClock - offsetAt(guess) * 60_000;
    },
    toLocal: (utcMs) => new Date(utcMs + offsetAt(utcMs) * 60_000).toISOString().slice(0, 19),
  };
}

/** The zone of one GetUserAvailability request. */
export function requestZone(body: XNode, headerZoneId: string | undefined): RequestZone {
  const declared = child(body, "TimeZone");
  return declared ? serializableRequestZone(declared) : ianaRequestZone(ianaZone(headerZoneId));
}
