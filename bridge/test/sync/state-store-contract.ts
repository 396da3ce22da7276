/**
 * The `SyncStateStore` contract: the semantics the engine relies on, run against every implementation (the in-memory
 * store in memory-state.test.ts; the Kysely store on SQLite and PostgreSQL in kysely-state.test.ts):
 *
 *   runSyncStateStoreContract("kysely sqlite", async () => ({ store, close }));
 */

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ConflictEntry, RelationRow, SyncRunRecord, SyncScope, SyncStateStore } from "../../src/sync/state.js";

export interface StateStoreHarness {
  readonly store: SyncStateStore;
  close(): Promise<void>;
}

const scope: SyncScope = { mailboxId: "mailbox-a", module: "contacts" };
const otherScope: SyncScope = { mailboxId: "mailbox-b", module: "contacts" };

const row = (n: number, changes: Partial<RelationRow> = {}): RelationRow => ({
  id: `rel-${n}`,
  exchangeId: `ex-${n}`,
  exchangeVersion: `ev-${n}`,
  exchangeHash: `eh-${n}`,
  crmId: `crm-${n}`,
  crmVersion: `2026-01-0${n}T00:00:00+00:00`,
  crmHash: `ch-${n}`,
  base: { name: `Ünïcode ${n}`, nested: { list: [1, 2] } },
  schemaVersion: 1,
  syncedAt: "2026-01-01T00:00:00.000Z",
  ...changes,
});

const conflict = (id: string, detectedAt: string): ConflictEntry => ({
  id,
  scope,
  relationId: "rel-1",
  exchange: { id: "ex-1", version: "ev-2", value: { name: "A" } },
  crm: { id: "crm-1", version: "cv-2", value: { name: "B" } },
  base: { name: "base" },
  fields: ["name"],
  detectedAt,
});

export function runSyncStateStoreContract(name: string, factory: () => Promise<StateStoreHarness>): void {
  describe(`SyncStateStore contract: ${name}`, () => {
    let harness: StateStoreHarness;
    beforeEach(async () => {
      harness = await factory();
    });
    afterEach(async () => {
      await harness.close();
    });

    it("saves, replaces and deletes relations per scope, returning exactly what was saved", async () => {
      const { store } = harness;
      await store.saveRelation(scope, row(1));
      await store.saveRelation(scope, row(2));
      await store.saveRelation(otherScope, row(3));
      await store.saveRelation(scope, row(1, { exchangeVersion: "ev-1b", base: { name: "changed" } }));
      const rows = [...(await store.listRelations(scope))].sort((a, b) => a.id.localeCompare(b.id));
      expect(rows).toEqual([row(1, { exchangeVersion: "ev-1b", base: { name: "changed" } }), row(2)]);
      await store.deleteRelation(scope, "rel-1");
      await store.deleteRelation(scope, "rel-missing");
      expect(await store.listRelations(scope)).toEqual([row(2)]);
      expect(await store.listRelations(otherScope)).toEqual([row(3)]);
    });

    it("refuses a relation that would pair an id already paired on either side", async () => {
      const { store } = harness;
      await store.saveRelation(scope, row(1));
      await expect(store.saveRelation(scope, row(2, { exchangeId: "ex-1" }))).rejects.toThrow();
      await expect(store.saveRelation(scope, row(2, { crmId: "crm-1" }))).rejects.toThrow();
      // The same ids in another mailbox are a different pair.
      await store.saveRelation(otherScope, row(1));
      expect(await store.listRelations(scope)).toEqual([row(1)]);
    });

    it("saves many relations at once, replacing by id, and refuses the whole batch if one row duplicates a pair", async () => {
      const { store } = harness;
      await store.saveRelation(scope, row(1));
      const many = Array.from({ length: 250 }, (_, i) => row(i + 2));
      await store.saveRelations(scope, [row(1, { crmVersion: "cv-1b" }), ...many]);
      const rows = await store.listRelations(scope);
      expect(rows).toHaveLength(251);
      expect(rows.find((saved) => saved.id === "rel-1")?.crmVersion).toBe("cv-1b");
      await store.saveRelations(scope, []);
      // rel-900 would pair ex-1 a second time: nothing of the batch is saved, not even the valid row before it.
      await expect(
        store.saveRelations(scope, [row(800), row(900, { exchangeId: "ex-1" }), row(901)]),
      ).rejects.toThrow();
      const after = await store.listRelations(scope);
      expect(after).toHaveLength(251);
      expect(after.some((saved) => saved.id === "rel-800" || saved.id === "rel-901")).toBe(false);
    });

    it("does not share mutable state with callers", async () => {
      const { store } = harness;
      const saved = row(1);
      await store.saveRelation(scope, saved);
      (saved.base as { name: string }).name = "mutated after saving";
      const [read] = await store.listRelations(scope);
      expect(read?.base).toEqual(row(1).base);
    });

    it("keeps cursors per scope and side, apart from relations; undefined clears", async () => {
      const { store } = harness;
      expect(await store.getCursor(scope, "exchange")).toBeUndefined();
      await store.saveCursor(scope, "exchange", "delta-1");
      await store.saveCursor(scope, "crm", "2026-01-01T00:00:00+00:00");
      await store.saveCursor(scope, "exchange", "delta-2");
      expect(await store.getCursor(scope, "exchange")).toBe("delta-2");
      expect(await store.getCursor(scope, "crm")).toBe("2026-01-01T00:00:00+00:00");
      expect(await store.getCursor(otherScope, "exchange")).toBeUndefined();
      await store.saveCursor(scope, "exchange", undefined);
      expect(await store.getCursor(scope, "exchange")).toBeUndefined();
      expect(await store.listRelations(scope)).toEqual([]);
    });

    it("parks conflicts oldest first, records a resolution, replaces by id and deletes", async () => {
      const { store } = harness;
      await store.saveConflict(conflict("relation:rel-2", "2026-01-02T00:00:00.000Z"));
      await store.saveConflict(conflict("relation:rel-1", "2026-01-01T00:00:00.000Z"));
      expect((await store.listConflicts(scope)).map((entry) => entry.id)).toEqual(["relation:rel-1", "relation:rel-2"]);
      await store.resolveConflict(scope, "relation:rel-1", { keep: "crm" });
      await store.resolveConflict(scope, "relation:missing", { keep: "crm" });
      const [resolved] = await store.listConflicts(scope);
      expect(resolved).toEqual({
        ...conflict("relation:rel-1", "2026-01-01T00:00:00.000Z"),
        resolution: { keep: "crm" },
      });
      await store.saveConflict(conflict("relation:rel-1", "2026-01-01T00:00:00.000Z"));
      expect((await store.listConflicts(scope))[0]?.resolution).toBeUndefined();
      await store.resolveConflict(scope, "relation:rel-2", { keep: "merged", value: { name: "both" } });
      expect((await store.listConflicts(scope))[1]?.resolution).toEqual({ keep: "merged", value: { name: "both" } });
      await store.deleteConflict(scope, "relation:rel-1");
      expect((await store.listConflicts(scope)).map((entry) => entry.id)).toEqual(["relation:rel-2"]);
      expect(await store.listConflicts(otherScope)).toEqual([]);
    });

    it("accepts run records with their outcomes", async () => {
      const run: SyncRunRecord = {
        runId: "run-1",
        scope,
        startedAt: "2026-01-01T00:00:00.000Z",
        finishedAt: "2026-01-01T00:00:01.000Z",
        dryRun: false,
        status: "completed",
        planned: {
          exchange: { creates: 1, updates: 0, deletes: 0, invitations: 0 },
          crm: { creates: 0, updates: 0, deletes: 0, invitations: 0 },
        },
        outcomes: [{ status: "created", side: "exchange", exchangeId: "ex-1", crmId: "crm-1", reason: "new in crm" }],
      };
      await expect(harness.store.saveRun(run)).resolves.toBeUndefined();
    });
  });
}
