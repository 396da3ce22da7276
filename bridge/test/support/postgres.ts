/**
 * PostgreSQL-backed tests run only where DATABASE_URL is set (CI sets it). Elsewhere they are skipped with a
 * message saying so, so a developer without PostgreSQL still gets a green `npm test`.
 */
import { describe } from "vitest";

export const databaseUrl = process.env.DATABASE_URL;

if (!databaseUrl) {
  console.warn("DATABASE_URL is not set: the PostgreSQL tests are skipped (CI sets it).");
}

export function describeWithPostgres(name: string, suite: () => void): void {
  describe.skipIf(!databaseUrl)(name, suite);
}
