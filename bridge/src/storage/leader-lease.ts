/**
 * Which process of a deployment does a job that must run exactly once, such as owning the push channels (two
 * processes each opening a Graph subscription per mailbox would double every notification and renewal).
 *
 * PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) held on a connection of its own. PostgreSQL
 * releases it when that session ends, so when the owning process dies (or its connection is cut) the next process
 * to ask takes over; there is no lease timer to tune. SQLite: one process per database file, so it always holds it.
 */
import pg from "pg";
import type { StorageTarget } from "./database.js";

export interface LeaderLease {
  /** Whether this process holds the lease now, taking it if it is free. Checks a held lease is still alive. */
  hold(): Promise<boolean>;
  /** Gives the lease up (shutdown), so another process takes over at once. */
  release(): Promise<void>;
}

export function openLeaderLease(target: StorageTarget, name: string): LeaderLease {
  if (target.kind === "sqlite") return { hold: async () => true, release: async () => {} };
  // Per schema: deployments (and test runs) sharing one PostgreSQL server each elect their own owner.
  const key = `bridge:${target.schema}:${name}`;
  let session: pg.Client | undefined;

  async function drop(client: pg.Client): Promise<void> {
    if (session === client) session = undefined;
    await client.end().catch(() => undefined);
  }

  return {
    async hold() {
      if (session) {
        const held = session;
        try {
          await held.query("select 1");
          return true;
        } catch {
          await drop(held);
        }
      }
      const client = new pg.Client({ connectionString: target.url });
      // A cut connection is noticed at the next `hold` (its query fails); the error must not crash the process.
      client.on("error", () => undefined);
      await client.connect();
      try {
        const { rows } = await client.query<{ held: boolean }>("select pg_try_advisory_lock(hashtext($1)) as held", [
          key,
        ]);
        if (rows[0]?.held) {
          session = client;
          return true;
        }
      } catch (error) {
        await drop(client);
        throw error;
      }
      await drop(client);
      return false;
    },
    async release() {
      if (session) await drop(session);
    },
  };
}
