/**
 * Named secrets at rest: sealed with the SecretBox before they touch the database, opened only on read. Names are
 * not secret (e.g. `zoho.refreshToken`, `exchange.password`, `user:<id>.msalCache`).
 */
import type { Kysely } from "kysely";
import type { SecretBox } from "../security/secret-box.js";
import { type Clock, isoNow, systemClock } from "./clock.js";
import type { Database } from "./schema.js";

export class SecretStore {
  constructor(
    private readonly db: Kysely<Database>,
    private box: SecretBox,
    private readonly clock: Clock = systemClock,
  ) {}

  async put(name: string, plaintext: string): Promise<void> {
    const row = {
      name,
      sealed: this.box.seal(plaintext),
      key_id: this.box.activeKeyId,
      updated_at: isoNow(this.clock),
    };
    await this.db
      .insertInto("secrets")
      .values(row)
      .onConflict((oc) =>
        oc.column("name").doUpdateSet({ sealed: row.sealed, key_id: row.key_id, updated_at: row.updated_at }),
      )
      .execute();
  }

  async get(name: string): Promise<string | undefined> {
    const row = await this.db.selectFrom("secrets").select("sealed").where("name", "=", name).executeTakeFirst();
    return row ? this.box.open(row.sealed) : undefined;
  }

  async has(name: string): Promise<boolean> {
    const row = await this.db.selectFrom("secrets").select("name").where("name", "=", name).executeTakeFirst();
    return row !== undefined;
  }

  async delete(name: string): Promise<void> {
    await this.db.deleteFrom("secrets").where("name", "=", name).execute();
  }

  async deleteByPrefix(prefix: string): Promise<void> {
    await this.db.deleteFrom("secrets").where("name", "like", `${prefix}%`).execute();
  }

  /**
   * Re-seals every secret not yet under `next`'s active key, one row at a time (each row is readable at every moment
   * because `next` still opens the previous keys). Returns how many were re-sealed.
   */
  async resealAll(next: SecretBox): Promise<number> {
    this.box = next;
    const rows = await this.db
      .selectFrom("secrets")
      .select(["name", "sealed"])
      .where("key_id", "!=", next.activeKeyId)
      .execute();
    for (const row of rows) {
      await this.db
        .updateTable("secrets")
        .set({ sealed: next.seal(next.open(row.sealed)), key_id: next.activeKeyId, updated_at: isoNow(this.clock) })
        .where("name", "=", row.name)
        .execute();
    }
    return rows.length;
  }
}
