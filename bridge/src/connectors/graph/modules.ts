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
import type { GraphTransport } from "./transport.js";

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
 * Every event property the mapping reads. A series master's `cancelledOccurrences` is returned only when selected
 * (learn.microsoft.com/graph/api/resources/event: "cancelledOccurrences … Returned only on $select"), and a
 * `$select` returns nothing else, so an item read names them all.
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
  "onlineMeeting",
  "onlineMeetingUrl",
  "categories",
  "sensitivity",
  "iCalUId",
].join(",")}`;

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

  async function itemFrom(json: Json): Promise<RemoteItem<CalendarEvent>> {
    const graph = json as GraphEvent;
    const exceptions =
      graph.type === "seriesMaster"
        ? (await instances(String(json.id))).filter((instance) => instance.type === "exception")
        : [];
    return { id: String(json.id), version: etagOf(json), value: eventFromGraph(graph, { exceptions }) };
  }

  /**
   * Occurrence id → series master id, learned from delta pages. A deleted occurrence comes back only as `@removed`
   * with the occurrence's id; this map lets the series be re-read so the cancellation reaches the CRM. (After a
   * restart the map is empty: such a cancellation then travels with the series' next change or the next resync.)
   */
  const seriesOf = new Map<string, string>();

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
    for (const masterId of series) {
      try {
        const master = await transport.request<Json>("GET", `${await item(masterId)}${EVENT_READ}`);
        changes.push({ kind: "upsert", item: await itemFrom(master) });
      } catch (error) {
        if (!(error instanceof ConnectorError && error.failure.kind === "not-found")) throw error;
        changes.push({ kind: "deleted", id: masterId });
      }
    }
    return changes;
  }

  /** Moves and cancels the occurrences the canonical event says differ from the pattern. */
  async function afterWrite(
    written: RemoteItem<CalendarEvent>,
    value: CalendarEvent,
  ): Promise<RemoteItem<CalendarEvent>> {
    const plan = eventToGraph(value, { mailboxTimeZone });
    if (plan.exceptions.length === 0 && plan.cancelledOccurrences.length === 0) return written;
    const byKey = new Map<string, string>();
    for (const instance of await instances(written.id)) {
      const key = instanceKey(value, instance);
      if (key !== undefined && instance.id) byKey.set(key, instance.id);
    }
    for (const exception of plan.exceptions) {
      const id = byKey.get(exception.originalStart);
      if (id) await transport.request("PATCH", await item(id), { body: exception.patch });
    }
    for (const key of plan.cancelledOccurrences) {
      const id = byKey.get(key);
      if (id) await transport.request("DELETE", await item(id));
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
