/**
 * The owner-scoped Zoho listing (`ZohoRecordPort.ownedOnly`), end to end over HTTPS against the simulator: a
 * mailbox's full listing and change feed cost what its Zoho user owns, not what the org holds; colleagues' edits
 * reach it only as ids (`outside-scope`), and their records that match an Outlook item are found on request.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type RunningZohoSimulator, startZohoSimulator } from "../../../simulators/zoho/index.js";
import type { ChangeEntry } from "../../../src/connectors/port.js";
import type { ZohoCrmPort } from "../../../src/connectors/zoho/index.js";
import type { Contact } from "../../../src/model/index.js";
import { testPki } from "../../support/pki.js";
import { listEverything } from "../contract.js";
import { connectZoho } from "./support.js";

let sim: RunningZohoSimulator;
let crm: ZohoCrmPort;
let ann: string;
let ben: string;

beforeAll(async () => {
  sim = await startZohoSimulator({ pki: await testPki(), searchIndexLagMs: 0 });
});
afterAll(() => sim.close());
beforeEach(async () => {
  sim.control.reset();
  ann = sim.control.addUser({ firstName: "Ann", lastName: "Lee", email: "ann@zylker.example" }).id;
  ben = sim.control.addUser({ firstName: "Ben", lastName: "Ray", email: "ben@zylker.example" }).id;
  ({ crm } = await connectZoho(sim));
});

const people = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, n) => ({ Last_Name: `${prefix}${n}`, Email: `${prefix}${n}@customer.example` }));
const seed = (owner: string, records: Array<Record<string, unknown>>) =>
  sim.control.actAs(owner).insert(
    "Contacts",
    records.map((record) => ({ ...record, Owner: { id: owner } })),
  );
const lastNames = (items: ReadonlyArray<{ value: Contact }>) => items.map((item) => item.value.surname).sort();
/** Calls of one listing, the OAuth refresh left out. */
async function callsOf<R>(work: () => Promise<R>): Promise<{ result: R; calls: Record<string, number> }> {
  sim.control.resetCallCounts();
  const result = await work();
  const calls = Object.fromEntries(
    Object.entries(sim.control.callCounts()).filter(([name]) => !name.startsWith("oauth")),
  );
  return { result, calls };
}
/** Every change of one incremental pass (all pages). */
async function drain(cursor: string): Promise<{ changes: ChangeEntry<Contact>[]; cursor: string }> {
  const changes: ChangeEntry<Contact>[] = [];
  let next = cursor;
  for (;;) {
    const page = await crm.modules.contacts.ownedOnly(ann).listChanges(next);
    changes.push(...page.changes);
    next = page.cursor;
    if (page.complete) return { changes, cursor: next };
  }
}

describe("Zoho owner-scoped listing", () => {
  it("lists exactly the owner's records, at a cost that does not grow with the colleagues' records", async () => {
    seed(ann, people("ann", 3));
    seed(ben, people("few", 5));
    const small = await callsOf(() => listEverything(crm.modules.contacts.ownedOnly(ann)));
    expect(lastNames(small.result.items)).toEqual(["ann0", "ann1", "ann2"]);
    expect(small.result.items.every((item) => item.owner === ann)).toBe(true);

    seed(ben, people("many", 1_500));
    const large = await callsOf(() => listEverything(crm.modules.contacts.ownedOnly(ann)));
    expect(lastNames(large.result.items)).toEqual(["ann0", "ann1", "ann2"]);
    expect(large.calls).toEqual(small.calls);
    expect(large.calls).toEqual({ coql: 1, "records.list": 1 });

    // The org-wide listing pages through all 1 508 records, 200 a call.
    const orgWide = await callsOf(() => listEverything(crm.modules.contacts));
    expect(orgWide.result.items).toHaveLength(1_508);
    expect(orgWide.calls).toEqual({ "records.list": 8 });
  });

  it("pages an owner with more than one COQL answer by id, each record once", async () => {
    seed(ann, people("ann", 450));
    seed(ben, people("ben", 10));
    const { result, calls } = await callsOf(() => listEverything(crm.modules.contacts.ownedOnly(ann)));
    expect(result.items).toHaveLength(450);
    expect(new Set(result.items.map((item) => item.id)).size).toBe(450);
    expect(result.items.every((item) => item.owner === ann)).toBe(true);
    // 200 ids first, then up to 2000; the records in full 100 a call.
    expect(calls).toEqual({ coql: 2, "records.list": 5 });
  });

  it("ends a listing with a cursor from its first page, so an edit made while it paged is fed afterwards", async () => {
    const records = seed(ann, people("ann", 250));
    const port = crm.modules.contacts.ownedOnly(ann);
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    try {
      const first = await port.listAll(undefined);
      sim.control.actAs(ann).update("Contacts", [{ id: String(records[0]?.id), Title: "Buyer" }]);
      vi.setSystemTime(Date.now() + 60_000);
      const last = await port.listAll(first.nextPageToken);
      expect(first.items.length + last.items.length).toBe(250);
      const { changes } = await drain(last.cursor as string);
      const edited = changes.find((change) => change.kind === "upsert" && change.item.id === String(records[0]?.id));
      expect(edited).toMatchObject({ item: { value: { jobTitle: "Buyer" } } });
    } finally {
      vi.useRealTimers();
    }
  });

  it("feeds the owner's changes in full and the colleagues' as ids, however much they write", async () => {
    const [mine] = seed(ann, people("ann", 2));
    const theirs = seed(ben, people("ben", 1_200));
    const { cursor } = await listEverything(crm.modules.contacts.ownedOnly(ann));
    sim.control.advanceClock(5_000);
    sim.control.actAs(ann).update("Contacts", [{ id: String(mine?.id), Title: "Buyer" }]);
    sim.control.actAs(ben).update(
      "Contacts",
      theirs.map((record) => ({ id: String(record.id), Title: "Edited" })),
    );

    const { result, calls } = await callsOf(() => drain(cursor as string));
    const upserts = result.changes.flatMap((change) => (change.kind === "upsert" ? [change.item] : []));
    // The overlap window before the listing's watermark may bring the owner's other record again (unchanged).
    expect(upserts.every((item) => item.owner === ann)).toBe(true);
    expect(upserts.find((item) => item.id === String(mine?.id))?.value.jobTitle).toBe("Buyer");
    expect(result.changes.filter((change) => change.kind === "outside-scope")).toHaveLength(1_200);
    // 1 201 changed rows: 200 then 1 001 ids by COQL, one read of the owner's record, one look at /deleted — where
    // the org-wide feed reads all 1 201 records in full, 200 a call.
    expect(calls).toEqual({ coql: 2, "records.list": 1, "records.deleted": 1 });

    const again = await callsOf(() => drain(result.cursor));
    expect(again.result.changes).toEqual([]);
  });

  it("reports a record its owner handed to a colleague as outside the scope", async () => {
    const [record] = seed(ann, people("ann", 1));
    const { cursor } = await listEverything(crm.modules.contacts.ownedOnly(ann));
    sim.control.advanceClock(5_000);
    sim.control.actAs(ann).update("Contacts", [{ id: String(record?.id), Owner: { id: ben } }]);
    const { changes } = await drain(cursor as string);
    expect(changes).toEqual([{ kind: "outside-scope", id: String(record?.id) }]);
  });

  it("refuses a cursor of another scope, so switching the owner filter starts with a full listing", async () => {
    seed(ann, people("ann", 1));
    const { cursor: orgWide } = await listEverything(crm.modules.contacts);
    await expect(crm.modules.contacts.ownedOnly(ann).listChanges(orgWide)).rejects.toMatchObject({
      failure: { kind: "cursor-invalid" },
    });
    const { cursor: scoped } = await listEverything(crm.modules.contacts.ownedOnly(ann));
    await expect(crm.modules.contacts.listChanges(scoped)).rejects.toMatchObject({
      failure: { kind: "cursor-invalid" },
    });
  });

  it("finds the colleagues' records an Outlook contact may match, not the owner's own", async () => {
    seed(ann, [{ Last_Name: "Own", Email: "shared@customer.example" }]);
    const [byMail] = seed(ben, [{ Last_Name: "Other", Secondary_Email: "shared@customer.example" }]);
    const [byName] = seed(ben, [{ Last_Name: "Nakamura", First_Name: "Yui" }]);
    seed(ben, people("unrelated", 3));
    const found = await crm.modules.contacts.ownedOnly(ann).matchOutsideScope([
      { email1: "Shared@Customer.example", categories: [] },
      { givenName: "Yui", surname: "Nakamura", categories: [] },
    ]);
    expect(found.map((item) => item.id).sort()).toEqual([String(byMail?.id), String(byName?.id)].sort());
    expect(found.every((item) => item.owner === ben)).toBe(true);
  });
});
