/**
 * pg-boss lanes on the local PostgreSQL: a request that arrives while a job of its lane waits is merged into that
 * job, and what it asked for (an admin's confirmation of held deletions, a full resync) is carried by the run —
 * never dropped because a scheduled sync was queued first. A dry run does not stand in for a real run.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { SyncJob } from "../../src/jobs/job.js";
import { PgBossQueue } from "../../src/jobs/pg-boss-queue.js";
import { createLogger } from "../../src/observability/logger.js";
import { dropPostgresSchema } from "../../src/storage/database.js";
import { eventually } from "../support/one-user-bridge.js";
import { databaseUrl, describeWithPostgres } from "../support/postgres.js";

describeWithPostgres("pg-boss: merging into a waiting job", () => {
  const schema = `m_${randomBytes(4).toString("hex")}`;
  let queue: PgBossQueue;

  beforeAll(async () => {
    queue = await PgBossQueue.open({
      url: databaseUrl ?? "",
      schema,
      logger: createLogger({ level: "silent" }),
      pollingIntervalSeconds: 0.5,
    });
  });

  afterAll(async () => {
    await queue?.stop();
    await dropPostgresSchema(databaseUrl ?? "", schema);
  });

  it("a confirmation sent while a sync of the lane waits is run, and only one run is made", async () => {
    const lane = { mailboxId: "u1", module: "contacts" } as const;
    const scheduled = await queue.enqueue({ ...lane, trigger: "schedule" });
    const confirmation = await queue.enqueue({ ...lane, trigger: "manual", confirmDeletions: true });
    const resync = await queue.enqueue({ ...lane, trigger: "manual", fullResync: true });
    expect([scheduled.merged, confirmation.merged, resync.merged]).toEqual([false, true, true]);
    expect(confirmation.jobId).toBe(scheduled.jobId);
    // A real run replaces a waiting dry run (which would write nothing); a later dry run leaves the real one be.
    const other = { mailboxId: "u2", module: "contacts" } as const;
    const dryRun = await queue.enqueue({ ...other, trigger: "manual", dryRun: true });
    const real = await queue.enqueue({ ...other, trigger: "manual", confirmDeletions: true });
    const laterDryRun = await queue.enqueue({ ...other, trigger: "manual", dryRun: true });
    expect([dryRun.merged, real.merged, laterDryRun.merged]).toEqual([false, true, true]);

    const runs: SyncJob[] = [];
    await queue.work(async (job) => {
      runs.push(job);
      return { kind: "completed", runId: `run-${runs.length}` };
    }, 1);
    await eventually(() => (runs.length >= 2 ? true : undefined));
    const u1 = runs.filter((job) => job.mailboxId === "u1");
    expect(u1).toHaveLength(1);
    expect(u1[0]).toMatchObject({ trigger: "schedule", confirmDeletions: true, fullResync: true });
    const u2 = runs.filter((job) => job.mailboxId === "u2");
    expect(u2).toHaveLength(1);
    expect(u2[0]).toMatchObject({ trigger: "manual", confirmDeletions: true });
    expect(u2[0]?.dryRun).toBeUndefined();
  });
});
