/**
 * Normal forms of canonical records. Every mapping returns normalised values, and the sync core hashes normalised
 * values, so order-only differences (categories, attendees, occurrence lists) and representational leftovers never
 * register as changes. Each function is idempotent: normalise(normalise(x)) equals normalise(x).
 */
import type { Contact } from "./contact.js";
import { type Attendee, type CalendarEvent, type Recurrence, weekdays } from "./event.js";
import type { Task } from "./task.js";
import { canonicalZone } from "./timezone.js";

export const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function normaliseCategories(categories: readonly string[]): string[] {
  return [...new Set(categories)].sort(compareText);
}

/** Week start only matters for weekly rules that skip weeks; elsewhere it is dropped. Monday is the RFC default. */
export function normaliseRecurrence(rule: Recurrence): Recurrence {
  const { weekStart, byWeekday, ...rest } = rule;
  const normal: Recurrence = { ...rest };
  if (byWeekday !== undefined) {
    normal.byWeekday = [...new Set(byWeekday)].sort((a, b) => weekdays.indexOf(a) - weekdays.indexOf(b));
  }
  if (weekStart !== undefined && weekStart !== "MO" && rule.frequency === "weekly" && rule.interval > 1) {
    normal.weekStart = weekStart;
  }
  return normal;
}

/**
 * Slots of one kind fill from the first (email2 without email1 becomes email1): Graph keeps e-mail addresses and
 * business/home phones as plain arrays, so a hole cannot survive a round trip through it.
 */
function closeGaps<K extends keyof Contact>(contact: Contact, slots: readonly K[]): void {
  const values = slots.map((slot) => contact[slot]).filter((value) => value !== undefined);
  slots.forEach((slot, index) => {
    if (index < values.length) contact[slot] = values[index] as Contact[K];
    else delete contact[slot];
  });
}

export function normaliseContact(contact: Contact): Contact {
  const normal = { ...contact, categories: normaliseCategories(contact.categories) };
  closeGaps(normal, ["email1", "email2", "email3"]);
  closeGaps(normal, ["businessPhone", "businessPhone2"]);
  closeGaps(normal, ["homePhone", "homePhone2"]);
  return normal;
}

export function normaliseEvent(event: CalendarEvent): CalendarEvent {
  const normal: CalendarEvent = {
    ...event,
    attendees: [...event.attendees].sort((a, b) => compareText(a.address.toLowerCase(), b.address.toLowerCase())),
    movedOccurrences: [...event.movedOccurrences].sort((a, b) => compareText(a.originalStart, b.originalStart)),
    cancelledOccurrences: [...new Set(event.cancelledOccurrences)].sort(compareText),
    categories: normaliseCategories(event.categories),
  };
  if (event.recurrence !== undefined) normal.recurrence = normaliseRecurrence(event.recurrence);
  if (event.timeZone !== undefined) normal.timeZone = canonicalZone(event.timeZone);
  return normal;
}

export function normaliseTask(task: Task): Task {
  return { ...task, categories: normaliseCategories(task.categories) };
}

/**
 * Attendees as `next` lists them, with the type, response and name `previous` knew for the same address. Zoho holds
 * neither types nor responses, so when the CRM side wins the attendees field, the merge can keep what Exchange knew
 * about the people who are still invited (pass the merge base or the Exchange value as `previous`).
 */
export function carryAttendeeDetails(next: readonly Attendee[], previous: readonly Attendee[]): Attendee[] {
  const known = new Map(previous.map((attendee) => [attendee.address.toLowerCase(), attendee]));
  return next.map((attendee) => {
    const before = known.get(attendee.address.toLowerCase());
    if (before === undefined) return attendee;
    const carried: Attendee = { ...attendee, type: before.type, response: before.response };
    const name = attendee.name ?? before.name;
    if (name !== undefined) carried.name = name;
    return carried;
  });
}
