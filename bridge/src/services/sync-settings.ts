/**
 * The org's sync settings (admin contract `SyncSettings`), stored as one revisioned document, and their translation
 * to what the engine takes per module.
 */
import type { z } from "zod";
import { type ModuleFilters, SyncSettings, type SyncSettingsInput } from "../api/admin.js";
import type { RecordPort, RemoteItem, Side, SyncModuleName } from "../connectors/port.js";
import type { CalendarEvent } from "../model/event.js";
import type { Task } from "../model/task.js";
import type { SettingsStore } from "../storage/settings-store.js";
import type { ModuleSettings } from "../sync/plan.js";

export const SYNC_SETTINGS_KEY = "sync-settings";

const defaultModule = {
  enabled: true,
  direction: "two-way",
  conflictRule: "field-merge",
  filters: {
    ownedRecordsOnly: true,
    zohoCustomViewId: null,
    exchangeCategory: null,
    includeLeads: false,
    pastDays: null,
  },
} as const;

export const DEFAULT_SYNC_SETTINGS: SyncSettings = {
  modules: {
    contacts: defaultModule,
    events: { ...defaultModule, filters: { ...defaultModule.filters, pastDays: 90 } },
    tasks: defaultModule,
    emails: { ...defaultModule, direction: "exchange-to-zoho" },
  },
  schedule: { intervalMinutes: 15, activeHours: null },
  massDeleteThresholdPercent: 20,
  revision: 0,
  updatedAt: null,
};

export async function loadSyncSettings(settings: SettingsStore): Promise<SyncSettings> {
  return (await settings.get(SYNC_SETTINGS_KEY, SyncSettings)) ?? DEFAULT_SYNC_SETTINGS;
}

/** Saves when `revision` is the stored one; returns the saved document, or undefined when someone saved meanwhile. */
export async function saveSyncSettings(
  settings: SettingsStore,
  input: SyncSettingsInput & { revision: number },
  now: Date,
): Promise<SyncSettings | undefined> {
  const current = await loadSyncSettings(settings);
  if (current.revision !== input.revision) return undefined;
  const { revision: _read, ...values } = input;
  const saved: SyncSettings = { ...values, revision: current.revision + 1, updatedAt: now.toISOString() };
  await settings.put(SYNC_SETTINGS_KEY, saved);
  return saved;
}

/** Whose mailbox a run syncs, and when: what the module filters are relative to. */
export interface SyncScope {
  /** The mailbox's Zoho user (owner of the CRM records that belong in it). */
  zohoUserId: string;
  now: Date;
}

const DAY_MS = 86_400_000;

/** The last day an event or task touches (ISO date), or undefined when it has no end (an endless series). */
function lastDay(module: SyncModuleName, value: unknown): string | undefined {
  if (module === "events") {
    const event = value as CalendarEvent;
    if (event.recurrence) return event.recurrence.end.type === "until" ? event.recurrence.end.date : undefined;
    return event.span.kind === "timed" ? event.span.end.slice(0, 10) : event.span.endDate;
  }
  const task = value as Task;
  return task.dueDate ?? task.startDate;
}

/**
 * The admin's filters as the engine's scope test (`ModuleSettings.filter`: what is out of scope is never copied, and
 * pairs that exist keep syncing). `zohoCustomViewId` and `includeLeads` are not applied by record sync.
 */
function scopeFilter(
  module: SyncModuleName,
  filters: z.infer<typeof ModuleFilters>,
  scope: SyncScope,
): (item: RemoteItem<unknown>, side: Side) => boolean {
  const category = filters.exchangeCategory?.toLowerCase();
  const cutoff =
    filters.pastDays === null || module === "contacts"
      ? undefined
      : new Date(scope.now.getTime() - filters.pastDays * DAY_MS).toISOString().slice(0, 10);
  return (item, side) => {
    if (side === "crm" && filters.ownedRecordsOnly && item.owner !== undefined && item.owner !== scope.zohoUserId) {
      return false;
    }
    if (side === "exchange" && category !== undefined) {
      const categories = (item.value as { categories: readonly string[] }).categories;
      if (!categories.some((name) => name.toLowerCase() === category)) return false;
    }
    const last = cutoff === undefined ? undefined : lastDay(module, item.value);
    return cutoff === undefined || last === undefined || last >= cutoff;
  };
}

/**
 * Admin settings → engine settings. "field-merge" merges what does not overlap and queues the rest, which is the
 * engine's "manual" rule (the engine always merges non-overlapping field edits).
 */
export function engineSettings<T>(
  settings: SyncSettings,
  module: SyncModuleName,
  scope: SyncScope,
  userOverride?: boolean,
): ModuleSettings<T> {
  const chosen = settings.modules[module];
  const direction =
    chosen.direction === "two-way"
      ? "two-way"
      : chosen.direction === "zoho-to-exchange"
        ? "crm-to-exchange"
        : "exchange-to-crm";
  const conflictRule = chosen.conflictRule === "field-merge" ? "manual" : chosen.conflictRule;
  return {
    enabled: chosen.enabled && userOverride !== false,
    direction,
    conflictRule,
    modificationBeatsDeletion: true,
    filter: scopeFilter(module, chosen.filters, scope),
    sendInvitations: chosen.filters.sendInvitations === true,
  };
}

/**
 * The CRM port a run of `module` reads: with the owner filter on, one that lists only the user's own records on the
 * service's side (when the port can), so a mailbox's run costs what its user owns rather than what the org holds.
 * The engine's scope test still applies to what it reports.
 */
export function crmPortInScope<T>(
  settings: SyncSettings,
  module: SyncModuleName,
  scope: SyncScope,
  port: RecordPort<T>,
): RecordPort<T> {
  return settings.modules[module].filters.ownedRecordsOnly && port.ownedOnly ? port.ownedOnly(scope.zohoUserId) : port;
}

/** The two-way modules the admin has switched on (the only ones worth a job). */
export function enabledModules(settings: SyncSettings): SyncModuleName[] {
  return (["contacts", "events", "tasks"] as const).filter((module) => settings.modules[module].enabled);
}
