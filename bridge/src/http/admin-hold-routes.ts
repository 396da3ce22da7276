/**
 * Admin API routes for recovering a mailbox: mass-delete holds and re-authorizing a user.
 *
 * Holds: the engine's circuit breaker records a run with status "held" (nothing written) when a run would delete
 * more than the configured share of a mailbox+module's paired items. A hold is the LATEST real run of its
 * mailbox+module when that run is held and no admin decided it yet (a newer run supersedes it). Decisions are kept
 * in the settings store under `hold-decision.<runId>` so a decided hold disappears at once, before its run finishes.
 * - confirm: re-runs that mailbox+module with `confirmDeletions: true`, which lets the engine apply the deletions.
 * - reject: forgets that module's relations (as the admin "reset" does) and re-runs it; the first-sync matching then
 *   re-pairs what exists on both sides and re-creates the missing items from the other side, as the contract says.
 */
import { z } from "zod";
import type { ConnectionTestResult } from "../api/admin.js";
import type { SyncModuleName } from "../connectors/port.js";
import { SYNC_MODULES } from "../connectors/port.js";
import { enabledModules, loadSyncSettings } from "../services/sync-settings.js";
import type { Storage } from "../storage/index.js";
import type { RunSummary } from "../storage/run-history.js";
import { adminRouteAdder, meetingService } from "./admin-meeting-routes.js";
import { type AppContext, enqueueUser } from "./context.js";
import { HttpError, httpErrors } from "./errors.js";
import type { RouteTable } from "./routes.js";

const HoldDecision = z.object({ decision: z.enum(["confirm", "reject"]), at: z.string(), by: z.string() });
const decisionKey = (runId: string) => `hold-decision.${runId}`;

function isSyncModule(module: string): module is SyncModuleName {
  return (SYNC_MODULES as readonly string[]).includes(module);
}

/** Held runs that are still the latest run of their mailbox+module and were not decided. */
async function openHolds(storage: Storage): Promise<Array<{ run: RunSummary; zohoUserId: string; mailbox: string }>> {
  const holds = [];
  for (const user of await storage.users.list()) {
    for (const run of await storage.runs.latestPerModule(user.id)) {
      if (run.status !== "held" || !isSyncModule(run.module)) continue;
      if (await storage.settings.get(decisionKey(run.runId), HoldDecision)) continue;
      holds.push({ run, zohoUserId: user.zohoUserId, mailbox: user.mailbox });
    }
  }
  return holds;
}

/** The side whose items disappeared: deletions planned on Zoho mean the items are gone from Exchange. */
function missingOn(run: RunSummary): "zoho" | "exchange" {
  return (run.planned.crm?.deletes ?? 0) >= (run.planned.exchange?.deletes ?? 0) ? "exchange" : "zoho";
}

export function addAdminHoldRoutes(table: RouteTable, context: AppContext): void {
  const { storage } = context;
  const add = adminRouteAdder(table);
  const meetings = meetingService(context);

  add("holds", async () => {
    const holds = [];
    for (const { run, zohoUserId, mailbox } of await openHolds(storage)) {
      const side = missingOn(run);
      const scope = { mailboxId: run.mailboxId, module: run.module as SyncModuleName };
      holds.push({
        id: run.runId,
        zohoUserId,
        mailbox,
        module: scope.module,
        missingOn: side,
        itemsBefore: (await storage.syncState.listRelations(scope)).length,
        deletions: run.planned[side === "exchange" ? "crm" : "exchange"]?.deletes ?? 0,
        detectedAt: run.finishedAt,
        // A held run writes nothing and records no per-item outcomes, so there is no sample to show.
        sample: [],
      });
    }
    return { holds };
  });

  add("resolveHold", async ({ params, request }, { admin }) => {
    const run = await storage.runs.byId(params.id);
    if (run?.status !== "held" || !isSyncModule(run.module)) {
      throw httpErrors.notFound("admin", `no hold ${params.id}`);
    }
    if (await storage.settings.get(decisionKey(run.runId), HoldDecision)) {
      throw new HttpError(409, "already-resolved", "this hold was decided meanwhile");
    }
    const latest = (await storage.runs.latestPerModule(run.mailboxId)).find((other) => other.module === run.module);
    if (latest?.runId !== run.runId) {
      throw new HttpError(409, "superseded", "a newer sync run of this mailbox and module replaced this hold");
    }
    const actor = admin?.zohoUserId ?? "unknown";
    await storage.settings.put(decisionKey(run.runId), {
      decision: request.decision,
      at: context.now().toISOString(),
      by: actor,
    });
    if (request.decision === "reject") await storage.syncState.forget(run.mailboxId, [run.module]);
    const job = await context.queue.enqueue({
      mailboxId: run.mailboxId,
      module: run.module,
      trigger: "manual",
      ...(request.decision === "confirm" ? { confirmDeletions: true } : {}),
    });
    await storage.audit.record(actor, "hold.resolve", { id: run.runId, decision: request.decision });
    return { id: run.runId, status: "queued" as const, runId: job.jobId };
  });

  add("reauthorizeUser", async ({ params }, { admin }) => {
    const user = await storage.users.byZohoUserId(params.zohoUserId);
    if (!user) throw httpErrors.notFound("admin", `no user ${params.zohoUserId}`);
    const testedAt = context.now().toISOString();
    const probe = await meetings.probeMailbox(user);
    await storage.audit.record(admin?.zohoUserId ?? "unknown", "user.reauthorize", {
      zohoUserId: user.zohoUserId,
      ok: probe.ok,
    });
    if (probe.ok) {
      await storage.users.setStatus(user.id, "pending");
      if (user.selected && user.zohoActive) {
        await enqueueUser(context, user.id, enabledModules(await loadSyncSettings(storage.settings)), "manual");
      }
      const result: ConnectionTestResult = {
        ok: true,
        testedAt,
        steps: [
          { step: "authentication", status: "passed", detail: "The stored credentials were accepted.", reason: null },
          { step: "mailbox", status: "passed", detail: `The mailbox ${user.mailbox} was read.`, reason: null },
        ],
        failure: null,
      };
      return result;
    }
    const authFailed = probe.kind === "auth-expired";
    if (authFailed) await storage.users.setStatus(user.id, "needs-reauthorization", { reason: probe.message });
    const step = authFailed ? ("authentication" as const) : ("mailbox" as const);
    const result: ConnectionTestResult = {
      ok: false,
      testedAt,
      steps: [
        {
          step: "authentication",
          status: authFailed ? "failed" : "passed",
          detail: authFailed ? "The stored credentials were refused." : "The stored credentials were accepted.",
          reason: authFailed ? probe.message : null,
        },
        {
          step: "mailbox",
          status: authFailed ? "skipped" : "failed",
          detail: `Reading the mailbox ${user.mailbox}.`,
          reason: authFailed ? "the authentication check failed first" : probe.message,
        },
      ],
      failure: {
        step,
        code: authFailed
          ? "invalid-credentials"
          : probe.kind === "mailbox-unavailable"
            ? "mailbox-not-found"
            : "server-error",
        message: probe.message,
        hint: authFailed
          ? "Update the password (Account → password) or the app credentials, then re-authorize again."
          : "Check that the mailbox exists and that the service account may open it.",
      },
    };
    return result;
  });
}
