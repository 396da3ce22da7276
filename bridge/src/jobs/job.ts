/**
 * A sync job: one mailbox, one module. Both schedulers (in-process, pg-boss) run the same jobs through the same
 * `SyncJobRunner`, and agree on what a job's outcome means for retrying:
 * - completed / held: done (a held run waits for an admin, not for a retry);
 * - retry-after: the service throttled us; run again no earlier than `delayMs`;
 * - failed-transient: retry with exponential backoff, up to the attempt limit;
 * - failed-permanent: do not retry (credentials revoked, mailbox gone) — the user's status says why.
 */
import type { StateModule } from "../sync/state.js";

export type JobTrigger = "schedule" | "notification" | "manual" | "initial";

export interface SyncJob {
  /** The user id the mailbox belongs to (the sync scope's `mailboxId`). */
  mailboxId: string;
  module: StateModule;
  trigger: JobTrigger;
  dryRun?: boolean;
  fullResync?: boolean;
  confirmDeletions?: boolean;
}

export type JobOutcome =
  | { kind: "completed"; runId: string }
  | { kind: "held"; runId: string; reason: string }
  | { kind: "retry-after"; delayMs: number; reason: string }
  | { kind: "failed-transient"; reason: string }
  | { kind: "failed-permanent"; reason: string };

export type SyncJobRunner = (job: SyncJob, attempt: number) => Promise<JobOutcome>;

export interface EnqueueResult {
  jobId: string;
  /** True when an equal job was already waiting, so nothing new was queued. */
  merged: boolean;
}

/** What the HTTP layer, the webhook handlers and the CLI see of either scheduler. */
export interface SyncQueue {
  enqueue(job: SyncJob): Promise<EnqueueResult>;
  /** Jobs waiting (not running). */
  depth(): Promise<number>;
  /** Stops taking jobs and waits for running ones to finish (graceful shutdown). */
  stop(): Promise<void>;
}

/** The lane a job runs in: never two jobs of one mailbox+module at once. */
export function laneKey(job: Pick<SyncJob, "mailboxId" | "module">): string {
  return `${job.mailboxId}:${job.module}`;
}

/** Exponential backoff with full jitter, capped (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}
