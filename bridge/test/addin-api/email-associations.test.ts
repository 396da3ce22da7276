/**
 * The "already in CRM" store on SQLite and PostgreSQL: records per user and Message-ID (any case), in filing order,
 * a repeat keeping the first row, and one user's filings invisible to another; filings kept in the settings table
 * before are moved by the migration.
 */
import SqliteDatabase from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/storage/database.js";
import { EmailAssociationStore } from "../../src/storage/email-association-store.js";
import { migrateToLatest, migrationProvider } from "../../src/storage/migrations.js";
import type { Database } from "../../src/storage/schema.js";
import { type DisposableTarget, postgresTarget, sqliteTarget } from "../storage/targets.js";
import { describeWithPostgres } from "../support/postgres.js";

function associationSuite(makeTarget: () => Promise<DisposableTarget>) {
  let disposable: DisposableTarget;
  let close: () => Promise<void>;
  let store: EmailAssociationStore;
  let now = Date.parse("2026-05-04T08:00:00Z");

  beforeAll(async () => {
    disposable = await makeTarget();
    const database = await openDatabase(disposable.target);
    close = database.close;
    // A clock that moves a second per filing, so filing order is visible in `filed_at`.
    store = new EmailAssociationStore(database.db, () => {
      now += 1000;
      return new Date(now);
    });
  });

  afterAll(async () => {
    await close?.();
    await disposable?.dispose();
  });

  it("keeps the records a user filed a message on, whatever the Message-ID's case", async () => {
    const id = "<CAF=Quote.42@Customer.example>";
    await store.remember("user-a", "a@contoso.com", id, { module: "Contacts", id: "c1", name: "Mia Mail" });
    await store.remember("user-a", "a@contoso.com", id.toLowerCase(), { module: "Deals", id: "d1", name: "Renewal" });
    // Filed again (a retry, another device): the first row stays.
    await store.remember("user-a", "a@contoso.com", id, { module: "Contacts", id: "c1", name: "Renamed" });

    expect(await store.recordsFor("user-a", id.toUpperCase())).toEqual([
      { module: "Contacts", id: "c1", name: "Mia Mail" },
      { module: "Deals", id: "d1", name: "Renewal" },
    ]);
    expect(await store.recordsFor("user-b", id)).toEqual([]);
    expect(await store.recordsFor("user-a", "<other@customer.example>")).toEqual([]);
  });
}

describe("e-mail associations on SQLite", () => {
  associationSuite(sqliteTarget);

  it("migration 0002 moves the filings the add-in kept in the settings table before, and removes them there", async () => {
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SqliteDatabase(":memory:") }) });
    try {
      const migrator = new Migrator({ db, provider: migrationProvider("sqlite") });
      expect((await migrator.migrateTo("0001_initial")).error).toBeUndefined();
      const at = "2026-04-01T10:00:00.000Z";
      await db
        .insertInto("users")
        .values({
          id: "user-a",
          zoho_user_id: "z1",
          email: "alice@contoso.com",
          full_name: "Alice",
          zoho_profile_id: "p1",
          zoho_profile: "Standard",
          zoho_role: null,
          zoho_active: 1,
          selected: 1,
          mailbox: "alice@contoso.com",
          exchange_identity: null,
          status: "idle",
          status_reason: null,
          throttled_until: null,
          module_overrides: "{}",
          created_at: at,
          updated_at: at,
        })
        .execute();
      const messageId = "<Quote.42@Customer.example>";
      const key = `addin.filed-email.user-a.${Buffer.from(messageId.toLowerCase()).toString("base64url")}`;
      const filed = [
        { module: "Contacts", id: "c1", name: "Mia Mail" },
        { module: "Deals", id: "d1", name: "Renewal" },
      ];
      await db
        .insertInto("settings")
        .values([
          { key, value: JSON.stringify(filed), updated_at: at },
          { key: "sync-settings", value: "{}", updated_at: at },
        ])
        .execute();

      await migrateToLatest(db as Kysely<unknown>, "sqlite");
      expect(await new EmailAssociationStore(db).recordsFor("user-a", messageId)).toEqual(filed);
      const rows = await db.selectFrom("email_associations").select(["mailbox", "filed_at"]).execute();
      expect(rows).toEqual([
        { mailbox: "alice@contoso.com", filed_at: at },
        { mailbox: "alice@contoso.com", filed_at: at },
      ]);
      expect((await db.selectFrom("settings").select("key").execute()).map((row) => row.key)).toEqual([
        "sync-settings",
      ]);
    } finally {
      await db.destroy();
    }
  });
});

describeWithPostgres("e-mail associations on PostgreSQL", () => {
  associationSuite(postgresTarget);
});
