/**
 * Read side of the sync records the engine saves: run history for dashboards and the per-item "why did / didn't
 * this sync" trail. Write side is `KyselySyncStateStore.saveRun`.
 */
import type { Kysely, Selectable } from "kysely";
import type { ItemOutcome, SideCounts } from "../sync/state.js";
import type { Database, SyncRunTable } from "./schema.js";

export interface RunSummary {
  runId: string;
  mailboxId: string;
  module: string;
  dryRun: boolean;
  status: string;
  reason: string | null;
  startedAt: string;
  finishedAt: string;
  planned: Record<string, SideCounts>;
  totals: Record<string, number>;
}

export interface ItemTrailEntry extends ItemOutcome {
  runId: string;
  module: string;
  at: string;
}

function toSummary(row: Selectable<SyncRunTable>): RunSummary {
  return {
    runId: row.id,
    mailboxId: row.mailbox_id,
    module: row.module,
    dryRun: row.dry_run === 1,
    status: row.status,
    reason: row.reason,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    planned: JSON.parse(row.planned) as Record<string, SideCounts>,
    totals: JSON.parse(row.totals) as Record<string, number>,
  };
}

export class RunHistory {
  constructor(private readonly db: Kysely<Database>) {}

  async recent(filter: { mailboxId?: string; module?: string; since?: string; limit?: number } = {}) {
    let query = this.db.selectFrom("sync_runs").selectAll();
    if (filter.mailboxId) query = query.where("mailbox_id", "=", filter.mailboxId);
    if (filter.module) query = query.where("module", "=", filter.module);
    if (filter.since) query = query.where("started_at", ">=", filter.since);
    const rows = await query
      .orderBy("started_at", "desc")
      .limit(filter.limit ?? 100)
      .execute();
    return rows.map(toSummary);
  }

  /** The latest non-dry run per module of one mailbox. */
  async latestPerModule(mailboxId: string): Promise<RunSummary[]> {
    const rows = await this.db
      .selectFrom("sync_runs")
      .selectAll()
      .where("mailbox_id", "=", mailboxId)
      .where("dry_run", "=", 0)
      .orderBy("started_at", "desc")
      .execute();
    const latest = new Map<string, RunSummary>();
    for (const row of rows) if (!latest.has(row.module)) latest.set(row.module, toSummary(row));
    return [...latest.values()];
  }

  async byId(runId: string): Promise<RunSummary | undefined> {
    const row = await this.db.selectFrom("sync_runs").selectAll().where("id", "=", runId).executeTakeFirst();
    return row ? toSummary(row) : undefined;
  }

  /** Everything that happened to one item of one mailbox, newest first. */
  async itemTrail(mailboxId: string, item: { exchangeId?: string; crmId?: string }): Promise<ItemTrailEntry[]> {
    const { exchangeId, crmId } = item;
    if (!exchangeId && !crmId) return [];
    const rows = await this.db
      .selectFrom("sync_outcomes")
      .selectAll()
      .where("mailbox_id", "=", mailboxId)
      .where((eb) => (exchangeId ? eb("exchange_id", "=", exchangeId) : eb("crm_id", "=", crmId as string)))
      .orderBy("id", "desc")
      .limit(50)
      .execute();
    return rows.map((row) => ({
      runId: row.run_id,
      module: row.module,
      at: row.at,
      status: row.status as ItemOutcome["status"],
      ...(row.side ? { side: row.side as ItemOutcome["side"] & string } : {}),
      ...(row.exchange_id ? { exchangeId: row.exchange_id } : {}),
      ...(row.crm_id ? { crmId: row.crm_id } : {}),
      ...(row.reason ? { reason: row.reason } : {}),
      ...(row.failure_kind ? { failureKind: row.failure_kind as ItemOutcome["failureKind"] & string } : {}),
    }));
  }
}
