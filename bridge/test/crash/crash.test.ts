/**
 * Crash survival (issue 10): a two-way sync of 5 000 mixed items (contacts, events, tasks, half created on each side)
 * runs in a child process on a SQLite status file and is SIGKILLed 20 times at seeded moments while its writes are
 * in flight, then restarted. Afterwards both sides hold exactly the expected items — no duplicates, nothing lost, no
 * divergent fields — checked through the simulators' own HTTP APIs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../simulators/shared/behaviour.js";
import { DEFAULT_CLIENT, type RunningZohoSimulator, startZohoSimulator } from "../../simulators/zoho/index.js";
import type { RecordPort } from "../../src/connectors/port.js";
import { connect, mailboxOf, type RunningSimulator, startEmptySimulator } from "../connectors/graph/harness.js";
import { connectZoho } from "../connectors/zoho/support.js";
import {
  contact,
  contactKey,
  contactPrint,
  diffAgainst,
  event,
  eventKey,
  eventPrint,
  listAll,
  range,
  task,
  taskKey,
  taskPrint,
  writeAll,
} from "../faults/support.js";
import { testPki } from "../support/pki.js";
import { type CrashConfig, required } from "./shared.js";

const CHILD = fileURLToPath(new URL("./sync-child.ts", import.meta.url));
const KILLS = 20;
const PER_SIDE = { contacts: 1_500, events: 500, tasks: 500 };
const random = seededRandom(20_261_125);

async function create<T>(port: RecordPort<T>, values: T[]): Promise<void> {
  await writeAll(
    values.map((value) => ({ value })),
    (batch) => port.create(batch),
  );
}

/** One side's items against everything seeded on either side: each exactly once, nothing else, no field changed. */
async function verdict<T>(port: RecordPort<T>, seeded: T[], key: (value: T) => string, print: (value: T) => string) {
  const expected = new Map(seeded.map((value) => [key(value), print(value)]));
  return diffAgainst(
    expected,
    (await listAll(port)).map((item) => item.value),
    key,
    print,
  );
}

function startChild(config: CrashConfig): { child: ChildProcess; lines: AsyncIterator<string> } {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD], {
    env: { ...process.env, CRASH_CONFIG: JSON.stringify(config) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  child.on("exit", (code, signal) => {
    if (code !== 0 && signal !== "SIGKILL") console.error(`sync child exited ${code}: ${stderr}`);
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  return { child, lines };
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });

describe("crash survival", () => {
  let graph: RunningSimulator;
  let zoho: RunningZohoSimulator;
  let dir: string;

  beforeAll(async () => {
    graph = await startEmptySimulator();
    zoho = await startZohoSimulator({ pki: await testPki(), limits: { creditsPerDay: 10_000_000 } });
    dir = await mkdtemp(join(tmpdir(), "bridge-crash-"));
  });
  afterAll(async () => {
    await graph?.close();
    await zoho?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("converges to exactly the expected items after 20 SIGKILLs mid-write", { timeout: 600_000 }, async () => {
    const mailbox = mailboxOf(graph);
    const modules = connect(graph, mailbox).modules;
    const exchange = {
      contacts: required(modules.contacts, "contacts"),
      events: required(modules.events, "events"),
      tasks: required(modules.tasks, "tasks"),
    };
    const { crm, refreshToken } = await connectZoho(zoho);
    const seeded = {
      contacts: [
        ...range(PER_SIDE.contacts).map((n) => contact("ex", n)),
        ...range(PER_SIDE.contacts).map((n) => contact("crm", n)),
      ],
      events: [
        ...range(PER_SIDE.events).map((n) => event("ex", n)),
        ...range(PER_SIDE.events).map((n) => event("crm", n)),
      ],
      tasks: [...range(PER_SIDE.tasks).map((n) => task("ex", n)), ...range(PER_SIDE.tasks).map((n) => task("crm", n))],
    };
    const half = <T>(values: T[]) => [values.slice(0, values.length / 2), values.slice(values.length / 2)] as const;
    const [contactsEx, contactsCrm] = half(seeded.contacts);
    const [eventsEx, eventsCrm] = half(seeded.events);
    const [tasksEx, tasksCrm] = half(seeded.tasks);
    await create(exchange.contacts, contactsEx);
    await create(crm.modules.contacts, contactsCrm);
    await create(exchange.events, eventsEx);
    await create(crm.modules.events, eventsCrm);
    await create(exchange.tasks, tasksEx);
    await create(crm.modules.tasks, tasksCrm);

    const config: CrashConfig = {
      dbFile: join(dir, "bridge.db"),
      keyHex: randomBytes(32).toString("hex"),
      graphUrl: graph.url,
      graphAuthority: graph.authority,
      mailbox,
      zohoAccountsUrl: zoho.control.urls().accountsUrl,
      zohoClientId: DEFAULT_CLIENT.clientId,
      zohoClientSecret: DEFAULT_CLIENT.clientSecret,
      zohoRefreshToken: refreshToken,
      round: 0,
    };

    let kills = 0;
    let convergedEarly = false;
    while (kills < KILLS) {
      const { child, lines } = startChild({ ...config, round: kills });
      // Kill after a seeded number of announced write calls (1–6), a seeded 0–40 ms after the announcement, so the
      // kill lands while the write is on the wire or just after it, before or after its relation row is saved.
      const target = 1 + Math.floor(random() * 6);
      let writes = 0;
      for (;;) {
        const next = await lines.next();
        if (next.done) break;
        if (process.env.CRASH_DEBUG) console.log(new Date().toISOString(), next.value);
        if (next.value === "converged") convergedEarly = true;
        if (!next.value.startsWith("write ")) continue;
        writes += 1;
        if (writes === target) {
          await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 40)));
          child.kill("SIGKILL");
          kills += 1;
          break;
        }
      }
      await exited(child);
      // A run that converged before the chosen write leaves nothing to kill; the history must still have 20 kills.
      expect(convergedEarly).toBe(false);
    }

    const { child, lines } = startChild({ ...config, round: kills });
    let converged = false;
    for (;;) {
      const next = await lines.next();
      if (next.done) break;
      if (process.env.CRASH_DEBUG) console.log(new Date().toISOString(), next.value);
      if (next.value === "converged") converged = true;
    }
    await exited(child);
    expect(child.exitCode).toBe(0);
    expect(converged).toBe(true);
    expect(kills).toBe(KILLS);

    const clean = { duplicates: [], missing: [], unexpected: [], divergent: [] };
    for (const [module, [onExchange, onCrm]] of [
      [
        "contacts",
        await Promise.all([
          verdict(exchange.contacts, seeded.contacts, contactKey, contactPrint),
          verdict(crm.modules.contacts, seeded.contacts, contactKey, contactPrint),
        ]),
      ],
      [
        "events",
        await Promise.all([
          verdict(exchange.events, seeded.events, eventKey, eventPrint),
          verdict(crm.modules.events, seeded.events, eventKey, eventPrint),
        ]),
      ],
      [
        "tasks",
        await Promise.all([
          verdict(exchange.tasks, seeded.tasks, taskKey, taskPrint),
          verdict(crm.modules.tasks, seeded.tasks, taskKey, taskPrint),
        ]),
      ],
    ] as const) {
      expect({ module, exchange: onExchange, crm: onCrm }).toEqual({ module, exchange: clean, crm: clean });
    }
  });
});
