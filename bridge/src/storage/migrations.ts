/**
 * The one set of migrations, for SQLite and PostgreSQL alike. Append new migrations; never edit a shipped one.
 * Only portable column types are used (see schema.ts); the auto-increment id is the one dialect difference.
 */
import { type CreateTableBuilder, type Kysely, type Migration, type MigrationProvider, Migrator } from "kysely";
import type { EmailAssociationTable } from "./schema.js";

/** Adds an auto-numbered primary key: `serial` on PostgreSQL, `integer primary key autoincrement` on SQLite. */
function withAutoIncrementId<T extends CreateTableBuilder<string, never>>(table: T, dialect: "sqlite" | "postgres"): T {
  return (
    dialect === "postgres"
      ? table.addColumn("id", "serial", (c) => c.primaryKey())
      : table.addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
  ) as T;
}

function initial(dialect: "sqlite" | "postgres"): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("settings")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("value", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("secrets")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("sealed", "text", (c) => c.notNull())
        .addColumn("key_id", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("users")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("zoho_user_id", "text", (c) => c.notNull().unique())
        .addColumn("email", "text", (c) => c.notNull())
        .addColumn("full_name", "text", (c) => c.notNull())
        .addColumn("zoho_profile_id", "text", (c) => c.notNull())
        .addColumn("zoho_profile", "text", (c) => c.notNull())
        .addColumn("zoho_role", "text")
        .addColumn("zoho_active", "integer", (c) => c.notNull())
        .addColumn("selected", "integer", (c) => c.notNull())
        .addColumn("mailbox", "text", (c) => c.notNull().unique())
        .addColumn("exchange_identity", "text", (c) => c.unique())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("status_reason", "text")
        .addColumn("throttled_until", "text")
        .addColumn("module_overrides", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("relations")
        .addColumn("mailbox_id", "text", (c) => c.notNull())
        .addColumn("module", "text", (c) => c.notNull())
        .addColumn("id", "text", (c) => c.notNull())
        .addColumn("exchange_id", "text", (c) => c.notNull())
        .addColumn("exchange_version", "text", (c) => c.notNull())
        .addColumn("crm_id", "text", (c) => c.notNull())
        .addColumn("crm_version", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("relations_pk", ["mailbox_id", "module", "id"])
        .addUniqueConstraint("relations_exchange_unique", ["mailbox_id", "module", "exchange_id"])
        .addUniqueConstraint("relations_crm_unique", ["mailbox_id", "module", "crm_id"])
        .execute();
      await db.schema
        .createTable("cursors")
        .addColumn("mailbox_id", "text", (c) => c.notNull())
        .addColumn("module", "text", (c) => c.notNull())
        .addColumn("side", "text", (c) => c.notNull())
        .addColumn("cursor", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("cursors_pk", ["mailbox_id", "module", "side"])
        .execute();
      await db.schema
        .createTable("conflicts")
        .addColumn("mailbox_id", "text", (c) => c.notNull())
        .addColumn("module", "text", (c) => c.notNull())
        .addColumn("id", "text", (c) => c.notNull())
        .addColumn("entry", "text", (c) => c.notNull())
        .addColumn("detected_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("conflicts_pk", ["mailbox_id", "module", "id"])
        .execute();
      await db.schema
        .createTable("sync_runs")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("mailbox_id", "text", (c) => c.notNull())
        .addColumn("module", "text", (c) => c.notNull())
        .addColumn("dry_run", "integer", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("reason", "text")
        .addColumn("started_at", "text", (c) => c.notNull())
        .addColumn("finished_at", "text", (c) => c.notNull())
        .addColumn("planned", "text", (c) => c.notNull())
        .addColumn("totals", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("sync_runs_by_mailbox")
        .on("sync_runs")
        .columns(["mailbox_id", "module", "started_at"])
        .execute();
      await withAutoIncrementId(db.schema.createTable("sync_outcomes"), dialect)
        .addColumn("run_id", "text", (c) => c.notNull())
        .addColumn("mailbox_id", "text", (c) => c.notNull())
        .addColumn("module", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("side", "text")
        .addColumn("exchange_id", "text")
        .addColumn("crm_id", "text")
        .addColumn("reason", "text")
        .addColumn("failure_kind", "text")
        .addColumn("at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("sync_outcomes_by_exchange_item")
        .on("sync_outcomes")
        .columns(["mailbox_id", "exchange_id"])
        .execute();
      await db.schema
        .createIndex("sync_outcomes_by_crm_item")
        .on("sync_outcomes")
        .columns(["mailbox_id", "crm_id"])
        .execute();
      await withAutoIncrementId(db.schema.createTable("audit_log"), dialect)
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("actor", "text", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("detail", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("sessions")
        .addColumn("id_hash", "text", (c) => c.primaryKey())
        .addColumn("subject", "text", (c) => c.notNull())
        .addColumn("principal", "text", (c) => c.notNull())
        .addColumn("csrf_token", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("subscriptions")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("service", "text", (c) => c.notNull())
        .addColumn("mailbox", "text", (c) => c.notNull())
        .addColumn("module", "text", (c) => c.notNull())
        .addColumn("external_id", "text", (c) => c.notNull())
        .addColumn("verifier_hash", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of [
        "subscriptions",
        "sessions",
        "audit_log",
        "sync_outcomes",
        "sync_runs",
        "conflicts",
        "cursors",
        "relations",
        "users",
        "secrets",
        "settings",
      ]) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}

/**
 * Which CRM records a user filed one e-mail on from the add-in ("already in CRM", shown on every device): one row per
 * (user, internetMessageId, record). The Message-ID is stored case-folded, as the add-in may report it in any case.
 */
const emailAssociations: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("email_associations")
      .addColumn("user_id", "text", (c) => c.notNull())
      .addColumn("mailbox", "text", (c) => c.notNull())
      .addColumn("internet_message_id", "text", (c) => c.notNull())
      .addColumn("record_module", "text", (c) => c.notNull())
      .addColumn("record_id", "text", (c) => c.notNull())
      .addColumn("record_name", "text", (c) => c.notNull())
      .addColumn("filed_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("email_associations_pk", [
        "user_id",
        "internet_message_id",
        "record_module",
        "record_id",
      ])
      .execute();
    await moveLegacyAssociations(db as unknown as Kysely<LegacyAssociationTables>);
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("email_associations").execute();
  },
};

/** The tables `moveLegacyAssociations` touches, as they are at migration 0002. */
interface LegacyAssociationTables {
  settings: { key: string; value: string; updated_at: string };
  users: { id: string; mailbox: string };
  email_associations: EmailAssociationTable;
}

const LEGACY_FILED_PREFIX = "addin.filed-email.";
const FILED_MODULES = new Set(["Contacts", "Leads", "Accounts", "Deals"]);

/**
 * Before 0002 the add-in kept its filings in the settings table, one document per user and message under
 * `addin.filed-email.{user id}.{base64url(lower-cased Message-ID)}`: they move into the new table (nothing is lost),
 * filed at the document's last update.
 */
async function moveLegacyAssociations(db: Kysely<LegacyAssociationTables>): Promise<void> {
  const documents = await db
    .selectFrom("settings")
    .select(["key", "value", "updated_at"])
    .where("key", "like", `${LEGACY_FILED_PREFIX}%`)
    .execute();
  for (const document of documents) {
    const rest = document.key.slice(LEGACY_FILED_PREFIX.length);
    const userId = rest.slice(0, rest.lastIndexOf("."));
    const internetMessageId = Buffer.from(rest.slice(rest.lastIndexOf(".") + 1), "base64url").toString("utf8");
    const user = await db.selectFrom("users").select("mailbox").where("id", "=", userId).executeTakeFirst();
    const records = JSON.parse(document.value) as Array<{ module?: unknown; id?: unknown; name?: unknown }>;
    for (const record of Array.isArray(records) ? records : []) {
      if (!FILED_MODULES.has(String(record.module)) || typeof record.id !== "string") continue;
      await db
        .insertInto("email_associations")
        .values({
          user_id: userId,
          mailbox: user?.mailbox ?? "",
          internet_message_id: internetMessageId.toLowerCase(),
          record_module: String(record.module),
          record_id: record.id,
          record_name: typeof record.name === "string" ? record.name : "",
          filed_at: document.updated_at,
        })
        .onConflict((oc) => oc.columns(["user_id", "internet_message_id", "record_module", "record_id"]).doNothing())
        .execute();
    }
    await db.deleteFrom("settings").where("key", "=", document.key).execute();
  }
}

/**
 * The URL a push channel calls back (null for EWS streaming): a process whose webhook URL differs (the public URL
 * changed, or another process took the channels over) replaces the channel instead of resuming one that would keep
 * calling the old URL.
 */
const subscriptionCallbackUrl: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("subscriptions").addColumn("callback_url", "text").execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable("subscriptions").dropColumn("callback_url").execute();
  },
};

export function migrationProvider(dialect: "sqlite" | "postgres"): MigrationProvider {
  return {
    getMigrations: async () => ({
      "0001_initial": initial(dialect),
      "0002_email_associations": emailAssociations,
      "0003_subscription_callback_url": subscriptionCallbackUrl,
    }),
  };
}

/** `schema`: the PostgreSQL schema the tables live in (the migration bookkeeping table goes there too). */
export async function migrateToLatest(
  db: Kysely<unknown>,
  dialect: "sqlite" | "postgres",
  schema?: string,
): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider(dialect), migrationTableSchema: schema });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === "Error");
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ""} failed`, { cause: error });
  }
}
