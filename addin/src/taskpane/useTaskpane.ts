/**
 * Connects the task pane to the host and the bridge: follows the open item (ItemChanged when pinned), loads the CRM
 * context, the item's sync state and the user's sync status, and turns the user's clicks into bridge calls.
 * Results for an item that is no longer open are dropped (a pinned pane can switch items mid-request).
 */
import { useCallback, useEffect, useMemo, useState } from "react";
import type { BridgeClient } from "../api/client.js";
import type { MailItemSnapshot, MailPerson, OfficeHost } from "../office/host.js";
import type { LoadState, TaskPaneActions, TaskPaneData } from "./types.js";

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Everyone on the item except the user, once each, in header order. */
export function peopleOnItem(item: MailItemSnapshot, self: string, attendees: MailPerson[] = []): MailPerson[] {
  const seen = new Set([self.toLowerCase()]);
  const people: MailPerson[] = [];
  for (const person of [...(item.from ? [item.from] : []), ...item.to, ...item.cc, ...attendees]) {
    const key = person.email.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      people.push(person);
    }
  }
  return people;
}

const AVAILABILITY_INTERVAL_MINUTES = 30;

export function useTaskpane(host: OfficeHost, client: BridgeClient): { data: TaskPaneData; actions: TaskPaneActions } {
  const [item, setItem] = useState(() => host.currentItem());
  const [people, setPeople] = useState<MailPerson[]>([]);
  const [meeting, setMeeting] = useState<TaskPaneData["meeting"]>(null);
  const [context, setContext] = useState<TaskPaneData["context"]>({ status: "loading" });
  const [itemStatus, setItemStatus] = useState<TaskPaneData["itemStatus"]>({ status: "loading" });
  const [sync, setSync] = useState<TaskPaneData["sync"]>({ status: "loading" });
  const [availability, setAvailability] = useState<TaskPaneData["availability"]>({ status: "loading" });
  // Refresh triggers, one per thing a write can change, so a send does not reload (and remount) the CRM context.
  const [attendeesVersion, setAttendeesVersion] = useState(0);
  const [contextVersion, setContextVersion] = useState(0);
  const [statusVersion, setStatusVersion] = useState(0);

  useEffect(() => {
    let unsubscribe: (() => void) | undefined;
    let disposed = false;
    host
      .onItemChanged(() => setItem(host.currentItem()))
      .then((off) => {
        if (disposed) off();
        else unsubscribe = off;
      })
      .catch(() => {
        // Not pinnable here (below Mailbox 1.5): the pane closes when the item changes.
      });
    return () => {
      disposed = true;
      unsubscribe?.();
    };
  }, [host]);

  // Who is on the item: header fields when reading, the attendee list when organising a meeting.
  // biome-ignore lint/correctness/useExhaustiveDependencies: attendeesVersion re-reads attendees after adding some
  useEffect(() => {
    let current = true;
    setMeeting(null);
    if (!item) {
      setPeople([]);
      return;
    }
    if (item.itemType === "appointment" && item.mode === "compose") {
      Promise.all([host.requiredAttendees(), host.meetingDetails()])
        .then(([attendees, details]) => {
          if (!current) return;
          setPeople(peopleOnItem(item, host.user.email, attendees));
          setMeeting(details);
        })
        .catch((error: unknown) => current && setContext({ status: "error", message: messageOf(error) }));
    } else {
      setPeople(peopleOnItem(item, host.user.email));
    }
    return () => {
      current = false;
    };
  }, [host, item, attendeesVersion]);

  const load = useCallback(<T>(set: (s: LoadState<T>) => void, request: () => Promise<T>) => {
    let current = true;
    set({ status: "loading" });
    request().then(
      (data) => current && set({ status: "ready", data }),
      (error: unknown) => current && set({ status: "error", message: messageOf(error) }),
    );
    return () => {
      current = false;
    };
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: contextVersion reloads after creating a contact or lead
  useEffect(() => {
    if (people.length === 0) {
      setContext({ status: "ready", data: [] });
      return;
    }
    return load(setContext, async () => (await client("context", { emails: people.map((p) => p.email) })).people);
  }, [client, people, load, contextVersion]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: statusVersion reloads "already in CRM" after a send
  useEffect(() => {
    if (!item || item.mode === "compose") {
      setItemStatus({ status: "unavailable", message: "Save the item to see its sync state." });
      return;
    }
    const ids = {
      ...(item.internetMessageId ? { internetMessageId: item.internetMessageId } : {}),
      ...(item.restItemId ? { restItemId: item.restItemId } : {}),
      ...(item.ewsItemId ? { ewsItemId: item.ewsItemId } : {}),
    };
    return load(setItemStatus, () => client("itemStatus", { itemType: item.itemType, ...ids }));
  }, [client, item, load, statusVersion]);

  useEffect(() => load(setSync, () => client("mySyncStatus", {})), [client, load]);

  useEffect(() => {
    if (!meeting || people.length === 0) {
      setAvailability({ status: "ready", data: [] });
      return;
    }
    return load(setAvailability, async () => {
      const answer = await client("availability", {
        emails: people.map((p) => p.email),
        start: meeting.start.toISOString(),
        end: meeting.end.toISOString(),
        intervalMinutes: AVAILABILITY_INTERVAL_MINUTES,
      });
      return answer.schedules;
    });
  }, [client, meeting, people, load]);

  const actions = useMemo<TaskPaneActions>(
    () => ({
      createPerson: async (draft) => {
        const created = await client("createPerson", draft);
        setContextVersion((v) => v + 1);
        return created;
      },
      sendToCrm: async (targets, includeAttachments) => {
        if (!item?.internetMessageId) throw new Error("This item has no Internet message id to send");
        const result = await client("sendEmail", {
          internetMessageId: item.internetMessageId,
          ...(item.restItemId ? { restItemId: item.restItemId } : {}),
          ...(item.ewsItemId ? { ewsItemId: item.ewsItemId } : {}),
          targets,
          includeAttachments,
        });
        setStatusVersion((v) => v + 1);
        return result;
      },
      createFollowUp: (input) => client("createFollowUp", input),
      setModuleEnabled: async (module, enabled) => {
        const status = await client("updateMySync", { modules: [{ module, enabled }] });
        setSync({ status: "ready", data: status });
      },
      syncNow: async () => {
        await client("syncNow", { modules: null });
        // Refreshed in place, not through "loading": that would remount the panel and drop its "Sync queued".
        setSync({ status: "ready", data: await client("mySyncStatus", {}) });
      },
      searchPeople: async (query) => (await client("searchPeople", { q: query })).records,
      addAttendees: async (added) => {
        await host.addRequiredAttendees(added);
        setAttendeesVersion((v) => v + 1);
      },
    }),
    [client, host, item],
  );

  return { data: { self: host.user.email, item, people, context, itemStatus, sync, availability, meeting }, actions };
}
