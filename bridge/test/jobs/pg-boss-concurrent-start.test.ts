/**
 * Scaling out on the local PostgreSQL: `bridge worker` and `bridge serve` processes (the real entry point) started
 * at the same instant on a fresh schema all set the database up together — our migrations, pg-boss's schema and its
 * sync queue — and come up and work jobs (two of them used to deadlock in pg-boss's create_queue, the loser printing
 * "deadlock detected" and hanging). A process whose start fails logs why and exits non-zero instead of hanging, so a
 * supervisor (systemd, Kubernetes) restarts it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { PgBossQueue } from "../../src/jobs/pg-boss-queue.js";
import { createLogger } from "../../src/observability/logger.js";
import { connectToSimulators } from "../../src/sandbox/connect-simulators.js";
import { openRuntime, type Runtime } from "../../src/services/runtime.js";
import { dropPostgresSchema } from "../../src/storage/database.js";
import { type EmptyOrg, startEmptyOrg } from "../support/empty-org.js";
import { eventually } from "../support/one-user-bridge.js";
import { databaseUrl, describeWithPostgres } from "../support/postgres.js";

const BIN = join(import.meta.dirname, "../../bin/bridge.mjs");
const WORKERS = 3;
const MAILBOXES = 6;
/** Far longer than a start takes: a process still running then has hung. */
const HANG_MS = 30_000;

interface BridgeProcess {
  child: ChildProcess;
  output(): string;
  /** The exit code, or undefined when the process was still running after HANG_MS. */
  exit: Promise<number | null | undefined>;
}

function spawnBridge(command: "worker" | "serve", env: NodeJS.ProcessEnv): BridgeProcess {
  const child = spawn(process.execPath, [BIN, command], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exit = new Promise<number | null | undefined>((resolve) => {
    const hung = setTimeout(() => resolve(undefined), HANG_MS);
    child.once("exit", (code) => {
      clearTimeout(hung);
      resolve(code);
    });
  });
  return { child, output: () => output, exit };
}

function stopAll(processes: BridgeProcess[]): Promise<unknown> {
  for (const { child } of processes) if (child.exitCode === null) child.kill("SIGTERM");
  return Promise.all(
    processes.map(
      ({ child }) => new Promise((resolve) => (child.exitCode !== null ? resolve(0) : child.once("exit", resolve))),
    ),
  );
}

function freshEnv(schema: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: databaseUrl,
    BRIDGE_DB_SCHEMA: schema,
    BRIDGE_SECRET_KEY: randomBytes(32).toString("base64"),
    PORT: "0",
    LOG_LEVEL: "info",
    ...extra,
  };
}

describeWithPostgres("workers and a server started at once on a fresh schema", () => {
  const schema = `c_${randomBytes(4).toString("hex")}`;
  const processes: BridgeProcess[] = [];
  let cleanup: Array<() => Promise<unknown>> = [];
  let runtime: Runtime;
  let env: NodeJS.ProcessEnv;
  let graph: EmptyOrg["graph"];
  let zoho: EmptyOrg["zoho"];

  beforeAll(async () => {
    ({ graph, zoho } = await startEmptyOrg(MAILBOXES));
    cleanup.push(
      () => graph.close(),
      () => zoho.close(),
      () => dropPostgresSchema(databaseUrl ?? "", schema),
      () => dropPostgresSchema(databaseUrl ?? "", `${schema}_jobs`),
    );
    env = freshEnv(schema, {
      BRIDGE_GRAPH_URL: graph.url,
      ENTRA_AUTHORITY_HOST: graph.url,
      BRIDGE_JOB_POLL_SECONDS: "0.5",
      BRIDGE_SERVER_WORKS_JOBS: "0",
      BRIDGE_WORKER_CONCURRENCY: "1",
      LOG_LEVEL: "debug",
    });
  });

  afterAll(async () => {
    await stopAll(processes);
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    cleanup = [];
  });

  it(`${WORKERS} workers and 1 server all come up, and the workers work the jobs`, async () => {
    for (let index = 0; index < WORKERS; index++) processes.push(spawnBridge("worker", env));
    const server = spawnBridge("serve", env);
    processes.push(server);

    const workers = processes.slice(0, WORKERS);
    await eventually(
      () => (workers.every((worker) => worker.output().includes("working sync jobs")) ? true : undefined),
      HANG_MS,
    ).catch((error: unknown) => {
      throw new Error(`not every worker came up:\n${workers.map((worker) => worker.output()).join("\n---\n")}`, {
        cause: error,
      });
    });
    const listening = await eventually(
      () =>
        server
          .output()
          .split("\n")
          .find((line) => line.includes('"msg":"bridge listening"')),
      HANG_MS,
    );
    const { url } = JSON.parse(listening) as { url: string };
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect(processes.map(({ child }) => child.exitCode)).toEqual(processes.map(() => null));
    expect(processes.map((started) => started.output()).join("\n")).not.toMatch(/deadlock|start-up failed/);

    // The schema the processes set up together is complete: the test's own runtime and queue open on it.
    runtime = await openRuntime(loadConfig(env), createLogger({ level: "silent" }));
    cleanup.push(() => runtime.close());
    const queue = await PgBossQueue.open({
      url: databaseUrl ?? "",
      schema: `${schema}_jobs`,
      logger: createLogger({ level: "silent" }),
    });
    cleanup.push(() => queue.stop());
    const mailboxes = [
      ...(graph.control.directory.tenantByIdOrDomain("contoso.onmicrosoft.com")?.users.values() ?? []),
    ].map((user) => user.mail);
    await connectToSimulators(runtime.storage, { zoho, mailboxes, modules: ["contacts"] });
    const users = await runtime.storage.users.list();
    expect(users).toHaveLength(MAILBOXES);
    for (const [index, user] of users.entries()) {
      zoho.control.actAs().insert("Contacts", [
        {
          First_Name: "Carla",
          Last_Name: "Customer",
          Email: `carla.${index}@acme.example`,
          Owner: { id: user.zohoUserId },
        },
      ]);
      await queue.enqueue({ mailboxId: user.id, module: "contacts", trigger: "initial" });
    }

    const runs = await eventually(async () => {
      const done = await runtime.storage.db
        .selectFrom("sync_runs")
        .select(["mailbox_id", "status"])
        .where("module", "=", "contacts")
        .execute();
      return done.length >= MAILBOXES ? done : undefined;
    }, 60_000);
    expect(runs.map((run) => run.status)).toEqual(users.map(() => "completed"));
    expect(new Set(runs.map((run) => run.mailbox_id)).size).toBe(MAILBOXES);
    for (const user of users) expect(graph.control.items(user.mailbox, "contact")).toHaveLength(1);
    const finished = workers.map((worker) => (worker.output().match(/sync job finished/g) ?? []).length);
    expect(finished.reduce((sum, count) => sum + count, 0)).toBe(MAILBOXES);
  }, 120_000);
});

describeWithPostgres("a process whose start fails", () => {
  const schema = `x_${randomBytes(4).toString("hex")}`;
  // Its own schema: a server that started fine would create the sync queue the others must fail to create.
  const portSchema = `${schema}_port`;

  afterAll(async () => {
    for (const used of [schema, `${schema}_jobs`, portSchema, `${portSchema}_jobs`])
      await dropPostgresSchema(databaseUrl ?? "", used);
  });

  it("logs why and exits non-zero: worker and server after pg-boss started, server on a taken port, worker on an unreachable database", async () => {
    // pg-boss refuses a job expiry over 24 hours when the queue is created — after the database is migrated and
    // pg-boss itself has started (its pool open, its maintenance timer running).
    const tooLongExpiry = freshEnv(schema, { BRIDGE_JOB_EXPIRE_SECONDS: String(25 * 60 * 60) });
    const unreachable = freshEnv(schema, { DATABASE_URL: "postgres://postgres@127.0.0.1:1/test" });
    // The port is taken once the server has opened its database and scheduler.
    const taken = createServer().listen(0, "127.0.0.1");
    await once(taken, "listening");
    const { port } = taken.address() as { port: number };
    const started = [
      spawnBridge("worker", tooLongExpiry),
      spawnBridge("serve", tooLongExpiry),
      spawnBridge("worker", unreachable),
      spawnBridge("serve", freshEnv(portSchema, { PORT: String(port), HOST: "127.0.0.1" })),
    ];
    try {
      const codes = await Promise.all(started.map((failing) => failing.exit));
      expect(codes).toEqual([1, 1, 1, 1]);
      expect(started[0]?.output()).toContain("bridge: configuration assert: expiration cannot exceed 24 hours");
      expect(started[0]?.output()).toContain('"msg":"start-up failed"');
      expect(started[1]?.output()).toContain("bridge: configuration assert: expiration cannot exceed 24 hours");
      expect(started[2]?.output()).toContain("bridge: connect ECONNREFUSED 127.0.0.1:1");
      expect(started[3]?.output()).toContain(`bridge: listen EADDRINUSE: address already in use 127.0.0.1:${port}`);
    } finally {
      taken.close();
      await stopAll(started);
    }
  }, 60_000);
});
