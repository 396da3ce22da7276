/**
 * Runs one sync job: loads the user and settings, opens the user's ports, runs the engine, and turns the result
 * into the user's status, metrics and the scheduler's retry decision.
 *
 * Failure classification (never by message text): the engine reports a global failure as an aborted run; the kind
 * comes from the `ConnectorError` the ports threw or the failed item results, which `watchFailures` records.
 * throttled → retry after the service's delay; auth-expired → needs re-authorization, no retry; mailbox-unavailable
 * → failed, no retry; anything else → transient, retried with backoff.
 */

import type { SyncSettings } from "../api/admin.js";
import {
  ConnectorError,
  type ConnectorFailure,
  type ExchangePort,
  type ItemResult,
  isGlobalFailure,
  type RecordPort,
  type SyncModuleName,
} from "../connectors/port.js";
import type { JobOutcome, SyncJob } from "../jobs/job.js";
import { contactSyncModule, eventSyncModule, taskSyncModule } from "../model/sync-modules.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import type { Storage } from "../storage/index.js";
import { runSync } from "../sync/engine.js";
import type { SyncModule } from "../sync/module.js";
import type { SyncAction } from "../sync/plan.js";
import { type ConnectorFactory, exchangeApiOf } from "./connectors.js";
import { mailEnabledFor, runMailJob } from "./mail-job.js";
import { crmPortInScope, enabledModules, engineSettings, loadSyncSettings } from "./sync-settings.js";

function firstGlobalFailure(results: readonly ItemResult<unknown>[]): ConnectorFailure | undefined {
  for (const result of results) if (!result.ok && isGlobalFailure(result.failure)) return result.failure;
  return undefined;
}

/** Wraps a port so the first global failure it reports (thrown or per item) is remembered. */
function watchFailures<T>(port: RecordPort<T>, seen: { failure?: ConnectorFailure }): RecordPort<T> {
  const { matchOutsideScope } = port;
  const record = <R>(promise: Promise<R>, inspect?: (value: R) => ConnectorFailure | undefined): Promise<R> =>
    promise.then(
      (value) => {
        seen.failure ??= inspect?.(value);
        return value;
      },
      (error: unknown) => {
        if (error instanceof ConnectorError) seen.failure ??= error.failure;
        throw error;
      },
    );
  return {
    module: port.module,
    capabilities: port.capabilities,
    listChanges: (cursor) => record(port.listChanges(cursor)),
    listAll: (token) => record(port.listAll(token)),
    getMany: (ids) => record(port.getMany(ids), firstGlobalFailure),
    ...(matchOutsideScope && { matchOutsideScope: (values) => record(matchOutsideScope.call(port, values)) }),
    create: (requests) => record(port.create(requests), firstGlobalFailure),
    update: (requests) => record(port.update(requests), firstGlobalFailure),
    delete: (requests) => record(port.delete(requests), firstGlobalFailure),
  };
}

/** A job's outcome; a dry run's completed one also carries its plan (the writes it would have made). */
export type PreviewOutcome = JobOutcome & { plan?: readonly SyncAction<unknown>[] };
export interface SyncServiceDependencies {
  storage: Storage;
  connectors: ConnectorFactory;
  logger: Logger;
  metrics: Metrics;
  now?: () => Date;
}

export class SyncService {
  constructor(private readonly deps: SyncServiceDependencies) {}

  /** The module's side fields depend on the Exchange API the mailbox was opened through. */
  private syncModule(module: SyncModuleName, exchange: ExchangePort): SyncModule<unknown> {
    const api = exchangeApiOf(exchange);
    const modules = {
      contacts: () => contactSyncModule(api),
      events: () => eventSyncModule(api),
      tasks: () => taskSyncModule(),
    };

    return modules[module]() as SyncModule<unknown>;
  }

  /** The scheduler's runner. */
  readonly run = async (job: SyncJob): Promise<JobOutcome> =>
    this.runWith(job, await loadSyncSettings(this.deps.storage.settings));

  /**
   * Dry runs of every enabled module of one user under `settings` (usually unsaved edits): what would be written,
   * nothing is. Completed outcomes carry the id of the recorded dry run and its plan.
   */
  async preview(userId: string, settings: SyncSettings): Promise<PreviewOutcome[]> {
    const outcomes: PreviewOutcome[] = [];
    for (const module of enabledModules(settings)) {
      outcomes.push(await this.runWith({ mailboxId: userId, module, trigger: "manual", dryRun: true }, settings));
    }
    return outcomes;
  }

  private async runWith(job: SyncJob, settings: SyncSettings): Promise<PreviewOutcome> {
    const { storage, logger, metrics } = this.deps;
    const user = await storage.users.byId(job.mailboxId);
    if (!user?.selected || !user.zohoActive) {
      return { kind: "failed-permanent", reason: "the user is not selected for sync or not active in Zoho" };
    }
    if (job.module === "emails") return this.runMail(job, settings);
    const scope = { zohoUserId: user.zohoUserId, now: this.deps.now?.() ?? new Date() };
    const moduleSettings = engineSettings(settings, job.module, scope, user.moduleOverrides[job.module]);
    if (!job.dryRun) await storage.users.setStatus(user.id, "syncing");
    const seen: { failure?: ConnectorFailure } = {};
    let ports: Awaited<ReturnType<ConnectorFactory["open"]>> | undefined;
    try {
      ports = await this.deps.connectors.open(user);
      const exchange = ports.exchange.modules[job.module];
      const crm = ports.crm.modules[job.module];
      if (!exchange || !crm)
        return { kind: "failed-permanent", reason: `${job.module} is not available on both sides` };
      const result = await runSync({
        scope: { mailboxId: user.id, module: job.module },
        module: this.syncModule(job.module, ports.exchange),
        exchange: watchFailures(exchange as RecordPort<unknown>, seen),
        crm: watchFailures(crmPortInScope(settings, job.module, scope, crm as RecordPort<unknown>), seen),
        store: storage.syncState,
        settings: moduleSettings,
        breaker: { share: settings.massDeleteThresholdPercent / 100, floor: 5 },
        dryRun: job.dryRun ?? false,
        fullResync: job.fullResync ?? false,
        confirmDeletions: job.confirmDeletions ?? false,
        ...(this.deps.now ? { now: this.deps.now } : {}),
      });
      const { record } = result;
      metrics.syncRuns.inc({ module: job.module, status: record.status });
      for (const outcome of record.outcomes) metrics.syncItems.inc({ module: job.module, outcome: outcome.status });
      if (record.status === "aborted") return this.failed(user.id, job, seen.failure, record.reason);
      if (job.dryRun) return { kind: "completed", runId: record.runId, plan: result.actions };
      if (record.status === "held") {
        await storage.users.setStatus(user.id, "failed", { reason: `held: ${record.reason ?? "mass delete"}` });
        return { kind: "held", runId: record.runId, reason: record.reason ?? "mass delete" };
      }
      const errors = record.outcomes.filter((outcome) => outcome.status === "error").length;
      await storage.users.setStatus(user.id, "succeeded", errors > 0 ? { reason: `${errors} item(s) failed` } : {});
      return { kind: "completed", runId: record.runId };
    } catch (error) {
      if (error instanceof ConnectorError) return this.failed(user.id, job, error.failure, error.message);
      // A bug: the user must not stay "syncing"; the scheduler logs it and retries with backoff.
      if (!job.dryRun) await storage.users.setStatus(user.id, "failed", { reason: "internal error; see the log" });
      throw error;
    } finally {
      await ports?.exchange.close();
      await ports?.crm.close();
      logger.debug({ job }, "sync job finished");
    }
  }

  /** The `emails` job: association and Sent Items filing; it has no dry run (it only adds, idempotently). */
  private async runMail(job: SyncJob, settings: SyncSettings): Promise<JobOutcome> {
    const { storage, metrics } = this.deps;
    const user = await storage.users.byId(job.mailboxId);
    if (!user || !mailEnabledFor(settings, user) || job.dryRun) {
      return { kind: "failed-permanent", reason: "the e-mail module is off for this user (or a dry run was asked)" };
    }
    let ports: Awaited<ReturnType<ConnectorFactory["open"]>> | undefined;
    try {
      ports = await this.deps.connectors.open(user);
      const result = await runMailJob(user, ports, storage.syncState, settings);
      if (!result) return { kind: "failed-permanent", reason: "e-mail is not available on both sides" };
      metrics.syncRuns.inc({ module: "emails", status: result.status });
      for (const outcome of result.outcomes) metrics.syncItems.inc({ module: "emails", outcome: outcome.status });
      if (result.status === "aborted") return this.failed(user.id, job, undefined, result.reason);
      return { kind: "completed", runId: result.runId };
    } catch (error) {
      if (error instanceof ConnectorError) return this.failed(user.id, job, error.failure, error.message);
      throw error;
    } finally {
      await ports?.exchange.close();
      await ports?.crm.close();
    }
  }

  private async failed(
    userId: string,
    job: SyncJob,
    failure: ConnectorFailure | undefined,
    reason = "sync failed",
  ): Promise<JobOutcome> {
    const { storage, metrics } = this.deps;
    const kind = failure?.kind ?? "transient";
    metrics.syncErrors.inc({ kind });
    if (job.dryRun) return { kind: "failed-permanent", reason };
    if (failure?.kind === "throttled") {
      const until = new Date((this.deps.now?.() ?? new Date()).getTime() + failure.retryAfterMs).toISOString();
      metrics.upstreamThrottled.inc({ service: "any" });
      await storage.users.setStatus(userId, "throttled", { reason, throttledUntil: until });
      return { kind: "retry-after", delayMs: failure.retryAfterMs, reason };
    }
    if (failure?.kind === "auth-expired") {
      await storage.users.setStatus(userId, "needs-reauthorization", { reason });
      return { kind: "failed-permanent", reason };
    }
    await storage.users.setStatus(userId, "failed", { reason });
    return failure?.kind === "mailbox-unavailable"
      ? { kind: "failed-permanent", reason }
      : { kind: "failed-transient", reason };
  }
}
