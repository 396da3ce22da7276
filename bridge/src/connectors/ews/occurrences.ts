/**
 * Exceptions of a recurring series over EWS: the moved and cancelled occurrences that CreateItem/UpdateItem on the
 * master cannot carry.
 *
 * Writes (docs how-to-update-a-recurring-series-by-using-ews.md, how-to-delete-appointments-in-a-recurring-series…):
 * each occurrence is addressed by `OccurrenceItemId RecurringMasterId=… InstanceIndex=n` (occurrenceIndex), bound,
 * given its Start/End/Subject/Location and updated; a cancelled one is deleted. Every occurrence write gives the
 * master a new ChangeKey, so the master's id is read again afterwards and the caller stores that ChangeKey — else its
 * next conditional write would be refused as stale.
 * Exchange discards a series' exceptions when its recurrence is rewritten (Outlook warns "Any exceptions associated
 * with this recurring appointment will be cancelled"), so the master update resends the recurrence only when the
 * pattern or the series' start changed (`keepsPattern`), and then every exception is written again.
 * Reads: ModifiedOccurrences gives only times; Subject and Location of the exceptions come from one GetItem of the
 * occurrence items.
 */
import { isDeepStrictEqual } from "node:util";
import {
  type Appointment,
  AppointmentOccurrenceId,
  AppointmentSchema,
  BasePropertySet,
  ConflictResolutionMode,
  DateTime,
  DeleteMode,
  ItemId,
  ItemSchema,
  PropertySet,
  SendCancellationsMode,
  SendInvitationsOrCancellationsMode,
  ServiceResult,
  TimeZoneInfo,
} from "ews-javascript-api";
import { occurrenceIndex } from "../../mapping/occurrences.js";
import { startOfDateInstant } from "../../mapping/time.js";
import { type CalendarEvent, type EventSpan, type MovedOccurrence, windowsFromIana } from "../../model/index.js";
import { escapedWire } from "./escape.js";
import type { EwsSession } from "./session.js";

/** Subject and Location of exception items, by the occurrence's item id. */
export type ExceptionDetails = ReadonlyMap<string, { subject: string; location: string }>;

/** True when an update of `previous` to `next` leaves the series pattern alone (so Exchange keeps its exceptions). */
export function keepsPattern(previous: CalendarEvent, next: CalendarEvent): boolean {
  return isDeepStrictEqual(previous.recurrence, next.recurrence) && isDeepStrictEqual(previous.span, next.span);
}

/** Loads Subject and Location of the given occurrence items (one GetItem); unknown ids are left out. */
export async function loadExceptionDetails(session: EwsSession, ids: readonly string[]): Promise<ExceptionDetails> {
  const details = new Map<string, { subject: string; location: string }>();
  if (ids.length === 0) return details;
  const shape = new PropertySet(BasePropertySet.IdOnly, [ItemSchema.Subject, AppointmentSchema.Location]);
  const responses = await session.read((service) =>
    service.BindToItems(
      ids.map((id) => new ItemId(id)),
      shape,
    ),
  );
  responses.Responses.forEach((response, index) => {
    const id = ids[index];
    if (response.Result === ServiceResult.Error || id === undefined) return;
    const item = response.Item as Appointment;
    details.set(id, { subject: item.Subject ?? "", location: item.Location ?? "" });
  });
  return details;
}

/** One series write whose exceptions still have to be brought in line. */
export interface SeriesWrite {
  readonly masterId: string;
  readonly value: CalendarEvent;
  /** The series as Exchange held it before the write; undefined for a new series. */
  readonly previous: CalendarEvent | undefined;
  readonly notifyAttendees: boolean;
}

interface Step {
  readonly write: number;
  readonly index: number;
  readonly key: string;
}

interface Move extends Step {
  readonly span: EventSpan;
  /** Set on the exception only when given: otherwise it shows the master's, and follows later master edits. */
  readonly subject: string | undefined;
  readonly location: string | undefined;
}

/** The occurrence's own span when it follows the pattern: the series' duration from its original start. */
function patternSpan(series: CalendarEvent, key: string): EventSpan {
  const { span } = series;
  if (span.kind === "allDay") {
    const days = Math.round((Date.parse(span.endDate) - Date.parse(span.startDate)) / 86_400_000);
    const end = new Date(Date.parse(key) + days * 86_400_000).toISOString().slice(0, 10);
    return { kind: "allDay", startDate: key, endDate: end };
  }
  const duration = Date.parse(span.end) - Date.parse(span.start);
  return { kind: "timed", start: key, end: new Date(Date.parse(key) + duration).toISOString().replace(/\.\d+Z$/, "Z") };
}

/** The series' zone by Windows id (what the library's TimeZoneInfo knows). */
function windowsZone(series: CalendarEvent, zoneOf: (value: CalendarEvent) => string): string {
  return windowsFromIana(zoneOf(series)) ?? "UTC";
}

function timesOf(span: EventSpan, zone: string): { start: string; end: string } {
  return span.kind === "timed"
    ? { start: span.start, end: span.end }
    : { start: startOfDateInstant(span.startDate, zone), end: startOfDateInstant(span.endDate, zone) };
}

/**
 * Brings the exceptions of each written series in line with its canonical value. Returns, per write, the master's
 * ChangeKey afterwards and the value as Exchange now holds it: an occurrence write that failed (say, an original
 * start outside the pattern) is left out, so the stored state never claims more than Exchange has.
 */
export async function writeExceptions(
  session: EwsSession,
  writes: readonly SeriesWrite[],
  zoneOf: (value: CalendarEvent) => string,
): Promise<{ version: string | undefined; value: CalendarEvent }[]> {
  const stored = writes.map((write) => ({ ...write.value }));
  const moves: Move[] = [];
  const cancels: Step[] = [];
  writes.forEach((write, position) => {
    const { value } = write;
    if (value.recurrence === undefined) return;
    const zone = zoneOf(value);
    const before = keptExceptions(write);
    const wantedMoves = new Map<string, MovedOccurrence>(value.movedOccurrences.map((m) => [m.originalStart, m]));
    const moveTo = (key: string, span: EventSpan, subject: string | undefined, location: string | undefined) => {
      const index = occurrenceIndex(value, key, zone);
      if (index !== undefined) moves.push({ write: position, index, key, span, subject, location });
    };
    for (const moved of value.movedOccurrences) {
      if (value.cancelledOccurrences.includes(moved.originalStart)) continue;
      const same = before?.movedOccurrences.find((m) => m.originalStart === moved.originalStart);
      if (same && isDeepStrictEqual(same, moved)) continue;
      moveTo(moved.originalStart, moved.span, moved.subject, moved.location);
    }
    // An exception the canonical value no longer has goes back to the pattern's time, subject and location.
    for (const moved of before?.movedOccurrences ?? []) {
      if (wantedMoves.has(moved.originalStart) || value.cancelledOccurrences.includes(moved.originalStart)) continue;
      const subject = moved.subject === undefined ? undefined : value.subject;
      const location = moved.location === undefined ? undefined : (value.location ?? "");
      moveTo(moved.originalStart, patternSpan(value, moved.originalStart), subject, location);
    }
    for (const key of value.cancelledOccurrences) {
      if (before?.cancelledOccurrences.includes(key)) continue;
      const index = occurrenceIndex(value, key, zone);
      if (index !== undefined) cancels.push({ write: position, index, key });
    }
  });
  const failed = new Set<string>();
  const failedStep = (step: Step) => failed.add(`${step.write}|${step.key}`);
  await moveOccurrences(session, writes, moves, zoneOf, failedStep);
  await cancelOccurrences(session, writes, cancels, failedStep);

  writes.forEach((write, position) => {
    const { value } = write;
    if (value.recurrence === undefined) return;
    const zone = zoneOf(value);
    const reachable = (key: string) =>
      occurrenceIndex(value, key, zone) !== undefined && !failed.has(`${position}|${key}`);
    const entry = stored[position];
    if (!entry) return;
    entry.movedOccurrences = value.movedOccurrences.filter((m) => reachable(m.originalStart));
    // A deleted occurrence cannot be brought back over EWS: unless the pattern was rewritten, it stays cancelled.
    const stillCancelled = keptExceptions(write)?.cancelledOccurrences ?? [];
    entry.cancelledOccurrences = [
      ...new Set([...value.cancelledOccurrences.filter(reachable), ...stillCancelled]),
    ].sort();
  });
  // Only the masters whose occurrences were written have a ChangeKey newer than their own write's answer.
  const touched = [...new Set([...moves, ...cancels].map((step) => step.write))];
  const versions = await masterVersions(
    session,
    touched.map((position) => writes[position]?.masterId ?? ""),
  );
  return stored.map((value, position) => ({ version: versions[touched.indexOf(position)], value }));
}

/** The series as it was, when its exceptions survive the write (the pattern was not rewritten); else undefined. */
function keptExceptions(write: SeriesWrite): CalendarEvent | undefined {
  return write.previous !== undefined && keepsPattern(write.previous, write.value) ? write.previous : undefined;
}

async function moveOccurrences(
  session: EwsSession,
  writes: readonly SeriesWrite[],
  moves: readonly Move[],
  zoneOf: (value: CalendarEvent) => string,
  failedStep: (step: Step) => void,
): Promise<void> {
  if (moves.length === 0) return;
  const shape = new PropertySet(BasePropertySet.IdOnly, [
    ItemSchema.Subject,
    AppointmentSchema.Start,
    AppointmentSchema.End,
    AppointmentSchema.Location,
  ]);
  const bound = await session.read((service) =>
    service.BindToItems(
      moves.map((move) => new AppointmentOccurrenceId(writes[move.write]?.masterId ?? "", move.index)),
      shape,
    ),
  );
  const items: Appointment[] = [];
  const applied: Move[] = [];
  bound.Responses.forEach((response, position) => {
    const move = moves[position];
    const write = move && writes[move.write];
    if (!move || !write) return;
    if (response.Result === ServiceResult.Error) {
      failedStep(move);
      return;
    }
    const item = response.Item as Appointment;
    const times = timesOf(move.span, zoneOf(write.value));
    // In 2007 mode the library writes MeetingTimeZone from StartTimeZone and insists on it for time changes.
    if (session.is2007) item.StartTimeZone = TimeZoneInfo.FindSystemTimeZoneById(windowsZone(write.value, zoneOf));
    item.Start = new DateTime(Date.parse(times.start));
    item.End = new DateTime(Date.parse(times.end));
    if (move.subject !== undefined) item.Subject = escapedWire(move.subject);
    if (move.location !== undefined) item.Location = escapedWire(move.location);
    items.push(item);
    applied.push(move);
  });
  // One UpdateItem per invitation mode (EWS takes it once per call).
  for (const notify of [false, true]) {
    const batch = applied.filter((move) => writes[move.write]?.notifyAttendees === notify);
    if (batch.length === 0) continue;
    const batchItems = batch.map((move) => items[applied.indexOf(move)] as Appointment);
    const updated = await session.call((service) =>
      service.UpdateItems(
        batchItems,
        null as never,
        ConflictResolutionMode.AutoResolve,
        null as never,
        notify
          ? SendInvitationsOrCancellationsMode.SendToAllAndSaveCopy
          : SendInvitationsOrCancellationsMode.SendToNone,
      ),
    );
    updated.Responses.forEach((response, position) => {
      const move = batch[position];
      if (move && response.Result === ServiceResult.Error) failedStep(move);
    });
  }
}

async function cancelOccurrences(
  session: EwsSession,
  writes: readonly SeriesWrite[],
  cancels: readonly Step[],
  failedStep: (step: Step) => void,
): Promise<void> {
  for (const notify of [false, true]) {
    const batch = cancels.filter((step) => writes[step.write]?.notifyAttendees === notify);
    if (batch.length === 0) continue;
    const deleted = await session.call((service) =>
      service.DeleteItems(
        batch.map((step) => new AppointmentOccurrenceId(writes[step.write]?.masterId ?? "", step.index)),
        DeleteMode.MoveToDeletedItems,
        notify ? SendCancellationsMode.SendToAllAndSaveCopy : SendCancellationsMode.SendToNone,
        null as never,
      ),
    );
    deleted.Responses.forEach((response, position) => {
      const step = batch[position];
      if (step && response.Result === ServiceResult.Error) failedStep(step);
    });
  }
}

/** The masters' ChangeKeys now (IdOnly GetItem); undefined for a master that could not be read. */
async function masterVersions(session: EwsSession, ids: readonly string[]): Promise<(string | undefined)[]> {
  if (ids.length === 0) return [];
  const responses = await session.read((service) =>
    service.BindToItems(
      ids.map((id) => new ItemId(id)),
      new PropertySet(BasePropertySet.IdOnly),
    ),
  );
  return responses.Responses.map((response) =>
    response.Result === ServiceResult.Error ? undefined : (response.Item as Appointment).Id.ChangeKey,
  );
}
