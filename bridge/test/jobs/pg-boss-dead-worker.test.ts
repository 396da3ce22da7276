/**
 * pg-boss on the local PostgreSQL: a worker process that dies holding a sync job (SIGKILL: no graceful stop, nothing
 * released) leaves the job active; once `expireInSeconds` passes, maintenance fails it and another worker runs it
 * — once, with its lane still single (no second job of the mailbox+module appears meanwhile). A worker that is
 * stopped (SIGTERM: graceful shutdown) while a job outlasts `stopTimeoutMs` releases it at once for another worker.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import type { SyncJob } from "../../src/jobs/job.js";
import { PgBossQueue } from "../../src/jobs/pg-boss-queue.js";
import { createLogger } from "../../src/observability/logger.js";
import { dropPostgresSchema } from "../../src/storage/database.js";
import { eventually } from "../support/one-user-bridge.js";
import { databaseUrl, describeWithPostgres } from "../support/postgres.js";

describeWithPostgres("pg-boss: the job of a worker that leaves", () => {
  const schema = `d_${randomBytes(4).toString("hex")}`;
  let queue: PgBossQueue | undefined;

  const stopping = `s_${randomBytes(4).toString("hex")}`;

  afterAll(async () => {
    await queue?.stop();
    await dropPostgresSchema(databaseUrl ?? "", schema);
    await dropPostgresSchema(databaseUrl ?? "", stopping);
  });

  it("is released by a graceful stop that outlasts its timeout, and run by another worker", async () => {
    const options = {
      url: databaseUrl ?? "",
      schema: stopping,
      logger: createLogger({ level: "silent" }),
      retryDelaySeconds: 1,
      pollingIntervalSeconds: 0.5,
      stopTimeoutMs: 1_000,
    };
    const leaving = await PgBossQueue.open(options);
    const taken: string[] = [];
    await leaving.work((job) => {
      taken.push(job.mailboxId);
      return new Promise(() => {});
    }, 1);
    await leaving.enqueue({ mailboxId: "u2", module: "contacts", trigger: "manual" });
    await eventually(() => (taken.length > 0 ? true : undefined), 30_000);
    await leaving.stop();

    const staying = await PgBossQueue.open(options);
    try {
      const runs: number[] = [];
      await staying.work(async (_job, retryCount) => {
        runs.push(retryCount);
        return { kind: "completed", runId: "after-stop" };
      }, 1);
      await eventually(() => (runs.length > 0 ? true : undefined), 30_000);
      expect(runs).toEqual([1]);
    } finally {
      await staying.stop();
    }
  });

  it("is picked up by another worker after it expires, and run once", async () => {
    queue = await PgBossQueue.open({
      url: databaseUrl ?? "",
      schema,
      logger: createLogger({ level: "silent" }),
      expireInSeconds: 2,
      retryDelaySeconds: 1,
      maintenanceIntervalSeconds: 1,
      pollingIntervalSeconds: 0.5,
    });
    const lane = { mailboxId: "u1", module: "contacts" } as const;
    await queue.enqueue({ ...lane, trigger: "schedule" });

    const worker = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "dying-worker.ts")], {
      env: { ...process.env, DYING_WORKER_SCHEMA: schema },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let said = "";
    worker.stdout.on("data", (chunk: Buffer) => {
      said += chunk.toString();
    });
    await eventually(() => (said.includes("taken u1/contacts") ? true : undefined), 30_000);
    worker.kill("SIGKILL");
    await once(worker, "exit");

    const runs: Array<{ job: SyncJob; retryCount: number }> = [];
    await queue.work(async (job, retryCount) => {
      runs.push({ job, retryCount });
      return { kind: "completed", runId: `run-${runs.length}` };
    }, 1);
    await eventually(() => (runs.length > 0 ? true : undefined), 30_000);
    // The dead worker's attempt counts as a failed try: this is its retry, same job and data.
    expect(runs[0]).toMatchObject({ job: { ...lane, trigger: "schedule" }, retryCount: 1 });
    expect(await queue.depth()).toBe(0);
    // Long enough for another maintenance round and poll: nothing runs the job a second time.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(runs).toHaveLength(1);
  });
});
