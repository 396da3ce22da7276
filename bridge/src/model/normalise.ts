/**
 * Normal forms of canonical records. Every mapping returns normalised values, and the sync core hashes normalised
 * values, so order-only differences (categories, attendees, occurrence lists) and representational leftovers never
 * register as changes. Each function is idempotent: normalise(normalise(x)) equals normalise(x).
 */
import type { Contact } from "./contact.js";
import { type CalendarEvent, type Recurrence, weekdays } from "./event.js";
import type { Task } from "./task.js";

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

export function normaliseContact(contact: Contact): Contact {
  return { ...contact, categories: normaliseCategories(contact.categories) };
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
  return normal;
}

export function normaliseTask(task: Task): Task {
  return { ...task, categories: normaliseCategories(task.categories) };
}
