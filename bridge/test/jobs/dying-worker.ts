/**
 * Child process of pg-boss-dead-worker.test.ts: a worker of the real PgBossQueue that takes one sync job, says so
 * on stdout, and never finishes it — the test then kills it with SIGKILL, as a crashed or unplugged machine would.
 */
import { PgBossQueue } from "../../src/jobs/pg-boss-queue.js";
import { createLogger } from "../../src/observability/logger.js";

const queue = await PgBossQueue.open({
  url: process.env.DATABASE_URL ?? "",
  schema: process.env.DYING_WORKER_SCHEMA ?? "",
  logger: createLogger({ level: "silent" }),
  pollingIntervalSeconds: 0.5,
});
await queue.work((job) => {
  process.stdout.write(`taken ${job.mailboxId}/${job.module}\n`);
  return new Promise(() => {});
}, 1);
