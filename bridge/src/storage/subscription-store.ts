/**
 * Push channels we opened (Graph subscriptions, Zoho watch channels): which mailbox and module a delivery is about,
 * and a SHA-256 of the secret the service echoes (clientState / token). Only the hash is kept: verifying a delivery
 * needs no plain text, and a database leak gives nobody the means to forge one.
 */
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import { type Clock, isoNow, systemClock } from "./clock.js";
import type { Database, SubscriptionTable } from "./schema.js";

export interface SubscriptionRecord {
  id: string;
  service: "graph" | "zoho" | "ews";
  mailboxId: string;
  module: string;
  externalId: string;
  expiresAt: string;
  /** The URL the service calls back; null for EWS streaming. */
  callbackUrl: string | null;
}

function digest(secret: string): Buffer {
  return createHash("sha256").update(secret).digest();
}

function recordOf(row: Selectable<SubscriptionTable>): SubscriptionRecord {
  return {
    id: row.id,
    service: row.service as SubscriptionRecord["service"],
    mailboxId: row.mailbox,
    module: row.module,
    externalId: row.external_id,
    expiresAt: row.expires_at,
    callbackUrl: row.callback_url,
  };
}

export class SubscriptionStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock = systemClock,
  ) {}

  async add(
    channel: Omit<SubscriptionRecord, "id" | "callbackUrl"> & { callbackUrl?: string | null },
    verifier: string,
  ): Promise<SubscriptionRecord> {
    const record = { ...channel, callbackUrl: channel.callbackUrl ?? null };
    const id = randomUUID();
    await this.db
      .insertInto("subscriptions")
      .values({
        id,
        service: record.service,
        mailbox: record.mailboxId,
        module: record.module,
        external_id: record.externalId,
        verifier_hash: digest(verifier).toString("hex"),
        expires_at: record.expiresAt,
        created_at: isoNow(this.clock),
        callback_url: record.callbackUrl,
      })
      .execute();
    return { id, ...record };
  }

  /** The channel a delivery names, only if the delivery's secret matches (constant-time); otherwise undefined. */
  async verify(service: SubscriptionRecord["service"], externalId: string, presented: string | undefined) {
    if (!presented) return undefined;
    const row = await this.db
      .selectFrom("subscriptions")
      .selectAll()
      .where("service", "=", service)
      .where("external_id", "=", externalId)
      .executeTakeFirst();
    if (!row || !timingSafeEqual(Buffer.from(row.verifier_hash, "hex"), digest(presented))) return undefined;
    return recordOf(row);
  }

  /** Every stored channel (a restarted or newly leading process resumes these). */
  async list(): Promise<SubscriptionRecord[]> {
    const rows = await this.db.selectFrom("subscriptions").selectAll().orderBy("created_at").execute();
    return rows.map(recordOf);
  }

  /** Records a renewal's new expiry. */
  async setExpiry(id: string, expiresAt: string): Promise<void> {
    await this.db.updateTable("subscriptions").set({ expires_at: expiresAt }).where("id", "=", id).execute();
  }

  async remove(id: string): Promise<void> {
    await this.db.deleteFrom("subscriptions").where("id", "=", id).execute();
  }

  async removeAll(): Promise<number> {
    const result = await this.db.deleteFrom("subscriptions").executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
