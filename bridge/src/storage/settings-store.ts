/**
 * Org-wide documents (connection settings without their secrets, sync settings, access policy): one JSON value per
 * key, parsed with the caller's zod schema on read so a stored document of an older shape fails loudly.
 */
import type { Kysely } from "kysely";
import type { z } from "zod";
import { type Clock, isoNow, systemClock } from "./clock.js";
import type { Database } from "./schema.js";

export class SettingsStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock = systemClock,
  ) {}

  async get<Schema extends z.ZodType>(key: string, schema: Schema): Promise<z.output<Schema> | undefined> {
    const row = await this.db.selectFrom("settings").select("value").where("key", "=", key).executeTakeFirst();
    return row ? schema.parse(JSON.parse(row.value)) : undefined;
  }

  async put(key: string, value: unknown): Promise<void> {
    const row = { key, value: JSON.stringify(value), updated_at: isoNow(this.clock) };
    await this.db
      .insertInto("settings")
      .values(row)
      .onConflict((oc) => oc.column("key").doUpdateSet({ value: row.value, updated_at: row.updated_at }))
      .execute();
  }

  async delete(key: string): Promise<void> {
    await this.db.deleteFrom("settings").where("key", "=", key).execute();
  }
}
