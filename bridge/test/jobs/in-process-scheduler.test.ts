import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { InProcessScheduler } from "../../src/jobs/in-process-scheduler.js";
import { backoffMs, type JobOutcome, type SyncJob } from "../../src/jobs/job.js";
import { createLogger } from "../../src/observability/logger.js";

const logger = createLogger({ level: "silent" });
const job = (mailboxId: string, module: SyncJob["module"] = "contacts"): SyncJob => ({
  mailboxId,
  module,
  trigger: "manual",
});

describe("in-process scheduler", () => {
  it("never runs two jobs of one mailbox+module at once, caps global concurrency, and merges waiting requests", async () => {
    let active = 0;
    let peak = 0;
    const activeLanes = new Set<string>();
    const runs: string[] = [];
    const scheduler = new InProcessScheduler({
      logger,
      maxConcurrent: 3,
      runner: async (j) => {
        const lane = `${j.mailboxId}:${j.module}`;
        expect(activeLanes.has(lane)).toBe(false);
        activeLanes.add(lane);
        active += 1;
        peak = Math.max(peak, active);
        await sleep(15);
        runs.push(lane);
        active -= 1;
        activeLanes.delete(lane);
        return { kind: "completed", runId: lane };
      },
    });
    const results = await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => scheduler.enqueue(job(`m${i}`))),
      scheduler.enqueue(job("m0")),
      scheduler.enqueue(job("m0")),
      scheduler.enqueue(job("m0", "events")),
    ]);
    // m0 was running when the two repeats came: they merge into one follow-up run.
    expect(results[8]?.merged).toBe(false);
    expect(results[9]).toEqual({ jobId: results[8]?.jobId, merged: true });
    await scheduler.idle();
    expect(peak).toBe(3);
    expect(runs.filter((lane) => lane === "m0:contacts")).toHaveLength(2);
    expect(runs).toHaveLength(10);
  });

  it("keeps a confirmation of held deletions and a full resync when they merge into a waiting run", async () => {
    const seen: SyncJob[] = [];
    let release: () => void = () => undefined;
    const blocker = new Promise<void>((resolve) => {
      release = resolve;
    });
    const scheduler = new InProcessScheduler({
      logger,
      maxConcurrent: 1,
      runner: async (j) => {
        seen.push(j);
        if (seen.length === 1) await blocker;
        return { kind: "completed", runId: String(seen.length) };
      },
    });
    await scheduler.enqueue(job("m1"));
    await scheduler.enqueue(job("m1"));
    const confirm = await scheduler.enqueue({ ...job("m1"), confirmDeletions: true });
    const resync = await scheduler.enqueue({ ...job("m1"), fullResync: true });
    expect([confirm.merged, resync.merged]).toEqual([true, true]);
    release();
    await scheduler.idle();
    expect(seen).toHaveLength(2);
    expect(seen[1]).toMatchObject({ confirmDeletions: true, fullResync: true });
  });

  it("retries transient failures with backoff up to the limit and honours Retry-After", async () => {
    const attempts: number[] = [];
    const outcomes: JobOutcome[] = [
      { kind: "failed-transient", reason: "reset" },
      { kind: "retry-after", delayMs: 20, reason: "throttled" },
      { kind: "completed", runId: "r" },
    ];
    const scheduler = new InProcessScheduler({
      logger,
      maxConcurrent: 1,
      backoffBaseMs: 5,
      backoffCapMs: 10,
      runner: async (_j, attempt) => {
        attempts.push(attempt);
        return outcomes[attempt] ?? { kind: "completed", runId: "late" };
      },
    });
    await scheduler.enqueue(job("a"));
    await scheduler.idle();
    expect(attempts).toEqual([0, 1, 2]);

    const permanent: number[] = [];
    const failing = new InProcessScheduler({
      logger,
      maxConcurrent: 1,
      maxAttempts: 3,
      backoffBaseMs: 1,
      backoffCapMs: 2,
      runner: async (_j, attempt) => {
        permanent.push(attempt);
        if (attempt === 0) throw new Error("bug");
        return { kind: "failed-transient", reason: "still down" };
      },
    });
    await failing.enqueue(job("b"));
    await failing.idle();
    expect(permanent).toEqual([0, 1, 2]);
  });

  it("stop() waits for the running job, drops waiting ones and refuses new ones", async () => {
    let finished = 0;
    const scheduler = new InProcessScheduler({
      logger,
      maxConcurrent: 1,
      runner: async () => {
        await sleep(30);
        finished += 1;
        return { kind: "completed", runId: "x" };
      },
    });
    await scheduler.enqueue(job("a"));
    await scheduler.enqueue(job("b"));
    await sleep(5);
    await scheduler.stop();
    expect(finished).toBe(1);
    await expect(scheduler.enqueue(job("c"))).rejects.toThrow(/stopping/);
  });

  it("computes capped exponential backoff", () => {
    expect(backoffMs(3, 100, 10_000, () => 0.999)).toBe(799);
    expect(backoffMs(20, 100, 10_000, () => 0.5)).toBe(5000);
  });
});
