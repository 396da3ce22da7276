/**
 * Canonical event ⇄ Graph event (series master or single instance).
 *
 * Time: `start`/`end` are wall-clock times in `timeZone` (Windows or IANA name; the connector may ask for UTC with
 * `Prefer: outlook.timezone`); the zone the organiser scheduled in is `originalStartTimeZone`. All-day events are
 * midnight-to-midnight, so their date parts are the canonical exclusive date range whatever the zone.
 *
 * Recurrence: `patternedRecurrence` ⇄ the canonical rule (daily, weekly, absolute/relative monthly and yearly).
 * Exceptions are separate instances (`type: "exception"`, with `originalStart`), which the connector reads expanded
 * on the master (`exceptionOccurrences`) and passes in; cancelled occurrences are the master's `cancelledOccurrences` occurrence ids, which end
 * in the occurrence's local date (`OID.<masterId>.2026-04-06`). Writing returns the master payload plus the
 * per-occurrence changes the connector applies to instances (Graph cannot carry them on the master).
 *
 * Read-only on Graph and so never written: organizer, iCalUId, the online-meeting join URL.
 */
import {
  type Attendee,
  type CalendarEvent,
  type EventSpan,
  ianaFromWindows,
  type LocalDate,
  type MovedOccurrence,
  normaliseEvent,
  type Recurrence,
  type Weekday,
  weekdays,
  windowsFromIana,
} from "../../model/index.js";
import { MappingError } from "../errors.js";
import { occurrenceKey, occurrenceKeyOnDate } from "../occurrences.js";
import { completeRecurrence } from "../rrule.js";
import { bodyText } from "../text.js";
import {
  dateOfInstant,
  datePart,
  instantFromWallClock,
  type MailboxZoneOptions,
  wallClockFromInstant,
} from "../time.js";
import { compact, invert, present } from "../values.js";
import type {
  GraphAttendee,
  GraphDateTimeTimeZone,
  GraphDayOfWeek,
  GraphEvent,
  GraphPatternedRecurrence,
  GraphWeekIndex,
} from "./wire.js";

const GRAPH_DAYS: GraphDayOfWeek[] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const WEEK_INDEX: GraphWeekIndex[] = ["first", "second", "third", "fourth"];

const dayToGraph = (day: Weekday): GraphDayOfWeek => GRAPH_DAYS[weekdays.indexOf(day)] ?? "monday";
const dayFromGraph = (day: GraphDayOfWeek): Weekday => weekdays[GRAPH_DAYS.indexOf(day)] ?? "MO";
const indexToGraph = (position: number): GraphWeekIndex =>
  position === -1 ? "last" : (WEEK_INDEX[position - 1] ?? "first");
const indexFromGraph = (index: GraphWeekIndex | undefined): number =>
  index === "last" ? -1 : WEEK_INDEX.indexOf(index ?? "first") + 1;

/** IANA zone for a Graph time-zone name; throws when neither CLDR nor the runtime knows it. */
export function zoneFromGraph(field: string, name: string): string {
  const zone = ianaFromWindows(name);
  if (zone === undefined) throw new MappingError(field, name, "unknown time zone");
  return zone;
}

/** Graph's spelling of a canonical zone: the Windows name where CLDR has one (accepted everywhere), else IANA. */
export function zoneToGraph(zone: string): string {
  return windowsFromIana(zone) ?? zone;
}

export function instantFromGraph(field: string, value: GraphDateTimeTimeZone): string {
  return instantFromWallClock(field, value.dateTime, zoneFromGraph(field, value.timeZone));
}

function spanFromGraph(graph: GraphEvent): EventSpan {
  if (!graph.start || !graph.end) throw new MappingError("start", graph.start, "missing start or end");
  if (graph.isAllDay === true) {
    return {
      kind: "allDay",
      startDate: datePart("start", graph.start.dateTime),
      endDate: datePart("end", graph.end.dateTime),
    };
  }
  return { kind: "timed", start: instantFromGraph("start", graph.start), end: instantFromGraph("end", graph.end) };
}

function seriesZone(graph: GraphEvent): string | undefined {
  const name =
    present(graph.originalStartTimeZone) ??
    present(graph.recurrence?.range.recurrenceTimeZone) ??
    graph.start?.timeZone;
  // "tzone://Microsoft/Custom" and other names CLDR does not know leave the zone unknown rather than guessed.
  return name === undefined ? undefined : ianaFromWindows(name);
}

const RESPONSES: Record<string, Attendee["response"]> = {
  none: "unknown",
  organizer: "organizer",
  tentativelyAccepted: "tentative",
  accepted: "accepted",
  declined: "declined",
  notResponded: "notResponded",
};
const RESPONSES_TO_GRAPH = invert(RESPONSES);

function attendeeFromGraph(attendee: GraphAttendee): Attendee[] {
  const address = present(attendee.emailAddress?.address);
  if (address === undefined) return [];
  const response = RESPONSES[attendee.status?.response ?? "none"] ?? "unknown";
  return [
    compact({ address, name: present(attendee.emailAddress?.name), type: attendee.type ?? "required", response }),
  ];
}

function recurrenceFromGraph(recurrence: GraphPatternedRecurrence, seriesStart: LocalDate): Recurrence {
  const { pattern, range } = recurrence;
  const relative = pattern.type === "relativeMonthly" || pattern.type === "relativeYearly";
  const days = pattern.daysOfWeek?.map(dayFromGraph);
  const frequency = {
    daily: "daily",
    weekly: "weekly",
    absoluteMonthly: "monthly",
    relativeMonthly: "monthly",
    absoluteYearly: "yearly",
    relativeYearly: "yearly",
  } as const;
  const end: Recurrence["end"] =
    range.type === "endDate" && range.endDate
      ? { type: "until", date: datePart("recurrence.range.endDate", range.endDate) }
      : range.type === "numbered"
        ? { type: "count", count: range.numberOfOccurrences ?? 1 }
        : { type: "never" };
  const rule: Recurrence = compact({
    frequency: frequency[pattern.type],
    interval: pattern.interval,
    byWeekday: pattern.type === "weekly" || relative ? days : undefined,
    byMonthDay:
      pattern.type === "absoluteMonthly" || pattern.type === "absoluteYearly" ? pattern.dayOfMonth : undefined,
    byMonth: pattern.type === "absoluteYearly" || pattern.type === "relativeYearly" ? pattern.month : undefined,
    bySetPos: relative ? indexFromGraph(pattern.index) : undefined,
    weekStart: pattern.firstDayOfWeek === undefined ? undefined : dayFromGraph(pattern.firstDayOfWeek),
    end,
  });
  return completeRecurrence(rule, seriesStart);
}

export function recurrenceToGraph(rule: Recurrence, seriesStart: LocalDate, zone: string): GraphPatternedRecurrence {
  const relative = rule.bySetPos !== undefined && rule.byWeekday !== undefined;
  const type = {
    daily: "daily",
    weekly: "weekly",
    monthly: relative ? "relativeMonthly" : "absoluteMonthly",
    yearly: relative ? "relativeYearly" : "absoluteYearly",
  } as const;
  const pattern: GraphPatternedRecurrence["pattern"] = { type: type[rule.frequency], interval: rule.interval };
  if (rule.byWeekday !== undefined) pattern.daysOfWeek = rule.byWeekday.map(dayToGraph);
  if (rule.frequency === "weekly") pattern.firstDayOfWeek = dayToGraph(rule.weekStart ?? "MO");
  if (rule.byMonthDay !== undefined) pattern.dayOfMonth = rule.byMonthDay;
  if (rule.byMonth !== undefined) pattern.month = rule.byMonth;
  if (relative) pattern.index = indexToGraph(rule.bySetPos ?? 1);
  const range: GraphPatternedRecurrence["range"] = {
    type: "noEnd",
    startDate: seriesStart,
    recurrenceTimeZone: zoneToGraph(zone),
  };
  if (rule.end.type === "until") Object.assign(range, { type: "endDate", endDate: rule.end.date });
  if (rule.end.type === "count") Object.assign(range, { type: "numbered", numberOfOccurrences: rule.end.count });
  return { pattern, range };
}

export interface GraphSeriesParts {
  /** The series' exception instances (`type: "exception"`), e.g. the master's expanded `exceptionOccurrences`. */
  exceptions?: GraphEvent[];
}

export function eventFromGraph(graph: GraphEvent, parts: GraphSeriesParts = {}): CalendarEvent {
  const span = spanFromGraph(graph);
  const timeZone = seriesZone(graph);
  const zone = timeZone ?? "UTC";
  const seriesStart = span.kind === "allDay" ? span.startDate : dateOfInstant(span.start, zone);
  const moved = (parts.exceptions ?? []).flatMap((exception): MovedOccurrence[] => {
    const originalStart = present(exception.originalStart);
    if (originalStart === undefined) return [];
    return [
      compact({
        originalStart: occurrenceKey(span, originalStart, zone),
        span: spanFromGraph(exception),
        subject: exception.subject === graph.subject ? undefined : present(exception.subject),
        location:
          exception.location?.displayName === graph.location?.displayName
            ? undefined
            : present(exception.location?.displayName),
      }),
    ];
  });
  const organizer = present(graph.organizer?.emailAddress?.address);
  return normaliseEvent(
    compact({
      subject: graph.subject ?? "",
      span,
      timeZone,
      location: present(graph.location?.displayName),
      body: bodyText(graph.body),
      organizer:
        organizer === undefined
          ? undefined
          : compact({ address: organizer, name: present(graph.organizer?.emailAddress?.name) }),
      attendees: (graph.attendees ?? []).flatMap(attendeeFromGraph),
      reminderMinutesBefore: graph.isReminderOn === true ? (graph.reminderMinutesBeforeStart ?? 0) : undefined,
      recurrence: graph.recurrence ? recurrenceFromGraph(graph.recurrence, seriesStart) : undefined,
      movedOccurrences: moved,
      cancelledOccurrences: (graph.cancelledOccurrences ?? []).map((id) =>
        occurrenceKeyOnDate(span, datePart("cancelledOccurrences", id.slice(id.lastIndexOf(".") + 1)), zone),
      ),
      onlineMeetingUrl: present(graph.onlineMeeting?.joinUrl) ?? present(graph.onlineMeetingUrl),
      categories: graph.categories ?? [],
      sensitivity: graph.sensitivity ?? "normal",
      uid: present(graph.iCalUId),
    }),
  );
}

function dateTimeToGraph(span: EventSpan, edge: "start" | "end", zone: string): GraphDateTimeTimeZone {
  if (span.kind === "allDay")
    return { dateTime: `${edge === "start" ? span.startDate : span.endDate}T00:00:00`, timeZone: zoneToGraph(zone) };
  return { dateTime: wallClockFromInstant(span[edge], zone), timeZone: zoneToGraph(zone) };
}

/** What the connector writes for one canonical event: the master, then one PATCH or cancel per occurrence. */
export interface GraphEventWrite {
  event: GraphEvent;
  /** PATCH the instance whose `originalStart` equals this instant (all-day series: whose local date matches). */
  exceptions: { originalStart: string; patch: GraphEvent }[];
  /** Cancel (DELETE) the instances that started at these keys. */
  cancelledOccurrences: string[];
}

export function eventToGraph(event: CalendarEvent, options: MailboxZoneOptions): GraphEventWrite {
  const zone = event.timeZone ?? options.mailboxTimeZone;
  const { span } = event;
  const seriesStart = span.kind === "allDay" ? span.startDate : dateOfInstant(span.start, zone);
  const graph: GraphEvent = {
    subject: event.subject,
    body: { contentType: "text", content: event.body ?? "" },
    start: dateTimeToGraph(span, "start", zone),
    end: dateTimeToGraph(span, "end", zone),
    isAllDay: span.kind === "allDay",
    location: { displayName: event.location ?? "" },
    attendees: event.attendees.map((attendee) => ({
      type: attendee.type,
      emailAddress: compact({ address: attendee.address, name: attendee.name }),
      status: { response: RESPONSES_TO_GRAPH[attendee.response] ?? "none" },
    })),
    isReminderOn: event.reminderMinutesBefore !== undefined,
    reminderMinutesBeforeStart: event.reminderMinutesBefore ?? 0,
    recurrence: event.recurrence === undefined ? null : recurrenceToGraph(event.recurrence, seriesStart, zone),
    categories: event.categories,
    sensitivity: event.sensitivity,
  };
  return {
    event: graph,
    exceptions: event.movedOccurrences.map((occurrence) => ({
      originalStart: occurrence.originalStart,
      patch: compact({
        start: dateTimeToGraph(occurrence.span, "start", zone),
        end: dateTimeToGraph(occurrence.span, "end", zone),
        isAllDay: occurrence.span.kind === "allDay",
        subject: occurrence.subject,
        location: occurrence.location === undefined ? undefined : { displayName: occurrence.location },
      }),
    })),
    cancelledOccurrences: event.cancelledOccurrences,
  };
}

/** The canonical key of an instance listed by `/instances`, to find the one an exception or cancellation targets. */
export function instanceKey(event: CalendarEvent, instance: GraphEvent): string | undefined {
  const originalStart = present(instance.originalStart);
  return originalStart === undefined ? undefined : occurrenceKey(event.span, originalStart, event.timeZone ?? "UTC");
}
