/**
 * The "already in CRM" store on SQLite and PostgreSQL: records per user and Message-ID (any case), in filing order,
 * a repeat keeping the first row, and one user's filings invisible to another.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/storage/database.js";
import { EmailAssociationStore } from "../../src/storage/email-association-store.js";
import { type DisposableTarget, postgresTarget, sqliteTarget } from "../storage/targets.js";
import { describeWithPostgres } from "../support/postgres.js";

function associationSuite(makeTarget: () => Promise<DisposableTarget>) {
  let disposable: DisposableTarget;
  let close: () => Promise<void>;
  let store: EmailAssociationStore;
  let now = Date.parse("2026-05-04T08:00:00Z");

  beforeAll(async () => {
    disposable = await makeTarget();
    const database = await openDatabase(disposable.target);
    close = database.close;
    store = new EmailAssociationStore(database.db, () => new Date((now += 1000)));
  });

  afterAll(async () => {
    await close?.();
    await disposable?.dispose();
  });

  it("keeps the records a user filed a message on, whatever the Message-ID's case", async () => {
    const id = "<CAF=Quote.42@Customer.example>";
    await store.remember("user-a", "a@contoso.com", id, { module: "Contacts", id: "c1", name: "Mia Mail" });
    await store.remember("user-a", "a@contoso.com", id.toLowerCase(), { module: "Deals", id: "d1", name: "Renewal" });
    // Filed again (a retry, another device): the first row stays.
    await store.remember("user-a", "a@contoso.com", id, { module: "Contacts", id: "c1", name: "Renamed" });

    expect(await store.recordsFor("user-a", id.toUpperCase())).toEqual([
      { module: "Contacts", id: "c1", name: "Mia Mail" },
      { module: "Deals", id: "d1", name: "Renewal" },
    ]);
    expect(await store.recordsFor("user-b", id)).toEqual([]);
    expect(await store.recordsFor("user-a", "<other@customer.example>")).toEqual([]);
  });
}

describe("e-mail associations on SQLite", () => {
  associationSuite(sqliteTarget);
});

describeWithPostgres("e-mail associations on PostgreSQL", () => {
  associationSuite(postgresTarget);
});
