/**
 * `bridge <command>`: the one entry point (bridge/bin/bridge.mjs runs it through tsx).
 *
 *   start            the sandbox when nothing is configured (no config file, DATABASE_URL or ZOHO_CLIENT_ID),
 *                    otherwise the server
 *   serve            the server (HTTP API, front-ends, scheduler)
 *   worker           a pg-boss worker (PostgreSQL only)
 *   status           users, their states and the queue depth
 *   users            the user table
 *   sync <user> [--dry-run]   syncs one user (mailbox or Zoho user id) now, in this process
 *   rotate-key       re-seals every stored secret under a new key
 */
import { loadConfig } from "./config.js";
import { SYNC_MODULES } from "./connectors/port.js";
import { InProcessScheduler } from "./jobs/in-process-scheduler.js";
import type { JobOutcome } from "./jobs/job.js";
import { addKeyToFile, loadSecretBox, retirePreviousKeys } from "./security/secret-box.js";
import { startServer } from "./server.js";
import { openConnectors, openRuntime, openScheduling, type Runtime } from "./services/runtime.js";
import { SyncService } from "./services/sync-service.js";

type Out = (line: string) => void;

async function withRuntime<T>(run: (runtime: Runtime) => Promise<T>): Promise<T> {
  const runtime = await openRuntime(loadConfig());
  try {
    return await run(runtime);
  } finally {
    await runtime.close();
  }
}

function untilSignal(stop: () => Promise<void>, logger: Runtime["logger"]): Promise<void> {
  return new Promise((resolve) => {
    const shutdown = (signal: string) => {
      logger.info({ signal }, "shutting down");
      stop().then(resolve, (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        resolve();
      });
    };
    process.once("SIGINT", shutdown);
    process.once("SIGTERM", shutdown);
  });
}

/**
 * Opens what a long-running process needs on top of the runtime; when that fails, the error is logged and the runtime
 * closed, so the process exits non-zero (an open pool would keep it alive, and a supervisor restarts only what exits).
 */
async function startOrClose<T>(runtime: Runtime, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    runtime.logger.error({ err: error }, "start-up failed");
    await runtime.close().catch(() => undefined);
    throw error;
  }
}

async function serve(): Promise<void> {
  const runtime = await openRuntime(loadConfig());
  const server = await startOrClose(runtime, () => startServer(runtime));
  await untilSignal(async () => {
    await server.close();
    await runtime.close();
  }, runtime.logger);
}

async function worker(out: Out): Promise<void> {
  const runtime = await openRuntime(loadConfig());
  const scheduling = await startOrClose(runtime, async () => {
    if (runtime.config.storage.kind !== "postgres") throw new Error("bridge worker needs DATABASE_URL (PostgreSQL)");
    return openScheduling(runtime, true);
  });
  out(`worker ${process.pid} working sync jobs (${runtime.config.workerConcurrency} at once)`);
  await untilSignal(async () => {
    await scheduling.stop();
    await runtime.close();
  }, runtime.logger);
}

async function status(out: Out): Promise<void> {
  await withRuntime(async ({ storage }) => {
    const users = await storage.users.list();
    const selected = users.filter((user) => user.selected && user.zohoActive);
    const byStatus = new Map<string, number>();
    for (const user of selected) byStatus.set(user.status, (byStatus.get(user.status) ?? 0) + 1);
    out(`users: ${users.length} known, ${selected.length} syncing`);
    for (const [state, count] of byStatus) out(`  ${state}: ${count}`);
    const runs = await storage.runs.recent({ limit: 5 });
    out(`last runs: ${runs.map((run) => `${run.module} ${run.status} ${run.finishedAt}`).join("; ") || "none"}`);
  });
}

async function users(out: Out): Promise<void> {
  await withRuntime(async ({ storage }) => {
    for (const user of await storage.users.list()) {
      const flags = `${user.selected ? "selected" : "-"}${user.zohoActive ? "" : " inactive"}`;
      out(
        `${user.zohoUserId}\t${user.mailbox}\t${user.fullName}\t${flags}\t${user.status}${user.statusReason ? ` (${user.statusReason})` : ""}`,
      );
    }
  });
}

async function syncOne(out: Out, who: string | undefined, dryRun: boolean): Promise<number> {
  if (!who) throw new Error("usage: bridge sync <mailbox or Zoho user id> [--dry-run]");
  return withRuntime(async (runtime) => {
    const user = (await runtime.storage.users.byMailbox(who)) ?? (await runtime.storage.users.byZohoUserId(who));
    if (!user) throw new Error(`no user ${who}`);
    const connectors = await openConnectors(runtime);
    const service = new SyncService({ ...runtime, connectors });
    const outcomes: Array<{ module: string; outcome: JobOutcome }> = [];
    const scheduler = new InProcessScheduler({
      runner: service.run,
      logger: runtime.logger,
      maxConcurrent: 1,
      maxAttempts: 1,
      onOutcome: (job, outcome) => outcomes.push({ module: job.module, outcome }),
    });
    for (const module of SYNC_MODULES)
      await scheduler.enqueue({ mailboxId: user.id, module, trigger: "manual", dryRun });
    await scheduler.idle();
    await connectors.close();
    for (const { module, outcome } of outcomes) {
      const run = "runId" in outcome ? await runtime.storage.runs.byId(outcome.runId) : undefined;
      const planned = run ? ` planned ${JSON.stringify(run.planned)}` : "";
      out(`${module}: ${outcome.kind}${"reason" in outcome ? ` (${outcome.reason})` : ""}${planned}`);
    }
    return outcomes.every(({ outcome }) => outcome.kind === "completed") ? 0 : 1;
  });
}

async function rotateKey(out: Out): Promise<void> {
  const config = loadConfig();
  await withRuntime(async ({ storage }) => {
    if (config.keySource.envKey) {
      // The operator put the new key in BRIDGE_SECRET_KEY and the old one in BRIDGE_SECRET_KEY_PREVIOUS.
      const count = await storage.secrets.resealAll(await loadSecretBox(config.keySource));
      out(
        `re-sealed ${count} secret(s) under the key in BRIDGE_SECRET_KEY; BRIDGE_SECRET_KEY_PREVIOUS can now be removed`,
      );
      return;
    }
    const next = await addKeyToFile(config.keySource.keyFile);
    const count = await storage.secrets.resealAll(next);
    await retirePreviousKeys(config.keySource.keyFile);
    out(`re-sealed ${count} secret(s) under new key ${next.activeKeyId}; the old key is retired`);
  });
}

function sandboxWanted(argv: string[]): boolean {
  if (argv.includes("--sandbox")) return true;
  const env = process.env;
  return !env.BRIDGE_CONFIG_FILE && !env.DATABASE_URL && !env.ZOHO_CLIENT_ID;
}

/**
 * A reader that stops early (`bridge users | head`) closes the pipe: a report command just stops writing, as Unix
 * tools do, instead of dying on an unhandled EPIPE (the storage it read is closed normally).
 */
function quietOnClosedPipe(): void {
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
}

export async function main(argv: string[], out: Out = (line) => process.stdout.write(`${line}\n`)): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "status" || command === "users" || command === "sync") quietOnClosedPipe();
  switch (command) {
    case "start":
      if (sandboxWanted(rest)) {
        const { runSandbox } = await import("./sandbox/sandbox.js");
        await runSandbox(out);
      } else {
        await serve();
      }
      return 0;
    case "serve":
      await serve();
      return 0;
    case "worker":
      await worker(out);
      return 0;
    case "status":
      await status(out);
      return 0;
    case "users":
      await users(out);
      return 0;
    case "sync":
      return syncOne(
        out,
        rest.find((arg) => !arg.startsWith("--")),
        rest.includes("--dry-run"),
      );
    case "rotate-key":
      await rotateKey(out);
      return 0;
    default:
      out("usage: bridge start|serve|worker|status|users|sync <user> [--dry-run]|rotate-key");
      return command ? 2 : 0;
  }
}
