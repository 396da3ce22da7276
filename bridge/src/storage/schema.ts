/**
 * Table types for Kysely. Portable by construction: the same migration runs on SQLite and PostgreSQL, so columns use
 * only types both share — text (ids, ISO-8601 UTC timestamps, JSON documents), integer (counters, 0/1 flags).
 */
import type { Generated } from "kysely";

export interface SettingTable {
  key: string;
  /** JSON document. */
  value: string;
  updated_at: string;
}

export interface SecretTable {
  name: string;
  /** `SecretBox.seal` output; never plain text. */
  sealed: string;
  key_id: string;
  updated_at: string;
}

export interface UserTable {
  id: string;
  zoho_user_id: string;
  email: string;
  full_name: string;
  zoho_profile_id: string;
  zoho_profile: string;
  zoho_role: string | null;
  /** 1 while the Zoho user is active; inactive users are never synced. */
  zoho_active: number;
  /** 1 when an admin chose this user for sync. */
  selected: number;
  /** Mailbox address on the Exchange side (defaults to the Zoho e-mail). */
  mailbox: string;
  /** Stable Exchange identity the add-in token is matched against (Entra `tid:oid`, or the EWS identity). */
  exchange_identity: string | null;
  status: string;
  status_reason: string | null;
  throttled_until: string | null;
  /** JSON: per-user module switches, where the admin allows users to choose. */
  module_overrides: string;
  created_at: string;
  updated_at: string;
}

export interface RelationTable {
  mailbox_id: string;
  module: string;
  id: string;
  exchange_id: string;
  exchange_version: string;
  crm_id: string;
  crm_version: string;
  /** JSON: hashes, merge base, schema version and sync time (see `RelationRow`). */
  state: string;
}

export interface CursorTable {
  mailbox_id: string;
  module: string;
  side: string;
  cursor: string;
  updated_at: string;
}

export interface ConflictTable {
  mailbox_id: string;
  module: string;
  id: string;
  /** JSON: the whole `ConflictEntry`, resolution included. */
  entry: string;
  detected_at: string;
}

export interface SyncRunTable {
  id: string;
  mailbox_id: string;
  module: string;
  dry_run: number;
  status: string;
  reason: string | null;
  started_at: string;
  finished_at: string;
  /** JSON: planned counts per side. */
  planned: string;
  /** JSON: outcome counts per status and side. */
  totals: string;
}

export interface SyncOutcomeTable {
  id: Generated<number>;
  run_id: string;
  mailbox_id: string;
  module: string;
  status: string;
  side: string | null;
  exchange_id: string | null;
  crm_id: string | null;
  reason: string | null;
  failure_kind: string | null;
  at: string;
}

export interface AuditTable {
  id: Generated<number>;
  at: string;
  actor: string;
  action: string;
  detail: string;
}

export interface SessionTable {
  id_hash: string;
  subject: string;
  /** JSON: who signed in (Zoho user id, name, profile, admin flag). */
  principal: string;
  csrf_token: string;
  expires_at: string;
}

export interface SubscriptionTable {
  id: string;
  service: string;
  mailbox: string;
  module: string;
  external_id: string;
  /** SHA-256 (hex) of the verification value we gave the service (Graph clientState, Zoho channel token). */
  verifier_hash: string;
  expires_at: string;
  created_at: string;
  /** The URL the service calls back (migration 0003); null for EWS streaming. */
  callback_url: string | null;
}

/** A record a user filed an e-mail on from the add-in (migration 0002). */
export interface EmailAssociationTable {
  user_id: string;
  mailbox: string;
  /** RFC 5322 Message-ID with angle brackets, lower-cased. */
  internet_message_id: string;
  record_module: string;
  record_id: string;
  /** The record's display name when it was filed. */
  record_name: string;
  filed_at: string;
}

export interface Database {
  settings: SettingTable;
  secrets: SecretTable;
  users: UserTable;
  relations: RelationTable;
  cursors: CursorTable;
  conflicts: ConflictTable;
  sync_runs: SyncRunTable;
  sync_outcomes: SyncOutcomeTable;
  audit_log: AuditTable;
  sessions: SessionTable;
  subscriptions: SubscriptionTable;
  email_associations: EmailAssociationTable;
}
