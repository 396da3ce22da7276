/**
 * Engine scenarios beyond the decision table: the apply contract (commit per action, retry after failure), global
 * aborts, cursors, the circuit breaker, dry runs, first-sync matching after a re-install, filters and the manual
 * conflict queue. Each ends by checking that one more sync writes nothing.
 */

import { describe, expect, it, vi } from "vitest";
import { ConnectorError } from "../../src/connectors/errors.js";
import { WRITES_PER_SLICE } from "../../src/sync/engine.js";
import { type Person, personModule } from "./fixtures.js";
import { scope, settingsOf, World } from "./world.js";

const person = (n: number, changes: Partial<Person> = {}): Person => ({
  name: `Person ${n}`,
  email: `person${n}@example.com`,
  company: "Acme",
  ...changes,
});

async function expectQuiet(world: World, settings = settingsOf()): Promise<void> {
  const before = world.writeCalls();
  const { record } = await world.sync(settings);
  expect(record.status).toBe("completed");
  expect(world.writeCalls()).toBe(before);
}

async function pairedWorld(count: number, options: ConstructorParameters<typeof World>[0] = {}): Promise<World> {
  const world = new World(options);
  for (let n = 1; n <= count; n++) world.exchange.userCreate(person(n));
  const { record } = await world.sync(settingsOf());
  expect(record.outcomes.filter((outcome) => outcome.status === "created")).toHaveLength(count);
  return world;
}

describe("sync engine", () => {
  it("pages through listings and change feeds larger than a page", async () => {
    const world = await pairedWorld(10);
    expect(world.crm.snapshot()).toHaveLength(10);
    for (const item of world.exchange.snapshot()) {
      world.exchange.userUpdate(item.id, { ...item.value, phone: "555" });
    }
    await world.sync(settingsOf());
    expect(world.crm.snapshot().every((item) => item.value.phone === "555")).toBe(true);
    await expectQuiet(world);
  });

  it("a failed write keeps the old relation and cursor; the next run retries it", async () => {
    const world = await pairedWorld(2);
    const [first, second] = world.crm.snapshot();
    if (!first || !second) throw new Error("setup");
    for (const item of world.exchange.snapshot()) world.exchange.userUpdate(item.id, { ...item.value, phone: "777" });
    world.crm.failItem(first.id, { kind: "invalid-record", message: "Phone: invalid", field: "phone" });
    const cursorBefore = await world.store.getCursor(scope, "exchange");
    const failedRun = await world.sync(settingsOf());
    const error = failedRun.record.outcomes.find((outcome) => outcome.status === "error");
    expect(error).toMatchObject({ side: "crm", crmId: first.id, failureKind: "invalid-record" });
    expect(world.crm.get(second.id)?.value.phone).toBe("777");
    expect(world.crm.get(first.id)?.value.phone).toBeUndefined();
    expect(await world.store.getCursor(scope, "exchange")).toBe(cursorBefore);

    world.crm.failItem(first.id, undefined);
    const retry = await world.sync(settingsOf());
    expect(retry.record.outcomes.filter((outcome) => outcome.status === "updated")).toEqual([
      expect.objectContaining({ side: "crm", crmId: first.id }),
    ]);
    expect(world.crm.get(first.id)?.value.phone).toBe("777");
    await expectQuiet(world);
  });

  it("a stale version (precondition-failed) is an error for that item only, re-planned next run", async () => {
    const world = await pairedWorld(1);
    const [exchangeItem] = world.exchange.snapshot();
    const [crmItem] = world.crm.snapshot();
    if (!exchangeItem || !crmItem) throw new Error("setup");
    world.exchange.userUpdate(exchangeItem.id, { ...exchangeItem.value, phone: "111" });
    world.crm.failItem(crmItem.id, { kind: "precondition-failed", message: "changed meanwhile" });
    const { record } = await world.sync(settingsOf());
    expect(record.outcomes).toContainEqual(
      expect.objectContaining({ status: "error", failureKind: "precondition-failed" }),
    );
    world.crm.failItem(crmItem.id, undefined);
    world.crm.userUpdate(crmItem.id, { ...crmItem.value, company: "Beta" });
    await world.sync(settingsOf());
    expect(world.state().crm).toEqual([person(1, { phone: "111", company: "Beta" })]);
    expect(world.state().exchange).toEqual([person(1, { phone: "111", company: "Beta" })]);
    await expectQuiet(world);
  });

  it("a change feed that edits an item on one page and deletes it on a later one means deleted", async () => {
    const world = await pairedWorld(1);
    const [item] = world.exchange.snapshot();
    if (!item) throw new Error("setup");
    world.exchange.userDelete(item.id);
    const { cursor } = await world.exchange.listAll(undefined);
    if (!cursor) throw new Error("setup");
    const edited = { ...item, version: "edited", value: { ...item.value, phone: "999" } };
    vi.spyOn(world.exchange, "listChanges")
      .mockResolvedValueOnce({ changes: [{ kind: "upsert", item: edited }], cursor: "page-2", complete: false })
      .mockResolvedValueOnce({ changes: [{ kind: "deleted", id: item.id }], cursor, complete: true });
    const { record } = await world.sync(settingsOf());
    expect(record.outcomes).toEqual([expect.objectContaining({ status: "deleted", side: "crm" })]);
    expect(world.crm.snapshot()).toEqual([]);
    vi.restoreAllMocks();
    await expectQuiet(world);
  });

  it("revoked credentials abort the run before anything is written, and nothing is lost", async () => {
    const world = await pairedWorld(1);
    world.exchange.userCreate(person(2));
    world.crm.setAuthExpired(true);
    const { record } = await world.sync(settingsOf());
    expect(record.status).toBe("aborted");
    expect(record.reason).toMatch(/auth-expired/);
    world.crm.setAuthExpired(false);
    await world.sync(settingsOf());
    expect(world.crm.snapshot()).toHaveLength(2);
    await expectQuiet(world);
  });

  it("throttling while applying stops later batches; the next run finishes without duplicates", async () => {
    const world = new World();
    for (let n = 1; n <= 9; n++) world.crm.userCreate(person(n));
    world.exchange.failNextCall({ kind: "throttled", message: "ErrorServerBusy", retryAfterMs: 3_000 }, "create");
    const first = await world.sync(settingsOf());
    expect(first.record.status).toBe("aborted");
    expect(first.record.reason).toMatch(/throttled/);
    // maxBatchSize 4 on the Exchange side: the first batch failed, the other two were not attempted.
    expect(world.exchange.calls.create).toBe(1);
    expect(first.record.outcomes.filter((outcome) => outcome.failureKind === "throttled")).toHaveLength(4);
    expect(first.record.outcomes.filter((outcome) => outcome.status === "skipped")).toHaveLength(5);
    await world.sync(settingsOf());
    expect(world.exchange.snapshot()).toHaveLength(9);
    await expectQuiet(world);
  });

  it("commits the run's relations together; a refused row fails only its own action, retried next run", async () => {
    const world = new World();
    for (let n = 1; n <= 6; n++) world.exchange.userCreate(person(n));
    const refused = world.exchange.snapshot()[2]?.id;
    const saveRelation = world.store.saveRelation.bind(world.store);
    const batches = vi.spyOn(world.store, "saveRelations");
    const refusing = vi.spyOn(world.store, "saveRelation").mockImplementation(async (where, row) => {
      if (row.exchangeId === refused) throw new Error("unique constraint failed: relations.exchange_id");
      await saveRelation(where, row);
    });
    const first = await world.sync(settingsOf());
    expect(batches).toHaveBeenCalledTimes(1);
    expect(first.record.outcomes.filter((outcome) => outcome.status === "created")).toHaveLength(5);
    expect(first.record.outcomes.find((outcome) => outcome.status === "error")).toMatchObject({
      exchangeId: refused,
      reason: expect.stringMatching(/saving the relation failed: .*unique constraint/),
    });
    expect((await world.store.listRelations(scope)).map((row) => row.exchangeId)).not.toContain(refused);
    expect(await world.store.getCursor(scope, "exchange")).toBeUndefined();

    refusing.mockRestore();
    await world.sync(settingsOf());
    expect(world.crm.snapshot()).toHaveLength(6);
    expect(await world.store.listRelations(scope)).toHaveLength(6);
    await expectQuiet(world);
  });

  it("a run larger than a slice commits each slice's pairs before writing the next; a later abort keeps them", async () => {
    const world = new World({ pageSize: 50 });
    const count = WRITES_PER_SLICE + 150;
    for (let n = 1; n <= count; n++) world.exchange.userCreate(person(n));
    const create = world.crm.create.bind(world.crm);
    const pairedBefore: number[] = [];
    // The CRM takes 100 per batch: the third create call is the first of the second slice, and it is throttled.
    vi.spyOn(world.crm, "create").mockImplementation(async (requests) => {
      pairedBefore.push((await world.store.listRelations(scope)).length);
      if (pairedBefore.length === 3) {
        throw new ConnectorError({ kind: "throttled", message: "too many requests", retryAfterMs: 1_000 });
      }
      return create(requests);
    });
    const first = await world.sync(settingsOf());
    vi.restoreAllMocks();
    expect(first.record.status).toBe("aborted");
    expect(pairedBefore).toEqual([0, 0, WRITES_PER_SLICE]);
    expect(first.actions).toEqual([]);
    const statuses = first.record.outcomes.map((outcome) => outcome.status);
    expect(statuses.filter((status) => status === "created")).toHaveLength(WRITES_PER_SLICE);
    expect(statuses.filter((status) => status === "error")).toHaveLength(100);
    expect(statuses.filter((status) => status === "skipped")).toHaveLength(50);
    expect(first.record.planned.crm.creates).toBe(count);
    expect(await world.store.listRelations(scope)).toHaveLength(WRITES_PER_SLICE);

    await world.sync(settingsOf());
    expect(world.crm.snapshot()).toHaveLength(count);
    expect(await world.store.listRelations(scope)).toHaveLength(count);
    await expectQuiet(world);
  });

  it("reads only the merge bases of pairs the change feeds report; a bad one stops the run before any write", async () => {
    const world = await pairedWorld(3);
    // The first run's own writes come back once in the CRM's change feed; after this run the feeds report nothing.
    await expectQuiet(world);
    const [quiet, edited] = await world.store.listRelations(scope);
    if (!quiet || !edited) throw new Error("expected paired relations");
    await world.store.saveRelation(scope, { ...quiet, base: { corrupt: true } });
    const exchangeItem = world.exchange.snapshot().find((item) => item.id === edited.exchangeId);
    if (!exchangeItem) throw new Error("expected the edited pair's Exchange item");
    world.exchange.userUpdate(exchangeItem.id, { ...exchangeItem.value, company: "Contoso" });
    const first = await world.sync(settingsOf());
    expect(first.record.status).toBe("completed");
    expect(world.crm.snapshot().map((item) => item.value.company)).toContain("Contoso");

    await world.store.saveRelation(scope, { ...edited, base: { corrupt: true } });
    world.exchange.userUpdate(exchangeItem.id, { ...exchangeItem.value, company: "Fabrikam" });
    const writes = world.writeCalls();
    const second = await world.sync(settingsOf());
    expect(second.record.status).toBe("aborted");
    expect(second.record.reason).toMatch(new RegExp(`stored merge base of relation ${edited.id} is invalid`));
    expect(world.writeCalls()).toBe(writes);
  });

  it("the circuit breaker holds a run that would delete more than 20 % until an admin confirms", async () => {
    const world = await pairedWorld(20);
    for (const item of world.exchange.snapshot().slice(0, 6)) world.exchange.userDelete(item.id);
    const held = await world.sync(settingsOf());
    expect(held.record.status).toBe("held");
    expect(held.record.reason).toMatch(/6 of 20 crm items/);
    expect(held.record.planned.crm.deletes).toBe(6);
    expect(world.crm.snapshot()).toHaveLength(20);
    const heldAgain = await world.sync(settingsOf());
    expect(heldAgain.record.status).toBe("held");
    const confirmed = await world.sync(settingsOf(), { confirmDeletions: true });
    expect(confirmed.record.status).toBe("completed");
    expect(world.crm.snapshot()).toHaveLength(14);
    await expectQuiet(world);
  });

  it("the circuit breaker also holds on an absolute count, and small deletions pass", async () => {
    const world = await pairedWorld(10);
    for (const item of world.exchange.snapshot().slice(0, 2)) world.exchange.userDelete(item.id);
    const small = await world.sync(settingsOf(), { breaker: { share: 0.2, floor: 5, count: 1 } });
    expect(small.record.status).toBe("held");
    const allowed = await world.sync(settingsOf());
    expect(allowed.record.status).toBe("completed");
    expect(world.crm.snapshot()).toHaveLength(8);
  });

  it("a dry run returns the plan with counts per side and writes nothing", async () => {
    const world = await pairedWorld(3);
    const [a, b] = world.exchange.snapshot();
    if (!a || !b) throw new Error("setup");
    world.exchange.userUpdate(a.id, { ...a.value, phone: "1" });
    world.exchange.userDelete(b.id);
    world.crm.userCreate(person(9));
    world.exchange.userCreate(person(8));
    const writes = world.writeCalls();
    const { record, actions } = await world.sync(settingsOf(), { dryRun: true });
    expect(record.dryRun).toBe(true);
    expect(record.planned).toEqual({
      exchange: { creates: 1, updates: 0, deletes: 0, invitations: 0 },
      crm: { creates: 1, updates: 1, deletes: 1, invitations: 0 },
    });
    expect(actions.map((action) => action.cell).sort()).toEqual(
      ["absent/added", "added/absent", "changed/unchanged", "deleted/unchanged"].sort(),
    );
    expect(world.writeCalls()).toBe(writes);
    const real = await world.sync(settingsOf());
    expect(real.record.planned).toEqual(record.planned);
    await expectQuiet(world);
  });

  it("a dry run's plan carries the items of a full listing as they were read", async () => {
    const world = new World({ exchangeDelta: false });
    world.exchange.userCreate(person(1, { phone: "+1 555 0100" }));
    const { actions } = await world.sync(settingsOf(), { dryRun: true });
    expect(actions).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(actions[0]?.exchange))).toEqual(world.exchange.snapshot()[0]);
    expect(actions[0]?.writes.crm).toMatchObject({ op: "create", value: world.exchange.snapshot()[0]?.value });
  });

  it("asks Exchange to mail invitations only when the settings allow it, and counts them", async () => {
    const meetings = { ...personModule, invitesAttendees: (value: Person) => value.company === "Meeting Co" };
    const world = new World();
    world.crm.userCreate(person(1, { company: "Meeting Co" }));
    world.crm.userCreate(person(2));
    const quiet = await world.sync(settingsOf(), { module: meetings, dryRun: true });
    expect(quiet.record.planned.exchange).toMatchObject({ creates: 2, invitations: 0 });
    const create = vi.spyOn(world.exchange, "create");
    const { record } = await world.sync(settingsOf({ sendInvitations: true }), { module: meetings });
    expect(record.planned.exchange).toMatchObject({ creates: 2, invitations: 1 });
    const requests = create.mock.calls.flatMap(([batch]) => batch);
    expect(requests.filter((request) => request.notifyAttendees).map((request) => request.value.name)).toEqual([
      "Person 1",
    ]);
    vi.restoreAllMocks();
  });

  it("an expired cursor falls back to a full listing and diff: deletions found, no duplicates", async () => {
    const world = await pairedWorld(4);
    const [gone] = world.exchange.snapshot();
    if (!gone) throw new Error("setup");
    world.exchange.userDelete(gone.id);
    world.exchange.userCreate(person(5));
    world.exchange.expireCursors();
    await world.sync(settingsOf());
    expect(world.exchange.calls.listAll).toBeGreaterThan(0);
    expect(world.state().crm).toEqual(world.state().exchange);
    expect(world.crm.snapshot()).toHaveLength(4);
    await expectQuiet(world);
  });

  it("a listing that fails midway aborts the run and deletes nothing", async () => {
    const world = await pairedWorld(7, { exchangeDelta: false });
    world.exchange.failNextCall({ kind: "transient", message: "connection reset" }, "listAll");
    const { record } = await world.sync(settingsOf());
    expect(record.status).toBe("aborted");
    expect(world.crm.snapshot()).toHaveLength(7);
  });

  it("without a delta feed, deletions come from complete listings", async () => {
    const world = await pairedWorld(7, { exchangeDelta: false });
    const [gone] = world.exchange.snapshot();
    if (!gone) throw new Error("setup");
    world.exchange.userDelete(gone.id);
    await world.sync(settingsOf());
    expect(world.crm.snapshot()).toHaveLength(6);
    await expectQuiet(world);
  });

  it("a re-install (state lost) or reconnect matches existing items: zero duplicates", async () => {
    const world = await pairedWorld(5);
    world.crm.userCreate(person(6, { email: "PERSON6@example.com" }));
    world.exchange.userCreate(person(6));
    world.crm.userCreate(person(7, { email: undefined }));
    world.exchange.userCreate(person(7, { email: undefined }));
    const reinstalled = new World();
    for (const item of world.exchange.snapshot()) reinstalled.exchange.userCreate(item.value);
    for (const item of world.crm.snapshot()) reinstalled.crm.userCreate(item.value);
    const { record } = await reinstalled.sync(settingsOf());
    expect(record.outcomes.filter((outcome) => outcome.status === "created")).toEqual([]);
    expect(reinstalled.exchange.snapshot()).toHaveLength(7);
    expect(reinstalled.crm.snapshot()).toHaveLength(7);
    expect(await reinstalled.store.listRelations(scope)).toHaveLength(7);
    await expectQuiet(reinstalled);
  });

  it("a version that moves without a content change (our echo or a plain re-save) is no change", async () => {
    const world = await pairedWorld(2);
    for (const item of world.crm.snapshot()) world.crm.userUpdate(item.id, item.value);
    await expectQuiet(world);
    const relations = await world.store.listRelations(scope);
    const versions = new Set(world.crm.snapshot().map((item) => item.version));
    expect(relations.every((row) => versions.has(row.crmVersion))).toBe(true);
  });

  it("a module filter keeps rejected items out of new pairs, but existing pairs keep syncing", async () => {
    const world = await pairedWorld(1);
    const settings = settingsOf({ filter: (item, side) => side !== "crm" || item.value.leadSource !== "internal" });
    world.crm.userCreate(person(2, { leadSource: "internal" }));
    const [paired] = world.crm.snapshot();
    if (!paired) throw new Error("setup");
    world.crm.userUpdate(paired.id, { ...paired.value, leadSource: "internal", phone: "42" });
    await world.sync(settings);
    expect(world.state().exchange).toEqual([person(1, { phone: "42" })]);
    await expectQuiet(world, settings);
  });

  it("a rejected item is never copied, but links with the admitted item it matches instead of being duplicated", async () => {
    const world = new World();
    const internalOnCrm = settingsOf({
      filter: (item, side) => side !== "crm" || item.value.leadSource !== "internal",
    });
    world.exchange.userCreate(person(1));
    world.crm.userCreate(person(1, { leadSource: "internal", phone: "7" }));
    world.crm.userCreate(person(2, { leadSource: "internal" }));
    await world.sync(internalOnCrm);
    expect(world.state().crm).toHaveLength(2);
    expect(world.state().exchange).toEqual([person(1, { phone: "7" })]);
    expect(await world.store.listRelations(scope)).toHaveLength(1);
    await expectQuiet(world, internalOnCrm);
  });

  it("a disabled module makes no call at all", async () => {
    const world = new World();
    world.exchange.userCreate(person(1));
    const { record } = await world.sync(settingsOf({ enabled: false }));
    expect(record.reason).toBe("module disabled");
    expect(Object.values(world.exchange.calls).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it("manual conflicts are parked with both versions, then applied as the admin decides", async () => {
    const world = await pairedWorld(1);
    const manual = settingsOf({ conflictRule: "manual" });
    const [exchangeItem] = world.exchange.snapshot();
    const [crmItem] = world.crm.snapshot();
    if (!exchangeItem || !crmItem) throw new Error("setup");
    world.exchange.userUpdate(exchangeItem.id, { ...exchangeItem.value, phone: "111", company: "Ex Co" });
    world.crm.userUpdate(crmItem.id, { ...crmItem.value, phone: "222" });
    await world.sync(manual);
    const [entry] = await world.store.listConflicts(scope);
    expect(entry).toMatchObject({ fields: ["phone"], exchange: { id: exchangeItem.id }, crm: { id: crmItem.id } });
    expect(entry?.exchange.value).toMatchObject({ phone: "111", company: "Ex Co" });
    expect(entry?.crm.value).toMatchObject({ phone: "222" });
    await expectQuiet(world, manual);
    if (!entry) throw new Error("no conflict");
    await world.store.resolveConflict(scope, entry.id, { keep: "exchange" });
    await world.sync(manual);
    expect(world.state()).toEqual({
      exchange: [person(1, { phone: "111", company: "Ex Co" })],
      crm: [person(1, { phone: "111", company: "Ex Co" })],
    });
    expect(await world.store.listConflicts(scope)).toEqual([]);
    await expectQuiet(world, manual);
  });

  it("a decided conflict whose items moved on meanwhile is re-detected, not blindly applied", async () => {
    const world = await pairedWorld(1);
    const manual = settingsOf({ conflictRule: "manual" });
    const [exchangeItem] = world.exchange.snapshot();
    const [crmItem] = world.crm.snapshot();
    if (!exchangeItem || !crmItem) throw new Error("setup");
    world.exchange.userUpdate(exchangeItem.id, { ...exchangeItem.value, phone: "111" });
    world.crm.userUpdate(crmItem.id, { ...crmItem.value, phone: "222" });
    await world.sync(manual);
    const [entry] = await world.store.listConflicts(scope);
    if (!entry) throw new Error("no conflict");
    await world.store.resolveConflict(scope, entry.id, { keep: "crm" });
    world.exchange.userUpdate(exchangeItem.id, { ...exchangeItem.value, phone: "333" });
    await world.sync(manual);
    const [again] = await world.store.listConflicts(scope);
    expect(again?.resolution).toBeUndefined();
    expect(again?.exchange.value).toMatchObject({ phone: "333" });
    expect(world.state().crm[0]?.phone).toBe("222");
  });
});
