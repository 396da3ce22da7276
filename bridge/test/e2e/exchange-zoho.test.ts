/**
 * End to end over real HTTPS: a simulated mailbox (Graph; EWS 2010 SP2 and 2016) and the Zoho simulator, through the
 * production connectors, the model's real sync modules and the sync engine.
 *
 * - Contacts and tasks two ways and both one-way directions, under both conflict rules, on every mailbox backend
 *   (`moduleJourney`); events (a weekly series with one moved and one cancelled occurrence) on Graph (EWS events:
 *   ews-events.test.ts). After each sync a repeated sync makes zero write calls on either side, counted at the
 *   ports and in the simulators' own call logs.
 * - An expired change cursor (Graph 410 syncStateNotFound, EWS ErrorInvalidSyncStateData): the run lists everything
 *   and diffs, so a deletion and an edit made meanwhile reach Zoho and nothing else is written.
 * - E-mail (Graph): a mailbox message is associated to the matching Zoho Contact (and so shows on its Account and
 *   Deal); a CRM-sent mail lands in the mailbox's Sent Items.
 * - Push: with no polling timer at all, a mailbox change reaches Zoho and a Zoho change reaches the mailbox because
 *   the engine runs only when the connector's push channel (Graph subscription, EWS streaming, Zoho actions/watch)
 *   delivers a notice.
 */

import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningZohoSimulator, startZohoSimulator } from "../../simulators/zoho/index.js";
import { toConnectorFailure } from "../../src/connectors/errors.js";
import type { ExchangeMailPort, PushSubscription, RecordPort } from "../../src/connectors/port.js";
import type { ZohoCrmPort } from "../../src/connectors/zoho/index.js";
import type { CalendarEvent, Contact, Email, Task } from "../../src/model/index.js";
import { contactSyncModule, type ExchangeApi, eventSyncModule, taskSyncModule } from "../../src/model/sync-modules.js";
import { runMailSync } from "../../src/sync/mail.js";
import { MemorySyncStateStore } from "../../src/sync/memory-state.js";
import type { SyncModule } from "../../src/sync/module.js";
import type { SyncScope, SyncStateStore } from "../../src/sync/state.js";
import { listEverything } from "../connectors/contract.js";
import { connectAlice } from "../connectors/ews/alice-2016.js";
import { connect, mailboxOf, startEmptySimulator, startWebhook } from "../connectors/graph/harness.js";
import { connectZoho } from "../connectors/zoho/support.js";
import { testPki } from "../support/pki.js";
import { observeWrites } from "../support/ports.js";
import {
  all,
  edit,
  eventsJourney,
  ewsWireWrites,
  type JourneyValues,
  moduleJourney,
  must,
  pairing,
  SYNC_RULES,
  type SyncRule,
  zohoWireWrites,
} from "./support.js";

interface Mailbox {
  readonly address: string;
  readonly contacts: RecordPort<Contact>;
  readonly tasks: RecordPort<Task>;
  readonly events?: RecordPort<CalendarEvent>;
  readonly mail?: ExchangeMailPort<Email>;
  /** True when push notices reach a webhook (Graph); false when the connector holds a stream open itself (EWS). */
  readonly webhookPush: boolean;
  /**
   * Makes the contacts change cursor saved in `store` unusable, as the service does: Graph evicts its delta tokens
   * (410 syncStateNotFound); Exchange refuses a SyncState it cannot use (ErrorInvalidSyncStateData), here one of
   * another folder.
   */
  expireContactsCursor(store: SyncStateStore, scope: SyncScope): Promise<void>;
  /** Write calls the mailbox's simulator has answered so far. */
  wireWrites(): number;
  /** Files a message into the Inbox as if it had been received. */
  receive?(message: Record<string, unknown>): Promise<void>;
  /** Internet Message-IDs and subjects in Sent Items, as Outlook shows them. */
  sentItems?(): Promise<Array<{ internetMessageId: string; subject: string }>>;
  close(): Promise<void>;
}

interface Backend {
  readonly name: string;
  readonly api: ExchangeApi;
  open(): Promise<Mailbox>;
}

function ewsBackend(release: "2010SP2" | "2016", version: "Exchange2010_SP2" | "Exchange2016"): Backend {
  return {
    name: `EWS ${release}`,
    api: "ews",
    async open() {
      const alice = await connectAlice({ release, version });
      const { contacts, tasks } = alice.exchange.modules;
      if (!contacts || !tasks) throw new Error("no EWS contacts/tasks port");
      return {
        address: alice.exchange.mailbox,
        contacts,
        tasks,
        webhookPush: false,
        expireContactsCursor: async (store, scope) => {
          const { cursor } = await listEverything(tasks);
          await store.saveCursor(scope, "exchange", cursor);
        },
        wireWrites: () => ewsWireWrites(alice.sim),
        close: async () => {
          expect(alice.sim.control.responseViolations()).toEqual([]);
          await alice.close();
        },
      };
    },
  };
}

const BACKENDS: readonly Backend[] = [
  {
    name: "Graph",
    api: "graph",
    async open() {
      const sim = await startEmptySimulator();
      const address = mailboxOf(sim);
      const exchange = connect(sim, address);
      const { contacts, tasks, events } = exchange.modules;
      if (!contacts || !tasks || !events) throw new Error("no Graph contacts/tasks/events port");
      return {
        address,
        contacts,
        tasks,
        events,
        mail: exchange.mail,
        webhookPush: true,
        expireContactsCursor: async () => sim.control.evictDeltaTokens(address),
        wireWrites: () => sim.control.writeCalls(),
        receive: async (message) => {
          await sim.control.receiveMail(address, message);
        },
        sentItems: async () => {
          const answer = await sim.control.actAsUser(address, "GET", "/mailFolders/sentitems/messages");
          return (answer.body as { value: Array<{ internetMessageId: string; subject: string }> }).value;
        },
        close: () => sim.close(),
      };
    },
  },
  ewsBackend("2010SP2", "Exchange2010_SP2"),
  ewsBackend("2016", "Exchange2016"),
];

const RULES: readonly SyncRule[] = SYNC_RULES;

const task = (subject: string, body: string): Task => ({
  subject,
  status: "inProgress",
  priority: "high",
  dueDate: "2026-12-18",
  body,
  categories: [],
});

const TASKS: JourneyValues<Task> = {
  make: (side, name) => task(name, side === "exchange" ? "from Exchange" : "from Zoho"),
  nameOf: (value) => value.subject,
  rename: (value, suffix) => ({ ...value, subject: `${value.subject}${suffix}` }),
  conflict: { exchange: { body: "Exchange says", priority: "low" }, crm: { body: "CRM says" } },
  settled: (winner) => ({ body: winner === "crm" ? "CRM says" : "Exchange says", priority: "low" }),
  sourceEdit: { body: "edited at the source" },
};

/** Contacts: named "<given> <tag>", each with an address of its own so first-sync matching pairs nobody else. */
const CONTACTS: JourneyValues<Contact> = {
  make: (side, name) => {
    const [givenName, surname] = name.split(" ", 2);
    return {
      givenName,
      surname,
      email1: `${name.replace(/\W+/g, ".").toLowerCase()}@customer.example`,
      companyName: "Journey Co",
      jobTitle: side === "exchange" ? "Buyer" : "Engineer",
      businessPhone: "+44 20 7946 0000",
      categories: [],
    };
  },
  nameOf: (value) => `${value.givenName} ${value.surname}`,
  rename: (value, suffix) => ({ ...value, surname: `${value.surname}${suffix}` }),
  conflict: {
    exchange: { jobTitle: "Head of Exchange", mobilePhone: "+44 7700 900001" },
    crm: { jobTitle: "Head of CRM" },
  },
  settled: (winner) => ({
    jobTitle: winner === "crm" ? "Head of CRM" : "Head of Exchange",
    mobilePhone: "+44 7700 900001",
  }),
  sourceEdit: { department: "Purchasing", businessPhone: "+44 20 7946 0999" },
};

/** Runs `sync` once per notice, one run at a time, as a push-only worker would. */
function pushDriven(sync: () => Promise<unknown>) {
  let chain: Promise<unknown> = Promise.resolve();
  let runs = 0;
  return {
    runs: () => runs,
    onNotice: () => {
      chain = chain.then(async () => {
        runs++;
        await sync();
      });
    },
    settled: () => chain,
  };
}

describe.each(BACKENDS)("end to end: $name ⇄ Zoho", (backend) => {
  let zoho: RunningZohoSimulator;
  let mailbox: Mailbox;
  let crm: ZohoCrmPort;
  beforeAll(async () => {
    zoho = await startZohoSimulator({ pki: await testPki() });
    mailbox = await backend.open();
    crm = (await connectZoho(zoho)).crm;
  });
  afterAll(async () => {
    await mailbox?.close();
    await zoho?.close();
  });

  /** One module's journey under a rule; the ports are read when the test runs, after `beforeAll` opened them. */
  const journey =
    <T>(module: SyncModule<T>, ports: () => [RecordPort<T>, RecordPort<T>], values: JourneyValues<T>) =>
    (rule: SyncRule) => {
      const [exchange, crmPort] = ports();
      return moduleJourney({
        module,
        exchange,
        crm: crmPort,
        rule,
        tag: rule.name.replace(/\W+/g, ""),
        values,
        wireWrites: () => mailbox.wireWrites() + zohoWireWrites(zoho),
      });
    };

  it.each(RULES)(
    "contacts, $name: copies, resolves edits by the rule, and a repeated sync writes nothing",
    journey(contactSyncModule(backend.api, "Contacts"), () => [mailbox.contacts, crm.modules.contacts], CONTACTS),
  );

  it.each(RULES)(
    "tasks, $name: copies, resolves edits by the rule, and a repeated sync writes nothing",
    journey(taskSyncModule(), () => [mailbox.tasks, crm.modules.tasks], TASKS),
  );

  it("after the change cursor expired, a full listing and a diff carry a deletion and an edit, and nothing else", async () => {
    // The change feed's refusals, to show the run took the full-listing path rather than a feed that still worked.
    const refusals: string[] = [];
    const contacts: RecordPort<Contact> = {
      ...observeWrites(mailbox.contacts, () => {}),
      listChanges: (cursor) =>
        mailbox.contacts.listChanges(cursor).catch((error: unknown) => {
          refusals.push(toConnectorFailure(error).kind);
          throw error;
        }),
    };
    const pair = pairing(
      contactSyncModule(backend.api, "Contacts"),
      contacts,
      crm.modules.contacts,
      RULES[0] as SyncRule,
      () => mailbox.wireWrites() + zohoWireWrites(zoho),
    );
    const names = ["Kept expiry", "Edited expiry", "Deleted expiry"];
    const [kept, edited, deleted] = (
      await mailbox.contacts.create(names.map((name) => ({ value: CONTACTS.make("exchange", name) })))
    ).map(must);
    if (!kept || !edited || !deleted) throw new Error("three contacts expected");
    await pair.sync();
    const inCrm = await Promise.all([kept, edited, deleted].map((item) => pair.partnerOf("exchange", item.id)));
    await edit(mailbox.contacts, edited.id, (value) => ({ ...value, jobTitle: "Edited while the cursor expired" }));
    must((await mailbox.contacts.delete([{ id: deleted.id, expectedVersion: undefined }]))[0]);
    await mailbox.expireContactsCursor(pair.store, pair.scope);
    const before = { mailbox: mailbox.wireWrites(), zoho: zoho.control.callCounts() };
    await pair.sync();
    expect(refusals).toEqual(["cursor-invalid"]);
    const [keptNow, editedNow, deletedNow] = await crm.modules.contacts.getMany(inCrm);
    expect(must(keptNow).value.jobTitle).toBe("Buyer");
    expect(must(editedNow).value.jobTitle).toBe("Edited while the cursor expired");
    expect(deletedNow?.ok === false && deletedNow.failure.kind).toBe("not-found");
    // One update and one delete call in Zoho, nothing in the mailbox: the full listing re-created nobody.
    const after = zoho.control.callCounts();
    const zohoWrites = ["records.insert", "records.update", "records.delete", "records.upsert"].map(
      (endpoint) => (after[endpoint] ?? 0) - (before.zoho[endpoint] ?? 0),
    );
    expect(zohoWrites).toEqual([0, 1, 1, 0]);
    expect(mailbox.wireWrites()).toBe(before.mailbox);
    await pair.quietSync();
  });

  it("a push notice, with no polling timer, carries a change each way", async () => {
    const pair = pairing(taskSyncModule(), mailbox.tasks, crm.modules.tasks, RULES[0] as SyncRule);
    await pair.sync();
    const worker = pushDriven(() => pair.sync());
    const webhooks = { exchange: await startWebhook(), crm: await startWebhook() };
    const subscriptions: PushSubscription[] = [];
    try {
      const exchangeChannel = await mailbox.tasks.subscribe?.({
        callbackUrl: mailbox.webhookPush ? webhooks.exchange.url : undefined,
        secret: "e2e-exchange-secret",
        onNotice: worker.onNotice,
      });
      const crmChannel = await crm.modules.tasks.subscribe?.({
        callbackUrl: webhooks.crm.url,
        secret: "e2e-zoho-secret",
        onNotice: worker.onNotice,
      });
      if (!exchangeChannel || !crmChannel) throw new Error("push not offered");
      subscriptions.push(exchangeChannel, crmChannel);
      webhooks.exchange.attach(exchangeChannel);
      webhooks.crm.attach(crmChannel);

      const inMailbox = must((await mailbox.tasks.create([{ value: task("Pushed from the mailbox", "") }]))[0]);
      await expect
        .poll(async () => (await all(crm.modules.tasks)).some((value) => value.subject === "Pushed from the mailbox"), {
          timeout: 15_000,
        })
        .toBe(true);
      await worker.settled();
      expect(await pair.partnerOf("exchange", inMailbox.id)).toBeTruthy();

      await crm.modules.tasks.create([{ value: task("Pushed from Zoho", "") }]);
      await expect
        .poll(async () => (await all(mailbox.tasks)).some((value) => value.subject === "Pushed from Zoho"), {
          timeout: 15_000,
        })
        .toBe(true);
      expect(worker.runs()).toBeGreaterThan(0);
    } finally {
      await Promise.all(subscriptions.map((subscription) => subscription.close()));
      await worker.settled();
      await webhooks.exchange.close();
      await webhooks.crm.close();
    }
  });
});

describe("end to end: Graph ⇄ Zoho events and e-mail", () => {
  const graph = BACKENDS[0] as Backend;
  let zoho: RunningZohoSimulator;
  let mailbox: Mailbox;
  let crm: ZohoCrmPort;
  beforeAll(async () => {
    zoho = await startZohoSimulator({ pki: await testPki() });
    mailbox = await graph.open();
    crm = (await connectZoho(zoho)).crm;
  });
  afterAll(async () => {
    await mailbox?.close();
    await zoho?.close();
  });

  it.each(RULES)("events, $name: a series with a moved and a cancelled occurrence keeps them", (rule) => {
    const events = mailbox.events;
    if (!events) throw new Error("no events port");
    return eventsJourney({
      module: eventSyncModule(graph.api),
      events,
      crmEvents: crm.modules.events,
      rule,
      tag: rule.name.replace(/\W+/g, "-"),
      wireWrites: () => mailbox.wireWrites() + zohoWireWrites(zoho),
    });
  });

  it("associates mailbox mail to the matching Contact (seen on its Account and Deal) and files CRM-sent mail", async () => {
    const exchangeMail = mailbox.mail;
    const receive = mailbox.receive;
    if (!exchangeMail || !receive) throw new Error("no Graph mail port");
    const contact = must(
      (
        await crm.modules.contacts.create([
          {
            value: {
              givenName: "Mia",
              surname: "Mail",
              email1: "mia@customer.example",
              companyName: "Mail Co",
              categories: [],
            },
          },
        ])
      )[0],
    );
    const account = zoho.control.record("Contacts", contact.id)?.Account_Name as { id: string } | undefined;
    if (!account) throw new Error("the contact has no Account");
    const accountId = account.id;
    const [deal] = zoho.control
      .actAs()
      .insert("Deals", [{ Deal_Name: "Mail Co renewal", Stage: "Qualification", Contact_Name: { id: contact.id } }]);
    if (deal?.status !== "success") throw new Error(`deal not created: ${JSON.stringify(deal)}`);
    const dealId = String(deal.id);
    await receive({
      internetMessageId: "<quote.42@customer.example>",
      subject: "Quote request",
      from: { emailAddress: { address: "Mia@Customer.example", name: "Mia Mail" } },
      toRecipients: [{ emailAddress: { address: mailbox.address } }],
      receivedDateTime: DateTime.utc().startOf("second").toISO({ suppressMilliseconds: true }),
      body: { contentType: "text", content: "Please send a quote." },
    });
    const crmSentId = zoho.control.sendEmailFromCrm("Contacts", contact.id, {
      to: ["mia@customer.example"],
      subject: "Your quote",
      content: "<p>Attached.</p>",
    });
    const store = new MemorySyncStateStore();
    const mailSync = () =>
      runMailSync<Email>({
        mailboxId: "mailbox-1",
        exchange: exchangeMail,
        crm: crm.mail,
        store,
        addressesOf: (mail) => [mail.from, ...mail.to, ...mail.cc].map((person) => person.address),
        ownAddresses: [mailbox.address],
      });
    const first = await mailSync();
    expect(first).toMatchObject({ status: "completed", associated: 1, filed: 1 });
    const subjectsOn = async (module: string, id: string) => {
      const answer = await crm.client.request({ method: "GET", path: `${module}/${id}/Emails` });
      return ((answer.json?.Emails as Array<{ subject: string }> | undefined) ?? []).map((m) => m.subject);
    };
    for (const [module, id] of [
      ["Contacts", contact.id],
      ["Accounts", accountId],
      ["Deals", dealId],
    ] as const) {
      expect(await subjectsOn(module, id)).toContain("Quote request");
    }
    const sent = (await mailbox.sentItems?.()) ?? [];
    expect(sent.map((mail) => [mail.internetMessageId, mail.subject])).toEqual([
      [`<${crmSentId}@crm.zoho>`, "Your quote"],
    ]);
    // Replaying the mail sync associates and files nothing twice; the filed mail is not associated back.
    const second = await mailSync();
    expect(second).toMatchObject({ status: "completed", associated: 0, filed: 0 });
    expect((await subjectsOn("Contacts", contact.id)).sort()).toEqual(["Quote request", "Your quote"]);
  });
});
