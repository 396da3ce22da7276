/**
 * The bridge's storage, opened once per process: every repository over one Kysely instance, engine-agnostic.
 * `DATABASE_URL` set → PostgreSQL; otherwise the embedded SQLite file under the data directory.
 */
import type { Kysely } from "kysely";
import type { SecretBox } from "../security/secret-box.js";
import { AuditLog } from "./audit-log.js";
import { type Clock, systemClock } from "./clock.js";
import { openDatabase, type StorageTarget } from "./database.js";
import { RunHistory } from "./run-history.js";
import type { Database } from "./schema.js";
import { SecretStore } from "./secret-store.js";
import { SessionStore } from "./session-store.js";
import { SettingsStore } from "./settings-store.js";
import { SubscriptionStore } from "./subscription-store.js";
import { KyselySyncStateStore } from "./sync-state-store.js";
import { UserRepository } from "./user-repository.js";

export interface Storage {
  db: Kysely<Database>;
  target: StorageTarget;
  settings: SettingsStore;
  secrets: SecretStore;
  users: UserRepository;
  syncState: KyselySyncStateStore;
  runs: RunHistory;
  audit: AuditLog;
  sessions: SessionStore;
  subscriptions: SubscriptionStore;
  close(): Promise<void>;
}

export async function openStorage(target: StorageTarget, box: SecretBox, clock: Clock = systemClock): Promise<Storage> {
  const { db, close } = await openDatabase(target);
  return {
    db,
    target,
    settings: new SettingsStore(db, clock),
    secrets: new SecretStore(db, box, clock),
    users: new UserRepository(db, clock),
    syncState: new KyselySyncStateStore(db, clock),
    runs: new RunHistory(db),
    audit: new AuditLog(db, clock),
    sessions: new SessionStore(db, clock),
    subscriptions: new SubscriptionStore(db, clock),
    close,
  };
}

export type { StorageTarget } from "./database.js";
