/** Labels and formats shared by the pages, so a module or direction reads the same everywhere. */
import type { z } from "zod";
import type { FlowDirection, SyncModule, UserSyncState } from "../../src/api/admin.js";

export const moduleLabel: Record<SyncModule, string> = {
  contacts: "Contacts",
  events: "Calendar",
  tasks: "Tasks",
  emails: "E-mails",
};

export const flowLabel: Record<FlowDirection, string> = {
  "zoho-to-exchange": "Zoho → Exchange",
  "exchange-to-zoho": "Exchange → Zoho",
};

export const syncStateLabel: Record<z.infer<typeof UserSyncState>, string> = {
  "not-selected": "Not selected",
  queued: "Queued",
  "initial-sync": "Initial sync",
  "in-sync": "In sync",
  syncing: "Syncing",
  throttled: "Throttled",
  error: "Error",
  "needs-credentials": "Needs password",
  held: "Held: deletes to confirm",
};

/** A timestamp in the viewer's locale and zone; "—" when absent. */
export function formatDateTime(iso: string | null): string {
  if (iso === null) return "—";
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function formatTime(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

/** Users a "sync now" reached: the bridge queues one run per user and module, so count users, not runs. */
export function usersQueued(result: { queued: Array<{ zohoUserId: string }> }): number {
  return new Set(result.queued.map((entry) => entry.zohoUserId)).size;
}
