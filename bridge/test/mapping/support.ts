/** Re-exports for the mapping tests, plus the helper that anchors a generated recurrence on an event's start. */

import { completeRecurrence } from "../../src/mapping/rrule.js";
import { dateOfInstant } from "../../src/mapping/time.js";
import type { EventSpan, Recurrence } from "../../src/model/index.js";

export * from "../../src/model/index.js";

export function completeRecurrenceFor(rule: Recurrence, span: EventSpan, zone: string): Recurrence {
  const start = span.kind === "allDay" ? span.startDate : dateOfInstant(span.start, zone);
  return completeRecurrence(rule, start);
}
