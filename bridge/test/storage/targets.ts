/**
 * Storage targets for tests: a fresh SQLite file, or a fresh PostgreSQL schema (unique per call, so parallel test
 * files and CI runs never share tables). `dispose` removes what was created.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dropPostgresSchema, type StorageTarget } from "../../src/storage/database.js";
import { databaseUrl } from "../support/postgres.js";

export interface DisposableTarget {
  target: StorageTarget;
  dispose(): Promise<void>;
}

export async function sqliteTarget(): Promise<DisposableTarget> {
  const dir = await mkdtemp(join(tmpdir(), "bridge-sqlite-"));
  return {
    target: { kind: "sqlite", file: join(dir, "bridge.db") },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

export async function postgresTarget(): Promise<DisposableTarget> {
  const url = databaseUrl;
  if (!url) throw new Error("DATABASE_URL is not set");
  const schema = `t_${process.pid}_${randomBytes(4).toString("hex")}`;
  return { target: { kind: "postgres", url, schema }, dispose: () => dropPostgresSchema(url, schema) };
}
