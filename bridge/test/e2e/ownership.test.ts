/**
 * Whose records go where, through the real server, scheduler and connectors over HTTPS against the Graph and Zoho
 * simulators, with two mailboxes paired with two Zoho users and the default "only records the user owns":
 * - a mailbox receives the CRM records its Zoho user owns, not the whole org's;
 * - an Outlook contact that a colleague owns in the CRM is linked to that record, not duplicated;
 * - a contact created in Outlook lands in Zoho owned by the mailbox's Zoho user (not by the admin who connected);
 * - the admin's category filter keeps untagged Outlook contacts out of the CRM;
 * - a second run writes nothing on either side;
 * - tasks are personal: two salespeople's Outlook tasks of the same title and due day stay two Zoho tasks, each
 *   owned by its own user, instead of one being linked to the colleague's (and flagged as a conflict).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InProcessScheduler } from "../../src/jobs/in-process-scheduler.js";
import { type RunningServer, startServer } from "../../src/server.js";
import { loadSyncSettings, SYNC_SETTINGS_KEY } from "../../src/services/sync-settings.js";
import type { BridgeUser } from "../../src/storage/user-repository.js";
import { type OneUserBridge, openOneUserBridge } from "../support/one-user-bridge.js";

describe("records follow their Zoho owner", () => {
  let setup: OneUserBridge;
  let server: RunningServer;
  let ann: BridgeUser;
  let ben: BridgeUser;

  beforeAll(async () => {
    setup = await openOneUserBridge({ modules: ["contacts", "tasks"], users: 2 });
    const users = await setup.runtime.storage.users.list();
    const byMailbox = (mailbox: string) => users.find((user) => user.mailbox === mailbox) as BridgeUser;
    ann = byMailbox(setup.mailboxes[0] as string);
    ben = byMailbox(setup.mailboxes[1] as string);
    server = await startServer(setup.runtime);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await setup?.close();
  });

  const runEveryone = async () => {
    await server.syncEveryone("schedule");
    if (server.queue instanceof InProcessScheduler) await server.queue.idle();
  };
  const outlookEmails = (user: BridgeUser) =>
    setup.graph.control
      .items(user.mailbox, "contact")
      .flatMap((contact) => (contact.emailAddresses as Array<{ address: string }>).map((entry) => entry.address))
      .sort();
  const zohoWriteCalls = () =>
    setup.zoho.control.totalCalls((endpoint) => /^records\.(insert|update|upsert|delete)$/.test(endpoint));
  const zohoContacts = () => setup.zoho.control.records("Contacts");
  const ownerOf = (email: string) =>
    zohoContacts()
      .filter((record) => record.Email === email)
      .map((record) => (record.Owner as { id: string }).id);
  const newOutlookContact = (user: BridgeUser, email: string, categories: string[] = []) =>
    setup.graph.control.actAsUser(user.mailbox, "POST", "/contacts", {
      givenName: email.split("@")[0],
      surname: "Example",
      emailAddresses: [{ address: email, name: email }],
      categories,
    });

  it("copies each Zoho user's own records into their mailbox and files Outlook contacts under that user", async () => {
    setup.zoho.control.actAs().insert("Contacts", [
      { Last_Name: "Ann's", Email: "anns@customer.example", Owner: { id: ann.zohoUserId } },
      { Last_Name: "Ben's", Email: "bens@customer.example", Owner: { id: ben.zohoUserId } },
      { Last_Name: "Shared", Email: "shared@customer.example", Owner: { id: ann.zohoUserId } },
    ]);
    await newOutlookContact(ben, "shared@customer.example");
    await newOutlookContact(ben, "new@customer.example");

    await runEveryone();

    expect(outlookEmails(ann)).toEqual(["anns@customer.example", "shared@customer.example"]);
    expect(outlookEmails(ben)).toEqual(["bens@customer.example", "new@customer.example", "shared@customer.example"]);
    expect(ownerOf("shared@customer.example")).toEqual([ann.zohoUserId]);
    expect(ownerOf("new@customer.example")).toEqual([ben.zohoUserId]);
    expect(zohoContacts()).toHaveLength(4);

    const graphWrites = setup.graph.control.writeCalls();
    const zohoWrites = zohoWriteCalls();
    await runEveryone();
    expect(setup.graph.control.writeCalls()).toBe(graphWrites);
    expect(zohoWriteCalls()).toBe(zohoWrites);
  });

  it("with a category filter, only tagged Outlook contacts go to the CRM", async () => {
    const settings = await loadSyncSettings(setup.runtime.storage.settings);
    const contacts = settings.modules.contacts;
    await setup.runtime.storage.settings.put(SYNC_SETTINGS_KEY, {
      ...settings,
      modules: {
        ...settings.modules,
        contacts: { ...contacts, filters: { ...contacts.filters, exchangeCategory: "CRM" } },
      },
    });
    await newOutlookContact(ann, "tagged@customer.example", ["crm"]);
    await newOutlookContact(ann, "private@friends.example");

    await runEveryone();

    expect(ownerOf("tagged@customer.example")).toEqual([ann.zohoUserId]);
    expect(ownerOf("private@friends.example")).toEqual([]);
  });

  const newOutlookTask = (user: BridgeUser, importance: string) => {
    const list = [...setup.graph.control.mailbox(user.mailbox).folders.values()].find(
      (folder) => folder.kind === "todoList" && folder.isDefault,
    );
    return setup.graph.control.actAsUser(user.mailbox, "POST", `/todo/lists/${list?.id}/tasks`, {
      title: "Follow up with Fabrikam",
      importance,
      dueDateTime: { dateTime: "2026-12-18T00:00:00.0000000", timeZone: "UTC" },
    });
  };

  it("keeps two colleagues' tasks of the same title and day apart, each owned by its user", async () => {
    // One after the other, so the second user's first task sync finds the colleague's task already in Zoho.
    await newOutlookTask(ann, "high");
    await runEveryone();
    await newOutlookTask(ben, "low");
    await runEveryone();

    const tasks = setup.zoho.control.records("Tasks").filter((record) => record.Subject === "Follow up with Fabrikam");
    expect(tasks.map((record) => [(record.Owner as { id: string }).id, record.Priority]).sort()).toEqual(
      [
        [ann.zohoUserId, "High"],
        [ben.zohoUserId, "Low"],
      ].sort(),
    );
    for (const user of [ann, ben]) {
      expect(await setup.runtime.storage.syncState.listConflicts({ mailboxId: user.id, module: "tasks" })).toEqual([]);
      expect(setup.graph.control.items(user.mailbox, "task")).toHaveLength(1);
    }
  });
});
