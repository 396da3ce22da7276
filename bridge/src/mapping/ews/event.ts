/**
 * Canonical event ⇄ EWS CalendarItem (recurring master or single item).
 *
 * Time: Start/End travel as UTC instants. The item's zone is `StartTimeZone` (Exchange 2010+) or `MeetingTimeZone`
 * (Exchange 2007 SP1, which has no StartTimeZone; ews.md §2, §10) — writes emit the element the server version
 * knows, built from the canonical IANA zone. All-day items run from local midnight to local midnight in that zone,
 * so their dates are read in it and written as its midnights.
 *
 * Recurrence: the XSD pattern elements map one to one, except that EWS yearly patterns have no interval; a rule
 * "every n years" is written as the equivalent absolute/relative monthly pattern every 12·n months (read back as
 * yearly by completeRecurrence). `Day`/`Weekday`/`WeekendDay` expand to their weekdays. Modified occurrences come
 * from `ModifiedOccurrences` (OriginalStart, Start, End; Subject/Location when the connector filled them in from
 * the exception item), deleted ones from `DeletedOccurrences`. Writing returns the master item plus per-occurrence
 * changes, which the connector applies through OccurrenceItemId (see occurrenceIndex).
 */
import { DateTime } from "luxon";
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
import { occurrenceKey } from "../occurrences.js";
import { completeRecurrence } from "../rrule.js";
import { bodyText } from "../text.js";
import {
  dateOfInstant,
  datePart,
  instantFromOffsetDateTime,
  type MailboxZoneOptions,
  startOfDateInstant,
} from "../time.js";
import { compact, invert, present } from "../values.js";
import { EWS_DAYS, EWS_INDEXES, EWS_MONTHS, meetingTimeZoneFor, zoneFromMeetingTimeZone } from "./timezone.js";
import type {
  EwsAttendee,
  EwsCalendarItem,
  EwsDayOfWeek,
  EwsDayOfWeekIndex,
  EwsOccurrenceInfo,
  EwsRecurrence,
  EwsTimeZoneStyle,
} from "./wire.js";

const DAY_GROUPS: Partial<Record<EwsDayOfWeek, Weekday[]>> = {
  Day: [...weekdays],
  Weekday: ["MO", "TU", "WE", "TH", "FR"],
  WeekendDay: ["SA", "SU"],
};

function daysFromEws(field: string, list: string): Weekday[] {
  return list
    .split(/\s+/)
    .filter((day) => day !== "")
    .flatMap((day) => {
      const group = DAY_GROUPS[day as EwsDayOfWeek];
      if (group !== undefined) return group;
      const index = EWS_DAYS.indexOf(day as EwsDayOfWeek);
      if (index < 0) throw new MappingError(field, list, `unknown day "${day}"`);
      return [weekdays[index] ?? "MO"];
    });
}

const daysToEws = (days: readonly Weekday[]): string => days.map((day) => EWS_DAYS[weekdays.indexOf(day)]).join(" ");
const indexFromEws = (index: EwsDayOfWeekIndex): number => (index === "Last" ? -1 : EWS_INDEXES.indexOf(index) + 1);
const indexToEws = (position: number): EwsDayOfWeekIndex =>
  position === -1 ? "Last" : (EWS_INDEXES[position - 1] ?? "First");
const monthFromEws = (month: string): number => EWS_MONTHS.indexOf(month as (typeof EWS_MONTHS)[number]) + 1;
const monthToEws = (month: number) => EWS_MONTHS[month - 1] ?? "January";

function recurrenceFromEws(recurrence: EwsRecurrence, seriesStart: LocalDate): Recurrence {
  const field = "Recurrence";
  const end: Recurrence["end"] = recurrence.EndDateRecurrence
    ? { type: "until", date: datePart(field, recurrence.EndDateRecurrence.EndDate) }
    : recurrence.NumberedRecurrence
      ? { type: "count", count: recurrence.NumberedRecurrence.NumberOfOccurrences }
      : { type: "never" };
  const base = { end };
  let rule: Recurrence;
  if (recurrence.DailyRecurrence) rule = { ...base, frequency: "daily", interval: recurrence.DailyRecurrence.Interval };
  else if (recurrence.WeeklyRecurrence) {
    const weekly = recurrence.WeeklyRecurrence;
    const weekStart = weekly.FirstDayOfWeek === undefined ? undefined : daysFromEws(field, weekly.FirstDayOfWeek)[0];
    rule = compact({
      ...base,
      frequency: "weekly" as const,
      interval: weekly.Interval,
      byWeekday: daysFromEws(field, weekly.DaysOfWeek),
      weekStart,
    });
  } else if (recurrence.AbsoluteMonthlyRecurrence) {
    const monthly = recurrence.AbsoluteMonthlyRecurrence;
    rule = { ...base, frequency: "monthly", interval: monthly.Interval, byMonthDay: monthly.DayOfMonth };
  } else if (recurrence.RelativeMonthlyRecurrence) {
    const monthly = recurrence.RelativeMonthlyRecurrence;
    rule = {
      ...base,
      frequency: "monthly",
      interval: monthly.Interval,
      byWeekday: daysFromEws(field, monthly.DaysOfWeek),
      bySetPos: indexFromEws(monthly.DayOfWeekIndex),
    };
  } else if (recurrence.AbsoluteYearlyRecurrence) {
    const yearly = recurrence.AbsoluteYearlyRecurrence;
    rule = {
      ...base,
      frequency: "yearly",
      interval: 1,
      byMonthDay: yearly.DayOfMonth,
      byMonth: monthFromEws(yearly.Month),
    };
  } else if (recurrence.RelativeYearlyRecurrence) {
    const yearly = recurrence.RelativeYearlyRecurrence;
    rule = {
      ...base,
      frequency: "yearly",
      interval: 1,
      byWeekday: daysFromEws(field, yearly.DaysOfWeek),
      bySetPos: indexFromEws(yearly.DayOfWeekIndex),
      byMonth: monthFromEws(yearly.Month),
    };
  } else throw new MappingError(field, recurrence, "no recurrence pattern");
  return completeRecurrence(rule, seriesStart);
}

export function recurrenceToEws(rule: Recurrence, seriesStart: LocalDate): EwsRecurrence {
  const relative = rule.bySetPos !== undefined && rule.byWeekday !== undefined;
  if (rule.frequency === "yearly" && rule.interval > 1 && rule.byMonth !== DateTime.fromISO(seriesStart).month) {
    throw new MappingError(
      "recurrence",
      rule,
      "EWS cannot repeat every n>1 years in a month other than the first occurrence's",
    );
  }
  const pattern: EwsRecurrence = {};
  const monthlyInterval = rule.frequency === "yearly" ? rule.interval * 12 : rule.interval;
  if (rule.frequency === "daily") pattern.DailyRecurrence = { Interval: rule.interval };
  else if (rule.frequency === "weekly") {
    pattern.WeeklyRecurrence = { Interval: rule.interval, DaysOfWeek: daysToEws(rule.byWeekday ?? []) };
    if (rule.weekStart !== undefined)
      pattern.WeeklyRecurrence.FirstDayOfWeek = EWS_DAYS[weekdays.indexOf(rule.weekStart)] ?? "Monday";
  } else if (rule.frequency === "yearly" && rule.interval === 1 && relative) {
    pattern.RelativeYearlyRecurrence = {
      DaysOfWeek: daysToEws(rule.byWeekday ?? []),
      DayOfWeekIndex: indexToEws(rule.bySetPos ?? 1),
      Month: monthToEws(rule.byMonth ?? 1),
    };
  } else if (rule.frequency === "yearly" && rule.interval === 1) {
    pattern.AbsoluteYearlyRecurrence = { DayOfMonth: rule.byMonthDay ?? 1, Month: monthToEws(rule.byMonth ?? 1) };
  } else if (relative) {
    pattern.RelativeMonthlyRecurrence = {
      Interval: monthlyInterval,
      DaysOfWeek: daysToEws(rule.byWeekday ?? []),
      DayOfWeekIndex: indexToEws(rule.bySetPos ?? 1),
    };
  } else pattern.AbsoluteMonthlyRecurrence = { Interval: monthlyInterval, DayOfMonth: rule.byMonthDay ?? 1 };
  if (rule.end.type === "until") pattern.EndDateRecurrence = { StartDate: seriesStart, EndDate: rule.end.date };
  else if (rule.end.type === "count")
    pattern.NumberedRecurrence = { StartDate: seriesStart, NumberOfOccurrences: rule.end.count };
  else pattern.NoEndRecurrence = { StartDate: seriesStart };
  return pattern;
}

const RESPONSES: Record<NonNullable<EwsAttendee["ResponseType"]>, Attendee["response"]> = {
  Unknown: "unknown",
  Organizer: "organizer",
  Tentative: "tentative",
  Accept: "accepted",
  Decline: "declined",
  NoResponseReceived: "notResponded",
};
const RESPONSES_TO_EWS = invert(RESPONSES);

function attendeesFromEws(list: EwsAttendee[] | undefined, type: Attendee["type"]): Attendee[] {
  return (list ?? []).flatMap((attendee) => {
    const address = present(attendee.Mailbox.EmailAddress);
    if (address === undefined) return [];
    return [
      compact({
        address,
        name: present(attendee.Mailbox.Name),
        type,
        response: RESPONSES[attendee.ResponseType ?? "Unknown"],
      }),
    ];
  });
}

function attendeesToEws(attendees: Attendee[], type: Attendee["type"]): EwsAttendee[] {
  return attendees
    .filter((attendee) => attendee.type === type)
    .map((attendee) => ({
      Mailbox: compact({ EmailAddress: attendee.address, Name: attendee.name }),
      ResponseType: RESPONSES_TO_EWS[attendee.response],
    }));
}

/** The item's zone: the IANA name when known (for `timeZone`) and the zone to compute local dates in. */
function itemZone(item: EwsCalendarItem): { name: string | undefined; zone: string } {
  const id = item.StartTimeZone?.Id;
  if (id !== undefined) {
    const name = ianaFromWindows(id);
    if (name === undefined) throw new MappingError("StartTimeZone", id, "unknown time zone");
    return { name, zone: name };
  }
  if (item.MeetingTimeZone !== undefined) {
    const zone = zoneFromMeetingTimeZone(item.MeetingTimeZone);
    return { name: zone.startsWith("UTC") && zone !== "UTC" ? undefined : zone, zone };
  }
  return { name: undefined, zone: "UTC" };
}

function required(field: string, value: string | undefined): string {
  if (value === undefined || value === "") throw new MappingError(field, value, "missing");
  return value;
}

function spanFromEws(start: string, end: string, allDay: boolean, zone: string): EventSpan {
  const startInstant = instantFromOffsetDateTime("Start", start);
  const endInstant = instantFromOffsetDateTime("End", end);
  if (!allDay) return { kind: "timed", start: startInstant, end: endInstant };
  return { kind: "allDay", startDate: dateOfInstant(startInstant, zone), endDate: dateOfInstant(endInstant, zone) };
}

/** True when an exception has the pattern's start, the series' duration and no subject or location of its own. */
function followsPattern(exception: MovedOccurrence, series: EventSpan): boolean {
  if (exception.subject !== undefined || exception.location !== undefined) return false;
  const bounds = (span: EventSpan) => (span.kind === "timed" ? [span.start, span.end] : [span.startDate, span.endDate]);
  const length = ([start = "", end = ""]: string[]) => Date.parse(end) - Date.parse(start);
  const own = bounds(exception.span);
  return own[0] === exception.originalStart && length(own) === length(bounds(series));
}

export function eventFromEws(item: EwsCalendarItem): CalendarEvent {
  const { name, zone } = itemZone(item);
  const allDay = item.IsAllDayEvent === true;
  const span = spanFromEws(required("Start", item.Start), required("End", item.End), allDay, zone);
  const seriesStart = span.kind === "allDay" ? span.startDate : dateOfInstant(span.start, zone);
  const moved = (item.ModifiedOccurrences ?? []).flatMap((occurrence: EwsOccurrenceInfo): MovedOccurrence[] => {
    const exception = compact({
      originalStart: occurrenceKey(span, occurrence.OriginalStart, zone),
      span: spanFromEws(occurrence.Start, occurrence.End, allDay, zone),
      subject: present(occurrence.Subject),
      location: present(occurrence.Location),
    });
    // An exception edited back to the pattern stays in ModifiedOccurrences; it is no longer a moved occurrence.
    return followsPattern(exception, span) ? [] : [exception];
  });
  const organizer = present(item.Organizer?.Mailbox.EmailAddress);
  return normaliseEvent(
    compact({
      subject: item.Subject ?? "",
      span,
      timeZone: name,
      location: present(item.Location),
      body: bodyText(item.Body && { contentType: item.Body.BodyType, content: item.Body.value }),
      organizer:
        organizer === undefined
          ? undefined
          : compact({ address: organizer, name: present(item.Organizer?.Mailbox.Name) }),
      attendees: [
        ...attendeesFromEws(item.RequiredAttendees, "required"),
        ...attendeesFromEws(item.OptionalAttendees, "optional"),
        ...attendeesFromEws(item.Resources, "resource"),
      ],
      reminderMinutesBefore: item.ReminderIsSet === true ? (item.ReminderMinutesBeforeStart ?? 0) : undefined,
      recurrence: item.Recurrence ? recurrenceFromEws(item.Recurrence, seriesStart) : undefined,
      movedOccurrences: moved,
      cancelledOccurrences: (item.DeletedOccurrences ?? []).map((deleted) => occurrenceKey(span, deleted.Start, zone)),
      categories: item.Categories ?? [],
      sensitivity: (item.Sensitivity?.toLowerCase() ?? "normal") as CalendarEvent["sensitivity"],
      uid: present(item.UID),
    }),
  );
}

function spanToEws(span: EventSpan, zone: string): { Start: string; End: string } {
  if (span.kind === "timed") return { Start: span.start, End: span.end };
  return { Start: startOfDateInstant(span.startDate, zone), End: startOfDateInstant(span.endDate, zone) };
}

export interface EventToEwsOptions extends MailboxZoneOptions {
  /** Exchange 2007 SP1 takes MeetingTimeZone, 2010+ StartTimeZone/EndTimeZone (timeZoneStyleFor). */
  timeZoneStyle: EwsTimeZoneStyle;
}

/** What the connector writes: the master item, then one change per moved or deleted occurrence. */
export interface EwsCalendarWrite {
  item: EwsCalendarItem;
  modifiedOccurrences: {
    originalStart: string;
    changes: Pick<EwsCalendarItem, "Start" | "End" | "Subject" | "Location">;
  }[];
  deletedOccurrences: string[];
}

export function eventToEws(event: CalendarEvent, options: EventToEwsOptions): EwsCalendarWrite {
  const zone = event.timeZone ?? options.mailboxTimeZone;
  const { span } = event;
  const seriesStart = span.kind === "allDay" ? span.startDate : dateOfInstant(span.start, zone);
  const item: EwsCalendarItem = {
    Subject: event.subject,
    Body: { BodyType: "Text", value: event.body ?? "" },
    Categories: event.categories,
    Sensitivity: (event.sensitivity.charAt(0).toUpperCase() +
      event.sensitivity.slice(1)) as EwsCalendarItem["Sensitivity"],
    ReminderIsSet: event.reminderMinutesBefore !== undefined,
    ReminderMinutesBeforeStart: event.reminderMinutesBefore ?? 0,
    ...spanToEws(span, zone),
    IsAllDayEvent: span.kind === "allDay",
    Location: event.location ?? "",
    RequiredAttendees: attendeesToEws(event.attendees, "required"),
    OptionalAttendees: attendeesToEws(event.attendees, "optional"),
    Resources: attendeesToEws(event.attendees, "resource"),
  };
  if (event.recurrence !== undefined) item.Recurrence = recurrenceToEws(event.recurrence, seriesStart);
  if (options.timeZoneStyle === "MeetingTimeZone")
    item.MeetingTimeZone = meetingTimeZoneFor(zone, DateTime.fromISO(seriesStart).year);
  else {
    const id = windowsFromIana(zone);
    if (id === undefined) throw new MappingError("timeZone", zone, "no Windows time zone for this zone");
    item.StartTimeZone = { Id: id };
    item.EndTimeZone = { Id: id };
  }
  return {
    item,
    modifiedOccurrences: event.movedOccurrences.map((occurrence) => ({
      originalStart: occurrence.originalStart,
      changes: compact({
        ...spanToEws(occurrence.span, zone),
        Subject: occurrence.subject,
        Location: occurrence.location,
      }),
    })),
    deletedOccurrences: event.cancelledOccurrences,
  };
}
