/** Storage rows → contract shapes. The only place that knows how the two differ. */
import type { z } from "zod";
import type { BridgeUser as BridgeUserView, Conflict, SyncRun, UserSyncState } from "../api/admin.js";
import { SECRET } from "../services/connections.js";
import type { Storage } from "../storage/index.js";
import type { RunSummary } from "../storage/run-history.js";
import type { BridgeUser } from "../storage/user-repository.js";
import type { ConflictEntry } from "../sync/state.js";

export function syncStateOf(user: BridgeUser): z.infer<typeof UserSyncState> {
  if (!user.selected) return "not-selected";
  switch (user.status) {
    case "pending":
      return "queued";
    case "syncing":
      return "syncing";
    case "succeeded":
      return "in-sync";
    case "throttled":
      return "throttled";
    case "needs-reauthorization":
      return "needs-credentials";
    case "failed":
      return user.statusReason?.startsWith("held") ? "held" : "error";
  }
}

export async function presentUser(storage: Storage, user: BridgeUser): Promise<BridgeUserView> {
  const latest = await storage.runs.latestPerModule(user.id);
  const lastSyncAt =
    latest
      .map((run) => run.finishedAt)
      .sort()
      .at(-1) ?? null;
  const errorCount = latest.reduce((sum, run) => sum + (run.totals.error ?? 0), 0);
  const password = (await storage.secrets.has(SECRET.userPassword(user.id))) ? "set" : "not-set";
  return {
    zohoUserId: user.zohoUserId,
    name: user.fullName,
    email: user.email,
    mailbox: user.mailbox,
    profile: user.zohoProfile,
    role: user.zohoRole ?? "",
    zohoStatus: user.zohoActive ? "active" : "disabled",
    selected: user.selected,
    syncState: syncStateOf(user),
    throttledUntil: user.status === "throttled" ? user.throttledUntil : null,
    lastSyncAt,
    errorCount,
    lastError: user.status === "failed" || user.status === "needs-reauthorization" ? user.statusReason : null,
    password,
    credentialHealth: user.status === "needs-reauthorization" ? "failed" : password === "set" ? "ok" : "unknown",
  };
}

const FLOW = { crm: "exchange-to-zoho", exchange: "zoho-to-exchange" } as const;

/** Per written side: how many creates/updates/deletes happened (the side written is where the change went). */
export function runRows(run: RunSummary) {
  return (["exchange", "crm"] as const).map((side) => ({
    module: run.module as "contacts" | "events" | "tasks" | "emails",
    direction: FLOW[side],
    counts: {
      creates: run.totals[`created.${side}`] ?? 0,
      updates: run.totals[`updated.${side}`] ?? 0,
      deletes: run.totals[`deleted.${side}`] ?? 0,
      conflicts: side === "crm" ? (run.totals.conflict ?? 0) : 0,
    },
  }));
}

type Rows = ReturnType<typeof runRows>;

/** Adds up rows of the same module and direction. */
export function sumRows(rows: Rows): Rows {
  const totals = new Map<string, Rows[number]>();
  for (const row of rows) {
    const key = `${row.module}|${row.direction}`;
    const current = totals.get(key);
    if (!current) totals.set(key, { ...row, counts: { ...row.counts } });
    else
      for (const field of ["creates", "updates", "deletes", "conflicts"] as const)
        current.counts[field] += row.counts[field];
  }
  return [...totals.values()];
}

export function presentRun(run: RunSummary, zohoUserId: string): z.input<typeof SyncRun> {
  const failures = run.totals.error ?? 0;
  return {
    runId: run.runId,
    zohoUserId,
    trigger: "schedule",
    status:
      run.status === "held"
        ? "held"
        : run.status === "aborted"
          ? "failed"
          : failures > 0
            ? "partially-failed"
            : "succeeded",
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    rows: runRows(run),
    failures,
  };
}

type FieldValue = string | number | boolean | null;

/** Flattens a canonical value to displayable scalar fields (nested values as JSON text). */
function scalarFields(value: unknown): Record<string, FieldValue> {
  const fields: Record<string, FieldValue> = {};
  if (value && typeof value === "object") {
    for (const [key, field] of Object.entries(value)) {
      if (field === undefined) continue;
      fields[key] =
        field === null || typeof field === "string" || typeof field === "number" || typeof field === "boolean"
          ? field
          : JSON.stringify(field);
    }
  }
  return fields;
}

/** What the admin recognises an item by: an event's or task's subject, a contact's name (else company or e-mail). */
function titleOf(value: unknown): string {
  const fields = scalarFields(value);
  const name = [fields.givenName, fields.surname].filter((part) => typeof part === "string").join(" ");
  const title = fields.subject ?? fields.displayName ?? (name || undefined) ?? fields.companyName ?? fields.email1;
  return typeof title === "string" ? title : "(untitled)";
}

function versionTime(version: string, fallback: string): string {
  return Number.isNaN(Date.parse(version)) ? fallback : new Date(version).toISOString();
}

export function presentConflict(entry: ConflictEntry, zohoUserId: string): Conflict {
  return {
    id: entry.id,
    zohoUserId,
    module: entry.scope.module,
    title: titleOf(entry.crm.value ?? entry.exchange.value),
    detectedAt: entry.detectedAt,
    base: entry.base === undefined ? null : scalarFields(entry.base),
    zoho: {
      id: entry.crm.id,
      modifiedAt: versionTime(entry.crm.version, entry.detectedAt),
      fields: scalarFields(entry.crm.value),
    },
    exchange: {
      id: entry.exchange.id,
      modifiedAt: versionTime(entry.exchange.version, entry.detectedAt),
      fields: scalarFields(entry.exchange.value),
    },
    conflictingFields: [...entry.fields],
    labels: Object.fromEntries(entry.fields.map((field) => [field, field.replace(/([A-Z])/g, " $1").toLowerCase()])),
  };
}
