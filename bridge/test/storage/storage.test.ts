/**
 * One repository suite, run on the embedded SQLite file and on PostgreSQL (when DATABASE_URL is set).
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretBox } from "../../src/security/secret-box.js";
import { openStorage, type Storage } from "../../src/storage/index.js";
import type { ConflictEntry, RelationRow, SyncRunRecord, SyncScope } from "../../src/sync/state.js";
import { describeWithPostgres } from "../support/postgres.js";
import { type DisposableTarget, postgresTarget, sqliteTarget } from "./targets.js";

const oldKey = randomBytes(32);
const box = new SecretBox(oldKey);

function relation(id: string, exchangeId: string, crmId: string): RelationRow {
  return {
    id,
    exchangeId,
    exchangeVersion: "ck-1",
    exchangeHash: "h-ex",
    crmId,
    crmVersion: "2026-05-01T10:00:00+00:00",
    crmHash: "h-crm",
    base: { givenName: "Ann", emails: ["ann@example.com"] },
    schemaVersion: 1,
    syncedAt: "2026-05-01T10:00:00.000Z",
  };
}

function repositorySuite(open: () => Promise<DisposableTarget>) {
  let storage: Storage;
  let disposable: DisposableTarget;
  const scope: SyncScope = { mailboxId: "user-1", module: "contacts" };

  beforeAll(async () => {
    disposable = await open();
    storage = await openStorage(disposable.target, box);
  });
  afterAll(async () => {
    await storage?.close();
    await disposable?.dispose();
  });

  it("migrates idempotently (a second open of the same database is a no-op)", async () => {
    const again = await openStorage(disposable.target, box);
    await again.close();
  });

  it("upserts relations by id and refuses a second row for the same item on either side", async () => {
    await storage.syncState.saveRelation(scope, relation("r1", "ex-1", "crm-1"));
    await storage.syncState.saveRelation(scope, { ...relation("r1", "ex-1", "crm-1"), crmVersion: "v2" });
    const rows = await storage.syncState.listRelations(scope);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toEqual({ ...relation("r1", "ex-1", "crm-1"), crmVersion: "v2" });
    await expect(storage.syncState.saveRelation(scope, relation("r2", "ex-1", "crm-2"))).rejects.toThrow();
    await expect(storage.syncState.saveRelation(scope, relation("r3", "ex-3", "crm-1"))).rejects.toThrow();
    // The same ids in another mailbox are another pair.
    await storage.syncState.saveRelation({ ...scope, mailboxId: "user-2" }, relation("r1", "ex-1", "crm-1"));
    await storage.syncState.deleteRelation(scope, "r1");
    await storage.syncState.deleteRelation(scope, "missing");
    expect(await storage.syncState.listRelations(scope)).toEqual([]);
    expect(await storage.syncState.listRelations({ ...scope, mailboxId: "user-2" })).toHaveLength(1);
  });

  it("keeps one cursor per side, clearable", async () => {
    expect(await storage.syncState.getCursor(scope, "exchange")).toBeUndefined();
    await storage.syncState.saveCursor(scope, "exchange", "delta-1");
    await storage.syncState.saveCursor(scope, "exchange", "delta-2");
    await storage.syncState.saveCursor(scope, "crm", "2026-05-01T00:00:00Z");
    expect(await storage.syncState.getCursor(scope, "exchange")).toBe("delta-2");
    await storage.syncState.saveCursor(scope, "exchange", undefined);
    expect(await storage.syncState.getCursor(scope, "exchange")).toBeUndefined();
    expect(await storage.syncState.getCursor(scope, "crm")).toBe("2026-05-01T00:00:00Z");
  });

  it("parks conflicts, records a resolution and deletes them", async () => {
    const entry = (id: string, detectedAt: string): ConflictEntry => ({
      id,
      scope,
      relationId: "r9",
      exchange: { id: "ex-9", version: "ck", value: { givenName: "Anne" } },
      crm: { id: "crm-9", version: "t", value: { givenName: "Ann" } },
      fields: ["givenName"],
      detectedAt,
    });
    await storage.syncState.saveConflict(entry("c2", "2026-05-02T00:00:00.000Z"));
    await storage.syncState.saveConflict(entry("c1", "2026-05-01T00:00:00.000Z"));
    await storage.syncState.saveConflict(entry("c1", "2026-05-01T00:00:00.000Z"));
    expect((await storage.syncState.listConflicts(scope)).map((c) => c.id)).toEqual(["c1", "c2"]);
    await storage.syncState.resolveConflict(scope, "c1", { keep: "crm" });
    await storage.syncState.resolveConflict(scope, "nope", { keep: "crm" });
    const [first] = await storage.syncState.listConflicts(scope);
    expect(first?.resolution).toEqual({ keep: "crm" });
    await storage.syncState.deleteConflict(scope, "c1");
    expect((await storage.syncState.listAllConflicts()).map((c) => c.id)).toEqual(["c2"]);
  });

  it("saves runs with per-item outcomes and answers 'why did this item sync'", async () => {
    const run: SyncRunRecord = {
      runId: "run-1",
      scope,
      startedAt: "2026-05-01T10:00:00.000Z",
      finishedAt: "2026-05-01T10:00:05.000Z",
      dryRun: false,
      status: "completed",
      planned: {
        exchange: { creates: 1, updates: 0, deletes: 0, invitations: 0 },
        crm: { creates: 0, updates: 150, deletes: 0, invitations: 0 },
      },
      outcomes: [
        { status: "created", side: "exchange", exchangeId: "ex-5", crmId: "crm-5" },
        ...Array.from({ length: 150 }, (_, i) => ({
          status: "updated" as const,
          side: "crm" as const,
          exchangeId: `ex-u${i}`,
          crmId: `crm-u${i}`,
        })),
        {
          status: "error",
          side: "crm",
          exchangeId: "ex-6",
          reason: "Last_Name is required",
          failureKind: "invalid-record",
        },
      ],
    };
    await storage.syncState.saveRun(run);
    const [summary] = await storage.runs.recent({ mailboxId: "user-1" });
    expect(summary).toMatchObject({ runId: "run-1", status: "completed", dryRun: false });
    expect(summary?.totals).toMatchObject({ created: 1, "created.exchange": 1, updated: 150, error: 1 });
    expect(await storage.runs.latestPerModule("user-1")).toHaveLength(1);
    const trail = await storage.runs.itemTrail("user-1", { exchangeId: "ex-6" });
    expect(trail).toEqual([
      {
        runId: "run-1",
        module: "contacts",
        at: run.finishedAt,
        status: "error",
        side: "crm",
        exchangeId: "ex-6",
        reason: "Last_Name is required",
        failureKind: "invalid-record",
      },
    ]);
    expect(await storage.runs.itemTrail("user-1", { crmId: "crm-5" })).toHaveLength(1);
  });

  it("syncs the user list from Zoho: new users unselected, vanished users inactive, only active+selected syncable", async () => {
    await storage.users.syncFromZoho([
      {
        zohoUserId: "z1",
        email: "Ann@Example.com",
        fullName: "Ann",
        profileId: "p-admin",
        profile: "Administrator",
        active: true,
      },
      {
        zohoUserId: "z2",
        email: "bob@example.com",
        fullName: "Bob",
        profileId: "p-std",
        profile: "Standard",
        active: true,
      },
      {
        zohoUserId: "z3",
        email: "cy@example.com",
        fullName: "Cy",
        profileId: "p-std",
        profile: "Standard",
        active: false,
      },
    ]);
    const users = await storage.users.list();
    expect(users.map((u) => [u.email, u.selected, u.status])).toEqual([
      ["ann@example.com", false, "pending"],
      ["bob@example.com", false, "pending"],
      ["cy@example.com", false, "pending"],
    ]);
    await storage.users.setSelected(
      users.map((u) => u.id),
      true,
    );
    expect((await storage.users.listSyncable()).map((u) => u.zohoUserId)).toEqual(["z1", "z2"]);
    await storage.users.syncFromZoho([
      {
        zohoUserId: "z1",
        email: "ann@example.com",
        fullName: "Ann Lee",
        profileId: "p-admin",
        profile: "Administrator",
        active: true,
      },
    ]);
    expect((await storage.users.listSyncable()).map((u) => u.fullName)).toEqual(["Ann Lee"]);
    const ann = await storage.users.byMailbox("ANN@example.com");
    expect(ann?.zohoUserId).toBe("z1");
    await storage.users.setStatus(ann?.id ?? "", "throttled", { throttledUntil: "2026-05-01T11:00:00.000Z" });
    expect(await storage.users.linkExchangeIdentity(ann?.id ?? "", "tid:oid")).toBe(true);
    expect(await storage.users.byExchangeIdentity("tid:oid")).toMatchObject({
      status: "throttled",
      throttledUntil: "2026-05-01T11:00:00.000Z",
    });
    // Linked once: the same identity again is fine, another one is refused and the first link stays.
    expect(await storage.users.linkExchangeIdentity(ann?.id ?? "", "tid:oid")).toBe(true);
    expect(await storage.users.linkExchangeIdentity(ann?.id ?? "", "tid:other")).toBe(false);
    expect(await storage.users.byExchangeIdentity("tid:oid")).toMatchObject({ fullName: "Ann Lee" });
  });

  it("stores secrets sealed: the plain text is never in the table, and reads back", async () => {
    await storage.secrets.put("zoho.refreshToken", "1000.refresh-token-plain-text");
    await storage.secrets.put("zoho.refreshToken", "1000.refresh-token-plain-text-2");
    expect(await storage.secrets.get("zoho.refreshToken")).toBe("1000.refresh-token-plain-text-2");
    const rows = await storage.db.selectFrom("secrets").selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain("refresh-token-plain-text");
    expect(await storage.secrets.get("missing")).toBeUndefined();
  });

  it("re-seals every secret under a new key; afterwards the old key is no longer needed", async () => {
    const newKey = randomBytes(32);
    await storage.secrets.put("exchange.password", "P@ssw0rd-plain");
    expect(await storage.secrets.resealAll(new SecretBox(newKey, [oldKey]))).toBeGreaterThanOrEqual(2);
    const keyIds = await storage.db.selectFrom("secrets").select("key_id").distinct().execute();
    const onlyNew = new SecretBox(newKey);
    expect(keyIds).toEqual([{ key_id: onlyNew.activeKeyId }]);
    const sealed = await storage.db
      .selectFrom("secrets")
      .select("sealed")
      .where("name", "=", "exchange.password")
      .executeTakeFirstOrThrow();
    expect(onlyNew.open(sealed.sealed)).toBe("P@ssw0rd-plain");
  });

  it("keeps settings, sessions and the audit log", async () => {
    await storage.settings.put("access", { audience: "admins", profileIds: [] });
    const { z } = await import("zod");
    expect(await storage.settings.get("access", z.object({ audience: z.string() }))).toEqual({ audience: "admins" });
    const session = await storage.sessions.create(
      {
        zohoUserId: "z1",
        name: "Ann",
        email: "ann@example.com",
        profileId: "p1",
        profileName: "Administrator",
        isAdmin: true,
      },
      60_000,
    );
    expect((await storage.sessions.find(session.id))?.principal.isAdmin).toBe(true);
    expect(await storage.sessions.find("forged")).toBeUndefined();
    await storage.sessions.destroy(session.id);
    expect(await storage.sessions.find(session.id)).toBeUndefined();
    await storage.audit.record("z1", "settings.save", { revision: 1 });
    expect((await storage.audit.recent())[0]).toMatchObject({
      actor: "z1",
      action: "settings.save",
      detail: { revision: 1 },
    });
  });
}

describe("storage on SQLite", () => {
  repositorySuite(sqliteTarget);

  it("writes a real file", async () => {
    const disposable = await sqliteTarget();
    const storage = await openStorage(disposable.target, box);
    await storage.close();
    const header = await readFile(disposable.target.kind === "sqlite" ? disposable.target.file : "");
    expect(header.subarray(0, 15).toString()).toBe("SQLite format 3");
    await disposable.dispose();
  });
});

describeWithPostgres("storage on PostgreSQL", () => {
  repositorySuite(postgresTarget);
});
