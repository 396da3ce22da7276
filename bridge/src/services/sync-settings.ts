/**
 * The org's sync settings (admin contract `SyncSettings`), stored as one revisioned document, and their translation
 * to what the engine takes per module.
 */
import { SyncSettings, type SyncSettingsInput } from "../api/admin.js";
import type { SyncModuleName } from "../connectors/port.js";
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

/**
 * Admin settings → engine settings. "field-merge" merges what does not overlap and queues the rest, which is the
 * engine's "manual" rule (the engine always merges non-overlapping field edits).
 */
export function engineSettings<T>(
  settings: SyncSettings,
  module: SyncModuleName,
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
  };
}

/** The two-way modules the admin has switched on (the only ones worth a job). */
export function enabledModules(settings: SyncSettings): SyncModuleName[] {
  return (["contacts", "events", "tasks"] as const).filter((module) => settings.modules[module].enabled);
}
