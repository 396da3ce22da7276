/**
 * The persistent sync state the engine reads and writes through `SyncStateStore` (implemented on Kysely by the
 * bridge-service engineer; `MemorySyncStateStore` in `memory-state.ts` for tests).
 *
 * Invariants the store must keep:
 * - Relations (the status table, after vdirsyncer/GenSync): one row per pair per mailbox+module; unique per side
 *   (`exchangeId` and `crmId` are each unique within a scope). `saveRelation` is an upsert by `id`.
 * - A row is written only after the write it records succeeded, with the version and hash the write returned, so
 *   our own writes never come back as changes; a failed write leaves the old row and the next run retries.
 * - Cursors live apart from relations and are saved only after the page they cover is applied.
 * - Every method is atomic on its own; the engine never needs a multi-call transaction.
 */

import type { ConnectorFailureKind } from "../connectors/errors.js";
import type { Side, SyncModuleName } from "../connectors/port.js";

/** The streams state is kept for: the synced modules, plus e-mail association. */
export type StateModule = SyncModuleName | "emails";

/** One mailbox's one module. */
export interface SyncScope {
  /** The bridge's id for the mailbox connection (not necessarily its SMTP address). */
  readonly mailboxId: string;
  readonly module: StateModule;
}

/** One row of the status table: a pair of items known to be the same thing. */
export interface RelationRow {
  /** Stable surrogate key, chosen by the engine when the pair is made. */
  readonly id: string;
  readonly exchangeId: string;
  /** ChangeKey / etag of the Exchange item as last written or read by us. */
  readonly exchangeVersion: string;
  /** Hash of the Exchange side's mapped fields at that version. */
  readonly exchangeHash: string;
  readonly crmId: string;
  /** Zoho `Modified_Time` as last written or read by us. */
  readonly crmVersion: string;
  readonly crmHash: string;
  /** The last-synced canonical value (JSON): the base of the next three-way merge. */
  readonly base: unknown;
  /** `SyncModule.schemaVersion` that `base` was written with. */
  readonly schemaVersion: number;
  /** ISO 8601 time of the last successful sync of this pair. */
  readonly syncedAt: string;
}

/** One side's item as recorded in a conflict. */
export interface ConflictSide {
  readonly id: string;
  readonly version: string;
  readonly value: unknown;
}

/** How an admin decided a parked conflict. */
export type ConflictResolution = { readonly keep: Side } | { readonly keep: "merged"; readonly value: unknown };

/** A conflict parked under the `manual` rule, with both versions, for an admin to decide. */
export interface ConflictEntry {
  /** Stable per pair: re-detecting the same pair's conflict overwrites the entry instead of adding another. */
  readonly id: string;
  readonly scope: SyncScope;
  /** The relation it belongs to; absent for a first-sync match that conflicted before a relation existed. */
  readonly relationId?: string;
  readonly exchange: ConflictSide;
  readonly crm: ConflictSide;
  /** The merge base (JSON) or undefined when the pair has none yet. */
  readonly base?: unknown;
  /** Canonical fields both sides changed to different values. */
  readonly fields: readonly string[];
  readonly detectedAt: string;
  /** Set by the admin; the engine applies it on the next run and then deletes the entry. */
  readonly resolution?: ConflictResolution;
}

/** What happened to one item in a run: the dashboard's "why did / didn't this item sync". */
export interface ItemOutcome {
  readonly status: "created" | "updated" | "deleted" | "unchanged" | "skipped" | "conflict" | "error";
  /** The side that was written (for created/updated/deleted) or that failed. */
  readonly side?: Side;
  readonly exchangeId?: string;
  readonly crmId?: string;
  /** Human-readable reason for skipped/conflict/error, and a short note for writes. */
  readonly reason?: string;
  /** For errors: the connector failure kind, for grouping. */
  readonly failureKind?: ConnectorFailureKind;
}

/** Per side counts of a plan or a run. */
export interface SideCounts {
  readonly creates: number;
  readonly updates: number;
  readonly deletes: number;
  /** Writes that mail meeting invitations or updates to attendees (`WriteOp.notifyAttendees`). */
  readonly invitations: number;
}

/** One finished (or held, or aborted) run. */
export interface SyncRunRecord {
  readonly runId: string;
  readonly scope: SyncScope;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly dryRun: boolean;
  /**
   * completed: everything planned was attempted. held: the circuit breaker stopped it before any write, waiting for an
   * admin. aborted: a global failure (auth, throttling, mailbox gone) stopped it; the rest is retried next run.
   */
  readonly status: "completed" | "held" | "aborted";
  readonly reason?: string;
  readonly planned: Readonly<Record<Side, SideCounts>>;
  readonly outcomes: readonly ItemOutcome[];
}

export interface SyncStateStore {
  /** Every relation of the scope. */
  listRelations(scope: SyncScope): Promise<readonly RelationRow[]>;
  /** Inserts or replaces the row with `row.id`. Rejects a row whose exchangeId or crmId belongs to another row. */
  saveRelation(scope: SyncScope, row: RelationRow): Promise<void>;
  /**
   * `saveRelation` for many rows at once, all or nothing (one transaction): a run commits thousands of pairs, and a
   * commit per row costs a disk sync each. On a refusal nothing is saved and the caller can retry row by row.
   */
  saveRelations(scope: SyncScope, rows: readonly RelationRow[]): Promise<void>;
  /** Removes the row; removing a missing row is a no-op. */
  deleteRelation(scope: SyncScope, relationId: string): Promise<void>;

  /** The saved change cursor of one side, or undefined when none (first sync, or after a reset). */
  getCursor(scope: SyncScope, side: Side): Promise<string | undefined>;
  /** Saves (or with `undefined` clears) one side's cursor. */
  saveCursor(scope: SyncScope, side: Side, cursor: string | undefined): Promise<void>;

  /** Inserts or replaces the conflict with `entry.id`. */
  saveConflict(entry: ConflictEntry): Promise<void>;
  /** Conflicts of the scope, oldest first. */
  listConflicts(scope: SyncScope): Promise<readonly ConflictEntry[]>;
  /** Records an admin's decision; a missing id is a no-op. */
  resolveConflict(scope: SyncScope, conflictId: string, resolution: ConflictResolution): Promise<void>;
  /** Removes a conflict (after it has been applied, or when the pair stopped conflicting). */
  deleteConflict(scope: SyncScope, conflictId: string): Promise<void>;

  /** Appends a run record (with its outcomes). */
  saveRun(run: SyncRunRecord): Promise<void>;
}
