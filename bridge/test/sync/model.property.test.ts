/**
 * Model-based property test of the whole core (planner + engine + memory connectors): random histories of
 * create / edit / re-save / delete steps on both sides, injected failures (whole-call and per-item, global and not),
 * expired cursors and syncs in between, under random settings. After the faults stop, one sync must:
 * - converge: every pair agrees on the fields both sides hold; in two-way every item is paired (except parked
 *   conflicts); in one-way every source item has its copy;
 * - be followed by a sync that writes nothing (no echo, no ping-pong);
 * and throughout: one-way never writes to its source, no item is duplicated, and under modification-beats-deletion an
 * item whose last event was an edit still exists on both sides (nothing lost).
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ConnectorFailure } from "../../src/connectors/errors.js";
import type { MemoryMethod } from "../../src/connectors/memory/index.js";
import type { Side } from "../../src/connectors/port.js";
import { equalOnSide, fieldEquals } from "../../src/sync/compare.js";
import type { ConflictRule, Direction } from "../../src/sync/merge.js";
import { type Person, personModule } from "./fixtures.js";
import { scope, settingsOf, World } from "./world.js";

type Step =
  | { t: "create"; side: Side; phone: string }
  | { t: "createBoth"; phoneExchange: string; phoneCrm: string }
  | { t: "edit"; side: Side; pick: number; field: "phone" | "company" | "own"; value: string }
  | { t: "resave"; side: Side; pick: number }
  | { t: "delete"; side: Side; pick: number }
  | { t: "fail"; side: Side; method: MemoryMethod; failure: ConnectorFailure }
  | { t: "failItem"; side: Side; pick: number }
  | { t: "expire"; side: Side }
  | { t: "sync" };

const side = fc.constantFrom<Side>("exchange", "crm");
const small = fc.constantFrom("a", "b", "c");
const failure = fc.constantFrom<ConnectorFailure>(
  { kind: "transient", message: "reset" },
  { kind: "throttled", message: "busy", retryAfterMs: 1_000 },
  { kind: "auth-expired", message: "revoked" },
  { kind: "mailbox-unavailable", message: "gone" },
);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant("create" as const), side, phone: small }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("createBoth" as const), phoneExchange: small, phoneCrm: small }) },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant("edit" as const),
      side,
      pick: fc.nat(20),
      field: fc.constantFrom("phone" as const, "company" as const, "own" as const),
      value: small,
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("resave" as const), side, pick: fc.nat(20) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("delete" as const), side, pick: fc.nat(20) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant("fail" as const),
      side,
      method: fc.constantFrom<MemoryMethod>("listChanges", "listAll", "getMany", "create", "update", "delete"),
      failure,
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("failItem" as const), side, pick: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("expire" as const), side }) },
  { weight: 3, arbitrary: fc.constant({ t: "sync" as const }) },
);
const settings = fc.record({
  direction: fc.constantFrom<Direction>("two-way", "exchange-to-crm", "crm-to-exchange"),
  conflictRule: fc.constantFrom<ConflictRule>("crm-wins", "exchange-wins", "manual"),
  modificationBeatsDeletion: fc.boolean(),
  exchangeDelta: fc.boolean(),
  pageSize: fc.integer({ min: 1, max: 4 }),
});

const SHARED = ["name", "email", "phone", "company"] as const;

type Config = typeof settings extends fc.Arbitrary<infer C> ? C : never;

async function runHistory(config: Config, steps: Step[]): Promise<void> {
  const world = new World({ pageSize: config.pageSize, exchangeDelta: config.exchangeDelta });
  const sync = settingsOf(config);
  const source =
    config.direction === "exchange-to-crm" ? "exchange" : config.direction === "crm-to-exchange" ? "crm" : undefined;
  const ports = { exchange: world.exchange, crm: world.crm };
  const lastEvent = new Map<string, "edit" | "revert" | "delete">();
  let next = 0;
  const pick = (s: Side, index: number) => {
    const items = ports[s].snapshot();
    return items.length === 0 ? undefined : items[index % items.length];
  };
  const newPerson = (phone: string): Person => {
    next++;
    return { name: `P${next}`, email: `p${next}@example.com`, phone };
  };

  for (const current of steps) {
    switch (current.t) {
      case "create":
        ports[current.side].userCreate(newPerson(current.phone));
        break;
      case "createBoth": {
        const person = newPerson(current.phoneExchange);
        world.exchange.userCreate(person);
        world.crm.userCreate({ ...person, phone: current.phoneCrm });
        break;
      }
      case "edit": {
        const item = pick(current.side, current.pick);
        if (!item) break;
        const own = current.side === "exchange" ? { categories: [current.value] } : { leadSource: current.value };
        const change = current.field === "own" ? own : { [current.field]: current.value };
        const edited = ports[current.side].userUpdate(item.id, { ...item.value, ...change });
        // Only a net modification counts: re-saving the same content, or editing back to the last-synced content,
        // is "version moved, hash did not" — no change that could outweigh a deletion.
        const relation = (await world.store.listRelations(scope)).find(
          (row) => (current.side === "exchange" ? row.exchangeId : row.crmId) === item.id,
        );
        const reference = relation ? (relation.base as Person) : item.value;
        const modified = !equalOnSide(personModule, current.side, edited.value, item.value);
        if (modified) {
          const net = !equalOnSide(personModule, current.side, edited.value, reference);
          lastEvent.set(item.value.name, net ? "edit" : "revert");
        }
        break;
      }
      case "resave": {
        const item = pick(current.side, current.pick);
        if (item) ports[current.side].userUpdate(item.id, item.value);
        break;
      }
      case "delete": {
        const item = pick(current.side, current.pick);
        if (!item) break;
        ports[current.side].userDelete(item.id);
        lastEvent.set(item.value.name, "delete");
        break;
      }
      case "fail":
        ports[current.side].failNextCall(current.failure, current.method);
        break;
      case "failItem": {
        const item = pick(current.side, current.pick);
        if (item)
          ports[current.side].failItem(item.id, { kind: "invalid-record", message: "rejected", field: "phone" });
        break;
      }
      case "expire":
        ports[current.side].expireCursors();
        break;
      case "sync":
        await world.sync(sync);
        break;
    }
  }

  world.exchange.clearFaults();
  world.crm.clearFaults();
  const final = await world.sync(sync, { confirmDeletions: true });
  expect(final.record.status).toBe("completed");
  expect(final.record.outcomes.filter((outcome) => outcome.status === "error")).toEqual([]);

  // Convergence.
  const relations = await world.store.listRelations(scope);
  const conflicts = await world.store.listConflicts(scope);
  const parked = new Set(conflicts.flatMap((entry) => [entry.exchange.id, entry.crm.id]));
  const paired = { exchange: new Set<string>(), crm: new Set<string>() };
  for (const row of relations) {
    const exchangeItem = world.exchange.get(row.exchangeId);
    const crmItem = world.crm.get(row.crmId);
    expect(exchangeItem, `relation ${row.id} points at a missing Exchange item`).toBeDefined();
    expect(crmItem, `relation ${row.id} points at a missing CRM item`).toBeDefined();
    if (!exchangeItem || !crmItem) continue;
    paired.exchange.add(exchangeItem.id);
    paired.crm.add(crmItem.id);
    if (parked.has(exchangeItem.id)) continue;
    for (const field of SHARED) expect(fieldEquals(personModule, field, exchangeItem.value, crmItem.value)).toBe(true);
    // The merge base is what both sides hold.
    expect(equalOnSide(personModule, "exchange", exchangeItem.value, row.base as Person)).toBe(true);
    expect(equalOnSide(personModule, "crm", crmItem.value, row.base as Person)).toBe(true);
  }
  for (const s of ["exchange", "crm"] as const) {
    const mustBePaired = source === undefined || source === s;
    if (!mustBePaired) continue;
    const unpaired = ports[s].snapshot().filter((item) => !paired[s].has(item.id) && !parked.has(item.id));
    expect(unpaired.map((item) => item.value.name)).toEqual([]);
  }

  // No duplicates: every person exists at most once per side.
  for (const s of ["exchange", "crm"] as const) {
    const names = ports[s].snapshot().map((item) => item.value.name);
    expect(new Set(names).size).toBe(names.length);
  }

  // Nothing lost: the last thing that happened to it was an edit → it is still on both sides.
  if (config.direction === "two-way" && config.modificationBeatsDeletion) {
    const names = (s: Side) => new Set(ports[s].snapshot().map((item) => item.value.name));
    for (const [name, event] of lastEvent) {
      if (event !== "edit") continue;
      expect(names("exchange").has(name) && names("crm").has(name), `${name} was lost`).toBe(true);
    }
  }

  // One-way never writes to its source.
  if (source !== undefined) expect(ports[source].writeCalls()).toBe(0);

  // A second sync is a no-op.
  const writes = world.writeCalls();
  const second = await world.sync(sync);
  expect(second.record.status).toBe("completed");
  expect(world.writeCalls()).toBe(writes);
}

/** SYNC_PROPERTY_RUNS raises the count for a soak run; CI runs the default 1 000 histories. */
const HISTORIES = Number(process.env.SYNC_PROPERTY_RUNS ?? 1_000);

describe("sync core model", () => {
  it(
    "converges, is idempotent, never duplicates, never writes a one-way source, loses nothing",
    async () => {
      await fc.assert(
        fc.asyncProperty(settings, fc.array(step, { minLength: 5, maxLength: 40, size: "medium" }), runHistory),
        { numRuns: HISTORIES },
      );
    },
    60_000 + HISTORIES * 30,
  );

  it("field merge keeps non-overlapping edits of both sides (two-way, every rule)", async () => {
    const fields = ["phone", "company"] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<ConflictRule>("crm-wins", "exchange-wins", "manual"),
        fc.subarray([...fields]),
        small,
        small,
        async (rule, exchangeFields, exchangeValue, crmValue) => {
          const crmFields = fields.filter((field) => !exchangeFields.includes(field));
          const world = new World();
          world.exchange.userCreate({ name: "Ann", email: "ann@example.com", phone: "0", company: "0" });
          const settingsForRule = settingsOf({ conflictRule: rule });
          await world.sync(settingsForRule);
          const [e] = world.exchange.snapshot();
          const [c] = world.crm.snapshot();
          if (!e || !c) throw new Error("setup");
          const edit = (names: readonly string[], value: string) =>
            Object.fromEntries(names.map((n) => [n, `${value}!`]));
          world.exchange.userUpdate(e.id, { ...e.value, ...edit(exchangeFields, exchangeValue) });
          world.crm.userUpdate(c.id, { ...c.value, ...edit(crmFields, crmValue) });
          await world.sync(settingsForRule);
          const expected = { ...e.value, ...edit(exchangeFields, exchangeValue), ...edit(crmFields, crmValue) };
          expect(world.state()).toEqual({ exchange: [expected], crm: [expected] });
        },
      ),
      { numRuns: 100 },
    );
  });
});
