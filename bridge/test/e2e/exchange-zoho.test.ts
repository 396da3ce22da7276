/**
 * End to end over real HTTPS: a simulated mailbox (Graph; EWS 2010 SP2 and 2016) and the Zoho simulator, through the
 * production connectors, the model's real sync modules and the sync engine.
 *
 * - Tasks two ways and both one-way directions, under both conflict rules, on every mailbox backend; events
 *   (a weekly series with one moved and one cancelled occurrence) on Graph (EWS events: ews-events.test.ts). After
 *   each sync a repeated sync makes zero write calls on either side (counted at the ports).
 * - E-mail (Graph): a mailbox message is associated to the matching Zoho Contact (and so shows on its Account and
 *   Deal); a CRM-sent mail lands in the mailbox's Sent Items.
 * - Push: with no polling timer at all, a mailbox change reaches Zoho and a Zoho change reaches the mailbox because
 *   the engine runs only when the connector's push channel (Graph subscription, EWS streaming, Zoho actions/watch)
 *   delivers a notice.
 */

import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEwsSimulator } from "../../simulators/ews/index.js";
import { type RunningZohoSimulator, startZohoSimulator } from "../../simulators/zoho/index.js";
import { createEwsExchangePort } from "../../src/connectors/ews/index.js";
import type { ExchangeMailPort, PushSubscription, RecordPort } from "../../src/connectors/port.js";
import type { ZohoCrmPort } from "../../src/connectors/zoho/index.js";
import type { CalendarEvent, Email, Task } from "../../src/model/index.js";
import { type ExchangeApi, eventSyncModule, taskSyncModule } from "../../src/model/sync-modules.js";
import { runMailSync } from "../../src/sync/mail.js";
import { MemorySyncStateStore } from "../../src/sync/memory-state.js";
import { connect, mailboxOf, startEmptySimulator, startWebhook } from "../connectors/graph/harness.js";
import { connectZoho } from "../connectors/zoho/support.js";
import { testPki } from "../support/pki.js";
import { all, edit, eventsJourney, must, pairing, readValue, SYNC_RULES, type SyncRule } from "./support.js";

interface Mailbox {
  readonly address: string;
  readonly tasks: RecordPort<Task>;
  readonly events?: RecordPort<CalendarEvent>;
  readonly mail?: ExchangeMailPort<Email>;
  /** True when push notices reach a webhook (Graph); false when the connector holds a stream open itself (EWS). */
  readonly webhookPush: boolean;
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
      const tasks = exchange.modules.tasks;
      if (!tasks) throw new Error("no EWS tasks port");
      return {
        address: exchange.mailbox,
        tasks,
        webhookPush: false,
        close: async () => {
          await exchange.close();
          await sim.close();
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
      const { tasks, events } = exchange.modules;
      if (!tasks || !events) throw new Error("no Graph tasks/events port");
      return {
        address,
        tasks,
        events,
        mail: exchange.mail,
        webhookPush: true,
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

  it.each(RULES)(
    "tasks, $name: copies, resolves edits by the rule, and a repeated sync writes nothing",
    async (rule) => {
      const tag = rule.name.replace(/\W+/g, "-");
      const pair = pairing(taskSyncModule(), mailbox.tasks, crm.modules.tasks, rule);
      const fromMailbox = must((await mailbox.tasks.create([{ value: task(`Mailbox ${tag}`, "from Exchange") }]))[0]);
      const fromCrm = must((await crm.modules.tasks.create([{ value: task(`CRM ${tag}`, "from Zoho") }]))[0]);
      await pair.sync();
      const subjects = async (port: RecordPort<Task>) =>
        (await all(port)).map((value) => value.subject).filter((subject) => subject.endsWith(tag));
      const toCrm = rule.settings.direction !== "crm-to-exchange";
      const toMailbox = rule.settings.direction !== "exchange-to-crm";
      expect((await subjects(crm.modules.tasks)).sort()).toEqual(
        toCrm ? [`CRM ${tag}`, `Mailbox ${tag}`] : [`CRM ${tag}`],
      );
      expect((await subjects(mailbox.tasks)).sort()).toEqual(
        toMailbox ? [`CRM ${tag}`, `Mailbox ${tag}`] : [`Mailbox ${tag}`],
      );
      let writes = pair.writes();
      await pair.sync();
      expect(pair.writes()).toBe(writes);

      if (rule.settings.direction === "two-way") {
        // The same field edited differently on both sides: the rule decides; a field edited on one side only is kept.
        const crmId = await pair.partnerOf("exchange", fromMailbox.id);
        await edit(mailbox.tasks, fromMailbox.id, (value) => ({
          ...value,
          body: "Exchange says",
          priority: "low" as const,
        }));
        await edit(crm.modules.tasks, crmId, (value) => ({ ...value, body: "CRM says" }));
        await pair.sync();
        const winner = rule.settings.conflictRule === "crm-wins" ? "CRM says" : "Exchange says";
        for (const value of [
          await readValue(mailbox.tasks, fromMailbox.id),
          await readValue(crm.modules.tasks, crmId),
        ]) {
          expect(value).toMatchObject({ body: winner, priority: "low" as const });
        }
      } else {
        // One way: the source's edit reaches the target; the target's own edit never travels back.
        const [source, target, sourceId] =
          rule.settings.direction === "exchange-to-crm"
            ? ([mailbox.tasks, crm.modules.tasks, fromMailbox.id] as const)
            : ([crm.modules.tasks, mailbox.tasks, fromCrm.id] as const);
        const targetId = await pair.partnerOf(source === mailbox.tasks ? "exchange" : "crm", sourceId);
        await edit(source, sourceId, (value) => ({ ...value, body: "edited at the source" }));
        await pair.sync();
        expect(await readValue(target, targetId)).toMatchObject({ body: "edited at the source" });
        await edit(target, targetId, (value) => ({ ...value, subject: `${value.subject} (target edit)` }));
        await pair.sync();
        expect((await readValue(source, sourceId)).subject).not.toContain("target edit");
      }
      writes = pair.writes();
      await pair.sync();
      expect(pair.writes()).toBe(writes);
    },
  );

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
