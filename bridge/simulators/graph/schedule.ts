/**
 * Free/busy (calendar-getschedule.md): for each requested SMTP address, the events overlapping the window become
 * `scheduleItems` and an `availabilityView` string with one digit per `availabilityViewInterval` minutes
 * (0 free, 1 tentative, 2 busy, 3 oof, 4 working elsewhere; the highest status in a slot wins). Unknown addresses
 * get the documented per-schedule `error`. findMeetingTimes (delegated only) proposes the slots where every required
 * attendee is free, stepping by the meeting duration.
 */
import { DateTime, Duration } from "luxon";
import { instancesOf } from "./calendar.js";
import { badRequest } from "./errors.js";
import type { MailboxRequest } from "./request.js";
import type { Directory, Json, Mailbox } from "./store.js";
import { formatDateTimeTimeZone, parseDateTimeTimeZone } from "./time.js";

const STATUS_DIGIT: Record<string, number> = { free: 0, tentative: 1, busy: 2, oof: 3, workingElsewhere: 4 };

interface Busy {
  status: string;
  start: DateTime;
  end: DateTime;
  subject: string;
  location: string;
  isPrivate: boolean;
}

function busyIntervals(mailbox: Mailbox, directory: Directory, start: DateTime, end: DateTime): Busy[] {
  const calendar = directory.defaultFolder(mailbox, "calendar");
  const busy: Busy[] = [];
  for (const entry of calendar.entries.values()) {
    if (!entry.item) continue;
    for (const instance of instancesOf(entry.item, start, end, false)) {
      const status = String(instance.props.showAs ?? "busy");
      if (status === "free" || instance.props.isCancelled === true) continue;
      busy.push({
        status,
        start: instance.start,
        end: instance.end,
        subject: String(instance.props.subject ?? ""),
        location: String((instance.props.location as Json | undefined)?.displayName ?? ""),
        isPrivate: instance.props.sensitivity === "private",
      });
    }
  }
  return busy.sort((a, b) => a.start.toMillis() - b.start.toMillis());
}

function workingHours(mailbox: Mailbox): Json {
  return {
    daysOfWeek: ["monday", "tuesday", "wednesday", "thursday", "friday"],
    startTime: "08:00:00.0000000",
    endTime: "17:00:00.0000000",
    timeZone: { name: mailbox.user.timeZone },
  };
}

export function getSchedule(directory: Directory, req: MailboxRequest): Json {
  const body = req.body as Json | undefined;
  const schedules = body?.schedules;
  if (!Array.isArray(schedules) || schedules.length === 0 || schedules.length > 20) {
    throw badRequest("schedules must list 1 to 20 SMTP addresses.", "ErrorInvalidParameter");
  }
  const start = parseDateTimeTimeZone(body?.startTime, "startTime");
  const end = parseDateTimeTimeZone(body?.endTime, "endTime");
  const interval = Number(body?.availabilityViewInterval ?? 30);
  if (!Number.isInteger(interval) || interval < 5 || interval > 1440) {
    throw badRequest("availabilityViewInterval must be between 5 and 1440 minutes.", "ErrorInvalidParameter");
  }
  const slots = Math.ceil(end.diff(start).as("minutes") / interval);
  return {
    value: schedules.map((address) => {
      const mailbox =
        req.principal.tenant.mailboxes.get(String(address)) ??
        directory.findUser(req.principal.tenant, String(address));
      if (!mailbox) {
        return {
          scheduleId: address,
          availabilityView: "",
          error: {
            message: "The specified user is not found or not part of the tenant.",
            responseCode: "ErrorMailRecipientNotFound",
          },
        };
      }
      const busy = busyIntervals(mailbox, directory, start, end);
      const view = Array.from({ length: slots }, (_, index) => {
        const slotStart = start.plus({ minutes: index * interval });
        const slotEnd = slotStart.plus({ minutes: interval });
        let digit = 0;
        for (const entry of busy)
          if (entry.start < slotEnd && entry.end > slotStart) digit = Math.max(digit, STATUS_DIGIT[entry.status] ?? 2);
        return String(digit);
      }).join("");
      return {
        scheduleId: address,
        availabilityView: view,
        scheduleItems: busy.map((entry) => {
          const item: Json = {
            isPrivate: entry.isPrivate,
            status: entry.status,
            start: formatDateTimeTimeZone(entry.start, req.timeZone),
            end: formatDateTimeTimeZone(entry.end, req.timeZone),
          };
          if (!entry.isPrivate) {
            item.subject = entry.subject;
            item.location = entry.location;
          }
          return item;
        }),
        workingHours: workingHours(mailbox),
      };
    }),
  };
}

export function findMeetingTimes(directory: Directory, req: MailboxRequest): Json {
  const body = (req.body ?? {}) as Json;
  const duration = Duration.fromISO(String(body.meetingDuration ?? "PT30M"));
  if (!duration.isValid) throw badRequest("meetingDuration must be an ISO 8601 duration.", "ErrorInvalidParameter");
  const constraint = body.timeConstraint as { timeSlots?: Array<{ start: unknown; end: unknown }> } | undefined;
  const now = DateTime.utc().startOf("hour").plus({ hours: 1 });
  const windows = constraint?.timeSlots?.length
    ? constraint.timeSlots.map((slot) => ({
        start: parseDateTimeTimeZone(slot.start, "start"),
        end: parseDateTimeTimeZone(slot.end, "end"),
      }))
    : [{ start: now, end: now.plus({ days: 2 }) }];
  const attendees = ((body.attendees as Json[] | undefined) ?? []).map((attendee) =>
    String((attendee.emailAddress as Json | undefined)?.address ?? ""),
  );
  const people = [req.mailbox, ...attendees.map((address) => directory.findUser(req.principal.tenant, address))];
  const maxCandidates = Number(body.maxCandidates ?? 5);
  const suggestions: Json[] = [];
  for (const window of windows) {
    const busy = people.map((mailbox) =>
      mailbox ? busyIntervals(mailbox, directory, window.start, window.end) : undefined,
    );
    for (
      let slot = window.start;
      slot.plus(duration) <= window.end && suggestions.length < maxCandidates;
      slot = slot.plus(duration)
    ) {
      const slotEnd = slot.plus(duration);
      const availability = busy.map((entries) =>
        entries === undefined
          ? "unknown"
          : entries.some((entry) => entry.start < slotEnd && entry.end > slot)
            ? "busy"
            : "free",
      );
      if (availability.includes("busy")) continue;
      const score = availability.reduce((sum, state) => sum + (state === "free" ? 100 : 49), 0) / availability.length;
      suggestions.push({
        confidence: score,
        organizerAvailability: availability[0],
        attendeeAvailability: attendees.map((address, index) => ({
          attendee: { type: "required", emailAddress: { address } },
          availability: availability[index + 1],
        })),
        locations: [],
        meetingTimeSlot: {
          start: formatDateTimeTimeZone(slot, req.timeZone),
          end: formatDateTimeTimeZone(slotEnd, req.timeZone),
        },
        suggestionReason: "Suggested because it is one of the nearest times when all attendees are available.",
      });
    }
  }
  return {
    emptySuggestionsReason: suggestions.length ? "" : "AttendeesUnavailable",
    meetingTimeSuggestions: suggestions,
  };
}
