/**
 * `emails` jobs through the real server and scheduler, over real HTTPS against the Graph and Zoho simulators: a
 * mailbox message from a known Zoho contact is associated to that contact; a mail sent from the CRM is filed into
 * the mailbox's Sent Items; a second run writes nothing (idempotent by Message-ID). The e-mail settings decide what
 * runs: the direction (one-way leaves CRM-sent mail alone), attachments, and a user's own switch.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SyncSettings } from "../../src/api/admin.js";
import { InProcessScheduler } from "../../src/jobs/in-process-scheduler.js";
import { type RunningServer, startServer } from "../../src/server.js";
import { loadSyncSettings, SYNC_SETTINGS_KEY } from "../../src/services/sync-settings.js";
import { type OneUserBridge, openOneUserBridge } from "../support/one-user-bridge.js";

describe("emails jobs", () => {
  let setup: OneUserBridge;
  let server: RunningServer;
  let contactId: string;

  beforeAll(async () => {
    setup = await openOneUserBridge({ modules: [] });
    const [inserted] = setup.zoho.control
      .actAs()
      .insert("Contacts", [{ First_Name: "Mia", Last_Name: "Mail", Email: "mia@customer.example" }]);
    contactId = String(inserted?.id);
    await emailSettings({ enabled: true, direction: "two-way" });
    server = await startServer(setup.runtime);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await setup?.close();
  });

  async function emailSettings(
    change: Partial<Omit<SyncSettings["modules"]["emails"], "filters">>,
    filters: Partial<SyncSettings["modules"]["emails"]["filters"]> = {},
  ): Promise<void> {
    const settings = await loadSyncSettings(setup.runtime.storage.settings);
    const emails = settings.modules.emails;
    await setup.runtime.storage.settings.put(SYNC_SETTINGS_KEY, {
      ...settings,
      modules: { ...settings.modules, emails: { ...emails, ...change, filters: { ...emails.filters, ...filters } } },
    });
  }

  const runEveryone = async () => {
    await server.syncEveryone("schedule");
    if (server.queue instanceof InProcessScheduler) await server.queue.idle();
  };
  const associations = () => setup.zoho.control.totalCalls((endpoint) => endpoint === "emails.associate");
  /** Mails associated to the contact (not those sent from the CRM). */
  const storedOnContact = () => {
    const emails = setup.zoho.control.state().emails as Record<
      string,
      Array<{ subject: string; source: string; attachments: unknown[] }>
    >;
    return (emails[`Contacts/${contactId}`] ?? []).filter((mail) => mail.source === "associate_email");
  };
  const sentItems = (crmSentId: string) =>
    setup.graph.control
      .items(setup.mailbox, "message")
      .filter((message) => message.internetMessageId === `<${crmSentId}@crm.zoho>`);

  async function mailFromMia(subject: string, daysAgo = 0): Promise<string> {
    const internetMessageId = `<${subject.replaceAll(" ", ".").toLowerCase()}@customer.example>`;
    const receivedAt = Math.floor(Date.now() / 1000) * 1000 - daysAgo * 24 * 60 * 60 * 1000;
    await setup.graph.control.receiveMail(setup.mailbox, {
      internetMessageId,
      subject,
      from: { emailAddress: { address: "Mia@Customer.example", name: "Mia Mail" } },
      toRecipients: [{ emailAddress: { address: setup.mailbox } }],
      receivedDateTime: new Date(receivedAt).toISOString(),
      body: { contentType: "text", content: `About ${subject}.` },
    });
    const stored = setup.graph.control
      .items(setup.mailbox, "message")
      .find((message) => message.internetMessageId === internetMessageId);
    return String(stored?.id);
  }

  it("associates a mailbox message from a known contact and files CRM-sent mail into Sent Items, once", async () => {
    await mailFromMia("Quote request");
    const crmSentId = setup.zoho.control.sendEmailFromCrm("Contacts", contactId, {
      to: ["mia@customer.example"],
      subject: "Your quote",
      content: "<p>Attached.</p>",
    });

    await runEveryone();
    expect(associations()).toBe(1);
    expect(storedOnContact().map((mail) => mail.subject)).toEqual(["Quote request"]);
    expect(sentItems(crmSentId).map((message) => message.subject)).toEqual(["Your quote"]);

    // The filed copy is now in Sent Items: the next run neither files it again nor associates it back to Zoho.
    const graphWrites = setup.graph.control.writeCalls();
    await runEveryone();
    expect(associations()).toBe(1);
    expect(setup.graph.control.writeCalls()).toBe(graphWrites);
    expect(sentItems(crmSentId)).toHaveLength(1);
    const runs = await setup.runtime.storage.runs.recent({ module: "emails" });
    expect(runs.map((run) => run.status)).toEqual(["completed", "completed"]);
  });

  it("one way (Exchange → Zoho) with attachments: files the mail with its file, leaves CRM-sent mail alone", async () => {
    await emailSettings({ direction: "exchange-to-zoho" }, { includeAttachments: true });
    const messageId = await mailFromMia("Signed order");
    const order = Buffer.from("order 4711, signed\n".repeat(100));
    await setup.graph.control.actAsUser(setup.mailbox, "POST", `/messages/${messageId}/attachments`, {
      "@odata.type": "#microsoft.graph.fileAttachment",
      name: "order.pdf",
      contentType: "application/pdf",
      contentBytes: order.toString("base64"),
    });
    const crmSentId = setup.zoho.control.sendEmailFromCrm("Contacts", contactId, {
      to: ["mia@customer.example"],
      subject: "Order confirmation",
      content: "<p>Thanks.</p>",
    });

    await runEveryone();
    const filed = storedOnContact().find((mail) => mail.subject === "Signed order");
    expect(filed?.attachments).toEqual([{ id: expect.any(String), name: "order.pdf", size: String(order.length) }]);
    expect(sentItems(crmSentId)).toEqual([]);

    // Back to two-way: the CRM-sent mail the one-way runs left alone is filed now.
    await emailSettings({ direction: "two-way" }, { includeAttachments: false });
    await runEveryone();
    expect(sentItems(crmSentId).map((message) => message.subject)).toEqual(["Order confirmation"]);
  });

  it("leaves mailbox messages older than the module's pastDays out of the CRM", async () => {
    await emailSettings({}, { pastDays: 7 });
    await mailFromMia("Old thread", 30);
    await mailFromMia("Fresh thread", 1);
    await runEveryone();
    const subjects = storedOnContact().map((mail) => mail.subject);
    expect(subjects).toContain("Fresh thread");
    expect(subjects).not.toContain("Old thread");
    await emailSettings({}, { pastDays: null });
  });

  it("a user who switched e-mail off gets no run, while the module stays on for the org", async () => {
    const user = (await setup.runtime.storage.users.list()).find((candidate) => candidate.selected);
    if (!user) throw new Error("no selected user");
    await setup.runtime.storage.users.setModuleOverrides(user.id, { emails: false });
    const before = associations();
    const runsBefore = (await setup.runtime.storage.runs.recent({ module: "emails" })).length;
    await mailFromMia("Switched off");

    await runEveryone();
    expect(associations()).toBe(before);
    expect((await setup.runtime.storage.runs.recent({ module: "emails" })).length).toBe(runsBefore);

    await setup.runtime.storage.users.setModuleOverrides(user.id, {});
    await runEveryone();
    expect(storedOnContact().map((mail) => mail.subject)).toContain("Switched off");
  });
});
