/**
 * The three synced modules on Graph. Contacts live in one contact folder and tasks in one To Do list (both delta'd
 * per container, as v1.0 has no mailbox-wide contacts or tasks delta). Events are read through
 * `calendarView/delta` over a fixed window (delta-query-events.md: the window is part of the round; a new window
 * means a new initial sync): single instances map directly; occurrences and exceptions are folded into their series
 * master, read once per page with its exceptions from `/instances`. Writes of a series PATCH the master, then move
 * or cancel single instances, matched by their original start.
 * `notifyAttendees` cannot be honoured on Graph: creating or updating an event with attendees in the organiser's
 * calendar always sends invitations/updates, and v1.0 has no "send to none" option like EWS `SendToNone`
 * (shared/spec/graph-and-addin.md: "Creating an event with attendees sends invitations from the organizer
 * mailbox"). The planner's invitation count is therefore a lower bound on Graph mailboxes.
 */
import { DateTime } from "luxon";
import { contactFromGraph, contactToGraph } from "../../mapping/graph/contact.js";
import { eventFromGraph, eventToGraph, instanceKey } from "../../mapping/graph/event.js";
import { taskFromGraph, taskToGraph } from "../../mapping/graph/task.js";
import type { GraphEvent } from "../../mapping/graph/wire.js";
import type { CalendarEvent, Contact, Task } from "../../model/index.js";
import { ConnectorError } from "../errors.js";
import type { ChangeEntry, RemoteItem } from "../port.js";
import { etagOf, type GraphModuleAdapter, type Json } from "./records.js";
import { type BatchRequest, batchFailure, type GraphTransport } from "./transport.js";

/** Where one mailbox's data lives: `users/{id or UPN}`. */
export interface MailboxLocation {
  readonly transport: GraphTransport;
  /** `users/alex@contoso.com`, without leading slash. */
  readonly userPath: string;
}

const OUTLOOK_ITEM_MINUTES = 10_080;
const TO_DO_TASK_SUBSCRIPTION_MINUTES = 4_230;

function lazy<V>(load: () => Promise<V>): () => Promise<V> {
  let value: Promise<V> | undefined;
  return () => {
    value ??= load().catch((error: unknown) => {
      value = undefined;
      throw error;
    });
    return value;
  };
}

function simpleChanges<T>(entries: Json[], itemFrom: (json: Json) => RemoteItem<T>): ChangeEntry<T>[] {
  return entries.map((entry) =>
    entry["@removed"] ? { kind: "deleted", id: String(entry.id) } : { kind: "upsert", item: itemFrom(entry) },
  );
}

export function contactsAdapter(location: MailboxLocation, folderId?: string): GraphModuleAdapter<Contact> {
  // The default contact folder is addressed by its well-known name when no folder id is configured.
  const folder = lazy(
    async () =>
      folderId ??
      (await location.transport.request<{ id: string }>("GET", `/${location.userPath}/contactFolders/contacts`)).id,
  );
  const itemFrom = (json: Json): RemoteItem<Contact> => ({
    id: String(json.id),
    version: etagOf(json),
    value: contactFromGraph(json),
  });
  return {
    module: "contacts",
    collection: async () => `/${location.userPath}/contactFolders/${await folder()}/contacts`,
    item: async (id) => `/${location.userPath}/contacts/${encodeURIComponent(id)}`,
    deltaUrl: async () => `/${location.userPath}/contactFolders/${await folder()}/contacts/delta`,
    subscriptionResource: async () => `${location.userPath}/contactFolders/${await folder()}/contacts`,
    subscriptionMinutes: OUTLOOK_ITEM_MINUTES,
    changesFrom: async (entries) => simpleChanges(entries, itemFrom),
    itemFrom: async (json) => itemFrom(json),
    toGraph: (value) => contactToGraph(value) as Json,
  };
}

export function tasksAdapter(
  location: MailboxLocation,
  mailboxTimeZone: string,
  listId?: string,
): GraphModuleAdapter<Task> {
  const zone = { mailboxTimeZone };
  const list = lazy(async () => {
    if (listId) return listId;
    const lists = await location.transport.request<{ value: Array<{ id: string; wellknownListName?: string }> }>(
      "GET",
      `/${location.userPath}/todo/lists`,
    );
    const found = lists.value.find((candidate) => candidate.wellknownListName === "defaultList") ?? lists.value[0];
    if (!found) throw new Error("the mailbox has no To Do list");
    return found.id;
  });
  const itemFrom = (json: Json): RemoteItem<Task> => ({
    id: String(json.id),
    version: etagOf(json),
    value: taskFromGraph(json, zone),
  });
  return {
    module: "tasks",
    collection: async () => `/${location.userPath}/todo/lists/${await list()}/tasks`,
    item: async (id) => `/${location.userPath}/todo/lists/${await list()}/tasks/${encodeURIComponent(id)}`,
    deltaUrl: async () => `/${location.userPath}/todo/lists/${await list()}/tasks/delta`,
    subscriptionResource: async () => `${location.userPath}/todo/lists/${await list()}/tasks`,
    subscriptionMinutes: TO_DO_TASK_SUBSCRIPTION_MINUTES,
    changesFrom: async (entries) => simpleChanges(entries, itemFrom),
    itemFrom: async (json) => itemFrom(json),
    toGraph: (value) => taskToGraph(value, zone) as Json,
  };
}

/**
 * Every event property the mapping reads. A `$select` returns nothing else, so a read names them all; a series
 * master's `cancelledOccurrences` and its `exceptionOccurrences` (expanded, with the same selected properties) come
 * only on a GET by the master's id that selects them (learn.microsoft.com/graph/api/resources/event:
 * "cancelledOccurrences … Returned only on $select in a Get operation which specifies the ID (seriesMasterId property
 * value) of a series master event", "exceptionOccurrences … Returned only on $select and $expand"; get-event.md
 * example "Expand a series master event"). One such GET reads a whole series: pattern, moved and cancelled
 * occurrences — never on a delta page or a list, which is why masters are read by id, 20 to a `$batch`.
 */
const EVENT_READ = `?$select=${[
  "id",
  "type",
  "changeKey",
  "subject",
  "body",
  "start",
  "end",
  "isAllDay",
  "originalStartTimeZone",
  "originalStart",
  "location",
  "organizer",
  "attendees",
  "isReminderOn",
  "reminderMinutesBeforeStart",
  "recurrence",
  "cancelledOccurrences",
  "exceptionOccurrences",
  "onlineMeeting",
  "onlineMeetingUrl",
  "categories",
  "sensitivity",
  "iCalUId",
].join(",")}&$expand=exceptionOccurrences`;

export interface EventWindow {
  /** Days before today the synced window starts. */
  pastDays: number;
  /** Days after today the synced window ends. */
  futureDays: number;
}

export function eventsAdapter(
  location: MailboxLocation,
  window: EventWindow,
  mailboxTimeZone: string,
): GraphModuleAdapter<CalendarEvent> {
  const { transport, userPath } = location;
  const today = DateTime.utc().startOf("day");
  const start = today.minus({ days: window.pastDays }).toISO({ suppressMilliseconds: true }) ?? "";
  const end = today.plus({ days: window.futureDays }).toISO({ suppressMilliseconds: true }) ?? "";
  const range = `startDateTime=${encodeURIComponent(start)}&endDateTime=${encodeURIComponent(end)}`;
  const item = async (id: string) => `/${userPath}/events/${encodeURIComponent(id)}`;

  async function instances(masterId: string): Promise<GraphEvent[]> {
    const page = await transport.request<{ value: GraphEvent[] }>(
      "GET",
      `${await item(masterId)}/instances?${range}&$top=1000`,
    );
    return page.value;
  }

  /** A single instance, or a series master read with `EVENT_READ` (its exceptions expanded). */
  async function itemFrom(json: Json): Promise<RemoteItem<CalendarEvent>> {
    const graph = json as GraphEvent;
    return {
      id: String(json.id),
      version: etagOf(json),
      value: eventFromGraph(graph, { exceptions: graph.exceptionOccurrences ?? [] }),
    };
  }

  /**
   * Occurrence id → series master id, learned from delta pages. A deleted occurrence comes back only as `@removed`
   * with the occurrence's id; this map lets the series be re-read so the cancellation reaches the CRM. (After a
   * restart the map is empty: such a cancellation then travels with the series' next change or the next resync.)
   */
  const seriesOf = new Map<string, string>();

  /** The masters of the series a page touched, read by id in `$batch`es; a master gone since is a deletion. */
  async function seriesChanges(masterIds: readonly string[]): Promise<ChangeEntry<CalendarEvent>[]> {
    const reads = await Promise.all(
      masterIds.map(async (id): Promise<BatchRequest> => ({ method: "GET", url: `${await item(id)}${EVENT_READ}` })),
    );
    const responses = await transport.batch(reads);
    return Promise.all(
      responses.map(async (response, index): Promise<ChangeEntry<CalendarEvent>> => {
        const id = masterIds[index] as string;
        const failure = batchFailure(response);
        if (failure?.kind === "not-found") return { kind: "deleted", id };
        if (failure) throw new ConnectorError(failure);
        return { kind: "upsert", item: await itemFrom(response.body as Json) };
      }),
    );
  }

  async function changesFrom(entries: Json[]): Promise<ChangeEntry<CalendarEvent>[]> {
    const changes: ChangeEntry<CalendarEvent>[] = [];
    const series = new Set<string>();
    for (const entry of entries) {
      const id = String(entry.id);
      if (entry["@removed"]) {
        const master = seriesOf.get(id);
        if (master) series.add(master);
        else changes.push({ kind: "deleted", id });
      } else if (entry.type === "singleInstance") changes.push({ kind: "upsert", item: await itemFrom(entry) });
      else if (typeof entry.seriesMasterId === "string") {
        seriesOf.set(id, entry.seriesMasterId);
        series.add(entry.seriesMasterId);
      }
    }
    if (series.size > 0) changes.push(...(await seriesChanges([...series])));
    return changes;
  }

  /**
   * Moves and cancels the occurrences the canonical event says differ from the pattern (one `$batch`), then reads
   * the series back. A series just created with no such occurrences is already what its write answered; an updated
   * one is read back, as Graph may keep exceptions the write did not touch.
   */
  async function afterWrite(
    written: RemoteItem<CalendarEvent>,
    value: CalendarEvent,
    created: boolean,
  ): Promise<RemoteItem<CalendarEvent>> {
    if (value.recurrence === undefined) return written;
    const plan = eventToGraph(value, { mailboxTimeZone });
    const changesOccurrences = plan.exceptions.length > 0 || plan.cancelledOccurrences.length > 0;
    if (created && !changesOccurrences) return written;
    if (changesOccurrences) {
      const byKey = new Map<string, string>();
      for (const instance of await instances(written.id)) {
        const key = instanceKey(value, instance);
        if (key !== undefined && instance.id) byKey.set(key, instance.id);
      }
      const writes: BatchRequest[] = [];
      for (const exception of plan.exceptions) {
        const id = byKey.get(exception.originalStart);
        if (id) writes.push({ method: "PATCH", url: await item(id), body: exception.patch });
      }
      for (const key of plan.cancelledOccurrences) {
        const id = byKey.get(key);
        if (id) writes.push({ method: "DELETE", url: await item(id) });
      }
      for (const response of await transport.batch(writes)) {
        const failure = batchFailure(response);
        if (failure) throw new ConnectorError(failure);
      }
    }
    return itemFrom(await transport.request<Json>("GET", `${await item(written.id)}${EVENT_READ}`));
  }

  return {
    module: "events",
    collection: async () => `/${userPath}/calendar/events`,
    item,
    readQuery: EVENT_READ,
    deltaUrl: async () => `/${userPath}/calendarView/delta?${range}`,
    subscriptionResource: async () => `${userPath}/events`,
    subscriptionMinutes: OUTLOOK_ITEM_MINUTES,
    changesFrom,
    itemFrom,
    toGraph: (value) => eventToGraph(value, { mailboxTimeZone }).event as Json,
    afterWrite,
  };
}
