/**
 * The sync core end to end over real HTTPS: the Graph connector against the Graph simulator, or the EWS connector
 * against the EWS simulator (2010 SP2, 2016), and the Zoho connector against the Zoho simulator, contacts two-way with the model's real contact module. Pre-existing contacts on both
 * sides are matched (no duplicates), edits of different fields on both sides are merged, a CRM deletion reaches the
 * mailbox, and a sync right after a sync makes zero write calls on either side.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerRelease, startEwsSimulator } from "../../simulators/ews/index.js";
import { type RunningZohoSimulator, startZohoSimulator } from "../../simulators/zoho/index.js";
import { createEwsExchangePort, type EwsVersionName } from "../../src/connectors/ews/index.js";
import type { RecordPort } from "../../src/connectors/port.js";
import type { Contact } from "../../src/model/index.js";
import { contactSyncModule, type ExchangeApi } from "../../src/model/sync-modules.js";
import { runSync } from "../../src/sync/engine.js";
import { MemorySyncStateStore } from "../../src/sync/memory-state.js";
import { connect, mailboxOf, type RunningSimulator, startEmptySimulator } from "../connectors/graph/harness.js";
import { connectZoho } from "../connectors/zoho/support.js";
import { counted, must } from "../e2e/support.js";
import { testPki } from "../support/pki.js";
import { settingsOf } from "./world.js";

const person = (n: number, changes: Partial<Contact> = {}): Contact => ({
  givenName: `Zoë${n}`,
  surname: `Ångström${n}`,
  email1: `zoe${n}@example.com`,
  companyName: "Acme",
  categories: [],
  ...changes,
});

interface ExchangeUnderTest {
  readonly name: string;
  readonly api: ExchangeApi;
  connect(): Promise<{ port: RecordPort<Contact>; close: () => Promise<void> }>;
}

function ewsTarget(release: ServerRelease, version: EwsVersionName): ExchangeUnderTest {
  return {
    name: `EWS ${release}`,
    api: "ews",
    async connect() {
      const sim = await startEwsSimulator({ pki: await testPki(), release });
      sim.control.seed({
        mailboxes: 1,
        contactsPerMailbox: 0,
        meetingsPerMailbox: 0,
        tasksPerMailbox: 0,
        mailsPerMailbox: 0,
      });
      const exchange = await createEwsExchangePort(
        {
          mailbox: "alice@contoso.com",
          url: sim.ewsUrl,
          version,
          username: "CONTOSO\\svc-crm",
          password: "Pa55w.rd",
          auth: "basic",
          impersonate: true,
        },
        {},
      );
      const port = exchange.modules.contacts;
      if (!port) throw new Error("no EWS contacts port");
      return {
        port,
        close: async () => {
          await exchange.close();
          await sim.close();
        },
      };
    },
  };
}

const TARGETS: readonly ExchangeUnderTest[] = [
  {
    name: "Graph",
    api: "graph",
    async connect() {
      const sim: RunningSimulator = await startEmptySimulator();
      const port = connect(sim, mailboxOf(sim)).modules.contacts;
      if (!port) throw new Error("no Graph contacts port");
      return { port, close: () => sim.close() };
    },
  },
  ewsTarget("2010SP2", "Exchange2010_SP2"),
  ewsTarget("2016", "Exchange2016"),
];

describe.each(TARGETS)("sync core end to end: $name ⇄ Zoho contacts", (target) => {
  let zoho: RunningZohoSimulator;
  let exchangeSide: { port: RecordPort<Contact>; close: () => Promise<void> };
  beforeAll(async () => {
    zoho = await startZohoSimulator({ pki: await testPki() });
    exchangeSide = await target.connect();
  });
  afterAll(async () => {
    await exchangeSide?.close();
    await zoho?.close();
  });

  it("matches, merges, deletes, and a repeated sync writes nothing", async () => {
    const exchangePort = exchangeSide.port;
    const { crm } = await connectZoho(zoho);
    const crmPort = crm.modules.contacts;
    if (!crmPort) throw new Error("no Zoho contacts port");
    const exchange = counted(exchangePort);
    const zohoContacts = counted(crmPort);
    const module = contactSyncModule(target.api, "Contacts");
    const store = new MemorySyncStateStore();
    const sync = () =>
      runSync({
        scope: { mailboxId: "mailbox-1", module: "contacts" },
        module,
        exchange,
        crm: zohoContacts,
        store,
        settings: settingsOf<Contact>(),
      });

    // Before the first sync: three contacts in the mailbox, two in the CRM, one of them the same person.
    const inMailbox = await exchangePort.create([1, 2, 3].map((n) => ({ value: person(n) })));
    const inCrm = await crmPort.create([
      { value: person(3, { email1: "ZOE3@example.com", jobTitle: "CTO" }) },
      { value: person(4) },
    ]);
    const first = await sync();
    expect(first.record.outcomes.filter((outcome) => outcome.status === "error")).toEqual([]);
    expect(first.record.planned.crm.creates).toBe(2);
    expect(first.record.planned.exchange.creates).toBe(1);
    const listed = async (port: RecordPort<Contact>) => (await port.listAll(undefined)).items;
    expect(await listed(exchangePort)).toHaveLength(4);
    expect(await listed(crmPort)).toHaveLength(4);

    const writesAfterFirst = exchange.writes() + zohoContacts.writes();
    const second = await sync();
    expect(second.record.status).toBe("completed");
    expect(exchange.writes() + zohoContacts.writes()).toBe(writesAfterFirst);

    // Edits of different fields on both sides are both kept.
    const mailboxItem = must(inMailbox[0]);
    const [mailboxNow] = await exchangePort.getMany([mailboxItem.id]);
    const mailboxCurrent = must(mailboxNow);
    await exchangePort.update([
      {
        id: mailboxItem.id,
        expectedVersion: mailboxCurrent.version,
        value: { ...mailboxCurrent.value, jobTitle: "CEO" },
      },
    ]);
    const relation = (await store.listRelations({ mailboxId: "mailbox-1", module: "contacts" })).find(
      (row) => row.exchangeId === mailboxItem.id,
    );
    if (!relation) throw new Error("no relation for the first contact");
    const [crmNow] = await crmPort.getMany([relation.crmId]);
    const crmCurrent = must(crmNow);
    await crmPort.update([
      {
        id: relation.crmId,
        expectedVersion: crmCurrent.version,
        value: { ...crmCurrent.value, mobilePhone: "+49 151 0" },
      },
    ]);
    // A CRM deletion reaches the mailbox.
    const doomed = must(inCrm[1]);
    await crmPort.delete([{ id: doomed.id, expectedVersion: undefined }]);

    const third = await sync();
    expect(third.record.outcomes.filter((outcome) => outcome.status === "error")).toEqual([]);
    const [mergedExchange] = await exchangePort.getMany([mailboxItem.id]);
    const [mergedCrm] = await crmPort.getMany([relation.crmId]);
    expect(must(mergedExchange).value).toMatchObject({ jobTitle: "CEO", mobilePhone: "+49 151 0" });
    expect(must(mergedCrm).value).toMatchObject({ jobTitle: "CEO", mobilePhone: "+49 151 0" });
    expect(await listed(exchangePort)).toHaveLength(3);

    const writesAfterThird = exchange.writes() + zohoContacts.writes();
    await sync();
    expect(exchange.writes() + zohoContacts.writes()).toBe(writesAfterThird);
  });
});
