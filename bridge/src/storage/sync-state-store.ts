/**
 * `SyncStateStore` on Kysely: the sync engine's status table (relations), cursors, conflict queue and run records.
 *
 * Invariants (see `bridge/src/sync/state.ts`): relations are unique per side within a scope — enforced by unique
 * constraints, so a duplicate is refused by the database itself, even across worker processes; each method is one
 * statement or one transaction; JSON columns are parsed on the way out so callers never share mutable state with us.
 */
import type { Kysely, Selectable } from "kysely";
import type { Side } from "../connectors/port.js";
import type {
  ConflictEntry,
  ConflictResolution,
  ItemOutcome,
  RelationRow,
  SyncRunRecord,
  SyncScope,
  SyncStateStore,
} from "../sync/state.js";
import { type Clock, isoNow, systemClock } from "./clock.js";
import type { Database, RelationTable } from "./schema.js";

type RelationState = Pick<RelationRow, "exchangeHash" | "crmHash" | "base" | "schemaVersion" | "syncedAt">;

/**
 * The state column (hashes, merge base) is parsed when first read: a run lists every relation of the mailbox but reads
 * the state of the few its listings touched (`bridge/src/sync/plan.ts` `pairUp`).
 */
function toRelation(row: Selectable<RelationTable>): RelationRow {
  let parsed: RelationState | undefined;
  const state = () => {
    parsed ??= JSON.parse(row.state) as RelationState;
    return parsed;
  };
  return {
    id: row.id,
    exchangeId: row.exchange_id,
    exchangeVersion: row.exchange_version,
    crmId: row.crm_id,
    crmVersion: row.crm_version,
    get exchangeHash() {
      return state().exchangeHash;
    },
    get crmHash() {
      return state().crmHash;
    },
    get base() {
      return state().base;
    },
    get schemaVersion() {
      return state().schemaVersion;
    },
    get syncedAt() {
      return state().syncedAt;
    },
  };
}

/** SQLite caps bound parameters per statement; 100 rows × 8 columns stays well below it. */
const RELATIONS_PER_STATEMENT = 100;

/** The key columns of a scope, for `eb.and({...})` filters. */
function inScope(scope: SyncScope) {
  return { mailbox_id: scope.mailboxId, module: scope.module };
}

/** Outcome totals of a run: `<status>` and `<status>.<side>` counts, for dashboards that do not read every outcome. */
export function outcomeTotals(outcomes: readonly ItemOutcome[]): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const outcome of outcomes) {
    totals[outcome.status] = (totals[outcome.status] ?? 0) + 1;
    if (outcome.side) {
      const key = `${outcome.status}.${outcome.side}`;
      totals[key] = (totals[key] ?? 0) + 1;
    }
  }
  return totals;
}

export class KyselySyncStateStore implements SyncStateStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock = systemClock,
  ) {}

  async listRelations(scope: SyncScope): Promise<readonly RelationRow[]> {
    const rows = await this.db
      .selectFrom("relations")
      .selectAll()
      .where((eb) => eb.and(inScope(scope)))
      .execute();
    return rows.map(toRelation);
  }

  async saveRelation(scope: SyncScope, row: RelationRow): Promise<void> {
    await this.saveRelations(scope, [row]);
  }

  async saveRelations(scope: SyncScope, rows: readonly RelationRow[]): Promise<void> {
    const values = rows.map((row) => {
      const state: RelationState = {
        exchangeHash: row.exchangeHash,
        crmHash: row.crmHash,
        base: row.base,
        schemaVersion: row.schemaVersion,
        syncedAt: row.syncedAt,
      };
      return {
        ...inScope(scope),
        id: row.id,
        exchange_id: row.exchangeId,
        exchange_version: row.exchangeVersion,
        crm_id: row.crmId,
        crm_version: row.crmVersion,
        state: JSON.stringify(state),
      };
    });
    const upsert = (db: Kysely<Database>, chunk: typeof values) =>
      db
        .insertInto("relations")
        .values(chunk)
        .onConflict((oc) =>
          oc.columns(["mailbox_id", "module", "id"]).doUpdateSet((eb) => ({
            exchange_id: eb.ref("excluded.exchange_id"),
            exchange_version: eb.ref("excluded.exchange_version"),
            crm_id: eb.ref("excluded.crm_id"),
            crm_version: eb.ref("excluded.crm_version"),
            state: eb.ref("excluded.state"),
          })),
        )
        .execute();
    if (values.length <= RELATIONS_PER_STATEMENT) {
      if (values.length > 0) await upsert(this.db, values);
      return;
    }
    await this.db.transaction().execute(async (trx) => {
      for (let start = 0; start < values.length; start += RELATIONS_PER_STATEMENT)
        await upsert(trx, values.slice(start, start + RELATIONS_PER_STATEMENT));
    });
  }

  async deleteRelation(scope: SyncScope, relationId: string): Promise<void> {
    await this.db
      .deleteFrom("relations")
      .where((eb) => eb.and({ ...inScope(scope), id: relationId }))
      .execute();
  }

  async getCursor(scope: SyncScope, side: Side): Promise<string | undefined> {
    const row = await this.db
      .selectFrom("cursors")
      .select("cursor")
      .where((eb) => eb.and({ ...inScope(scope), side }))
      .executeTakeFirst();
    return row?.cursor;
  }

  async saveCursor(scope: SyncScope, side: Side, cursor: string | undefined): Promise<void> {
    const key = { ...inScope(scope), side };
    if (cursor === undefined) {
      await this.db
        .deleteFrom("cursors")
        .where((eb) => eb.and({ ...inScope(scope), side }))
        .execute();
      return;
    }
    const updatedAt = isoNow(this.clock);
    await this.db
      .insertInto("cursors")
      .values({ ...key, cursor, updated_at: updatedAt })
      .onConflict((oc) => oc.columns(["mailbox_id", "module", "side"]).doUpdateSet({ cursor, updated_at: updatedAt }))
      .execute();
  }

  /**
   * Admin "reset": forgets relations, cursors and parked conflicts of some modules of a mailbox. The next run lists
   * both sides in full and its first-sync matching re-pairs what exists on both, so nothing is duplicated.
   */
  async forget(mailboxId: string, modules: readonly string[]): Promise<void> {
    if (modules.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const table of ["relations", "cursors", "conflicts"] as const) {
        await trx.deleteFrom(table).where("mailbox_id", "=", mailboxId).where("module", "in", modules).execute();
      }
    });
  }

  async saveConflict(entry: ConflictEntry): Promise<void> {
    const columns = { entry: JSON.stringify(entry), detected_at: entry.detectedAt };
    await this.db
      .insertInto("conflicts")
      .values({ mailbox_id: entry.scope.mailboxId, module: entry.scope.module, id: entry.id, ...columns })
      .onConflict((oc) => oc.columns(["mailbox_id", "module", "id"]).doUpdateSet(columns))
      .execute();
  }

  async listConflicts(scope: SyncScope): Promise<readonly ConflictEntry[]> {
    const rows = await this.db
      .selectFrom("conflicts")
      .select("entry")
      .where((eb) => eb.and(inScope(scope)))
      .orderBy("detected_at")
      .execute();
    return rows.map((row) => JSON.parse(row.entry) as ConflictEntry);
  }

  /** Every parked conflict of every mailbox, oldest first (the admin's queue). */
  async listAllConflicts(): Promise<readonly ConflictEntry[]> {
    const rows = await this.db.selectFrom("conflicts").select("entry").orderBy("detected_at").execute();
    return rows.map((row) => JSON.parse(row.entry) as ConflictEntry);
  }

  async resolveConflict(scope: SyncScope, conflictId: string, resolution: ConflictResolution): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom("conflicts")
        .select("entry")
        .where((eb) => eb.and({ ...inScope(scope), id: conflictId }))
        .executeTakeFirst();
      if (!row) return;
      const entry: ConflictEntry = { ...(JSON.parse(row.entry) as ConflictEntry), resolution };
      await trx
        .updateTable("conflicts")
        .set({ entry: JSON.stringify(entry) })
        .where((eb) => eb.and({ ...inScope(scope), id: conflictId }))
        .execute();
    });
  }

  async deleteConflict(scope: SyncScope, conflictId: string): Promise<void> {
    await this.db
      .deleteFrom("conflicts")
      .where((eb) => eb.and({ ...inScope(scope), id: conflictId }))
      .execute();
  }

  async saveRun(run: SyncRunRecord): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("sync_runs")
        .values({
          id: run.runId,
          mailbox_id: run.scope.mailboxId,
          module: run.scope.module,
          dry_run: run.dryRun ? 1 : 0,
          status: run.status,
          reason: run.reason ?? null,
          started_at: run.startedAt,
          finished_at: run.finishedAt,
          planned: JSON.stringify(run.planned),
          totals: JSON.stringify(outcomeTotals(run.outcomes)),
        })
        .execute();
      // SQLite caps bound parameters per statement; 100 rows × 11 columns stays well below it.
      for (let start = 0; start < run.outcomes.length; start += 100) {
        await trx
          .insertInto("sync_outcomes")
          .values(
            run.outcomes.slice(start, start + 100).map((outcome) => ({
              run_id: run.runId,
              mailbox_id: run.scope.mailboxId,
              module: run.scope.module,
              status: outcome.status,
              side: outcome.side ?? null,
              exchange_id: outcome.exchangeId ?? null,
              crm_id: outcome.crmId ?? null,
              reason: outcome.reason ?? null,
              failure_kind: outcome.failureKind ?? null,
              at: run.finishedAt,
            })),
          )
          .execute();
      }
    });
  }
}
