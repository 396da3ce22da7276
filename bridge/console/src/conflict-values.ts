/**
 * Conflict fields for people: the admin API sends each version's canonical fields flat, nested values (an event's
 * span, attendees, recurrence, occurrences, a postal address) as JSON text. These turn them back into what an admin
 * reads in Outlook or Zoho ("Mon, Dec 7, 9:00 – 10:00 AM", "Lee Gu <leeg@…>", "Weekly on Monday, 10 times").
 */
import type { Conflict } from "../../src/api/admin.js";

type FieldValue = Conflict["zoho"]["fields"][string] | undefined;

/** Canonical names whose plain humanised form would mislead (span, body) or read like code (email1, uid). */
const LABELS: Record<string, string> = {
  span: "When",
  timeZone: "Time zone",
  body: "Description",
  notes: "Notes",
  givenName: "First name",
  surname: "Last name",
  email1: "E-mail",
  email2: "E-mail 2",
  email3: "E-mail 3",
  reminderMinutesBefore: "Reminder",
  reminderAt: "Reminder",
  recurrence: "Repeats",
  movedOccurrences: "Moved occurrences",
  cancelledOccurrences: "Cancelled occurrences",
  onlineMeetingUrl: "Online meeting",
  uid: "Meeting ID (iCalendar UID)",
};

export function conflictFieldLabel(conflict: Conflict, field: string): string {
  const label = LABELS[field] ?? conflict.labels[field] ?? field.replace(/([A-Z])/g, " $1").toLowerCase();
  return label.charAt(0).toUpperCase() + label.slice(1);
}

const WEEKDAYS: Record<string, string> = {
  MO: "Monday",
  TU: "Tuesday",
  WE: "Wednesday",
  TH: "Thursday",
  FR: "Friday",
  SA: "Saturday",
  SU: "Sunday",
};
const ORDINAL: Record<string, string> = { "1": "first", "2": "second", "3": "third", "4": "fourth", "-1": "last" };
const UNIT: Record<string, string> = { daily: "day", weekly: "week", monthly: "month", yearly: "year" };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const isObject = (value: Json): value is { [key: string]: Json } =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" });

/** An instant ("2026-12-07T09:00:00Z") or a local date ("2026-12-07"). */
function when(value: Json): string {
  if (typeof value !== "string") return describe(value);
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return dateOnly.format(new Date(`${value}T00:00:00Z`));
  const instant = Date.parse(value);
  return Number.isNaN(instant) ? value : dateTime.format(instant);
}

function span(value: { [key: string]: Json }): string {
  if (value.kind === "timed")
    return dateTime.formatRange(Date.parse(String(value.start)), Date.parse(String(value.end)));
  // All-day spans end on the exclusive next day.
  const last = new Date(`${String(value.endDate)}T00:00:00Z`).getTime() - 86_400_000;
  return `${dateOnly.formatRange(new Date(`${String(value.startDate)}T00:00:00Z`).getTime(), last)} (all day)`;
}

function person(value: { [key: string]: Json }): string {
  const address = String(value.address ?? "");
  const name = typeof value.name === "string" && value.name !== "" ? value.name : null;
  const optional = value.type === "optional" ? " (optional)" : "";
  return `${name === null ? address : `${name} <${address}>`}${optional}`;
}

function recurrence(rule: { [key: string]: Json }): string {
  const interval = Number(rule.interval ?? 1);
  const unit = UNIT[String(rule.frequency)] ?? String(rule.frequency);
  const every = interval === 1 ? `Every ${unit}` : `Every ${interval} ${unit}s`;
  const days = Array.isArray(rule.byWeekday) ? rule.byWeekday.map((day) => WEEKDAYS[String(day)] ?? day) : [];
  const position = rule.bySetPos === undefined ? "" : `the ${ORDINAL[String(rule.bySetPos)] ?? rule.bySetPos} `;
  const on =
    days.length > 0
      ? ` on ${position}${days.join(", ")}`
      : rule.byMonthDay === undefined
        ? ""
        : ` on day ${rule.byMonthDay}`;
  const end = isObject(rule.end) ? rule.end : { type: "never" };
  const until =
    end.type === "count" ? `, ${end.count} times` : end.type === "until" ? `, until ${when(end.date ?? null)}` : "";
  return `${every}${on}${until}`;
}

function describe(value: Json): string {
  if (value === null || value === "") return "—";
  if (Array.isArray(value)) return value.length === 0 ? "—" : value.map(describe).join("\n");
  if (typeof value === "string") return ISO_DATE.test(value) ? when(value) : value.trim();
  if (!isObject(value)) return String(value);
  if (value.kind === "timed" || value.kind === "allDay") return span(value);
  if (typeof value.address === "string") return person(value);
  if (value.frequency !== undefined) return recurrence(value);
  if (value.originalStart !== undefined) {
    const moved = isObject(value.span) ? span(value.span) : "";
    const subject = typeof value.subject === "string" ? ` (“${value.subject}”)` : "";
    return `${when(value.originalStart)} → ${moved}${subject}`;
  }
  return Object.values(value)
    .filter((part) => part !== null && part !== "")
    .map(describe)
    .join(", ");
}

/** One side's value of a field, as text (lists one entry per line); "—" when that side has none. */
export function conflictFieldValue(field: string, value: FieldValue): string {
  if (value === undefined || value === null || value === "") return "—";
  if (typeof value === "number" && field === "reminderMinutesBefore") return `${value} minutes before`;
  if (typeof value !== "string" || !/^[[{]/.test(value)) return describe(value);
  try {
    return describe(JSON.parse(value) as Json);
  } catch {
    return value;
  }
}
