/**
 * Distributed scheduling on the local PostgreSQL: two `bridge worker` processes (the real entry point) and one API
 * process (this test, running the real server with BRIDGE_SERVER_WORKS_JOBS=0) sync 50 mailboxes of the Graph
 * simulator against the Zoho simulator. Every mailbox must converge exactly once, with no duplicate anywhere.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { connectToSimulators } from "../../src/sandbox/connect-simulators.js";
import { startServer } from "../../src/server.js";
import { openRuntime, type Runtime } from "../../src/services/runtime.js";
import { dropPostgresSchema } from "../../src/storage/database.js";
import { leakedSecrets, storedSecretPlaintexts } from "../sandbox/secrets-at-rest.js";
import { type EmptyOrg, startEmptyOrg } from "../support/empty-org.js";
import { databaseUrl, describeWithPostgres } from "../support/postgres.js";

const MAILBOXES = 50;
const BIN = join(import.meta.dirname, "../../bin/bridge.mjs");

describeWithPostgres("pg-boss: 2 workers + 1 API process", () => {
  const schema = `w_${randomBytes(4).toString("hex")}`;
  const workers: ChildProcess[] = [];
  const workerLogs: string[] = ["", ""];
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
    );
    env = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      BRIDGE_DB_SCHEMA: schema,
      BRIDGE_SECRET_KEY: randomBytes(32).toString("base64"),
      BRIDGE_GRAPH_URL: graph.url,
      ENTRA_AUTHORITY_HOST: graph.url,
      BRIDGE_JOB_POLL_SECONDS: "0.5",
      BRIDGE_SERVER_WORKS_JOBS: "0",
      BRIDGE_WORKER_CONCURRENCY: "3",
      PORT: "0",
      LOG_LEVEL: "debug",
    };
    runtime = await openRuntime(
      loadConfig(env),
      (await import("../../src/observability/logger.js")).createLogger({ level: "silent" }),
    );
    cleanup.push(
      () => runtime.close(),
      () => dropPostgresSchema(databaseUrl ?? "", schema),
      () => dropPostgresSchema(databaseUrl ?? "", `${schema}_jobs`),
    );
    const mailboxes = [
      ...(graph.control.directory.tenantByIdOrDomain("contoso.onmicrosoft.com")?.users.values() ?? []),
    ].map((user) => user.mail);
    expect(mailboxes).toHaveLength(MAILBOXES);
    await connectToSimulators(runtime.storage, { zoho, mailboxes, modules: ["contacts"] });
    // Each Zoho user owns three customers; a mailbox gets its own user's (the default "only records the user owns").
    for (const [index, user] of (await runtime.storage.users.list()).entries()) {
      const Owner = { id: user.zohoUserId };
      zoho.control.actAs().insert("Contacts", [
        { First_Name: "Carla", Last_Name: "Customer", Email: `carla.${index}@acme.example`, Owner },
        { First_Name: "Dan", Last_Name: "Dealer", Email: `dan.${index}@dealer.example`, Owner },
        { First_Name: "Eve", Last_Name: "Engineer", Email: `eve.${index}@eng.example`, Owner },
      ]);
    }
  });

  afterAll(async () => {
    for (const worker of workers) worker.kill("SIGTERM");
    await Promise.all(
      workers.map(
        (worker) => new Promise((resolve) => (worker.exitCode !== null ? resolve(0) : worker.once("exit", resolve))),
      ),
    );
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    cleanup = [];
  });

  it("converges every mailbox exactly once, each job run by one of the two workers", async () => {
    for (const index of [0, 1]) {
      const worker = spawn(process.execPath, [BIN, "worker"], { env, stdio: ["ignore", "pipe", "pipe"] });
      worker.stdout?.on("data", (chunk: Buffer) => {
        workerLogs[index] += chunk.toString();
      });
      worker.stderr?.on("data", (chunk: Buffer) => {
        workerLogs[index] += chunk.toString();
      });
      workers.push(worker);
    }
    const server = await startServer(runtime);
    cleanup.push(() => server.close());
    expect(await server.syncEveryone("initial")).toBe(MAILBOXES);

    const deadline = Date.now() + 90_000;
    let runs: { mailbox_id: string; status: string }[] = [];
    while (Date.now() < deadline) {
      runs = await runtime.storage.db
        .selectFrom("sync_runs")
        .select(["mailbox_id", "status"])
        .where("module", "=", "contacts")
        .execute();
      if (runs.length >= MAILBOXES) break;
      await sleep(500);
    }
    await sleep(1500); // a late duplicate run would show up here
    runs = await runtime.storage.db
      .selectFrom("sync_runs")
      .select(["mailbox_id", "status"])
      .where("module", "=", "contacts")
      .execute();
    expect(runs).toHaveLength(MAILBOXES);
    expect(new Set(runs.map((run) => run.mailbox_id)).size).toBe(MAILBOXES);
    expect(runs.every((run) => run.status === "completed")).toBe(true);
    const users = await runtime.storage.users.list();
    expect(users.every((user) => user.status === "succeeded")).toBe(true);
    for (const user of users) {
      const contacts = graph.control.items(user.mailbox, "contact");
      expect([user.mailbox, contacts.length]).toEqual([user.mailbox, 3]);
    }
    expect(zoho.control.records("Contacts")).toHaveLength(3 * MAILBOXES);
    const finishedBy = workerLogs.map((log) => (log.match(/sync job finished/g) ?? []).length);
    expect(finishedBy[0] + finishedBy[1]).toBe(MAILBOXES);
    expect(Math.min(...finishedBy)).toBeGreaterThan(0);

    // Secrets at rest: no row of any bridge or pg-boss table, and no worker log line, holds one in clear text.
    const secrets = await storedSecretPlaintexts(runtime.storage);
    expect(secrets.size).toBe(3);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    let dump = "";
    try {
      const tables = await client.query<{ table_schema: string; table_name: string }>(
        "select table_schema, table_name from information_schema.tables where table_schema = any($1)",
        [[schema, `${schema}_jobs`]],
      );
      for (const { table_schema, table_name } of tables.rows) {
        const rows = await client.query<{ row: string }>(
          `select row_to_json(t)::text as row from "${table_schema}"."${table_name}" t`,
        );
        dump += rows.rows.map((row) => row.row).join("\n");
      }
    } finally {
      await client.end();
    }
    expect(dump).toContain('"status":"completed"');
    expect(leakedSecrets(secrets, dump)).toEqual([]);
    expect(leakedSecrets(secrets, workerLogs.join("\n"))).toEqual([]);
  }, 150_000);
});
