/**
 * The cluster run of `npm run bench` (issue 10): the initial contacts sync of many mailboxes on PostgreSQL, worked
 * by ONE and then by TWO real `bridge worker` processes, timed from the enqueue to the last mailbox's sync run, and
 * their throughput compared. Set-up as bridge/test/jobs/pg-boss-workers.test.ts: this process is the API side
 * (the real server, BRIDGE_SERVER_WORKS_JOBS=0, enqueues the initial sync of everyone) and hosts the Graph and
 * Zoho simulators with the bench's per-call latency. Each mailbox brings half of its items from each side: its
 * Outlook contacts (seeded in the Graph simulator) and the Zoho contacts its own Zoho user owns, so a converged
 * mailbox holds all of them in Outlook and its Zoho user owns all of them. Every pass gets a fresh schema and fresh
 * simulators, dropped and closed afterwards (also on failure).
 *
 * Standalone: `node --import tsx bridge/bench/cluster.ts [--mailboxes 200] [--items 500] [--latency 30]`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { DEMO_TENANT, startGraphSimulator } from "../simulators/graph/index.js";
import { ensureTestPki, type TestPki } from "../simulators/shared/pki.js";
import { startZohoSimulator } from "../simulators/zoho/index.js";
import { loadConfig } from "../src/config.js";
import { createLogger } from "../src/observability/logger.js";
import { connectToSimulators } from "../src/sandbox/connect-simulators.js";
import { startServer } from "../src/server.js";
import { openRuntime } from "../src/services/runtime.js";
import { dropPostgresSchema } from "../src/storage/database.js";

/** The cluster run: 200 mailboxes of 500 items each. */
export const CLUSTER_MAILBOXES = 200;
export const CLUSTER_ITEMS_PER_MAILBOX = 500;

const BRIDGE_BIN = fileURLToPath(new URL("../bin/bridge.mjs", import.meta.url));

export interface ClusterOptions {
  databaseUrl: string;
  mailboxes: number;
  /** Items per mailbox: half seeded as Outlook contacts, half as Zoho contacts owned by the mailbox's Zoho user. */
  itemsPerMailbox: number;
  latencyMs: number;
  /** How long one pass may take before it is reported as not converged. */
  timeoutMs: number;
  log(line: string): void;
}

export interface ClusterPass {
  workers: number;
  /** Jobs each worker runs at once (BRIDGE_WORKER_CONCURRENCY, the product default). */
  concurrencyPerWorker: number;
  /** From the enqueue of every mailbox's initial sync to the last sync run finished. */
  wallMs: number;
  /** Items in place at the end (Outlook contacts of every mailbox) per second of wall time. */
  itemsPerSecond: number;
  /** CPU of this process (the simulators and the API side) during the pass: near the wall, they set the pace. */
  simulatorCpuMs: number;
  /** Calls the simulators answered during the pass (every HTTP request, OAuth included). */
  calls: { graph: number; zoho: number };
  /** Sync jobs finished by each worker (its own log). */
  jobsPerWorker: number[];
  /** Convergence failures: empty when every mailbox holds its items once on both sides. */
  problems: string[];
}

export interface ClusterFigures {
  mailboxes: number;
  itemsPerMailbox: number;
  latencyMs: number;
  passes: ClusterPass[];
  /** Throughput of the last pass over the first's (2 workers over 1). */
  throughputRatio: number;
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

interface Sample {
  mailbox: string;
  zohoUserId: string;
}

/** Mailbox and Zoho-user checks of a finished pass: what is wrong, one line each (empty: converged). */
function convergenceProblems(
  samples: Sample[],
  outlookContacts: (mailbox: string) => { emailAddresses?: { address?: string }[] }[],
  zohoContacts: { Email?: unknown; Owner?: { id?: unknown } }[],
  itemsPerMailbox: number,
  runs: { mailbox_id: string; status: string }[],
): string[] {
  const problems: string[] = [];
  const notCompleted = runs.filter((run) => run.status !== "completed");
  if (runs.length !== samples.length || new Set(runs.map((run) => run.mailbox_id)).size !== samples.length)
    problems.push(`${runs.length} sync runs for ${samples.length} mailboxes (expected exactly one each)`);
  if (notCompleted.length > 0)
    problems.push(`${notCompleted.length} sync runs not completed, e.g. ${JSON.stringify(notCompleted[0])}`);
  const zohoByOwner = new Map<string, string[]>();
  for (const record of zohoContacts) {
    const owner = String(record.Owner?.id);
    zohoByOwner.set(owner, [...(zohoByOwner.get(owner) ?? []), String(record.Email)]);
  }
  for (const { mailbox, zohoUserId } of samples) {
    const outlook = outlookContacts(mailbox).map((contact) => contact.emailAddresses?.[0]?.address ?? "");
    const zoho = zohoByOwner.get(zohoUserId) ?? [];
    const distinct = (emails: string[]) => new Set(emails.map((email) => email.toLowerCase())).size;
    if (outlook.length !== itemsPerMailbox || distinct(outlook) !== itemsPerMailbox)
      problems.push(`${mailbox}: ${outlook.length} Outlook contacts (${distinct(outlook)} distinct e-mails)`);
    if (zoho.length !== itemsPerMailbox || distinct(zoho) !== itemsPerMailbox)
      problems.push(`${mailbox}: its Zoho user owns ${zoho.length} contacts (${distinct(zoho)} distinct e-mails)`);
  }
  if (zohoContacts.length !== samples.length * itemsPerMailbox)
    problems.push(`${zohoContacts.length} Zoho contacts, expected ${samples.length * itemsPerMailbox}`);
  return problems;
}

function spawnWorker(env: NodeJS.ProcessEnv): { process: ChildProcess; log: () => string; ready: Promise<void> } {
  const child = spawn(process.execPath, [BRIDGE_BIN, "worker"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const ready = new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`bridge worker exited (${code}): ${output.slice(-500)}`));
    child.once("exit", onExit);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/working sync jobs/.test(output)) {
        child.off("exit", onExit);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
  });
  return { process: child, log: () => output, ready };
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

/** One pass: fresh schema and simulators, `workerCount` worker processes, every mailbox's initial contacts sync. */
async function clusterPass(pki: TestPki, options: ClusterOptions, workerCount: number): Promise<ClusterPass> {
  const half = Math.floor(options.itemsPerMailbox / 2);
  const schema = `bench_${randomBytes(4).toString("hex")}`;
  const cleanup: Array<() => Promise<unknown>> = [];
  const workers: ReturnType<typeof spawnWorker>[] = [];
  try {
    const graph = await startGraphSimulator({
      pki,
      seed: {
        users: options.mailboxes,
        // Seeded below with addresses unique across mailboxes: the seed's random names repeat across mailboxes,
        // and Zoho refuses a second contact with an e-mail already in the org (DUPLICATE_DATA), whoever owns it.
        contactsPerUser: 0,
        eventsPerUser: 0,
        recurringPerUser: 0,
        tasksPerUser: 0,
        messagesPerUser: 0,
      },
    });
    cleanup.push(() => graph.close());
    // Credits are not the subject (as in the rest of the bench): 200 × 250 inserts exceed a day's default credits.
    const zoho = await startZohoSimulator({
      pki,
      latencyMs: options.latencyMs,
      limits: { creditsPerDay: Number.POSITIVE_INFINITY },
    });
    cleanup.push(() => zoho.close());
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_EXTRA_CA_CERTS: pki.caCertFile,
      DATABASE_URL: options.databaseUrl,
      BRIDGE_DB_SCHEMA: schema,
      BRIDGE_SECRET_KEY: randomBytes(32).toString("base64"),
      BRIDGE_GRAPH_URL: graph.url,
      ENTRA_AUTHORITY_HOST: graph.url,
      BRIDGE_JOB_POLL_SECONDS: "0.5",
      BRIDGE_SERVER_WORKS_JOBS: "0",
      PORT: "0",
      // Debug: each worker logs "sync job finished" per job, which attributes the jobs to the workers.
      LOG_LEVEL: "debug",
    };
    delete env.BRIDGE_WORKER_CONCURRENCY;
    const runtime = await openRuntime(loadConfig(env), createLogger({ level: "silent" }));
    cleanup.push(
      () => runtime.close(),
      () => dropPostgresSchema(options.databaseUrl, schema),
      () => dropPostgresSchema(options.databaseUrl, `${schema}_jobs`),
    );
    const mailboxes = [...(graph.control.directory.tenantByIdOrDomain(DEMO_TENANT.id)?.users.values() ?? [])].map(
      (user) => user.mail,
    );
    if (mailboxes.length !== options.mailboxes) throw new Error(`the Graph simulator seeded ${mailboxes.length}`);
    await connectToSimulators(runtime.storage, { zoho, mailboxes, modules: ["contacts"] });
    const users = await runtime.storage.users.list();
    for (const [index, user] of users.entries()) {
      for (let n = 0; n < options.itemsPerMailbox - half; n += 1) {
        const address = `outlook.${n}.u${index}@customer.example`;
        const contact = { givenName: `Outlook${n}`, surname: `Customer${index}`, emailAddresses: [{ address }] };
        const created = await graph.control.actAsUser(user.mailbox, "POST", "/contacts", contact);
        if (created.status !== 201) throw new Error(`seeding ${user.mailbox}: ${JSON.stringify(created.body)}`);
      }
      const Owner = { id: user.zohoUserId };
      const owned = Array.from({ length: half }, (_, n) => ({
        First_Name: `Owned${n}`,
        Last_Name: `Customer${index}`,
        Email: `owned.${n}.u${index}@crm.example`,
        Owner,
      }));
      // The API takes 100 records per insert; the control plane has no such limit but the same shape.
      for (let start = 0; start < owned.length; start += 100)
        zoho.control.actAs().insert("Contacts", owned.slice(start, start + 100));
    }

    graph.control.setLatency(options.latencyMs);
    for (let index = 0; index < workerCount; index += 1) workers.push(spawnWorker(env));
    await Promise.all(workers.map((worker) => worker.ready));
    const server = await startServer(runtime);
    cleanup.push(() => server.close());
    zoho.control.resetCallCounts();
    graph.control.resetCallCounts();

    const cpuBefore = process.cpuUsage();
    const started = Date.now();
    const enqueued = await server.syncEveryone("initial");
    if (enqueued !== options.mailboxes) throw new Error(`enqueued ${enqueued} mailboxes of ${options.mailboxes}`);
    const finishedRuns = () =>
      runtime.storage.db
        .selectFrom("sync_runs")
        .select(["mailbox_id", "status", "finished_at"])
        .where("module", "=", "contacts")
        .execute();
    let runs = await finishedRuns();
    while (runs.length < options.mailboxes && Date.now() - started < options.timeoutMs) {
      await sleep(200);
      runs = await finishedRuns();
    }
    // The wall ends at the last run's own finish time, not at this loop's next look.
    const lastFinish = Math.max(...runs.map((run) => Date.parse(run.finished_at)));
    const wallMs = runs.length >= options.mailboxes ? lastFinish - started : Date.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const calls = { graph: sum(Object.values(graph.control.callCounts())), zoho: zoho.control.totalCalls() };
    await sleep(1000); // a late duplicate run would show up here
    runs = await finishedRuns();

    const failures = await runtime.storage.db
      .selectFrom("sync_outcomes")
      .select(["failure_kind", "reason", (eb) => eb.fn.countAll<number>().as("items")])
      .where("failure_kind", "is not", null)
      .groupBy(["failure_kind", "reason"])
      .execute();
    const samples = users.map((user) => ({ mailbox: user.mailbox, zohoUserId: user.zohoUserId }));
    const problems = convergenceProblems(
      samples,
      (mailbox) => graph.control.items(mailbox, "contact") as { emailAddresses?: { address?: string }[] }[],
      zoho.control.records("Contacts") as { Email?: unknown; Owner?: { id?: unknown } }[],
      options.itemsPerMailbox,
      runs,
    );
    problems.push(
      ...failures.map((failure) => `${failure.items} item failures: ${failure.failure_kind}: ${failure.reason}`),
    );
    const jobsPerWorker = workers.map((worker) => (worker.log().match(/sync job finished/g) ?? []).length);
    return {
      workers: workerCount,
      concurrencyPerWorker: runtime.config.workerConcurrency,
      wallMs,
      itemsPerSecond: (options.mailboxes * options.itemsPerMailbox * 1000) / wallMs,
      simulatorCpuMs: (cpu.user + cpu.system) / 1000,
      calls,
      jobsPerWorker,
      problems: problems.slice(0, 10).concat(problems.length > 10 ? [`… ${problems.length - 10} more`] : []),
    };
  } finally {
    await Promise.all(workers.map((worker) => stopWorker(worker.process)));
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  }
}

/** Both passes, one worker then two, each on its own fresh schema and simulators. */
export async function clusterRun(pki: TestPki, options: ClusterOptions): Promise<ClusterFigures> {
  const passes: ClusterPass[] = [];
  for (const workers of [1, 2]) {
    options.log(
      `cluster: ${options.mailboxes} mailboxes × ${options.itemsPerMailbox} items, ${workers} bridge worker(s), latency ${options.latencyMs} ms`,
    );
    passes.push(await clusterPass(pki, options, workers));
  }
  const [one, two] = passes;
  return {
    mailboxes: options.mailboxes,
    itemsPerMailbox: options.itemsPerMailbox,
    latencyMs: options.latencyMs,
    passes,
    throughputRatio: one && two ? two.itemsPerSecond / one.itemsPerSecond : Number.NaN,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({
    options: {
      mailboxes: { type: "string", default: String(CLUSTER_MAILBOXES) },
      items: { type: "string", default: String(CLUSTER_ITEMS_PER_MAILBOX) },
      latency: { type: "string", default: "30" },
    },
  });
  const started = Date.now();
  const pki = await ensureTestPki(process.env.BRIDGE_TEST_PKI_DIR ?? join(tmpdir(), "bridge-test-pki"));
  const figures = await clusterRun(pki, {
    databaseUrl: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test",
    mailboxes: Number(values.mailboxes),
    itemsPerMailbox: Number(values.items),
    latencyMs: Number(values.latency),
    timeoutMs: 600_000,
    log: (line) => process.stderr.write(`[cluster ${((Date.now() - started) / 1000).toFixed(0)}s] ${line}\n`),
  });
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}
