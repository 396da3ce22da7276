/**
 * Fault survival (issue 10 item 3): a two-way sync between Exchange (Graph; EWS 2016) and Zoho CRM while 10 % of all
 * upstream calls fail with every fault kind the simulators render (5xx, 503 + Retry-After, 429 / ErrorServerBusy,
 * connection resets, hangs the clients time out on, truncated bodies, non-JSON / non-XML bodies, HTML error pages).
 *
 * Invariants checked: each module is re-run until one run completes and writes nothing; both sides then hold
 * exactly the state a clean run converges to (every seeded item of both sides once, no divergent field); no
 * unhandled rejection or uncaught exception happened; and every throttled answer's retry (the same request again)
 * reached the simulator only after the Retry-After / BackOffMilliseconds it asked for, measured by wrapping the
 * simulators' request listeners.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEwsSimulator } from "../../simulators/ews/index.js";
import { createGraphSimulator, DEMO_TENANT } from "../../simulators/graph/index.js";
import { FAULT_KINDS, type FaultSettings } from "../../simulators/shared/behaviour.js";
import { serveHttps } from "../../simulators/shared/server.js";
import { createZohoSimulator, DEFAULT_CLIENT } from "../../simulators/zoho/index.js";
import { createEwsExchangePort } from "../../src/connectors/ews/index.js";
import { appOnlyTokens, createGraphExchangePort, msalApp } from "../../src/connectors/graph/index.js";
import type { RecordPort, RemoteItem } from "../../src/connectors/port.js";
import { createZohoCrmPort, type ZohoCrmPort } from "../../src/connectors/zoho/index.js";
import { contactSyncModule, eventSyncModule, taskSyncModule } from "../../src/model/sync-modules.js";
import { runSync } from "../../src/sync/engine.js";
import { MemorySyncStateStore } from "../../src/sync/memory-state.js";
import type { SyncModule } from "../../src/sync/module.js";
import { testPki } from "../support/pki.js";
import {
  backOffMs,
  contact,
  contactKey,
  contactPrint,
  crashCounter,
  diffAgainst,
  editContact,
  editEvent,
  editTask,
  event,
  eventKey,
  eventPrint,
  listAll,
  range,
  retryAfterMs,
  retryTimer,
  task,
  taskKey,
  taskPrint,
  writeAll,
} from "./support.js";

const FAULTS = (seed: number): FaultSettings => ({
  rate: 0.1,
  // Every failing kind ("slow" is not a failure); the throttling answers twice, so that the Retry-After /
  // BackOffMilliseconds timing below is exercised on every seed rather than by luck.
  kinds: [...FAULT_KINDS.filter((kind) => kind !== "slow"), "throttled", "unavailable"],
  seed,
  hangMs: 1_500,
});
/** Zoho's client gives up on a hung call after this; the hang lasts longer, so the timeout path is what runs. */
const CLIENT_TIMEOUT_MS = 1_000;
/** EWS calls with XSD validation of 50-item batches can take a second on this machine; its hang lasts longer. */
const EWS_TIMEOUT_MS = 4_000;
const EWS_HANG_MS = 6_000;
const MAX_RUNS_PER_MODULE = 40;
/** Rounds of user edits and deletes on both sides after the initial sync, each converged under faults. */
const ROUNDS = 3;
const SETTINGS = {
  enabled: true,
  direction: "two-way",
  conflictRule: "crm-wins",
  modificationBeatsDeletion: true,
} as const;

interface Pair<T> {
  name: string;
  module: SyncModule<T>;
  exchange: RecordPort<T>;
  crm: RecordPort<T>;
  make: (side: string, n: number) => T;
  /** A user's edit that keeps the item's key and changes its fingerprint. */
  edit: (value: T, round: number) => T;
  key: (value: T) => string;
  print: (value: T) => string;
  perSide: number;
}

async function seedBothSides<T>(pair: Pair<T>): Promise<Map<string, string>> {
  const ex = range(pair.perSide).map((n) => pair.make("ex", n));
  const crm = range(pair.perSide).map((n) => pair.make("crm", n));
  await writeAll(ex, (batch) => pair.exchange.create(batch.map((value) => ({ value }))));
  await writeAll(crm, (batch) => pair.crm.create(batch.map((value) => ({ value }))));
  return new Map([...ex, ...crm].map((value) => [pair.key(value), pair.print(value)]));
}

/**
 * One round of user activity on both sides, on disjoint items so the outcome does not depend on the conflict rule:
 * by position i in the fixed key order, Exchange edits i % 10 = round and deletes i % 40 = 6 + round, the CRM
 * edits i % 10 = round + 3 and deletes i % 40 = 26 + round. `expected` follows along.
 */
async function userActivity<T>(pair: Pair<T>, order: string[], expected: Map<string, string>, round: number) {
  const position = new Map(order.map((key, index) => [key, index]));
  for (const [port, editAt, deleteAt] of [
    [pair.exchange, round, 6 + round],
    [pair.crm, round + 3, 26 + round],
  ] as const) {
    const items = await listAll(port);
    const at = (item: RemoteItem<T>) => position.get(pair.key(item.value)) ?? -1;
    const edits = items
      .filter((item) => at(item) % 10 === editAt)
      .map((item) => ({ id: item.id, expectedVersion: item.version, value: pair.edit(item.value, round) }));
    const deletes = items.filter((item) => at(item) % 40 === deleteAt);
    await writeAll(edits, (batch) => port.update(batch));
    await writeAll(deletes, (batch) =>
      port.delete(batch.map((item) => ({ id: item.id, expectedVersion: item.version }))),
    );
    for (const edit of edits) expected.set(pair.key(edit.value), pair.print(edit.value));
    for (const item of deletes) expected.delete(pair.key(item.value));
  }
}

/** Re-runs one module until a run completes without writing anything; returns how many runs that took. */
async function syncUntilQuiet<T>(pair: Pair<T>, mailboxId: string, store: MemorySyncStateStore): Promise<number> {
  for (let run = 1; run <= MAX_RUNS_PER_MODULE; run++) {
    const { record } = await runSync({
      scope: { mailboxId, module: pair.name as "contacts" },
      module: pair.module,
      exchange: pair.exchange,
      crm: pair.crm,
      store,
      settings: SETTINGS,
    });
    const writes = Object.values(record.planned).reduce(
      (sum, side) => sum + side.creates + side.updates + side.deletes,
      0,
    );
    if (process.env.FAULTS_DEBUG) console.log(pair.name, run, record.status, writes, record.reason);
    if (record.status === "completed" && writes === 0) return run;
  }
  throw new Error(`${pair.name} did not converge in ${MAX_RUNS_PER_MODULE} runs`);
}

async function connectZoho(sim: ReturnType<typeof createZohoSimulator>): Promise<ZohoCrmPort> {
  return createZohoCrmPort({
    oauth: {
      clientId: DEFAULT_CLIENT.clientId,
      clientSecret: DEFAULT_CLIENT.clientSecret,
      accountsServer: sim.control.urls().accountsUrl,
      refreshToken: sim.control.issueRefreshToken(),
    },
    client: { timeoutMs: CLIENT_TIMEOUT_MS, maxRetries: 2, backoffMs: 50 },
  });
}

async function startZoho() {
  const sim = createZohoSimulator({ limits: { creditsPerDay: 10_000_000 } });
  const timer = retryTimer(sim.listener, retryAfterMs);
  const running = await serveHttps(timer.listener, await testPki());
  sim.setBaseUrl(running.url);
  return { sim, timer, close: running.close };
}

/**
 * Seeds both sides, then converges every pair under faults after the seeding and after each of ROUNDS rounds of
 * user activity, and checks the end state against the expected one.
 */
async function convergeUnderFaults(
  pairs: Pair<never>[],
  mailboxId: string,
  setFaults: (settings: FaultSettings | undefined) => void,
) {
  const expected: Map<string, string>[] = [];
  for (const pair of pairs) expected.push(await seedBothSides(pair));
  const orders = expected.map((map) => [...map.keys()].sort());
  const crashes = crashCounter();
  const store = new MemorySyncStateStore();
  const runs: Record<string, number> = {};
  try {
    for (let round = 0; round <= ROUNDS; round++) {
      for (const [index, pair] of pairs.entries()) {
        if (round > 0) await userActivity(pair, orders[index] ?? [], expected[index] ?? new Map(), round);
        setFaults(FAULTS(20_261_125 + round));
        try {
          runs[pair.name] = (runs[pair.name] ?? 0) + (await syncUntilQuiet(pair, mailboxId, store));
        } finally {
          setFaults(undefined);
        }
      }
    }
  } finally {
    crashes.uninstall();
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(crashes.count()).toEqual([]);
  for (const [index, pair] of pairs.entries()) {
    const want = expected[index] ?? new Map();
    for (const [side, port] of [
      ["exchange", pair.exchange],
      ["crm", pair.crm],
    ] as const) {
      const values = (await listAll(port)).map((item) => item.value);
      const diff = diffAgainst(want, values, pair.key, pair.print);
      expect({ module: pair.name, side, ...diff }).toEqual({
        module: pair.name,
        side,
        duplicates: [],
        missing: [],
        unexpected: [],
        divergent: [],
      });
    }
  }
  return runs;
}

function report(
  label: string,
  runs: Record<string, number>,
  exchange: ReturnType<typeof retryTimer>,
  crm: ReturnType<typeof retryTimer>,
): void {
  console.log(
    `${label}: runs to converge ${JSON.stringify(runs)}; failed answers exchange ${exchange.failedAnswers()}, ` +
      `crm ${crm.failedAnswers()}; throttled answers ${exchange.throttledAnswers() + crm.throttledAnswers()}; ` +
      `retries timed ${exchange.gaps.length + crm.gaps.length}`,
  );
  // Faults must really have happened on both sides, or the test proves nothing.
  expect(exchange.failedAnswers()).toBeGreaterThan(0);
  expect(crm.failedAnswers()).toBeGreaterThan(0);
}

describe("fault survival, Graph ⇄ Zoho", () => {
  let graph: Awaited<ReturnType<typeof startGraph>>;
  let zoho: Awaited<ReturnType<typeof startZoho>>;

  async function startGraph() {
    const sim = createGraphSimulator({
      seed: { users: 1, contactsPerUser: 0, eventsPerUser: 0, tasksPerUser: 0, messagesPerUser: 0 },
    });
    const timer = retryTimer(sim.listener, retryAfterMs);
    const running = await serveHttps(timer.listener, await testPki());
    sim.setBaseUrl(running.url);
    await sim.control.ready();
    return { sim, timer, url: running.url, close: running.close };
  }

  beforeAll(async () => {
    graph = await startGraph();
    zoho = await startZoho();
  });
  afterAll(async () => {
    await graph?.close();
    await zoho?.close();
  });

  it("converges to the clean state with 10 % of calls failing, honouring Retry-After", {
    timeout: 120_000,
  }, async () => {
    const tenant = graph.sim.control.directory.tenantByIdOrDomain(DEMO_TENANT.id);
    const mailbox = [...(tenant?.mailboxes.values() ?? [])][0]?.user.mail ?? "";
    const exchange = createGraphExchangePort({
      baseUrl: graph.url,
      tokens: appOnlyTokens(
        msalApp({
          clientId: DEMO_TENANT.bridgeApp.clientId,
          clientSecret: DEMO_TENANT.bridgeApp.clientSecret,
          authority: `${graph.url}/${DEMO_TENANT.id}`,
          knownAuthorities: [new URL(graph.url).host],
        }),
      ),
      mailbox,
      push: false,
    });
    const crm = await connectZoho(zoho.sim);
    const modules = exchange.modules;
    if (!modules.contacts || !modules.events || !modules.tasks) throw new Error("Graph port lacks a module");
    const pairs = [
      {
        name: "contacts",
        module: contactSyncModule("graph", "Contacts"),
        exchange: modules.contacts,
        crm: crm.modules.contacts,
        make: contact,
        edit: editContact,
        key: contactKey,
        print: contactPrint,
        perSide: 150,
      },
      {
        name: "events",
        module: eventSyncModule("graph"),
        exchange: modules.events,
        crm: crm.modules.events,
        make: event,
        edit: editEvent,
        key: eventKey,
        print: eventPrint,
        perSide: 60,
      },
      {
        name: "tasks",
        module: taskSyncModule(),
        exchange: modules.tasks,
        crm: crm.modules.tasks,
        make: task,
        edit: editTask,
        key: taskKey,
        print: taskPrint,
        perSide: 60,
      },
    ] as unknown as Pair<never>[];
    const runs = await convergeUnderFaults(pairs, mailbox, (settings) => {
      graph.sim.control.setFaults(settings);
      zoho.sim.control.setFaults(settings);
    });
    const gaps = [...graph.timer.gaps, ...zoho.timer.gaps];
    report("Graph ⇄ Zoho", runs, graph.timer, zoho.timer);
    expect(graph.timer.throttledAnswers()).toBeGreaterThan(0);
    expect(gaps.filter((gap) => gap.waitedMs < gap.askedMs)).toEqual([]);
  });
});

describe("fault survival, EWS 2016 ⇄ Zoho", () => {
  const ews = createEwsSimulator({ release: "2016", faultBackOffMs: 300 });
  const timer = retryTimer(ews.listener, backOffMs);
  let ewsServer: Awaited<ReturnType<typeof serveHttps>>;
  let zoho: Awaited<ReturnType<typeof startZoho>>;

  beforeAll(async () => {
    ewsServer = await serveHttps(timer.listener, await testPki());
    ews.setBaseUrl(ewsServer.url);
    ews.control.seed({
      mailboxes: 1,
      contactsPerMailbox: 0,
      meetingsPerMailbox: 0,
      tasksPerMailbox: 0,
      mailsPerMailbox: 0,
    });
    zoho = await startZoho();
  });
  afterAll(async () => {
    await ewsServer?.close();
    await zoho?.close();
  });

  // The EWS port syncs contacts and tasks (no calendar module yet), so those two are what this run covers.
  it("converges to the clean state with 10 % of calls failing, honouring BackOffMilliseconds", {
    timeout: 120_000,
  }, async () => {
    const mailbox = "alice@contoso.com";
    const exchange = await createEwsExchangePort({
      mailbox,
      url: `${ewsServer.url}/EWS/Exchange.asmx`,
      version: "Exchange2016",
      username: "CONTOSO\\svc-crm",
      password: "Pa55w.rd",
      auth: "basic",
      impersonate: true,
      timeoutMs: EWS_TIMEOUT_MS,
    });
    const crm = await connectZoho(zoho.sim);
    try {
      const pairs = [
        {
          name: "contacts",
          module: contactSyncModule("ews", "Contacts"),
          exchange: exchange.modules.contacts,
          crm: crm.modules.contacts,
          make: contact,
          edit: editContact,
          key: contactKey,
          print: contactPrint,
          perSide: 150,
        },
        {
          name: "tasks",
          module: taskSyncModule(),
          exchange: exchange.modules.tasks,
          crm: crm.modules.tasks,
          make: task,
          edit: editTask,
          key: taskKey,
          print: taskPrint,
          perSide: 60,
        },
      ] as unknown as Pair<never>[];
      const runs = await convergeUnderFaults(pairs, mailbox, (settings) => {
        ews.control.setFaults(settings && { ...settings, hangMs: EWS_HANG_MS });
        zoho.sim.control.setFaults(settings);
      });
      report("EWS 2016 ⇄ Zoho", runs, timer, zoho.timer);
      expect(timer.throttledAnswers()).toBeGreaterThan(0);
      expect([...timer.gaps, ...zoho.timer.gaps].filter((gap) => gap.waitedMs < gap.askedMs)).toEqual([]);
    } finally {
      await exchange.close();
    }
  });
});
