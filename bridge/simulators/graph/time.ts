/**
 * Date-times as Graph exchanges them (`dateTimeTimeZone`: a wall-clock `dateTime` without offset plus a Windows or
 * IANA `timeZone`) and expansion of `patternedRecurrence` into occurrences.
 *
 * Events are stored in UTC; responses are rendered in the zone asked for with `Prefer: outlook.timezone` (UTC by
 * default). Recurrence is expanded on the series' local wall clock (so a 9:00 meeting stays at 9:00 across DST):
 * rrule runs on "floating" dates and each local start is then placed in the series' zone with luxon.
 */
import { DateTime } from "luxon";
import rrule, { type Weekday } from "rrule";
import { findIana } from "windows-iana";
import { badRequest, GraphError } from "./errors.js";

// rrule ships CommonJS to Node: only its default export is reachable from ESM outside a bundler.
const { Frequency, RRule } = rrule;

export interface DateTimeTimeZone {
  dateTime: string;
  timeZone: string;
}

export function ianaZone(name: string): string {
  if (name === "UTC" || name === "tzone://Microsoft/Utc") return "UTC";
  const iana = findIana(name)[0] ?? name;
  if (!DateTime.now().setZone(iana).isValid) {
    throw new GraphError(
      400,
      "TimeZoneNotSupportedException",
      `A valid TimeZone value must be specified. The following TimeZone value is not supported: '${name}'.`,
    );
  }
  return iana;
}

/** Reads a `dateTimeTimeZone`; returns the instant in UTC. */
export function parseDateTimeTimeZone(value: unknown, field: string): DateTime {
  const candidate = value as Partial<DateTimeTimeZone> | undefined;
  if (!candidate || typeof candidate.dateTime !== "string" || typeof candidate.timeZone !== "string") {
    throw badRequest(
      `The property '${field}' must be a dateTimeTimeZone with dateTime and timeZone.`,
      "ErrorInvalidRequest",
    );
  }
  const parsed = DateTime.fromISO(candidate.dateTime, { zone: ianaZone(candidate.timeZone), setZone: false });
  if (!parsed.isValid) throw badRequest(`Cannot convert the literal '${candidate.dateTime}' to a date-time.`);
  return parsed.toUTC();
}

export function formatDateTimeTimeZone(utc: DateTime, timeZone: string): DateTimeTimeZone {
  const local = utc.setZone(ianaZone(timeZone));
  return { dateTime: `${local.toFormat("yyyy-LL-dd'T'HH:mm:ss")}.0000000`, timeZone };
}

/** `Prefer: outlook.timezone="Pacific Standard Time"` → the zone name, UTC when absent. */
export function preferredTimeZone(prefer: string | undefined): string {
  const match = /outlook\.timezone\s*=\s*"([^"]+)"/i.exec(prefer ?? "");
  if (!match?.[1]) return "UTC";
  ianaZone(match[1]);
  return match[1];
}

export interface PatternedRecurrence {
  pattern: {
    type: "daily" | "weekly" | "absoluteMonthly" | "relativeMonthly" | "absoluteYearly" | "relativeYearly";
    interval?: number;
    daysOfWeek?: string[];
    dayOfMonth?: number;
    month?: number;
    index?: "first" | "second" | "third" | "fourth" | "last";
    firstDayOfWeek?: string;
  };
  range: {
    type: "endDate" | "noEnd" | "numbered";
    startDate: string;
    endDate?: string;
    numberOfOccurrences?: number;
    recurrenceTimeZone?: string;
  };
}

export interface Occurrence {
  /** yyyy-mm-dd of the occurrence's original start, in the series' zone. */
  originalDate: string;
  start: DateTime;
  end: DateTime;
}

const WEEKDAYS: Record<string, Weekday> = {
  monday: RRule.MO,
  tuesday: RRule.TU,
  wednesday: RRule.WE,
  thursday: RRule.TH,
  friday: RRule.FR,
  saturday: RRule.SA,
  sunday: RRule.SU,
};
const INDEX: Record<string, number> = { first: 1, second: 2, third: 3, fourth: 4, last: -1 };

function weekdays(days: string[] | undefined, nth?: number): Weekday[] {
  if (!days?.length) throw badRequest("Recurrence pattern requires daysOfWeek.", "ErrorInvalidRecurrence");
  return days.map((day) => {
    const weekday = WEEKDAYS[day.toLowerCase()];
    if (!weekday) throw badRequest(`'${day}' is not a day of the week.`, "ErrorInvalidRecurrence");
    return nth === undefined ? weekday : weekday.nth(nth);
  });
}

export function validateRecurrence(recurrence: unknown): PatternedRecurrence {
  const candidate = recurrence as PatternedRecurrence | undefined;
  const types = ["daily", "weekly", "absoluteMonthly", "relativeMonthly", "absoluteYearly", "relativeYearly"];
  if (!candidate?.pattern || !types.includes(candidate.pattern.type) || !candidate.range?.startDate) {
    throw badRequest("The recurrence pattern or range is invalid.", "ErrorInvalidRecurrence");
  }
  if (!["endDate", "noEnd", "numbered"].includes(candidate.range.type)) {
    throw badRequest("The recurrence range type is invalid.", "ErrorInvalidRecurrence");
  }
  if (candidate.range.type === "endDate" && !candidate.range.endDate) {
    throw badRequest("An endDate range requires endDate.", "ErrorInvalidRecurrence");
  }
  return candidate;
}

function ruleOptions(recurrence: PatternedRecurrence): Partial<ConstructorParameters<typeof RRule>[0]> {
  const { pattern } = recurrence;
  const interval = pattern.interval ?? 1;
  const nth = pattern.index ? INDEX[pattern.index] : 1;
  switch (pattern.type) {
    case "daily":
      return { freq: Frequency.DAILY, interval };
    case "weekly":
      return {
        freq: Frequency.WEEKLY,
        interval,
        byweekday: weekdays(pattern.daysOfWeek),
        wkst: WEEKDAYS[pattern.firstDayOfWeek?.toLowerCase() ?? "sunday"] ?? RRule.SU,
      };
    case "absoluteMonthly":
      return { freq: Frequency.MONTHLY, interval, bymonthday: pattern.dayOfMonth ?? 1 };
    case "relativeMonthly":
      return { freq: Frequency.MONTHLY, interval, byweekday: weekdays(pattern.daysOfWeek, nth) };
    case "absoluteYearly":
      return { freq: Frequency.YEARLY, interval, bymonth: pattern.month ?? 1, bymonthday: pattern.dayOfMonth ?? 1 };
    case "relativeYearly":
      return {
        freq: Frequency.YEARLY,
        interval,
        bymonth: pattern.month ?? 1,
        byweekday: weekdays(pattern.daysOfWeek, nth),
      };
  }
}

/**
 * Occurrences of a series whose first occurrence starts at `seriesStart` (UTC) and lasts `durationMs`, for
 * occurrences starting before `until`. The series' zone is `range.recurrenceTimeZone` or `zone`.
 */
export function expandRecurrence(
  recurrence: PatternedRecurrence,
  seriesStart: DateTime,
  durationMs: number,
  zone: string,
  until: DateTime,
): Occurrence[] {
  const iana = ianaZone(recurrence.range.recurrenceTimeZone ?? zone);
  const localStart = seriesStart.setZone(iana);
  const startDate = DateTime.fromISO(recurrence.range.startDate, { zone: "UTC" });
  const floating = (local: DateTime) =>
    new Date(Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second));
  const dtstart = new Date(
    Date.UTC(startDate.year, startDate.month - 1, startDate.day, localStart.hour, localStart.minute, localStart.second),
  );
  const options: ConstructorParameters<typeof RRule>[0] = { ...ruleOptions(recurrence), dtstart };
  if (recurrence.range.type === "numbered") options.count = recurrence.range.numberOfOccurrences ?? 1;
  if (recurrence.range.type === "endDate" && recurrence.range.endDate) {
    const end = DateTime.fromISO(recurrence.range.endDate, { zone: "UTC" });
    options.until = new Date(Date.UTC(end.year, end.month - 1, end.day, 23, 59, 59));
  }
  const limit = floating(until.setZone(iana).plus({ days: 1 }));
  const occurrences: Occurrence[] = [];
  for (const date of new RRule(options).between(dtstart, limit, true)) {
    const start = DateTime.fromObject(
      {
        year: date.getUTCFullYear(),
        month: date.getUTCMonth() + 1,
        day: date.getUTCDate(),
        hour: date.getUTCHours(),
        minute: date.getUTCMinutes(),
        second: date.getUTCSeconds(),
      },
      { zone: iana },
    ).toUTC();
    if (start >= until) break;
    occurrences.push({
      originalDate: date.toISOString().slice(0, 10),
      start,
      end: start.plus({ milliseconds: durationMs }),
    });
  }
  return occurrences;
}
