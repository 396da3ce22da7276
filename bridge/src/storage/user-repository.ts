/**
 * Zoho users and their mailboxes. Invariants: a user syncs only while selected by an admin AND active in Zoho; the
 * Zoho user id, the mailbox and the Exchange identity are each unique, so one add-in token maps to one user.
 */
import { randomUUID } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import { type Clock, isoNow, systemClock } from "./clock.js";
import type { Database, UserTable } from "./schema.js";

export const USER_STATUSES = [
  "pending",
  "syncing",
  "succeeded",
  "failed",
  "throttled",
  "needs-reauthorization",
] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export interface BridgeUser {
  id: string;
  zohoUserId: string;
  email: string;
  fullName: string;
  zohoProfileId: string;
  zohoProfile: string;
  zohoRole: string | null;
  zohoActive: boolean;
  selected: boolean;
  mailbox: string;
  exchangeIdentity: string | null;
  status: UserStatus;
  statusReason: string | null;
  throttledUntil: string | null;
  moduleOverrides: Record<string, boolean>;
  updatedAt: string;
}

/** A user as Zoho's `GET /users` reports them. */
export interface ZohoUserRecord {
  zohoUserId: string;
  email: string;
  fullName: string;
  profileId: string;
  profile: string;
  role?: string;
  active: boolean;
}

function toUser(row: Selectable<UserTable>): BridgeUser {
  return {
    id: row.id,
    zohoUserId: row.zoho_user_id,
    email: row.email,
    fullName: row.full_name,
    zohoProfileId: row.zoho_profile_id,
    zohoProfile: row.zoho_profile,
    zohoRole: row.zoho_role,
    zohoActive: row.zoho_active === 1,
    selected: row.selected === 1,
    mailbox: row.mailbox,
    exchangeIdentity: row.exchange_identity,
    status: row.status as UserStatus,
    statusReason: row.status_reason,
    throttledUntil: row.throttled_until,
    moduleOverrides: JSON.parse(row.module_overrides) as Record<string, boolean>,
    updatedAt: row.updated_at,
  };
}

export class UserRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock = systemClock,
  ) {}

  /**
   * Brings the table in line with Zoho's user list: new users arrive unselected, known ones get their name, profile
   * and active flag refreshed. Users Zoho no longer lists are marked inactive (never deleted: their history stays).
   */
  async syncFromZoho(records: ZohoUserRecord[]): Promise<void> {
    const now = isoNow(this.clock);
    const listed = new Set(records.map((record) => record.zohoUserId));
    await this.db.transaction().execute(async (trx) => {
      for (const record of records) {
        await trx
          .insertInto("users")
          .values({
            id: randomUUID(),
            zoho_user_id: record.zohoUserId,
            email: record.email.toLowerCase(),
            full_name: record.fullName,
            zoho_profile_id: record.profileId,
            zoho_profile: record.profile,
            zoho_role: record.role ?? null,
            zoho_active: record.active ? 1 : 0,
            selected: 0,
            mailbox: record.email.toLowerCase(),
            exchange_identity: null,
            status: "pending",
            status_reason: null,
            throttled_until: null,
            module_overrides: "{}",
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) =>
            oc.column("zoho_user_id").doUpdateSet({
              email: record.email.toLowerCase(),
              full_name: record.fullName,
              zoho_profile_id: record.profileId,
              zoho_profile: record.profile,
              zoho_role: record.role ?? null,
              zoho_active: record.active ? 1 : 0,
              updated_at: now,
            }),
          )
          .execute();
      }
      const known = await trx.selectFrom("users").select("zoho_user_id").execute();
      const gone = known.map((row) => row.zoho_user_id).filter((id) => !listed.has(id));
      if (gone.length > 0) {
        await trx
          .updateTable("users")
          .set({ zoho_active: 0, updated_at: now })
          .where("zoho_user_id", "in", gone)
          .execute();
      }
    });
  }

  async list(): Promise<BridgeUser[]> {
    const rows = await this.db.selectFrom("users").selectAll().orderBy("full_name").orderBy("id").execute();
    return rows.map(toUser);
  }

  /** Users whose mailboxes the scheduler may sync. */
  async listSyncable(): Promise<BridgeUser[]> {
    const rows = await this.db
      .selectFrom("users")
      .selectAll()
      .where("selected", "=", 1)
      .where("zoho_active", "=", 1)
      .orderBy("mailbox")
      .execute();
    return rows.map(toUser);
  }

  async byId(id: string): Promise<BridgeUser | undefined> {
    const row = await this.db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  async byMailbox(mailbox: string): Promise<BridgeUser | undefined> {
    const row = await this.db
      .selectFrom("users")
      .selectAll()
      .where("mailbox", "=", mailbox.toLowerCase())
      .executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  async byZohoUserId(zohoUserId: string): Promise<BridgeUser | undefined> {
    const row = await this.db.selectFrom("users").selectAll().where("zoho_user_id", "=", zohoUserId).executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  async byExchangeIdentity(identity: string): Promise<BridgeUser | undefined> {
    const row = await this.db
      .selectFrom("users")
      .selectAll()
      .where("exchange_identity", "=", identity)
      .executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  async setSelected(ids: string[], selected: boolean): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable("users")
      .set({ selected: selected ? 1 : 0, updated_at: isoNow(this.clock) })
      .where("id", "in", ids)
      .execute();
  }

  async setMailbox(id: string, mailbox: string): Promise<void> {
    await this.db
      .updateTable("users")
      .set({ mailbox: mailbox.toLowerCase(), updated_at: isoNow(this.clock) })
      .where("id", "=", id)
      .execute();
  }

  /**
   * Links the user to a signed-in Exchange identity unless it is linked to another one already (compare-and-set, so
   * two first sign-ins racing cannot both win). False: linked elsewhere, or the identity belongs to another user.
   */
  async linkExchangeIdentity(id: string, identity: string): Promise<boolean> {
    try {
      const [result] = await this.db
        .updateTable("users")
        .set({ exchange_identity: identity, updated_at: isoNow(this.clock) })
        .where("id", "=", id)
        .where((row) => row.or([row("exchange_identity", "is", null), row("exchange_identity", "=", identity)]))
        .execute();
      return (result?.numUpdatedRows ?? 0n) > 0n;
    } catch {
      // The column is unique: the identity is already another user's.
      return false;
    }
  }

  async setStatus(
    id: string,
    status: UserStatus,
    detail: { reason?: string | null; throttledUntil?: string | null } = {},
  ): Promise<void> {
    await this.db
      .updateTable("users")
      .set({
        status,
        status_reason: detail.reason ?? null,
        throttled_until: detail.throttledUntil ?? null,
        updated_at: isoNow(this.clock),
      })
      .where("id", "=", id)
      .execute();
  }

  async setModuleOverrides(id: string, overrides: Record<string, boolean>): Promise<void> {
    await this.db
      .updateTable("users")
      .set({ module_overrides: JSON.stringify(overrides), updated_at: isoNow(this.clock) })
      .where("id", "=", id)
      .execute();
  }
}
