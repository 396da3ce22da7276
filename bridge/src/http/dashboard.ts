/**
 * The admin dashboard, computed from stored run records (no extra bookkeeping): totals per module and direction
 * over the range, per-user rows from each user's latest runs, an hourly (24h) or daily history of synced items and
 * errors, throttled users, the latest item failures, open conflicts/holds, and each user's initial sync progress.
 */
import type { z } from "zod";
import type { Dashboard } from "../api/admin.js";
import type { SyncModuleName } from "../connectors/port.js";
import { enabledModules, loadSyncSettings } from "../services/sync-settings.js";
import type { Storage } from "../storage/index.js";
import type { RunSummary } from "../storage/run-history.js";
import type { BridgeUser } from "../storage/user-repository.js";
import { runRows, sumRows, syncStateOf } from "./presenters.js";

const RANGE_MS = { "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000 } as const;

function synced(run: RunSummary): number {
  return (run.totals.created ?? 0) + (run.totals.updated ?? 0) + (run.totals.deleted ?? 0);
}

function plannedWrites(run: RunSummary): number {
  return Object.values(run.planned).reduce((sum, side) => sum + side.creates + side.updates + side.deletes, 0);
}

/**
 * A user's first sync, per enabled module: what its first run wrote of what it planned (runs are recorded when they
 * finish, so a module still waiting or running is `finished: false`). Null before it starts (nothing ran and no job
 * is running for the user) and once every enabled module has finished a run.
 */
function initialSyncProgress(user: BridgeUser, modules: readonly SyncModuleName[], latest: readonly RunSummary[]) {
  const finished = new Map(latest.filter((run) => run.status === "completed").map((run) => [run.module, run]));
  const waiting = modules.filter((module) => !finished.has(module));
  const started = finished.size > 0 || user.status === "syncing";
  if (waiting.length === 0 || !started) return null;
  return modules.map((module) => {
    const run = finished.get(module);
    return { module, done: run ? synced(run) : 0, total: run ? plannedWrites(run) : 0, finished: run !== undefined };
  });
}

export async function buildDashboard(
  storage: Storage,
  range: keyof typeof RANGE_MS,
  now: Date,
): Promise<z.input<typeof Dashboard>> {
  const since = new Date(now.getTime() - RANGE_MS[range]);
  const runs = (await storage.runs.recent({ since: since.toISOString(), limit: 10_000 })).filter((run) => !run.dryRun);
  const users = await storage.users.list();
  const bucketMs = range === "24h" ? 3_600_000 : 86_400_000;
  const buckets = Math.ceil(RANGE_MS[range] / bucketMs);
  const start = Math.floor(since.getTime() / bucketMs) * bucketMs + bucketMs;
  const history = Array.from({ length: buckets }, (_, index) => ({
    at: new Date(start + index * bucketMs).toISOString(),
    synced: 0,
    errors: 0,
  }));
  for (const run of runs) {
    const index = Math.floor((Date.parse(run.finishedAt) - start) / bucketMs) + 1;
    const bucket = history[Math.min(Math.max(index, 0), buckets - 1)];
    if (bucket) {
      bucket.synced += synced(run);
      bucket.errors += run.totals.error ?? 0;
    }
  }
  const settings = await loadSyncSettings(storage.settings);
  const modules = enabledModules(settings);
  const userRows = await Promise.all(
    users
      .filter((user) => user.selected)
      .map(async (user) => {
        const latest = await storage.runs.latestPerModule(user.id);
        return {
          zohoUserId: user.zohoUserId,
          name: user.fullName,
          mailbox: user.mailbox,
          syncState: syncStateOf(user),
          lastSyncAt:
            latest
              .map((run) => run.finishedAt)
              .sort()
              .at(-1) ?? null,
          rows: sumRows(latest.flatMap(runRows)),
          initialSync: initialSyncProgress(user, modules, latest),
        };
      }),
  );
  const byId = new Map(users.map((user) => [user.id, user]));
  const failures = await storage.db
    .selectFrom("sync_outcomes")
    .selectAll()
    .where("status", "=", "error")
    .where("at", ">=", since.toISOString())
    .orderBy("id", "desc")
    .limit(20)
    .execute();
  const lastRunAt =
    runs
      .map((run) => run.finishedAt)
      .sort()
      .at(-1) ?? null;
  const FAILURE_CODES = new Set(["precondition-failed", "not-found", "throttled", "auth-expired", "invalid-record"]);
  return {
    generatedAt: now.toISOString(),
    range,
    totals: sumRows(runs.flatMap(runRows)),
    users: userRows,
    history,
    throttling: users
      .filter((user) => user.status === "throttled" && user.throttledUntil)
      .map((user) => ({
        zohoUserId: user.zohoUserId,
        mailbox: user.mailbox,
        by: "exchange" as const,
        until: user.throttledUntil as string,
        reason: user.statusReason ?? "throttled",
      })),
    recentFailures: failures.map((failure) => {
      const user = byId.get(failure.mailbox_id);
      const toCrm = failure.side === "crm";
      const itemId = (toCrm ? failure.exchange_id : failure.crm_id) ?? failure.exchange_id ?? failure.crm_id ?? "";
      return {
        id: String(failure.id),
        at: failure.at,
        zohoUserId: user?.zohoUserId ?? failure.mailbox_id,
        mailbox: user?.mailbox ?? "",
        module: failure.module as "contacts",
        direction: toCrm ? ("exchange-to-zoho" as const) : ("zoho-to-exchange" as const),
        item: {
          side: toCrm ? ("exchange" as const) : ("zoho" as const),
          module: failure.module as "contacts",
          id: itemId,
          title: itemId,
        },
        code: (FAILURE_CODES.has(failure.failure_kind ?? "") ? failure.failure_kind : "other") as "other",
        reason: failure.reason ?? "failed",
        field: null,
        willRetry: failure.failure_kind !== "invalid-record",
      };
    }),
    openConflicts: (await storage.syncState.listAllConflicts()).filter((entry) => !entry.resolution).length,
    openHolds: users.filter((user) => user.status === "failed" && user.statusReason?.startsWith("held")).length,
    lastRunAt,
    nextRunAt: lastRunAt
      ? new Date(Date.parse(lastRunAt) + settings.schedule.intervalMinutes * 60_000).toISOString()
      : null,
  };
}
