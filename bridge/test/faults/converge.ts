/**
 * The fault-survival driver shared by the Graph and EWS fault tests (issue 10 item 3): seeds both sides, converges
 * every module under 10 % injected faults after the seeding and after each round of user edits and deletes, and
 * checks the end state against the expected one (what a clean run converges to: every live item once on each side,
 * the latest edit's fields, nothing deleted coming back). A module counts as converged when one run completes and
 * writes nothing.
 */
import { expect } from "vitest";
import { FAULT_KINDS, type FaultSettings } from "../../simulators/shared/behaviour.js";
import { serveHttps } from "../../simulators/shared/server.js";
import { createZohoSimulator, DEFAULT_CLIENT } from "../../simulators/zoho/index.js";
import type { RecordPort, RemoteItem } from "../../src/connectors/port.js";
import { createZohoCrmPort, type ZohoCrmPort } from "../../src/connectors/zoho/index.js";
import { runSync } from "../../src/sync/engine.js";
import { MemorySyncStateStore } from "../../src/sync/memory-state.js";
import type { SyncModule } from "../../src/sync/module.js";
import { testPki } from "../support/pki.js";
import { crashCounter, diffAgainst, listAll, range, retryAfterMs, retryTimer, writeAll } from "./support.js";

export const FAULTS = (seed: number): FaultSettings => ({
  rate: 0.1,
  // Every failing kind ("slow" is not a failure); the throttling answers twice, so that the Retry-After /
  // BackOffMilliseconds timing below is exercised on every seed rather than by luck.
  kinds: [...FAULT_KINDS.filter((kind) => kind !== "slow"), "throttled", "unavailable"],
  seed,
  hangMs: 1_500,
});
/** Zoho's client gives up on a hung call after this; the hang lasts longer, so the timeout path is what runs. */
export const CLIENT_TIMEOUT_MS = 1_000;
/** EWS calls with XSD validation of 50-item batches can take a second on this machine; its hang lasts longer. */
export const EWS_TIMEOUT_MS = 4_000;
export const EWS_HANG_MS = 6_000;
const MAX_RUNS_PER_MODULE = 40;
/** Rounds of user edits and deletes on both sides after the initial sync, each converged under faults. */
const ROUNDS = 3;
const SETTINGS = {
  enabled: true,
  direction: "two-way",
  conflictRule: "crm-wins",
  modificationBeatsDeletion: true,
} as const;

export interface Pair<T> {
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

export async function connectZoho(sim: ReturnType<typeof createZohoSimulator>): Promise<ZohoCrmPort> {
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

export async function startZoho() {
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
export async function convergeUnderFaults(
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

export function report(
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
