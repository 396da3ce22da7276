/**
 * The distributed scheduler: the same sync jobs on PostgreSQL through pg-boss, worked by any number of
 * `bridge worker` processes.
 *
 * Invariants:
 * - queue policy `stately` + singleton key `mailbox:module`: at most one job of a lane is queued and one active,
 *   across every process (pg-boss enforces it with unique partial indexes), so two workers never sync the same data
 *   at once, and repeated requests for a busy lane merge (send returns null) — the waiting job taking on the flags
 *   (confirmDeletions, fullResync) of a merged request, so none is dropped;
 * - a worker that dies leaves its job `active` until `expireInSeconds` passes; pg-boss's maintenance then fails it
 *   and, with retries left, another worker picks it up;
 * - outcomes map as in `job.ts`: transient failures throw (pg-boss retries with exponential backoff), throttling
 *   schedules a fresh job after the service's delay, permanent failures and holds complete;
 * - `stop()` stops fetching, waits for running jobs (up to `stopTimeoutMs`), then fails what is still running so it
 *   is retried elsewhere.
 */
import pg from "pg";
import PgBoss from "pg-boss";
import type { Logger } from "../observability/logger.js";
import {
  type EnqueueResult,
  type JobOutcome,
  laneKey,
  type SyncJob,
  type SyncJobRunner,
  type SyncQueue,
} from "./job.js";

export const SYNC_QUEUE = "bridge-sync";

/** How long a starting process waits for another one to finish setting up pg-boss's schema and queue. */
const SETUP_LOCK_TIMEOUT_SECONDS = 60;

export interface PgBossQueueOptions {
  url: string;
  /** PostgreSQL schema pg-boss keeps its tables in. */
  schema?: string;
  logger: Logger;
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** How long a job may stay active before it counts as abandoned (a dead worker). */
  expireInSeconds?: number;
  maintenanceIntervalSeconds?: number;
  pollingIntervalSeconds?: number;
  stopTimeoutMs?: number;
}

export class PgBossQueue implements SyncQueue {
  private constructor(
    private readonly boss: PgBoss,
    private readonly options: PgBossQueueOptions,
  ) {}

  /** pg-boss's schema, quoted for SQL (validated: letters, digits, underscores). */
  private get schema(): string {
    const schema = this.options.schema ?? "pgboss";
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) throw new Error(`invalid pg-boss schema name: ${schema}`);
    return `"${schema}"`;
  }

  /**
   * Starts pg-boss and makes sure the sync queue exists, one process at a time: pg-boss 10 serialises its own schema
   * install (an advisory lock in `create`), but not `createQueue`, whose `create_queue()` adds foreign keys to the
   * queue table and attaches a partition to the job table; two processes creating the same queue at once deadlock in
   * PostgreSQL (one fails with "deadlock detected"; timgit/pg-boss has no option for it in v10, and
   * supabase/storage#703 hit the same). A session advisory lock per pg-boss schema around start + createQueue makes
   * every other starter wait and then find the queue there; it is released when the connection ends, so a starter
   * that dies cannot leave it held. A failed start stops pg-boss again: its maintenance timer and pool would keep
   * the process alive.
   */
  static async open(options: PgBossQueueOptions): Promise<PgBossQueue> {
    const schema = options.schema ?? "pgboss";
    const boss = new PgBoss({
      connectionString: options.url,
      schema,
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 60,
      max: 4,
    });
    boss.on("error", (error: Error) => options.logger.error({ err: error }, "pg-boss error"));
    const setup = new pg.Client({ connectionString: options.url });
    try {
      await setup.connect();
      // A holder that never lets go (a stuck start-up elsewhere) fails this start instead of hanging it.
      await setup.query(`SET lock_timeout = '${SETUP_LOCK_TIMEOUT_SECONDS}s'`);
      await setup.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [`bridge.pg-boss-setup.${schema}`]);
      await boss.start();
      if (!(await boss.getQueue(SYNC_QUEUE))) {
        await boss.createQueue(SYNC_QUEUE, {
          name: SYNC_QUEUE,
          policy: "stately",
          retryLimit: options.retryLimit ?? 5,
          retryDelay: options.retryDelaySeconds ?? 30,
          retryBackoff: true,
          expireInSeconds: options.expireInSeconds ?? 15 * 60,
        });
      }
    } catch (error) {
      await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
      throw error;
    } finally {
      // Ending the session releases the advisory lock.
      await setup.end().catch(() => undefined);
    }
    return new PgBossQueue(boss, options);
  }

  async enqueue(job: SyncJob, startAfterSeconds?: number): Promise<EnqueueResult> {
    const key = laneKey(job);
    // Bounded: each lost race means the waiting job just started, which frees the waiting slot for the next send.
    for (let attempt = 0; attempt < 3; attempt++) {
      const id = await this.boss.send(SYNC_QUEUE, job as unknown as object, {
        singletonKey: key,
        ...(startAfterSeconds ? { startAfter: startAfterSeconds } : {}),
      });
      if (id) return { jobId: id, merged: false };
      const waiting = await this.mergeIntoWaiting(job, key);
      if (waiting) return { jobId: waiting, merged: true };
    }
    throw new Error(`sync job for ${key} neither queued nor merged`);
  }

  /**
   * `stately` refused the job because one of its lane is already waiting (pg-boss answers `send` with null): the
   * waiting job takes on what this one asked for — an admin's confirmation of held deletions or a full resync must
   * not be dropped because a scheduled run was queued first. A real run replaces a waiting dry run (which writes
   * nothing); a dry run never stands in for a waiting real run (it is dropped: the real run will show the result).
   * Returns the waiting job's id, or undefined when none is waiting any more (it started meanwhile).
   */
  private async mergeIntoWaiting(job: SyncJob, key: string): Promise<string | undefined> {
    const flags = {
      ...(job.fullResync ? { fullResync: true } : {}),
      ...(job.confirmDeletions ? { confirmDeletions: true } : {}),
    };
    const { rows } = await this.boss.getDb().executeSql(
      `UPDATE ${this.schema}.job
          SET data = CASE
            WHEN COALESCE((data->>'dryRun')::boolean, false) = $4 THEN data || $3::jsonb
            WHEN $4 THEN data
            ELSE $5::jsonb
          END
        WHERE name = $1 AND singleton_key = $2 AND state IN ('created', 'retry')
        RETURNING id`,
      [SYNC_QUEUE, key, JSON.stringify(flags), Boolean(job.dryRun), JSON.stringify(job)],
    );
    return (rows[0] as { id: string } | undefined)?.id;
  }

  async depth(): Promise<number> {
    return this.boss.getQueueSize(SYNC_QUEUE);
  }

  /** Starts `concurrency` polling workers in this process. */
  async work(runner: SyncJobRunner, concurrency: number): Promise<void> {
    for (let slot = 0; slot < concurrency; slot++) {
      await this.boss.work<SyncJob>(
        SYNC_QUEUE,
        { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: this.options.pollingIntervalSeconds ?? 2 },
        async ([job]) => {
          if (!job) return;
          const outcome: JobOutcome = await runner(job.data, job.retryCount);
          if (outcome.kind === "failed-transient") throw new Error(outcome.reason);
          if (outcome.kind === "retry-after") {
            // The active job completes now; a fresh one (same lane) starts once the service lets us in again.
            await this.enqueue(job.data, Math.max(1, Math.ceil(outcome.delayMs / 1000)));
          }
          return outcome;
        },
      );
    }
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: this.options.stopTimeoutMs ?? 30_000, wait: true });
  }
}
