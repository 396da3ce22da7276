/**
 * Calendar semantics: absolute times, recurrence expansion and occurrence ids.
 *
 * Start/End are stored in UTC; a dateTime without an offset is read in the request's time zone (TimeZoneContext,
 * else the item's StartTimeZone/MeetingTimeZone, else UTC — docs time-zones-and-ews-in-exchange.md). A series is
 * expanded in the meeting's own zone (wall-clock times stay fixed across DST) with rrule over "floating" dates
 * that luxon then places in that zone. Occurrences are addressed by 1-based InstanceIndex over the whole series.
 */
import { DateTime } from "luxon";
// rrule's package entry is CommonJS under plain Node: named imports fail there (they only work through bundlers).
import rrule, { type Options as RRuleOptions, type Weekday } from "rrule";
import { findIana } from "windows-iana";

const { RRule } = rrule;

import { prop, type StoredItem } from "./store.js";
import { child, childText, type XNode } from "./xml.js";

export function ianaZone(windowsId: string | undefined): string {
  if (!windowsId || windowsId === "UTC") return "UTC";
  const found = findIana(windowsId);
  return found?.[0] ?? "UTC";
}

/** Normalises an xs:dateTime to `YYYY-MM-DDTHH:mm:ssZ`; values without an offset are read in `zone`. */
export function toUtc(value: string, zone: string): string | undefined {
  const hasOffset = /(Z|[+-]\d\d:\d\d)$/.test(value);
  const parsed = hasOffset ? DateTime.fromISO(value, { setZone: true }) : DateTime.fromISO(value, { zone });
  if (!parsed.isValid) return undefined;
  return parsed.toUTC().toISO({ suppressMilliseconds: true }) ?? undefined;
}

/** The Windows zone id a calendar item was written in. */
export function itemZoneId(item: { props: XNode[] }, fallback: string | undefined): string | undefined {
  const start = prop(item, "StartTimeZone");
  if (start?.attrs.Id) return start.attrs.Id;
  const legacy = prop(item, "MeetingTimeZone");
  if (legacy?.attrs.TimeZoneName) return legacy.attrs.TimeZoneName;
  return fallback;
}

const DAYS: Record<string, Weekday> = {
  Monday: RRule.MO,
  Tuesday: RRule.TU,
  Wednesday: RRule.WE,
  Thursday: RRule.TH,
  Friday: RRule.FR,
  Saturday: RRule.SA,
  Sunday: RRule.SU,
};
const INDEX: Record<string, number> = { First: 1, Second: 2, Third: 3, Fourth: 4, Last: -1 };
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

function weekdays(value: string | undefined): Weekday[] {
  return (value ?? "")
    .split(/\s+/)
    .flatMap((d) => (d === "Weekday" ? [RRule.MO, RRule.TU, RRule.WE, RRule.TH, RRule.FR] : DAYS[d] ? [DAYS[d]] : []));
}

function patternOptions(recurrence: XNode): Partial<RRuleOptions> | undefined {
  const pattern = recurrence.children[0];
  if (!pattern) return undefined;
  const interval = Number(childText(pattern, "Interval") ?? "1");
  const days = weekdays(childText(pattern, "DaysOfWeek"));
  const index = INDEX[childText(pattern, "DayOfWeekIndex") ?? ""];
  const month = MONTHS.indexOf(childText(pattern, "Month") ?? "") + 1;
  switch (pattern.name) {
    case "DailyRecurrence":
      return { freq: RRule.DAILY, interval };
    case "WeeklyRecurrence":
      return { freq: RRule.WEEKLY, interval, byweekday: days };
    case "AbsoluteMonthlyRecurrence":
      return { freq: RRule.MONTHLY, interval, bymonthday: Number(childText(pattern, "DayOfMonth")) };
    case "RelativeMonthlyRecurrence":
      return { freq: RRule.MONTHLY, interval, byweekday: days, bysetpos: index };
    case "AbsoluteYearlyRecurrence":
      return { freq: RRule.YEARLY, bymonth: month, bymonthday: Number(childText(pattern, "DayOfMonth")) };
    case "RelativeYearlyRecurrence":
      return { freq: RRule.YEARLY, bymonth: month, byweekday: days, bysetpos: index };
    default:
      return undefined;
  }
}

export interface Occurrence {
  index: number;
  start: string;
  end: string;
}

/** The series' occurrences (unmodified times) up to `until` or `limit` instances. */
export function expandSeries(
  master: StoredItem,
  zoneFallback: string | undefined,
  until: Date,
  limit = 5000,
): Occurrence[] {
  const recurrence = prop(master, "Recurrence");
  const startUtc = prop(master, "Start")?.text;
  const endUtc = prop(master, "End")?.text;
  if (!recurrence || !startUtc || !endUtc) return [];
  const options = patternOptions(recurrence);
  const range = recurrence.children[1];
  if (!options || !range) return [];
  const zone = ianaZone(itemZoneId(master, zoneFallback));
  const localStart = DateTime.fromISO(startUtc, { zone: "UTC" }).setZone(zone);
  const durationMs = Date.parse(endUtc) - Date.parse(startUtc);
  const floating = (dt: DateTime) => new Date(Date.UTC(dt.year, dt.month - 1, dt.day, dt.hour, dt.minute, dt.second));
  const rangeStart = childText(range, "StartDate");
  const firstDay = rangeStart ? DateTime.fromISO(rangeStart.slice(0, 10), { zone }) : localStart;
  const dtstart = floating(
    firstDay.set({ hour: localStart.hour, minute: localStart.minute, second: localStart.second }),
  );
  const rule: Partial<RRuleOptions> = { ...options, dtstart };
  if (range.name === "NumberedRecurrence") rule.count = Number(childText(range, "NumberOfOccurrences"));
  if (range.name === "EndDateRecurrence") {
    const endDate = DateTime.fromISO((childText(range, "EndDate") ?? "").slice(0, 10), { zone: "UTC" });
    rule.until = new Date(Date.UTC(endDate.year, endDate.month - 1, endDate.day, 23, 59, 59));
  }
  const occurrences: Occurrence[] = [];
  const rrule = new RRule(rule);
  rrule.all((date, i) => {
    const local = DateTime.fromObject(
      {
        year: date.getUTCFullYear(),
        month: date.getUTCMonth() + 1,
        day: date.getUTCDate(),
        hour: date.getUTCHours(),
        minute: date.getUTCMinutes(),
        second: date.getUTCSeconds(),
      },
      { zone },
    );
    const start = local.toUTC();
    if (start.toJSDate() > until || i >= limit) return false;
    occurrences.push({
      index: i + 1,
      start: start.toISO({ suppressMilliseconds: true }) ?? "",
      end: start.plus({ milliseconds: durationMs }).toISO({ suppressMilliseconds: true }) ?? "",
    });
    return true;
  });
  return occurrences;
}

export function isRecurringMaster(item: StoredItem): boolean {
  return item.kind === "CalendarItem" && prop(item, "Recurrence") !== undefined;
}

const OCCURRENCE_PREFIX = "AAMkOC";

export function occurrenceId(masterId: string, index: number): string {
  return OCCURRENCE_PREFIX + Buffer.from(`${masterId}#${index}`, "utf8").toString("base64");
}

export function parseOccurrenceId(id: string): { masterId: string; index: number } | undefined {
  if (!id.startsWith(OCCURRENCE_PREFIX)) return undefined;
  const decoded = Buffer.from(id.slice(OCCURRENCE_PREFIX.length), "base64").toString("utf8");
  const hash = decoded.lastIndexOf("#");
  const index = Number(decoded.slice(hash + 1));
  return hash > 0 && Number.isInteger(index) && index > 0 ? { masterId: decoded.slice(0, hash), index } : undefined;
}

/** Occurrence index from an `OccurrenceItemId` / `ItemId` reference to an occurrence. */
export function occurrenceRef(node: XNode): { masterId: string; index: number } | undefined {
  if (node.name === "OccurrenceItemId") {
    const index = Number(node.attrs.InstanceIndex);
    return node.attrs.RecurringMasterId && index > 0 ? { masterId: node.attrs.RecurringMasterId, index } : undefined;
  }
  return node.attrs.Id ? parseOccurrenceId(node.attrs.Id) : undefined;
}

export function timeZoneContextId(header: XNode | undefined): string | undefined {
  return child(child(header, "TimeZoneContext"), "TimeZoneDefinition")?.attrs.Id;
}
