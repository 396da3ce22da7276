/**
 * One Graph mailbox (or a few) paired with one Zoho user each, connected as an admin would connect them: the Graph and Zoho
 * simulators over real HTTPS, and a bridge runtime (SQLite in a fresh data folder unless `env` names PostgreSQL)
 * whose stored connections point at them. Tests start the server themselves (`startServer(setup.runtime, …)`), so
 * they can change settings first; `openRuntime` opens another process's runtime over the same database.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startGraphSimulator } from "../../simulators/graph/index.js";
import type { TestPki } from "../../simulators/shared/pki.js";
import { startZohoSimulator } from "../../simulators/zoho/index.js";
import { loadConfig } from "../../src/config.js";
import type { SyncModuleName } from "../../src/connectors/port.js";
import { InProcessScheduler } from "../../src/jobs/in-process-scheduler.js";
import { createLogger } from "../../src/observability/logger.js";
import { connectToSimulators } from "../../src/sandbox/connect-simulators.js";
import { type RunningServer, startServer } from "../../src/server.js";
import { openRuntime, type Runtime } from "../../src/services/runtime.js";
import { testPki } from "./pki.js";

export interface OneUserBridge {
  pki: TestPki;
  graph: Awaited<ReturnType<typeof startGraphSimulator>>;
  zoho: Awaited<ReturnType<typeof startZohoSimulator>>;
  /** The first runtime, already connected to both simulators. */
  runtime: Runtime;
  /** The Graph mailbox paired with the Zoho org's primary user. */
  mailbox: string;
  /** Every connected mailbox, `mailbox` first; the others are paired with Zoho users of their own. */
  mailboxes: string[];
  /** The configuration the runtime was opened with, for another process (the CLI) on the same data. */
  env: Record<string, string>;
  /** Another runtime over the same database and key (a restarted or second process); the caller closes it. */
  openRuntime(): Promise<Runtime>;
  /** Closes the first runtime, the simulators and the data folder. */
  close(): Promise<void>;
}

export interface OneUserBridgeOptions {
  /** Modules enabled for sync (none: only what a test turns on). */
  modules: readonly SyncModuleName[];
  /** Extra configuration, e.g. DATABASE_URL and BRIDGE_DB_SCHEMA for PostgreSQL (else SQLite in the data folder). */
  env?: Record<string, string>;
  /** How many mailboxes to connect (default 1). */
  users?: number;
}

export async function openOneUserBridge(options: OneUserBridgeOptions): Promise<OneUserBridge> {
  const pki = await testPki();
  const graph = await startGraphSimulator({
    pki,
    seed: {
      users: options.users ?? 1,
      contactsPerUser: 0,
      eventsPerUser: 0,
      recurringPerUser: 0,
      tasksPerUser: 0,
      messagesPerUser: 0,
    },
  });
  const zoho = await startZohoSimulator({ pki });
  const dataDir = await mkdtemp(join(tmpdir(), "bridge-one-user-"));
  const { DATABASE_URL: _sqliteUnlessAsked, ...inherited } = process.env;
  const env = {
    BRIDGE_DATA_DIR: dataDir,
    BRIDGE_SECRET_KEY: randomBytes(32).toString("base64"),
    BRIDGE_GRAPH_URL: graph.url,
    ENTRA_AUTHORITY_HOST: graph.url,
    PORT: "0",
    ...options.env,
  };
  const config = loadConfig({ ...inherited, ...env });
  const open = () => openRuntime(config, createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent" }));
  const runtime = await open();
  const users = graph.control.directory.tenantByIdOrDomain("contoso.onmicrosoft.com")?.users.values();
  const mailboxes = [...(users ?? [])].map((user) => String(user.mail));
  const [mailbox = ""] = mailboxes;
  await connectToSimulators(runtime.storage, { zoho, mailboxes, modules: options.modules });
  return {
    pki,
    graph,
    zoho,
    runtime,
    mailbox,
    mailboxes,
    env,
    openRuntime: open,
    async close() {
      await runtime.close();
      await Promise.all([graph.close(), zoho.close()]);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The real server over HTTPS with the test certificate (Graph and Zoho call only https webhooks), push on. */
export function startHttpsServer(setup: OneUserBridge, runtime: Runtime = setup.runtime): Promise<RunningServer> {
  return startServer(runtime, { tls: { certPem: setup.pki.certPem, keyPem: setup.pki.keyPem } });
}

/** Enqueues every user's sync (the first one, at start) and waits until the in-process scheduler is idle. */
export async function syncEveryoneNow(server: RunningServer, trigger: "initial" | "schedule" = "initial") {
  await server.syncEveryone(trigger);
  if (server.queue instanceof InProcessScheduler) await server.queue.idle();
}

/** Polls `read` until it yields a value (a notification's effect arrives asynchronously). */
export async function eventually<T>(
  read: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
