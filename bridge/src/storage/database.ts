/**
 * Opens the bridge database: an embedded SQLite file by default, PostgreSQL when a URL is given. Callers get a
 * migrated `Kysely<Database>` and never ask which engine they talk to.
 *
 * PostgreSQL: all tables live in one schema (default `bridge`), selected through the connection's search_path, so
 * the bridge can share a database with pg-boss (which uses its own `pgboss` schema) and test runs can use a schema
 * each.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { migrateToLatest } from "./migrations.js";
import type { Database } from "./schema.js";

export type StorageTarget = { kind: "sqlite"; file: string } | { kind: "postgres"; url: string; schema: string };

export interface OpenDatabase {
  db: Kysely<Database>;
  target: StorageTarget;
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openDatabase(target: StorageTarget): Promise<OpenDatabase> {
  if (target.kind === "sqlite") {
    if (target.file !== ":memory:") mkdirSync(dirname(target.file), { recursive: true, mode: 0o700 });
    const sqlite = new SqliteDatabase(target.file);
    // WAL lets readers (the admin API) proceed while a sync writes; busy_timeout waits for a writer instead of failing.
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("busy_timeout = 5000");
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    await migrateToLatest(db as Kysely<unknown>, "sqlite");
    return { db, target, close: () => db.destroy() };
  }
  if (!SCHEMA_NAME.test(target.schema)) throw new Error(`invalid PostgreSQL schema name: ${target.schema}`);
  const pool = new pg.Pool({ connectionString: target.url, max: 10, options: `-c search_path=${target.schema}` });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await createSchemaIfMissing(db, target.schema);
    await migrateToLatest(db as Kysely<unknown>, "postgres", target.schema);
  } catch (error) {
    // The pool's idle connections would keep a process whose start failed from exiting.
    await db.destroy().catch(() => undefined);
    throw error;
  }
  return { db, target, close: () => db.destroy() };
}

/** `create schema if not exists` can still fail when two processes race; the schema existing afterwards is success. */
async function createSchemaIfMissing(db: Kysely<Database>, schema: string): Promise<void> {
  try {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  } catch (error) {
    const found = await sql<{ n: string }>`select nspname as n from pg_namespace where nspname = ${schema}`.execute(db);
    if (found.rows.length === 0) throw error;
  }
}

/** Drops a PostgreSQL schema with everything in it (tests clean up their per-run schema with this). */
export async function dropPostgresSchema(url: string, schema: string): Promise<void> {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid PostgreSQL schema name: ${schema}`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}
