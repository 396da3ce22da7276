/**
 * In-memory `SyncStateStore` for tests and dry runs. Keeps the same invariants as the database store: relations unique
 * per side within a scope, cursors apart from relations, values deep-copied in and out (as a database would), so a
 * caller mutating what it read cannot corrupt the state.
 */

import type { Side } from "../connectors/port.js";
import type {
  ConflictEntry,
  ConflictResolution,
  RelationRow,
  SyncRunRecord,
  SyncScope,
  SyncStateStore,
} from "./state.js";

function scopeKey(scope: SyncScope): string {
  return `${scope.mailboxId}\u0000${scope.module}`;
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

export class MemorySyncStateStore implements SyncStateStore {
  private readonly relations = new Map<string, Map<string, RelationRow>>();
  private readonly cursors = new Map<string, string>();
  private readonly conflicts = new Map<string, Map<string, ConflictEntry>>();
  readonly runs: SyncRunRecord[] = [];

  async listRelations(scope: SyncScope): Promise<readonly RelationRow[]> {
    return [...(this.relations.get(scopeKey(scope))?.values() ?? [])].map((row) => structuredClone(row));
  }

  async saveRelation(scope: SyncScope, row: RelationRow): Promise<void> {
    const rows = getOrCreate(this.relations, scopeKey(scope), () => new Map<string, RelationRow>());
    for (const other of rows.values()) {
      if (other.id !== row.id && (other.exchangeId === row.exchangeId || other.crmId === row.crmId)) {
        throw new Error(`relation ${row.id} would duplicate relation ${other.id} (ids must be unique per side)`);
      }
    }
    rows.set(row.id, structuredClone(row));
  }

  async saveRelations(scope: SyncScope, rows: readonly RelationRow[]): Promise<void> {
    const saved = new Map(this.relations.get(scopeKey(scope)));
    try {
      for (const row of rows) await this.saveRelation(scope, row);
    } catch (error) {
      this.relations.set(scopeKey(scope), saved);
      throw error;
    }
  }

  async deleteRelation(scope: SyncScope, relationId: string): Promise<void> {
    this.relations.get(scopeKey(scope))?.delete(relationId);
  }

  async getCursor(scope: SyncScope, side: Side): Promise<string | undefined> {
    return this.cursors.get(`${scopeKey(scope)}\u0000${side}`);
  }

  async saveCursor(scope: SyncScope, side: Side, cursor: string | undefined): Promise<void> {
    const key = `${scopeKey(scope)}\u0000${side}`;
    if (cursor === undefined) this.cursors.delete(key);
    else this.cursors.set(key, cursor);
  }

  async saveConflict(entry: ConflictEntry): Promise<void> {
    getOrCreate(this.conflicts, scopeKey(entry.scope), () => new Map<string, ConflictEntry>()).set(
      entry.id,
      structuredClone(entry),
    );
  }

  async listConflicts(scope: SyncScope): Promise<readonly ConflictEntry[]> {
    return [...(this.conflicts.get(scopeKey(scope))?.values() ?? [])]
      .sort((a, b) => a.detectedAt.localeCompare(b.detectedAt))
      .map((entry) => structuredClone(entry));
  }

  async resolveConflict(scope: SyncScope, conflictId: string, resolution: ConflictResolution): Promise<void> {
    const entries = this.conflicts.get(scopeKey(scope));
    const entry = entries?.get(conflictId);
    if (entries && entry) entries.set(conflictId, { ...entry, resolution: structuredClone(resolution) });
  }

  async deleteConflict(scope: SyncScope, conflictId: string): Promise<void> {
    this.conflicts.get(scopeKey(scope))?.delete(conflictId);
  }

  async saveRun(run: SyncRunRecord): Promise<void> {
    this.runs.push(structuredClone(run));
  }
}
