/**
 * Calendar semantics: a series master expands into occurrences (ids derived from the master id and the original
 * date), modified occurrences are exceptions stored on the master, deleted occurrences are remembered as cancelled
 * (so delta can report them `@removed`). Invitations and cancellations are delivered as messages into attendees'
 * Inboxes when the attendee is a simulated user, and every one is recorded so tests can count them.
 */
import { DateTime } from "luxon";
import { occurrenceId } from "./ids.js";
import { defaultsForNew } from "./items.js";
import type { Directory, Item, Json, Mailbox } from "./store.js";
import { expandRecurrence, type PatternedRecurrence } from "./time.js";

export interface EventInstance {
  id: string;
  changeKey: string;
  /** Change sequence of this instance (an occurrence changes with its master or its own exception). */
  seq: number;
  start: DateTime;
  end: DateTime;
  props: Json;
}

export interface InvitationRecord {
  kind: "meetingRequest" | "meetingCancelled";
  from: string;
  to: string;
  subject: string;
  iCalUId: string;
  at: string;
}

function utc(value: unknown): DateTime {
  return DateTime.fromISO(String((value as { dateTime?: string } | undefined)?.dateTime ?? ""), { zone: "UTC" });
}

export function eventBounds(props: Json): { start: DateTime; end: DateTime } {
  return { start: utc(props.start), end: utc(props.end) };
}

function overlaps(start: DateTime, end: DateTime, windowStart: DateTime, windowEnd: DateTime): boolean {
  return start < windowEnd && (end > windowStart || (end.equals(start) && start >= windowStart));
}

/** Every occurrence of a series up to `until`, cancelled ones included, with its original date. */
export function seriesOccurrences(
  master: Item,
  until: DateTime,
): Array<{ originalDate: string; start: DateTime; end: DateTime }> {
  const { start, end } = eventBounds(master.props);
  const zone = String(master.props.originalStartTimeZone ?? "UTC");
  return expandRecurrence(
    master.props.recurrence as PatternedRecurrence,
    start,
    end.diff(start).toMillis(),
    zone,
    until,
  );
}

/** The instances of one stored event overlapping the window, as calendarView returns them. */
export function instancesOf(
  event: Item,
  windowStart: DateTime,
  windowEnd: DateTime,
  immutableIds: boolean,
): EventInstance[] {
  const eventId = immutableIds ? event.immutableId : event.restId;
  if (!event.props.recurrence) {
    const { start, end } = eventBounds(event.props);
    if (!overlaps(start, end, windowStart, windowEnd)) return [];
    return [
      {
        id: eventId,
        changeKey: event.changeKey,
        seq: event.seq,
        start,
        end,
        props: { ...event.props, type: "singleInstance", seriesMasterId: null },
      },
    ];
  }
  const instances: EventInstance[] = [];
  // Exceptions may be moved later than the window end of their original date; expand a little further.
  for (const occurrence of seriesOccurrences(event, windowEnd.plus({ days: 31 }))) {
    if (event.cancelledOccurrences.has(occurrence.originalDate)) continue;
    const instance = instanceOf(event, eventId, occurrence);
    if (overlaps(instance.start, instance.end, windowStart, windowEnd)) instances.push(instance);
  }
  return instances;
}

/** One occurrence of a series as an instance: the master's properties, then its exception's. */
function instanceOf(
  event: Item,
  eventId: string,
  occurrence: { originalDate: string; start: DateTime; end: DateTime },
): EventInstance {
  const exception = event.exceptions.get(occurrence.originalDate);
  const props: Json = {
    ...event.props,
    recurrence: null,
    start: { dateTime: occurrence.start.toISO(), timeZone: "UTC" },
    end: { dateTime: occurrence.end.toISO(), timeZone: "UTC" },
    ...exception?.props,
    type: exception ? "exception" : "occurrence",
    seriesMasterId: eventId,
    originalStart: occurrence.start.toISO({ suppressMilliseconds: true }),
  };
  const bounds = eventBounds(props);
  return {
    id: occurrenceId(eventId, occurrence.originalDate),
    changeKey: exception?.changeKey ?? event.changeKey,
    seq: Math.max(exception?.seq ?? 0, event.ownSeq),
    start: bounds.start,
    end: bounds.end,
    props,
  };
}

/** Every exception of a series, wherever it lies (the master's `exceptionOccurrences`). */
export function exceptionsOf(event: Item, immutableIds: boolean): EventInstance[] {
  const dates = [...event.exceptions.keys()].sort();
  const last = dates.at(-1);
  if (!event.props.recurrence || last === undefined) return [];
  const eventId = immutableIds ? event.immutableId : event.restId;
  return seriesOccurrences(event, DateTime.fromISO(last, { zone: "UTC" }).plus({ days: 2 }))
    .filter((occurrence) => event.exceptions.has(occurrence.originalDate))
    .filter((occurrence) => !event.cancelledOccurrences.has(occurrence.originalDate))
    .map((occurrence) => instanceOf(event, eventId, occurrence));
}

/**
 * The master itself, as GET /events/{id} returns it. A series master's `cancelledOccurrences` (occurrence ids
 * `OID.{masterId}.{yyyy-mm-dd}`) are part of it only when `withCancelled`: Graph returns them "only on $select in a
 * Get operation which specifies the ID … of a series master event" (event resource), never in lists or delta.
 */
export function masterProps(event: Item, masterId: string, withCancelled: boolean): Json {
  if (!event.props.recurrence) return { ...event.props, type: "singleInstance", seriesMasterId: null };
  const master: Json = { ...event.props, type: "seriesMaster", seriesMasterId: null };
  if (withCancelled) {
    master.cancelledOccurrences = [...event.cancelledOccurrences.keys()]
      .sort()
      .map((date) => `OID.${masterId}.${date}`);
  }
  return master;
}

/** Sends invitations (or cancellations) for an event from its organizer's mailbox to its attendees. */
export function notifyAttendees(
  directory: Directory,
  organizer: Mailbox,
  props: Json,
  kind: InvitationRecord["kind"],
  log: InvitationRecord[],
  onlyAddresses?: Set<string>,
): void {
  const subject = `${kind === "meetingCancelled" ? "Canceled: " : ""}${String(props.subject ?? "")}`;
  for (const attendee of (props.attendees as Json[] | undefined) ?? []) {
    const address = String((attendee.emailAddress as Json | undefined)?.address ?? "").toLowerCase();
    if (!address || address === organizer.user.mail.toLowerCase()) continue;
    if (onlyAddresses && !onlyAddresses.has(address)) continue;
    log.push({
      kind,
      from: organizer.user.mail,
      to: address,
      subject,
      iCalUId: String(props.iCalUId ?? ""),
      at: new Date().toISOString(),
    });
    const recipient = directory.findUserAnywhere(address);
    const inbox = recipient && directory.wellKnownFolder(recipient, "inbox");
    if (!recipient || !inbox) continue;
    const from = { emailAddress: { name: organizer.user.displayName, address: organizer.user.mail } };
    directory.createItem(
      recipient,
      inbox,
      "message",
      defaultsForNew("message", recipient, {
        subject,
        body: props.body ?? { contentType: "text", content: "" },
        from,
        sender: from,
        toRecipients: [{ emailAddress: { address } }],
        meetingMessageType: kind,
      }),
    );
  }
}
