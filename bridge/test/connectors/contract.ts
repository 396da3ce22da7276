/**
 * The connector contract suite (issue 6 item 4): every `RecordPort` implementation — memory, EWS on each simulated
 * version, Graph, Zoho — runs these same tests from its own test file:
 *
 *   runRecordPortContract("graph contacts", async () => ({ port, sample, same, remote, setThrottled, ... }));
 *
 * The harness does what a user or the service would do out of band (through the simulator's control object), so the
 * suite only ever drives the port itself. Each test gets a fresh harness and closes it.
 */

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConnectorError, type ConnectorFailureKind, type ItemResult } from "../../src/connectors/errors.js";
import type { PushNotice, PushSubscription, RecordPort, RemoteItem } from "../../src/connectors/port.js";

export interface ContractHarness<T> {
  readonly port: RecordPort<T>;
  /** Distinct valid canonical values of the port's module: `sample(1)` and `sample(2)` differ in content. */
  sample(n: number): T;
  /** True when `read` (as read back) carries what `written` said, on the fields this side can hold. */
  same(read: T, written: T): boolean;
  /** What a user does on the service, bypassing the port (simulator control). Returns the new item's id. */
  readonly remote: {
    create(value: T): Promise<string>;
    update(id: string, value: T): Promise<void>;
    remove(id: string): Promise<void>;
  };
  /** While set, the service throttles every request with this retry-after (429 / ErrorServerBusy); undefined: stop. */
  setThrottled(retryAfterMs: number | undefined): Promise<void>;
  /** From now on the credentials are revoked (refresh fails): every call must report `auth-expired`. */
  expireAuth(): Promise<void>;
  /**
   * Opens a push channel wired so that the service's notifications reach `onNotice` (webhook channels: route the
   * simulator's deliveries to `acceptDelivery`). Absent: `port.subscribe({ secret, onNotice })` is used.
   */
  subscribe?(onNotice: (notice: PushNotice) => void): Promise<PushSubscription>;
  close(): Promise<void>;
}

/** Every page of changes from `cursor` until up to date. */
export async function drainChanges<T>(
  port: RecordPort<T>,
  cursor: string | undefined,
): Promise<{ upserts: Map<string, RemoteItem<T>>; deleted: Set<string>; cursor: string }> {
  const upserts = new Map<string, RemoteItem<T>>();
  const deleted = new Set<string>();
  let next = cursor;
  for (let pages = 0; pages < 1_000; pages++) {
    const page = await port.listChanges(next);
    for (const change of page.changes) {
      if (change.kind === "upsert") {
        upserts.set(change.item.id, change.item);
        deleted.delete(change.item.id);
      } else {
        deleted.add(change.id);
        upserts.delete(change.id);
      }
    }
    next = page.cursor;
    if (page.complete) return { upserts, deleted, cursor: page.cursor };
  }
  throw new Error("change feed never completed");
}

/** Every item of a full listing, and the cursor its last page carries. */
export async function listEverything<T>(port: RecordPort<T>): Promise<{ items: RemoteItem<T>[]; cursor?: string }> {
  const items: RemoteItem<T>[] = [];
  let token: string | undefined;
  for (let pages = 0; pages < 1_000; pages++) {
    const page = await port.listAll(token);
    items.push(...page.items);
    token = page.nextPageToken;
    if (token === undefined) return { items, cursor: page.cursor };
  }
  throw new Error("listing never completed");
}

function only<V>(results: readonly ItemResult<V>[]): V {
  expect(results).toHaveLength(1);
  const [result] = results;
  if (!result?.ok) throw new Error(`expected success, got ${JSON.stringify(result)}`);
  return result.value;
}

/** The failure kind a call reported: thrown as a whole, or as the (single) per-item result. */
async function failureKindOf(call: () => Promise<readonly ItemResult<unknown>[] | unknown>): Promise<string> {
  try {
    const results = await call();
    if (Array.isArray(results) && results[0] && !results[0].ok) return results[0].failure.kind;
    return "succeeded";
  } catch (error) {
    if (error instanceof ConnectorError) return error.failure.kind;
    throw error;
  }
}

function expectKind(actual: string, expected: ConnectorFailureKind): void {
  expect(actual).toBe(expected);
}

export function runRecordPortContract<T>(name: string, factory: () => Promise<ContractHarness<T>>): void {
  describe(`RecordPort contract: ${name}`, () => {
    let harness: ContractHarness<T>;
    beforeEach(async () => {
      harness = await factory();
    });
    afterEach(async () => {
      await harness.close();
    });

    it("lists every item in pages and ends with a change cursor", async () => {
      const ids = [await harness.remote.create(harness.sample(1)), await harness.remote.create(harness.sample(2))];
      const { items, cursor } = await listEverything(harness.port);
      expect(items.map((item) => item.id)).toEqual(expect.arrayContaining(ids));
      for (const item of items) expect(item.version).not.toBe("");
      expect(cursor).toBeTypeOf("string");
    });

    it("lists changes from a cursor: creations, edits and deletions, then nothing", async () => {
      const kept = await harness.remote.create(harness.sample(1));
      const doomed = await harness.remote.create(harness.sample(2));
      const { cursor } = await listEverything(harness.port);
      const added = await harness.remote.create(harness.sample(3));
      await harness.remote.update(kept, harness.sample(4));
      await harness.remote.remove(doomed);
      const changes = await drainChanges(harness.port, cursor);
      expect([...changes.upserts.keys()]).toEqual(expect.arrayContaining([added, kept]));
      const edited = changes.upserts.get(kept);
      expect(edited && harness.same(edited.value, harness.sample(4))).toBe(true);
      if (harness.port.capabilities.deltaReportsDeletions) expect(changes.deleted.has(doomed)).toBe(true);
      const again = await drainChanges(harness.port, changes.cursor);
      expect(again.upserts.size + again.deleted.size).toBe(0);
    });

    it("gets many by id, in order, with not-found for a missing one", async () => {
      const first = await harness.remote.create(harness.sample(1));
      const gone = await harness.remote.create(harness.sample(2));
      await harness.remote.remove(gone);
      const results = await harness.port.getMany([gone, first]);
      expect(results).toHaveLength(2);
      expect(results[0]?.ok === false && results[0].failure.kind).toBe("not-found");
      const read = results[1]?.ok ? results[1].value : undefined;
      expect(read?.id).toBe(first);
      expect(read && harness.same(read.value, harness.sample(1))).toBe(true);
    });

    it("creates, returning the new id, version and stored value", async () => {
      const created = only(await harness.port.create([{ value: harness.sample(1) }]));
      expect(created.id).not.toBe("");
      expect(harness.same(created.value, harness.sample(1))).toBe(true);
      const read = only(await harness.port.getMany([created.id]));
      expect(harness.same(read.value, harness.sample(1))).toBe(true);
    });

    it("creates a batch with one result per request, in order", async () => {
      const values = [1, 2, 3].map((n) => harness.sample(n));
      const results = await harness.port.create(values.map((value) => ({ value })));
      expect(results).toHaveLength(3);
      results.forEach((result, index) => {
        const value = values[index];
        expect(result.ok && value !== undefined && harness.same(result.value.value, value)).toBe(true);
      });
    });

    it("updates with the current version and moves the version", async () => {
      const created = only(await harness.port.create([{ value: harness.sample(1) }]));
      const updated = only(
        await harness.port.update([{ id: created.id, expectedVersion: created.version, value: harness.sample(2) }]),
      );
      expect(updated.id).toBe(created.id);
      expect(updated.version).not.toBe(created.version);
      const read = only(await harness.port.getMany([created.id]));
      expect(harness.same(read.value, harness.sample(2))).toBe(true);
    });

    it("refuses an update or delete with a stale version (precondition-failed), changing nothing", async () => {
      if (!harness.port.capabilities.conditionalWrites) return;
      const created = only(await harness.port.create([{ value: harness.sample(1) }]));
      await harness.remote.update(created.id, harness.sample(2));
      const stale = { id: created.id, expectedVersion: created.version };
      expectKind(
        await failureKindOf(() => harness.port.update([{ ...stale, value: harness.sample(3) }])),
        "precondition-failed",
      );
      expectKind(await failureKindOf(() => harness.port.delete([stale])), "precondition-failed");
      const read = only(await harness.port.getMany([created.id]));
      expect(harness.same(read.value, harness.sample(2))).toBe(true);
    });

    it("deletes with the version; the item is gone and a second delete is not-found", async () => {
      const created = only(await harness.port.create([{ value: harness.sample(1) }]));
      only(await harness.port.delete([{ id: created.id, expectedVersion: created.version }]));
      const [read] = await harness.port.getMany([created.id]);
      expect(read?.ok === false && read.failure.kind).toBe("not-found");
      expectKind(
        await failureKindOf(() => harness.port.delete([{ id: created.id, expectedVersion: undefined }])),
        "not-found",
      );
    });

    it("reports not-found when updating an item that is gone", async () => {
      const gone = await harness.remote.create(harness.sample(1));
      await harness.remote.remove(gone);
      expectKind(
        await failureKindOf(() =>
          harness.port.update([{ id: gone, expectedVersion: undefined, value: harness.sample(2) }]),
        ),
        "not-found",
      );
    });

    it("reports throttling as throttled with the service's retry-after", async () => {
      await harness.setThrottled(2_000);
      try {
        await harness.port.listAll(undefined);
        expect.unreachable("a throttled listing must not succeed");
      } catch (error) {
        if (!(error instanceof ConnectorError) || error.failure.kind !== "throttled") throw error;
        expect(error.failure.retryAfterMs).toBeGreaterThan(0);
      } finally {
        await harness.setThrottled(undefined);
      }
      await expect(harness.port.listAll(undefined)).resolves.toBeDefined();
    });

    it("reports revoked credentials as auth-expired, on reads and writes", async () => {
      await harness.expireAuth();
      expectKind(await failureKindOf(() => harness.port.listAll(undefined)), "auth-expired");
      expectKind(await failureKindOf(() => harness.port.create([{ value: harness.sample(1) }])), "auth-expired");
    });

    it("delivers a push notice when an item changes on the service", async () => {
      if (!harness.port.capabilities.push) return;
      const notices: PushNotice[] = [];
      let arrived: () => void = () => {};
      const first = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      const onNotice = (notice: PushNotice) => {
        notices.push(notice);
        arrived();
      };
      const subscribe =
        harness.subscribe ?? ((handler) => harness.port.subscribe?.({ secret: "contract", onNotice: handler }));
      const subscription = await subscribe(onNotice);
      if (!subscription) throw new Error("push capability without subscribe");
      try {
        await harness.remote.create(harness.sample(1));
        await first;
        expect(notices[0]?.module).toBe(harness.port.module);
        expect(Date.parse(subscription.expiresAt)).toBeGreaterThan(Date.now());
      } finally {
        await subscription.close();
      }
    });
  });
}
