/**
 * Canonical recurrence ⇄ RFC 5545 RRULE text, the form Zoho's `Recurring_Activity.RRULE` uses
 * (`FREQ=DAILY;INTERVAL=1;DTSTART=2023-05-20;UNTIL=2023-05-28`, zoho-crm-api.md §3: DTSTART and UNTIL are plain
 * dates there). Parsing also accepts RFC forms (`UNTIL=20230528T235959Z`, `BYDAY=1MO`) and makes implicit parts
 * explicit from the series start (a monthly rule without BYMONTHDAY repeats on the start's day of month), so two
 * spellings of one rule map to one canonical value.
 */
import { DateTime } from "luxon";
import { type LocalDate, normaliseRecurrence, type Recurrence, type Weekday, weekdays } from "../model/index.js";
import { MappingError } from "./errors.js";
import { compact } from "./values.js";

const FREQUENCIES = { DAILY: "daily", WEEKLY: "weekly", MONTHLY: "monthly", YEARLY: "yearly" } as const;

function isWeekday(value: string): value is Weekday {
  return (weekdays as readonly string[]).includes(value);
}

function rruleDate(field: string, value: string): LocalDate {
  const digits = value.replaceAll("-", "");
  const match = /^(\d{4})(\d{2})(\d{2})(T\d{6}Z?)?$/.exec(digits);
  if (match === null) throw new MappingError(field, value, "expected an RRULE date");
  const date = `${match[1]}-${match[2]}-${match[3]}`;
  if (!DateTime.fromISO(date).isValid) throw new MappingError(field, value, "not a calendar date");
  return date;
}

function integerPart(field: string, value: string): number {
  if (!/^-?\d+$/.test(value)) throw new MappingError(field, value, "expected an integer");
  return Number(value);
}

/** Year, month (1–12) and day of a `yyyy-MM-dd` date: every series read asks, and a luxon DateTime costs more. */
function dateFields(date: LocalDate): { year: number; month: number; day: number } {
  return { year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)), day: Number(date.slice(8, 10)) };
}

/** The weekday of a date, as an RRULE day code. */
export function weekdayOf(date: LocalDate): Weekday {
  const { year, month, day } = dateFields(date);
  const at = new Date(0);
  at.setUTCFullYear(year, month - 1, day);
  // getUTCDay counts from Sunday, RRULE day codes from Monday.
  return weekdays[(at.getUTCDay() + 6) % 7] ?? "MO";
}

/**
 * Makes the pattern explicit from the series' first date, as Exchange patterns always are. "Every 12·n months" is
 * "every n years" in the start's month (EWS yearly patterns have no interval, so EWS writes the monthly form).
 */
export function completeRecurrence(rule: Recurrence, seriesStart: LocalDate): Recurrence {
  const start = dateFields(seriesStart);
  const complete: Recurrence = { ...rule };
  if (rule.frequency === "monthly" && rule.interval % 12 === 0) {
    Object.assign(complete, { frequency: "yearly", interval: rule.interval / 12, byMonth: start.month });
  }
  const hasDayRule = rule.byMonthDay !== undefined || rule.byWeekday !== undefined;
  if (complete.frequency === "weekly" && rule.byWeekday === undefined) complete.byWeekday = [weekdayOf(seriesStart)];
  if ((complete.frequency === "monthly" || complete.frequency === "yearly") && !hasDayRule)
    complete.byMonthDay = start.day;
  if (complete.frequency === "yearly" && complete.byMonth === undefined) complete.byMonth = start.month;
  return normaliseRecurrence(complete);
}

/** RRULE text (with or without the `RRULE:` prefix) → canonical recurrence. */
export function recurrenceFromRrule(text: string, seriesStart: LocalDate): Recurrence {
  const field = "RRULE";
  const parts = new Map<string, string>();
  for (const part of text.replace(/^RRULE:/i, "").split(";")) {
    if (part === "") continue;
    const [key, value] = part.split("=", 2);
    if (key === undefined || value === undefined) throw new MappingError(field, text, `malformed part "${part}"`);
    parts.set(key.toUpperCase(), value.toUpperCase());
  }
  const frequency = FREQUENCIES[parts.get("FREQ") as keyof typeof FREQUENCIES];
  if (frequency === undefined) throw new MappingError(field, text, "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY");

  let bySetPos = parts.has("BYSETPOS") ? integerPart(field, parts.get("BYSETPOS") ?? "") : undefined;
  let byWeekday: Weekday[] | undefined;
  const byDay = parts.get("BYDAY");
  if (byDay !== undefined) {
    byWeekday = byDay.split(",").map((entry) => {
      const match = /^(-?\d)?([A-Z]{2})$/.exec(entry);
      const day = match?.[2];
      if (match === null || day === undefined || !isWeekday(day))
        throw new MappingError(field, text, `bad BYDAY "${entry}"`);
      if (match[1] !== undefined) bySetPos = Number(match[1]);
      return day;
    });
  }
  const until = parts.get("UNTIL");
  const count = parts.get("COUNT");
  const weekStart = parts.get("WKST");
  const rule: Recurrence = compact({
    frequency,
    interval: parts.has("INTERVAL") ? integerPart(field, parts.get("INTERVAL") ?? "") : 1,
    byWeekday,
    byMonthDay: parts.has("BYMONTHDAY") ? integerPart(field, parts.get("BYMONTHDAY") ?? "") : undefined,
    byMonth: parts.has("BYMONTH") ? integerPart(field, parts.get("BYMONTH") ?? "") : undefined,
    bySetPos,
    weekStart: weekStart !== undefined && isWeekday(weekStart) ? weekStart : undefined,
    end:
      until !== undefined
        ? { type: "until" as const, date: rruleDate(`${field}.UNTIL`, until) }
        : count !== undefined
          ? { type: "count" as const, count: integerPart(field, count) }
          : { type: "never" as const },
  });
  if (rule.interval < 1) throw new MappingError(field, text, "INTERVAL must be at least 1");
  return completeRecurrence(rule, seriesStart);
}

/** Canonical recurrence → Zoho RRULE text with Zoho's plain-date DTSTART and UNTIL. */
export function recurrenceToZohoRrule(rule: Recurrence, seriesStart: LocalDate): string {
  const parts = [`FREQ=${rule.frequency.toUpperCase()}`, `INTERVAL=${rule.interval}`];
  if (rule.byWeekday !== undefined) parts.push(`BYDAY=${rule.byWeekday.join(",")}`);
  if (rule.byMonthDay !== undefined) parts.push(`BYMONTHDAY=${rule.byMonthDay}`);
  if (rule.byMonth !== undefined) parts.push(`BYMONTH=${rule.byMonth}`);
  if (rule.bySetPos !== undefined) parts.push(`BYSETPOS=${rule.bySetPos}`);
  if (rule.weekStart !== undefined) parts.push(`WKST=${rule.weekStart}`);
  parts.push(`DTSTART=${seriesStart}`);
  if (rule.end.type === "until") parts.push(`UNTIL=${rule.end.date}`);
  if (rule.end.type === "count") parts.push(`COUNT=${rule.end.count}`);
  return parts.join(";");
}
