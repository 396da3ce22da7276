/**
 * The CRM-sent mail feed's cost and completeness through the real server, scheduler and connectors over HTTPS against
 * the Graph and Zoho simulators (contacts and e-mail jobs). The feed reads a Zoho record's Emails related list only
 * when the record's Last_Activity_Time moved: the bridge creating Zoho contacts costs no `emails.list` call; a record
 * the bridge edits or associates a mail to is read (a CRM-sent mail just before the bridge's write would be hidden
 * behind it, zoho/mail.ts), and every CRM-sent mail reaches Sent Items once, whatever the bridge did to its record.
 * With two users, a CRM mail reaches its sender's Sent Items only, whoever owns the record it was sent from.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InProcessScheduler } from "../../src/jobs/in-process-scheduler.js";
import { type RunningServer, startServer } from "../../src/server.js";
import { loadSyncSettings, SYNC_SETTINGS_KEY } from "../../src/services/sync-settings.js";
import { type OneUserBridge, openOneUserBridge } from "../support/one-user-bridge.js";

const CONTACTS = 40;
/**
 * A run's feed window reaches back to the previous run's start less twice the connector's 2 s overlap, in whole
 * seconds, so activity this long before a run is read in that run and not again in the next one.
 */
const PAST_THE_OVERLAP_MS = 5_500;

describe("CRM-sent mail feed", () => {
  let setup: OneUserBridge;
  let server: RunningServer;

  beforeAll(async () => {
    setup = await openOneUserBridge({ modules: ["contacts"] });
    await emailModule(true);
    server = await startServer(setup.runtime);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await setup?.close();
  });

  async function emailModule(enabled: boolean): Promise<void> {
    const settings = await loadSyncSettings(setup.runtime.storage.settings);
    await setup.runtime.storage.settings.put(SYNC_SETTINGS_KEY, {
      ...settings,
      modules: { ...settings.modules, emails: { ...settings.modules.emails, enabled, direction: "two-way" } },
    });
  }

  const address = (n: number) => `customer${n}@example.org`;
  const run = async () => {
    await server.syncEveryone("schedule");
    if (server.queue instanceof InProcessScheduler) await server.queue.idle();
  };
  const emailLists = () => setup.zoho.control.totalCalls((endpoint) => endpoint === "emails.list");
  /** The `emails.list` calls of `runs` consecutive sync runs of every module. */
  const listsDuring = async (runs: number) => {
    const before = emailLists();
    for (let n = 0; n < runs; n++) await run();
    return emailLists() - before;
  };
  const zohoContact = (n: number) => {
    const contact = setup.zoho.control.records("Contacts").find((record) => record.Email === address(n));
    if (!contact) throw new Error(`no Zoho contact ${address(n)}`);
    return String(contact.id);
  };
  const sentItems = (zohoMessageId: string) =>
    setup.graph.control
      .items(setup.mailbox, "message")
      .filter((message) => message.internetMessageId === `<${zohoMessageId}@crm.zoho>`);
  const sendFromCrm = (n: number, subject: string) =>
    setup.zoho.control.sendEmailFromCrm("Contacts", zohoContact(n), {
      to: [address(n)],
      subject,
      content: `<p>${subject}</p>`,
    });
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("reads no record the bridge only created, and files a CRM mail sent around the bridge's writes once", async () => {
    for (let n = 0; n < CONTACTS; n++) {
      const created = await setup.graph.control.actAsUser(setup.mailbox, "POST", "/contacts", {
        givenName: `Customer${n}`,
        surname: "Example",
        emailAddresses: [{ address: address(n), name: `Customer${n} Example` }],
      });
      expect(created.status).toBe(201);
    }

    // The bridge creates the 40 Zoho contacts: none of them has any activity, so the feed reads none.
    expect(await listsDuring(2)).toBe(0);
    expect(zohoContact(CONTACTS - 1)).toEqual(expect.any(String));

    // A CRM mail to customer1, then the bridge edits that contact (a contacts-only run, so the edit surely comes
    // between the mail and the feed): the edit's Last_Activity_Time hides the mail's, and the mail is not missed.
    const beforeEdit = sendFromCrm(1, "Sent just before the bridge's edit");
    const outlookContacts = setup.graph.control.items(setup.mailbox, "contact");
    const outlook1 = outlookContacts.find((contact) => contact.givenName === "Customer1");
    await setup.graph.control.editContact(setup.mailbox, String(outlook1?.id), { jobTitle: "Buyer" });
    await emailModule(false);
    expect(await listsDuring(1)).toBe(0);
    await emailModule(true);
    const edited = setup.zoho.control.record("Contacts", zohoContact(1));
    expect(edited?.Title).toBe("Buyer");
    expect(edited?.Last_Activity_Time).toBe(edited?.Modified_Time);
    // And the bridge associates a mailbox message to customer0.
    await setup.graph.control.receiveMail(setup.mailbox, {
      internetMessageId: "<order-0@example.org>",
      subject: "Order",
      from: { emailAddress: { address: address(0), name: "Customer0 Example" } },
      toRecipients: [{ emailAddress: { address: setup.mailbox } }],
      receivedDateTime: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString(),
      body: { contentType: "text", content: "Please send 3 boxes." },
    });
    // The associated record is read once, by the next run's feed (the run files CRM mail before it associates);
    // the edited one by the first run, and by the second too when the edit falls in its 4 s overlap window.
    const touchedReads = await listsDuring(2);
    expect(touchedReads).toBeGreaterThanOrEqual(2);
    expect(touchedReads).toBeLessThanOrEqual(3);
    const stored = setup.zoho.control.state().emails as Record<string, Array<{ source: string }>>;
    expect(stored[`Contacts/${zohoContact(0)}`]?.map((mail) => mail.source)).toEqual(["associate_email"]);
    expect(sentItems(beforeEdit).map((message) => message.subject)).toEqual(["Sent just before the bridge's edit"]);

    // CRM mails after the bridge created (2), edited (1) and associated (0) their records: one read per mail.
    const after = [0, 1, 2].map((n) => sendFromCrm(n, `Follow-up ${n}`));
    await pause(PAST_THE_OVERLAP_MS);
    expect(await listsDuring(2)).toBe(3);
    for (const [n, id] of after.entries()) {
      expect(sentItems(id).map((message) => message.subject)).toEqual([`Follow-up ${n}`]);
    }
    expect(sentItems(beforeEdit)).toHaveLength(1);

    // Nothing new: no record is read, nothing is filed again.
    const graphWrites = setup.graph.control.writeCalls();
    expect(await listsDuring(1)).toBe(0);
    expect(setup.graph.control.writeCalls()).toBe(graphWrites);
  }, 60_000);
});

describe("CRM-sent mail of two users", () => {
  let setup: OneUserBridge;
  let server: RunningServer;

  beforeAll(async () => {
    setup = await openOneUserBridge({ modules: [], users: 2 });
    const settings = await loadSyncSettings(setup.runtime.storage.settings);
    await setup.runtime.storage.settings.put(SYNC_SETTINGS_KEY, {
      ...settings,
      modules: {
        ...settings.modules,
        emails: { ...settings.modules.emails, enabled: true, direction: "zoho-to-exchange" },
      },
    });
    server = await startServer(setup.runtime);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await setup?.close();
  });

  it("files a mail into its sender's Sent Items only, whoever owns the record, once", async () => {
    const [mailboxA = "", mailboxB = ""] = setup.mailboxes;
    const userA = setup.zoho.control.primaryUser().id;
    const users = setup.zoho.control.state().users as Array<{ id: string; email: string }>;
    const userB = users.find((user) => user.email === mailboxB)?.id ?? "";
    expect(userB).not.toBe("");
    const contactOf = (owner: string, name: string) =>
      String(
        setup.zoho.control.actAs(owner).insert("Contacts", [{ Last_Name: name, Email: `${name}@example.org` }])[0]?.id,
      );
    const send = (sender: string, recordId: string, subject: string) =>
      setup.zoho.control.sendEmailFromCrm("Contacts", recordId, {
        to: ["customer@example.org"],
        subject,
        content: `<p>${subject}</p>`,
        sender,
      });
    const sentItems = (mailbox: string) =>
      setup.graph.control
        .items(mailbox, "message")
        .filter((message) => String(message.internetMessageId).endsWith("@crm.zoho>"))
        .map((message) => message.subject);
    const run = async () => {
      await server.syncEveryone("schedule");
      if (server.queue instanceof InProcessScheduler) await server.queue.idle();
    };

    send(userB, contactOf(userA, "alices-customer"), "B to A's contact");
    send(userA, contactOf(userB, "bobs-customer"), "A to B's contact");
    setup.zoho.control.resetCallCounts();
    await run();
    expect(sentItems(mailboxA)).toEqual(["A to B's contact"]);
    expect(sentItems(mailboxB)).toEqual(["B to A's contact"]);
    // Both mailboxes' feeds share one scan: Contacts and Leads once, each of the two records once.
    expect(setup.zoho.control.callCounts().coql).toBe(2);
    expect(setup.zoho.control.callCounts()["emails.list"]).toBe(2);

    const graphWrites = setup.graph.control.writeCalls();
    await run();
    expect(setup.graph.control.writeCalls()).toBe(graphWrites);
    expect(sentItems(mailboxA)).toEqual(["A to B's contact"]);
    expect(sentItems(mailboxB)).toEqual(["B to A's contact"]);
  }, 60_000);
});
