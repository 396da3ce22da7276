/** Append-only record of admin actions (who, what, when). Details must never carry secrets; callers pass ids only. */
import type { Kysely } from "kysely";
import { type Clock, isoNow, systemClock } from "./clock.js";
import type { Database } from "./schema.js";

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  detail: Record<string, unknown>;
}

export class AuditLog {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock = systemClock,
  ) {}

  async record(actor: string, action: string, detail: Record<string, unknown> = {}): Promise<void> {
    await this.db
      .insertInto("audit_log")
      .values({ at: isoNow(this.clock), actor, action, detail: JSON.stringify(detail) })
      .execute();
  }

  async recent(limit = 100): Promise<AuditEntry[]> {
    const rows = await this.db.selectFrom("audit_log").selectAll().orderBy("id", "desc").limit(limit).execute();
    return rows.map((row) => ({ ...row, detail: JSON.parse(row.detail) as Record<string, unknown> }));
  }
}
