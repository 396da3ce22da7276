/**
 * The embedded scheduler: jobs run in this process.
 *
 * Invariants:
 * - one lane per mailbox+module: a lane runs at most one job; a job for a busy lane waits as the lane's single
 *   follow-up (further requests merge into it — a sync covers everything that changed up to its start, so N pending
 *   requests need one run);
 * - at most `maxConcurrent` jobs run at once, lanes served in arrival order;
 * - retryable outcomes come back after their delay (throttling: the service's Retry-After; transient failures:
 *   exponential backoff with jitter, up to `maxAttempts`);
 * - `stop()` refuses new jobs, cancels pending retries and resolves once the running jobs have finished.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "../observability/logger.js";
import {
  backoffMs,
  type EnqueueResult,
  type JobOutcome,
  laneKey,
  type SyncJob,
  type SyncJobRunner,
  type SyncQueue,
} from "./job.js";

export interface InProcessSchedulerOptions {
  runner: SyncJobRunner;
  logger: Logger;
  maxConcurrent: number;
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  onOutcome?: (job: SyncJob, outcome: JobOutcome) => void;
}

interface QueuedJob {
  id: string;
  job: SyncJob;
  attempt: number;
}

interface Lane {
  running: boolean;
  waiting?: QueuedJob;
}

export class InProcessScheduler implements SyncQueue {
  private readonly lanes = new Map<string, Lane>();
  /** Lane keys with a waiting job, in arrival order. */
  private readonly ready: string[] = [];
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: InProcessSchedulerOptions) {}

  async enqueue(job: SyncJob): Promise<EnqueueResult> {
    return this.add({ id: randomUUID(), job, attempt: 0 });
  }

  private add(queued: QueuedJob): EnqueueResult {
    if (this.stopped) throw new Error("the scheduler is stopping");
    const key = laneKey(queued.job);
    const lane = this.lanes.get(key) ?? { running: false };
    this.lanes.set(key, lane);
    if (lane.waiting) {
      // A dry run never stands in for a real run (it writes nothing), nor the other way round.
      if (Boolean(lane.waiting.job.dryRun) === Boolean(queued.job.dryRun)) {
        // The waiting run takes on what the merged request asked for: an admin's confirmation of held deletions or a
        // full resync must not be lost because another request for the same lane was already waiting.
        lane.waiting.job = {
          ...lane.waiting.job,
          fullResync: lane.waiting.job.fullResync || queued.job.fullResync,
          confirmDeletions: lane.waiting.job.confirmDeletions || queued.job.confirmDeletions,
        };
        return { jobId: lane.waiting.id, merged: true };
      }
    }
    lane.waiting = queued;
    if (!this.ready.includes(key)) this.ready.push(key);
    this.pump();
    return { jobId: queued.id, merged: false };
  }

  async depth(): Promise<number> {
    return this.ready.length;
  }

  /** Resolves when nothing runs, waits or is scheduled for retry (tests, CLI one-shot syncs). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.running.size === 0 && this.ready.length === 0 && this.retryTimers.size === 0;
  }

  private pump(): void {
    while (this.running.size < this.options.maxConcurrent) {
      const index = this.ready.findIndex((key) => !this.lanes.get(key)?.running);
      if (index < 0) break;
      const [key] = this.ready.splice(index, 1);
      const lane = key === undefined ? undefined : this.lanes.get(key);
      const queued = lane?.waiting;
      if (!lane || !queued) continue;
      lane.waiting = undefined;
      lane.running = true;
      const execution = this.execute(queued).finally(() => {
        lane.running = false;
        this.running.delete(execution);
        if (lane.waiting && !this.ready.includes(laneKey(lane.waiting.job))) this.ready.push(laneKey(lane.waiting.job));
        if (!this.stopped) this.pump();
        if (this.isIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
      });
      this.running.add(execution);
    }
  }

  private async execute(queued: QueuedJob): Promise<void> {
    const { job, attempt } = queued;
    let outcome: JobOutcome;
    try {
      outcome = await this.options.runner(job, attempt);
    } catch (error) {
      this.options.logger.error({ err: error, job }, "sync job crashed");
      outcome = { kind: "failed-transient", reason: error instanceof Error ? error.message : String(error) };
    }
    this.options.onOutcome?.(job, outcome);
    const maxAttempts = this.options.maxAttempts ?? 5;
    const delay =
      outcome.kind === "retry-after"
        ? outcome.delayMs
        : outcome.kind === "failed-transient" && attempt + 1 < maxAttempts
          ? backoffMs(attempt + 1, this.options.backoffBaseMs ?? 30_000, this.options.backoffCapMs ?? 30 * 60_000)
          : undefined;
    if (delay === undefined || this.stopped) return;
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      if (!this.stopped) this.add({ ...queued, attempt: attempt + 1 });
      if (this.isIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
    }, delay);
    timer.unref();
    this.retryTimers.add(timer);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    this.ready.splice(0);
    await Promise.allSettled([...this.running]);
  }
}
