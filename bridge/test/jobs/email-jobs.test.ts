/**
 * `emails` jobs through the real server and scheduler, over real HTTPS against the Graph and Zoho simulators: a
 * mailbox message from a known Zoho contact is associated to that contact; a mail sent from the CRM is filed into
 * the mailbox's Sent Items; a second run writes nothing (idempotent by Message-ID).
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGraphSimulator } from "../../simulators/graph/index.js";
import { startZohoSimulator } from "../../simulators/zoho/index.js";
import { loadConfig } from "../../src/config.js";
import { InProcessScheduler } from "../../src/jobs/in-process-scheduler.js";
import { createLogger } from "../../src/observability/logger.js";
import { connectToSimulators } from "../../src/sandbox/connect-simulators.js";
import { type RunningServer, startServer } from "../../src/server.js";
import { openRuntime, type Runtime } from "../../src/services/runtime.js";
import { loadSyncSettings, SYNC_SETTINGS_KEY } from "../../src/services/sync-settings.js";
import { testPki } from "../support/pki.js";

describe("emails jobs", () => {
  let graph: Awaited<ReturnType<typeof startGraphSimulator>>;
  let zoho: Awaited<ReturnType<typeof startZohoSimulator>>;
  let runtime: Runtime;
  let server: RunningServer;
  let dataDir: string;
  let mailbox: string;
  let contactId: string;

  beforeAll(async () => {
    const pki = await testPki();
    graph = await startGraphSimulator({
      pki,
      seed: {
        users: 1,
        contactsPerUser: 0,
        eventsPerUser: 0,
        recurringPerUser: 0,
        tasksPerUser: 0,
        messagesPerUser: 0,
      },
    });
    zoho = await startZohoSimulator({ pki });
    const [inserted] = zoho.control
      .actAs()
      .insert("Contacts", [{ First_Name: "Mia", Last_Name: "Mail", Email: "mia@customer.example" }]);
    contactId = String(inserted?.id);
    dataDir = await mkdtemp(join(tmpdir(), "bridge-mail-"));
    const { DATABASE_URL: _usesSqlite, ...inherited } = process.env;
    runtime = await openRuntime(
      loadConfig({
        ...inherited,
        BRIDGE_DATA_DIR: dataDir,
        BRIDGE_SECRET_KEY: randomBytes(32).toString("base64"),
        BRIDGE_GRAPH_URL: graph.url,
        ENTRA_AUTHORITY_HOST: graph.url,
        PORT: "0",
      }),
      createLogger({ level: "silent" }),
    );
    mailbox = [...(graph.control.directory.tenantByIdOrDomain("contoso.onmicrosoft.com")?.users.values() ?? [])][0]
      ?.mail as string;
    await connectToSimulators(runtime.storage, { zoho, mailboxes: [mailbox], modules: [] });
    const settings = await loadSyncSettings(runtime.storage.settings);
    await runtime.storage.settings.put(SYNC_SETTINGS_KEY, {
      ...settings,
      modules: { ...settings.modules, emails: { ...settings.modules.emails, enabled: true } },
    });
    server = await startServer(runtime);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await runtime?.close();
    await Promise.all([graph?.close(), zoho?.close()]);
    await rm(dataDir, { recursive: true, force: true });
  });

  const runEveryone = async () => {
    await server.syncEveryone("schedule");
    if (server.queue instanceof InProcessScheduler) await server.queue.idle();
  };
  const associations = () => zoho.control.totalCalls((endpoint) => endpoint === "emails.associate");

  it("associates a mailbox message from a known contact and files CRM-sent mail into Sent Items, once", async () => {
    await graph.control.receiveMail(mailbox, {
      internetMessageId: "<quote.42@customer.example>",
      subject: "Quote request",
      from: { emailAddress: { address: "Mia@Customer.example", name: "Mia Mail" } },
      toRecipients: [{ emailAddress: { address: mailbox } }],
      receivedDateTime: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString(),
      body: { contentType: "text", content: "Please send a quote." },
    });
    const crmSentId = zoho.control.sendEmailFromCrm("Contacts", contactId, {
      to: ["mia@customer.example"],
      subject: "Your quote",
      content: "<p>Attached.</p>",
    });

    await runEveryone();
    expect(associations()).toBe(1);
    expect(JSON.stringify(zoho.control.state().emails)).toContain("Quote request");
    const sentItems = graph.control
      .items(mailbox, "message")
      .filter((message) => message.internetMessageId === `<${crmSentId}@crm.zoho>`);
    expect(sentItems.map((message) => message.subject)).toEqual(["Your quote"]);

    const graphWrites = graph.control.writeCalls();
    await runEveryone();
    expect(associations()).toBe(1);
    expect(graph.control.writeCalls()).toBe(graphWrites);
    const runs = await runtime.storage.runs.recent({ module: "emails" });
    expect(runs.map((run) => run.status)).toEqual(["completed", "completed"]);
  });
});
