/**
 * Owner-scoped listing through the real sync service, connectors and both simulators over HTTPS, with the default
 * "only records the user owns": a mailbox gets exactly its Zoho user's contacts, and what its runs cost on Zoho does
 * not depend on how many records the colleagues own; a contact its user hands to a colleague stays paired and keeps
 * syncing (leaving the scope is no deletion), also through a full resync whose scoped listing no longer shows it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SyncJob } from "../../src/jobs/job.js";
import { openScheduling, type Scheduling } from "../../src/services/runtime.js";
import type { BridgeUser } from "../../src/storage/user-repository.js";
import { type OneUserBridge, openOneUserBridge } from "../support/one-user-bridge.js";

describe("a mailbox lists only its Zoho user's records", () => {
  let setup: OneUserBridge;
  let scheduling: Scheduling;
  let ann: BridgeUser;
  let ben: BridgeUser;

  beforeAll(async () => {
    setup = await openOneUserBridge({ modules: ["contacts"], users: 2 });
    const users = await setup.runtime.storage.users.list();
    ann = users.find((user) => user.mailbox === setup.mailboxes[0]) as BridgeUser;
    ben = users.find((user) => user.mailbox === setup.mailboxes[1]) as BridgeUser;
    scheduling = await openScheduling(setup.runtime, false);
  }, 60_000);

  afterAll(async () => {
    await scheduling?.stop();
    await setup?.close();
  });

  const seed = (owner: BridgeUser, prefix: string, count: number) =>
    setup.zoho.control.actAs(owner.zohoUserId).insert(
      "Contacts",
      Array.from({ length: count }, (_, n) => ({
        Last_Name: `${prefix}${n}`,
        Email: `${prefix}${n}@customer.example`,
        Owner: { id: owner.zohoUserId },
      })),
    );
  const annContacts = () =>
    setup.graph.control
      .items(ann.mailbox, "contact")
      .map((contact) => ({ surname: contact.surname, jobTitle: contact.jobTitle ?? null }))
      .sort((a, b) => String(a.surname).localeCompare(String(b.surname)));
  /** Runs Ann's contacts job; returns the Zoho calls it made (OAuth and the user look-up left out). */
  const runAnn = async (job: Partial<SyncJob> = {}) => {
    setup.zoho.control.resetCallCounts();
    const outcome = await scheduling.service.run({ mailboxId: ann.id, module: "contacts", trigger: "manual", ...job });
    expect(outcome.kind).toBe("completed");
    return Object.fromEntries(
      Object.entries(setup.zoho.control.callCounts()).filter(([name]) => /^(records|coql)/.test(name)),
    );
  };

  it("copies exactly the owner's contacts; a resync costs the same whether colleagues own 5 or 1 505 records", async () => {
    seed(ann, "ann", 3);
    seed(ben, "ben", 5);
    await runAnn({ trigger: "initial" });
    expect(annContacts().map((contact) => contact.surname)).toEqual(["ann0", "ann1", "ann2"]);

    const before = await runAnn({ fullResync: true });
    seed(ben, "more", 1_500);
    const after = await runAnn({ fullResync: true });
    expect(after).toEqual(before);
    expect(after).toEqual({ coql: 1, "records.list": 1 });
    expect(annContacts().map((contact) => contact.surname)).toEqual(["ann0", "ann1", "ann2"]);
  });

  it("keeps syncing a contact handed to a colleague, and a resync does not delete it", async () => {
    const [record] = setup.zoho.control.records("Contacts").filter((row) => row.Last_Name === "ann0");
    setup.zoho.control.advanceClock(5_000);
    setup.zoho.control
      .actAs(ann.zohoUserId)
      .update("Contacts", [{ id: String(record?.id), Owner: { id: ben.zohoUserId } }]);
    setup.zoho.control.advanceClock(5_000);
    setup.zoho.control.actAs(ben.zohoUserId).update("Contacts", [{ id: String(record?.id), Title: "Buyer" }]);

    const calls = await runAnn();
    expect(annContacts()).toEqual([
      { surname: "ann0", jobTitle: "Buyer" },
      { surname: "ann1", jobTitle: null },
      { surname: "ann2", jobTitle: null },
    ]);
    // Changed ids by COQL (the colleague's 1 505 new records too while inside the feed's overlap window, as ids
    // only); in full only the handed-over record, re-read because it is paired, and the owner's own records the
    // overlap window brings again (one call) — the org-wide feed would read the 1 505 in full, 200 a call.
    expect(calls["records.list"]).toBeLessThanOrEqual(2);
    expect(calls["records.deleted"]).toBe(1);
    expect(calls.coql).toBeLessThanOrEqual(2);

    await runAnn({ fullResync: true });
    expect(annContacts().map((contact) => contact.surname)).toEqual(["ann0", "ann1", "ann2"]);
    expect(setup.zoho.control.records("Contacts").some((row) => row.id === record?.id)).toBe(true);
  });
});
