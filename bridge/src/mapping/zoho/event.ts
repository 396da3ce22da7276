/**
 * Canonical event ⇄ Zoho Events record (API module `Events`, UI "Meetings").
 *
 * Time: Zoho answers DateTimes in the API user's offset whatever offset was sent, so timed spans are compared as
 * UTC instants. All-day events come back as `YYYY-MM-DDT00:00:00+00:00 … T23:59:59+00:00` whatever the user's zone
 * (zoho-crm-api.md §3, real read-back in the Nango list-events recording); the date parts are the dates, and the
 * inclusive 23:59:59 end becomes the canonical exclusive end date. We write all-day events in that same form.
 *
 * Zoho lacks time zone, organiser, moved/cancelled occurrences, online-meeting URL, categories, sensitivity and
 * UID (FIELDS.md). Participants without an e-mail (users, contacts without one) cannot be represented canonically;
 * pass the current record so writes keep them and keep the ids of participants that are still invited.
 */
import {
  type Attendee,
  type CalendarEvent,
  type EventSpan,
  type LocalDate,
  normaliseEvent,
} from "../../model/index.js";
import { MappingError } from "../errors.js";
import { recurrenceFromRrule, recurrenceToZohoRrule } from "../rrule.js";
import { addDays, dateOfInstant, datePart, instantFromOffsetDateTime, offsetDateTimeFromInstant } from "../time.js";
import { compact, orNull, present } from "../values.js";
import type { ZohoEventRecord, ZohoEventReminder, ZohoMappingOptions, ZohoParticipant } from "./wire.js";

const MINUTES_PER: Record<ZohoEventReminder["period"], number> = { minutes: 1, hours: 60, days: 1440, weeks: 10080 };

function required(record: ZohoEventRecord, field: "Start_DateTime" | "End_DateTime"): string {
  const value = record[field];
  if (typeof value !== "string" || value === "") throw new MappingError(field, value, "missing");
  return value;
}

function spanFromZoho(record: ZohoEventRecord): EventSpan {
  const start = required(record, "Start_DateTime");
  const end = required(record, "End_DateTime");
  if (record.All_day !== true) {
    return {
      kind: "timed",
      start: instantFromOffsetDateTime("Start_DateTime", start),
      end: instantFromOffsetDateTime("End_DateTime", end),
    };
  }
  const startDate = datePart("Start_DateTime", start);
  const lastDay = datePart("End_DateTime", end);
  // An end already at midnight is exclusive; Zoho's own 23:59:59 end is inclusive.
  const endsAtMidnight = end.slice(11, 19) === "00:00:00" && lastDay > startDate;
  return { kind: "allDay", startDate, endDate: endsAtMidnight ? lastDay : addDays(lastDay, 1) };
}

function reminderFromZoho(reminders: ZohoEventReminder[] | null | undefined): number | undefined {
  // Zoho allows several reminders and clock-time ones ("1 day before at 10.30"); Exchange has one relative reminder.
  const relative = reminders?.find(
    (reminder) => reminder.time === undefined && MINUTES_PER[reminder.period] !== undefined,
  );
  return relative === undefined ? undefined : relative.unit * MINUTES_PER[relative.period];
}

function attendeesFromZoho(participants: ZohoParticipant[] | null | undefined): Attendee[] {
  return (participants ?? []).flatMap((participant) => {
    const address = present(participant.Email);
    if (address === undefined) return [];
    return [
      compact({ address, name: present(participant.name), type: "required" as const, response: "unknown" as const }),
    ];
  });
}

function seriesStartDate(span: EventSpan, options: ZohoMappingOptions): LocalDate {
  return span.kind === "allDay" ? span.startDate : dateOfInstant(span.start, options.userTimeZone);
}

export function eventFromZoho(record: ZohoEventRecord, options: ZohoMappingOptions): CalendarEvent {
  const span = spanFromZoho(record);
  const rrule = record.Recurring_Activity?.RRULE;
  return normaliseEvent(
    compact({
      subject: record.Event_Title ?? "",
      span,
      location: present(record.Venue),
      body: present(record.Description),
      attendees: attendeesFromZoho(record.Participants),
      reminderMinutesBefore: reminderFromZoho(record.Remind_At),
      recurrence:
        present(rrule) === undefined ? undefined : recurrenceFromRrule(rrule ?? "", seriesStartDate(span, options)),
      movedOccurrences: [],
      cancelledOccurrences: [],
      categories: [],
      sensitivity: "normal" as const,
    }),
  );
}

function reminderToZoho(minutes: number): ZohoEventReminder {
  for (const period of ["weeks", "days", "hours"] as const) {
    if (minutes > 0 && minutes % MINUTES_PER[period] === 0) return { unit: minutes / MINUTES_PER[period], period };
  }
  return { unit: minutes, period: "minutes" };
}

function participantsToZoho(attendees: Attendee[], current: ZohoParticipant[]): ZohoParticipant[] {
  const byAddress = new Map(current.flatMap((p) => (p.Email ? [[p.Email.toLowerCase(), p] as const] : [])));
  const withoutAddress = current.filter((p) => !present(p.Email));
  const invited = attendees.map((attendee): ZohoParticipant => {
    const existing = byAddress.get(attendee.address.toLowerCase());
    if (existing !== undefined)
      return compact({ type: existing.type, participant: existing.participant ?? undefined, Email: existing.Email });
    return compact({ type: "email" as const, Email: attendee.address, name: attendee.name });
  });
  return [
    ...withoutAddress.map((p) =>
      compact({ type: p.type, participant: p.participant ?? undefined, name: p.name ?? undefined }),
    ),
    ...invited,
  ];
}

export interface EventToZohoOptions extends ZohoMappingOptions {
  /** The record as Zoho holds it now, so participants we cannot represent (no e-mail) survive the update. */
  current?: ZohoEventRecord;
}

export function eventToZoho(event: CalendarEvent, options: EventToZohoOptions): ZohoEventRecord {
  const { span } = event;
  const record: ZohoEventRecord = {
    Event_Title: event.subject,
    All_day: span.kind === "allDay",
    Start_DateTime:
      span.kind === "allDay"
        ? `${span.startDate}T00:00:00+00:00`
        : offsetDateTimeFromInstant(span.start, options.userTimeZone),
    End_DateTime:
      span.kind === "allDay"
        ? `${addDays(span.endDate, -1)}T23:59:59+00:00`
        : offsetDateTimeFromInstant(span.end, options.userTimeZone),
    Venue: orNull(event.location),
    Description: orNull(event.body),
    Participants: participantsToZoho(event.attendees, options.current?.Participants ?? []),
    Remind_At: event.reminderMinutesBefore === undefined ? null : [reminderToZoho(event.reminderMinutesBefore)],
    Recurring_Activity:
      event.recurrence === undefined
        ? null
        : { RRULE: recurrenceToZohoRrule(event.recurrence, seriesStartDate(span, options)) },
  };
  return record;
}
