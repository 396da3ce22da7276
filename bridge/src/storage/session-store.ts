/**
 * Server-side admin sessions. The cookie carries a random 256-bit id; only its SHA-256 is stored, so a database
 * leak does not hand out live sessions. Each session has its own CSRF token (double-submit header check).
 */
import { createHash, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import { type Clock, isoNow, systemClock } from "./clock.js";
import type { Database } from "./schema.js";

export interface AdminPrincipal {
  zohoUserId: string;
  name: string;
  email: string;
  profileId: string;
  profileName: string;
  /** Decided at sign-in from the Zoho profile (Administrator) — never from anything the browser sends. */
  isAdmin: boolean;
}

export interface ActiveSession {
  principal: AdminPrincipal;
  csrfToken: string;
  expiresAt: string;
}

function hashId(id: string): string {
  return createHash("sha256").update(id).digest("hex");
}

export class SessionStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Creates a session; returns the cookie value (shown once, never stored) and the CSRF token. */
  async create(principal: AdminPrincipal, lifetimeMs: number): Promise<{ id: string; csrfToken: string }> {
    const id = randomBytes(32).toString("base64url");
    const csrfToken = randomBytes(24).toString("base64url");
    await this.db
      .insertInto("sessions")
      .values({
        id_hash: hashId(id),
        subject: principal.zohoUserId,
        principal: JSON.stringify(principal),
        csrf_token: csrfToken,
        expires_at: new Date(this.clock().getTime() + lifetimeMs).toISOString(),
      })
      .execute();
    return { id, csrfToken };
  }

  async find(id: string): Promise<ActiveSession | undefined> {
    const row = await this.db
      .selectFrom("sessions")
      .selectAll()
      .where("id_hash", "=", hashId(id))
      .where("expires_at", ">", isoNow(this.clock))
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      principal: JSON.parse(row.principal) as AdminPrincipal,
      csrfToken: row.csrf_token,
      expiresAt: row.expires_at,
    };
  }

  async destroy(id: string): Promise<void> {
    await this.db.deleteFrom("sessions").where("id_hash", "=", hashId(id)).execute();
  }

  async destroyExpired(): Promise<void> {
    await this.db.deleteFrom("sessions").where("expires_at", "<=", isoNow(this.clock)).execute();
  }
}
