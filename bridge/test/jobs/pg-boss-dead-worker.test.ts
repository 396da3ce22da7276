/**
 * pg-boss on the local PostgreSQL: a worker process that dies holding a sync job (SIGKILL: no graceful stop, nothing
 * released) leaves the job active; once `expireInSeconds` passes, maintenance fails it and another worker runs it
 * — once, with its lane still single (no second job of the mailbox+module appears meanwhile).
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

describeWithPostgres("pg-boss: a dead worker's job", () => {
  const schema = `d_${randomBytes(4).toString("hex")}`;
  let queue: PgBossQueue | undefined;

  afterAll(async () => {
    await queue?.stop();
    await dropPostgresSchema(databaseUrl ?? "", schema);
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
