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
import type { RecordPort, RemoteItem } from "../../src/connectors/port.js";
import type { CalendarEvent, Contact, Task } from "../../src/model/index.js";
import { connect, mailboxOf, type RunningSimulator, startEmptySimulator } from "../connectors/graph/harness.js";
import { connectZoho } from "../connectors/zoho/support.js";
import { testPki } from "../support/pki.js";
import { type CrashConfig, required } from "./shared.js";

const CHILD = fileURLToPath(new URL("./sync-child.ts", import.meta.url));
const KILLS = 20;
const PER_SIDE = { contacts: 1_500, events: 500, tasks: 500 };
const random = seededRandom(20_261_125);

const contact = (side: string, n: number): Contact => ({
  givenName: `Zoë ${side}${n}`,
  surname: `Ångström-${n}`,
  email1: `${side}.${n}@crash.example.com`,
  companyName: `Company ${n % 37}`,
  jobTitle: n % 3 === 0 ? "Buyer" : undefined,
  categories: [],
});

const event = (side: string, n: number): CalendarEvent => {
  const start = Date.UTC(2026, 11, 1 + (n % 28), 8 + (n % 9), 0, 0);
  return {
    subject: `Meeting ${side}${n}`,
    span: { kind: "timed", start: new Date(start).toISOString(), end: new Date(start + 30 * 60_000).toISOString() },
    timeZone: "Europe/Berlin",
    location: `Room ${n % 12}`,
    attendees: [],
    movedOccurrences: [],
    cancelledOccurrences: [],
    categories: [],
    sensitivity: "normal",
  };
};

const task = (side: string, n: number): Task => ({
  subject: `Follow up ${side}${n}`,
  status: n % 4 === 0 ? "inProgress" : "notStarted",
  priority: "normal",
  dueDate: `2026-12-${String(1 + (n % 28)).padStart(2, "0")}`,
  categories: [],
});

async function createAll<T>(port: RecordPort<T>, values: T[]): Promise<void> {
  for (let i = 0; i < values.length; i += 100) {
    const results = await port.create(values.slice(i, i + 100).map((value) => ({ value })));
    const failed = results.filter((result) => !result.ok);
    if (failed.length > 0) throw new Error(`seeding failed: ${JSON.stringify(failed[0])}`);
  }
}

async function listAll<T>(port: RecordPort<T>): Promise<RemoteItem<T>[]> {
  const items: RemoteItem<T>[] = [];
  let token: string | undefined;
  do {
    const page = await port.listAll(token);
    items.push(...page.items);
    token = page.nextPageToken;
  } while (token !== undefined);
  return items;
}

/** Keys per side, for "exactly once" checks; reports duplicates and the values that differ between sides. */
function compareSides<T>(
  exchange: RemoteItem<T>[],
  crm: RemoteItem<T>[],
  key: (value: T) => string,
  fingerprint: (value: T) => string,
): { exchangeKeys: number; crmKeys: number; duplicates: string[]; missing: string[]; divergent: string[] } {
  const byKey = (items: RemoteItem<T>[]) => {
    const map = new Map<string, T[]>();
    for (const item of items) map.set(key(item.value), [...(map.get(key(item.value)) ?? []), item.value]);
    return map;
  };
  const ex = byKey(exchange);
  const zo = byKey(crm);
  const duplicates = [...ex, ...zo].filter(([, values]) => values.length > 1).map(([k]) => k);
  const missing = [...new Set([...ex.keys(), ...zo.keys()])].filter((k) => !ex.has(k) || !zo.has(k));
  const divergent = [...ex]
    .filter(([k, [value]]) => zo.has(k) && value !== undefined)
    .filter(([k, [value]]) => fingerprint(value as T) !== fingerprint(zo.get(k)?.[0] as T))
    .map(([k]) => k);
  return { exchangeKeys: ex.size, crmKeys: zo.size, duplicates, missing, divergent };
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
    const range = (count: number) => Array.from({ length: count }, (_, i) => i + 1);
    await createAll(
      exchange.contacts,
      range(PER_SIDE.contacts).map((n) => contact("ex", n)),
    );
    await createAll(
      crm.modules.contacts,
      range(PER_SIDE.contacts).map((n) => contact("crm", n)),
    );
    await createAll(
      exchange.events,
      range(PER_SIDE.events).map((n) => event("ex", n)),
    );
    await createAll(
      crm.modules.events,
      range(PER_SIDE.events).map((n) => event("crm", n)),
    );
    await createAll(
      exchange.tasks,
      range(PER_SIDE.tasks).map((n) => task("ex", n)),
    );
    await createAll(
      crm.modules.tasks,
      range(PER_SIDE.tasks).map((n) => task("crm", n)),
    );

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

    const contacts = compareSides(
      await listAll(exchange.contacts),
      await listAll(crm.modules.contacts),
      (value) => value.email1?.toLowerCase() ?? "",
      (value) => [value.givenName, value.surname, value.companyName, value.jobTitle ?? ""].join("|"),
    );
    const events = compareSides(
      await listAll(exchange.events),
      await listAll(crm.modules.events),
      (value) => value.subject,
      (value) => JSON.stringify(value.span),
    );
    const tasks = compareSides(
      await listAll(exchange.tasks),
      await listAll(crm.modules.tasks),
      (value) => value.subject,
      (value) => [value.status, value.dueDate ?? ""].join("|"),
    );
    for (const [name, result, perSide] of [
      ["contacts", contacts, PER_SIDE.contacts],
      ["events", events, PER_SIDE.events],
      ["tasks", tasks, PER_SIDE.tasks],
    ] as const) {
      expect({ name, ...result }).toEqual({
        name,
        exchangeKeys: perSide * 2,
        crmKeys: perSide * 2,
        duplicates: [],
        missing: [],
        divergent: [],
      });
    }
  });
});
