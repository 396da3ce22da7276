/**
 * The add-in's CRM routes through the real app, connected to the real Zoho and Graph simulators over HTTPS exactly
 * as the sandbox connects them: context (Account, open Deals), send-to-CRM (filed on the Contact, listed on its
 * Account and Deal, idempotent, survives a move), create lead, follow-ups, availability, and user isolation.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TENANT, startGraphSimulator } from "../../simulators/graph/index.js";
import { DEFAULT_CLIENT, startZohoSimulator } from "../../simulators/zoho/index.js";
import { createZohoCrmPort } from "../../src/connectors/zoho/index.js";
import { connectToSimulators } from "../../src/sandbox/connect-simulators.js";
import { addinHeaders, seedUsers, startTestBridge, type TestBridge } from "../http/harness.js";
import { testPki } from "../support/pki.js";

type Running<T extends (...args: never[]) => Promise<unknown>> = Awaited<ReturnType<T>>;
let zoho: Running<typeof startZohoSimulator>;
let graph: Running<typeof startGraphSimulator>;
let bridge: TestBridge;
let alice: string;
let bob: string;
const ids: Record<string, string> = {};

const KNOWN = "nora.north@northwind.example";
const UNKNOWN = "sam.stranger@fabrikam.example";

async function call(mailbox: string, method: string, path: string, body?: unknown) {
  const headers = await addinHeaders(bridge, mailbox);
  const response = await fetch(`${bridge.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, never> };
}

async function mailFrom(mailbox: string, address: string, subject: string): Promise<string> {
  await graph.control.receiveMail(mailbox, {
    subject,
    body: { contentType: "text", content: `About ${subject}` },
    from: { emailAddress: { address, name: "Sender" } },
    toRecipients: [{ emailAddress: { address: mailbox } }],
  });
  const message = graph.control.items(mailbox, "message").find((item) => item.subject === subject);
  return String(message?.internetMessageId);
}

beforeAll(async () => {
  const pki = await testPki();
  zoho = await startZohoSimulator({ pki });
  graph = await startGraphSimulator({
    pki,
    seed: { users: 2, contactsPerUser: 0, eventsPerUser: 0, recurringPerUser: 0, tasksPerUser: 0, messagesPerUser: 0 },
  });
  const mailboxes = [...(graph.control.directory.tenantByIdOrDomain(DEMO_TENANT.id)?.users.values() ?? [])].map(
    (user) => user.mail,
  );
  [alice = "", bob = ""] = mailboxes;
  bridge = await startTestBridge({
    sandbox: true,
    entra: {
      tenantId: DEMO_TENANT.id,
      clientId: DEMO_TENANT.bridgeApp.clientId,
      authorityHost: graph.url,
      apiScope: "CRM.Access",
    },
  });
  await connectToSimulators(bridge.storage, { zoho, mailboxes });
  const actor = zoho.control.actAs();
  const [account] = actor.insert("Accounts", [{ Account_Name: "Northwind Traders", Website: "northwind.example" }]);
  ids.account = String(account?.id);
  const [contact] = actor.insert("Contacts", [
    { First_Name: "Nora", Last_Name: "North", Email: KNOWN, Account_Name: { id: ids.account } },
  ]);
  ids.contact = String(contact?.id);
  const [open, closed] = actor.insert("Deals", [
    {
      Deal_Name: "Northwind renewal",
      Stage: "Qualification",
      Amount: 12000,
      Contact_Name: { id: ids.contact },
      Account_Name: { id: ids.account },
    },
    {
      Deal_Name: "Northwind pilot",
      Stage: "Closed Won",
      Amount: 500,
      Contact_Name: { id: ids.contact },
      Account_Name: { id: ids.account },
    },
  ]);
  ids.deal = String(open?.id);
  ids.closedDeal = String(closed?.id);
}, 60_000);

afterAll(async () => {
  await bridge?.close();
  await graph?.close();
  await zoho?.close();
});

describe("add-in CRM routes against the Zoho and Graph simulators", () => {
  it("shows a known contact with its Account and only the open Deal; an unknown address has no records", async () => {
    const { status, body } = await call(alice, "POST", "/api/addin/context", {
      emails: [KNOWN.toUpperCase(), UNKNOWN],
    });
    expect(status).toBe(200);
    const [known, unknown] = body.people as Array<{ email: string; records: Array<Record<string, never>> }>;
    expect(known?.email).toBe(KNOWN.toUpperCase());
    expect(known?.records).toHaveLength(1);
    expect(known?.records[0]).toMatchObject({
      module: "Contacts",
      id: ids.contact,
      name: "Nora North",
      account: { id: ids.account, name: "Northwind Traders" },
      openDeals: [{ id: ids.deal, name: "Northwind renewal", stage: "Qualification", amount: 12000, currency: "USD" }],
    });
    expect(unknown).toEqual({ email: UNKNOWN, records: [] });
  });

  it("sends an e-mail to the Contact once: listed on Contact, Account and Deal; a repeat creates nothing", async () => {
    const messageId = await mailFrom(alice, KNOWN, "Renewal pricing");
    const before = await call(
      alice,
      "GET",
      `/api/addin/items/status?itemType=message&internetMessageId=${encodeURIComponent(messageId)}`,
    );
    expect(before.body).toMatchObject({ state: "not-synced", reason: { code: "not-sent-to-crm" } });

    const request = {
      internetMessageId: messageId,
      targets: [{ module: "Contacts", id: ids.contact }],
      includeAttachments: false,
    };
    const first = await call(alice, "POST", "/api/addin/emails", request);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      results: [{ status: "associated", target: { id: ids.contact, name: "Nora North" } }],
    });
    const second = await call(alice, "POST", "/api/addin/emails", request);
    expect(second.body).toMatchObject({ results: [{ status: "already-associated" }] });

    for (const [module, id] of [
      ["Contacts", ids.contact],
      ["Accounts", ids.account],
      ["Deals", ids.deal],
    ] as const) {
      const listed = (await zohoEmails(module, String(id))).filter((mail) => mail.subject === "Renewal pricing");
      expect(listed, `${module} lists the mail once`).toHaveLength(1);
    }
    const after = await call(
      alice,
      "GET",
      `/api/addin/items/status?itemType=message&internetMessageId=${encodeURIComponent(messageId)}`,
    );
    expect(after.body).toMatchObject({ state: "synced", crmRecords: [{ module: "Contacts", id: ids.contact }] });
    // The message leaves the Inbox: "already in CRM" still comes from the server, and a repeat still creates nothing.
    const stored = graph.control.items(alice, "message").find((item) => item.internetMessageId === messageId);
    await graph.control.actAsUser(alice, "DELETE", `/messages/${String(stored?.id)}`);
    const gone = await call(alice, "POST", "/api/addin/emails", request);
    expect(gone.body).toMatchObject({ results: [{ status: "already-associated" }] });
    expect(
      (await zohoEmails("Contacts", ids.contact)).filter((mail) => mail.subject === "Renewal pricing"),
    ).toHaveLength(1);
    // User B asking about A's message sees nothing and cannot file it: the bridge reads B's own mailbox only.
    const asBob = await call(
      bob,
      "GET",
      `/api/addin/items/status?itemType=message&internetMessageId=${encodeURIComponent(messageId)}`,
    );
    expect(asBob.body).toMatchObject({ state: "not-synced", crmRecords: [] });
    const bobFiles = await call(bob, "POST", "/api/addin/emails", request);
    expect(bobFiles.status).toBe(404);
    expect(bobFiles.body).toMatchObject({ error: { code: "MESSAGE_NOT_FOUND" } });
  });

  it("finds a moved e-mail by its Message-ID and files it with its attachment; too large a file is refused", async () => {
    const messageId = await mailFrom(alice, KNOWN, "Signed contract");
    const stored = graph.control.items(alice, "message").find((item) => item.internetMessageId === messageId);
    const contract = Buffer.from("%PDF-1.7 signed contract\n".repeat(40));
    await graph.control.actAsUser(alice, "POST", `/messages/${String(stored?.id)}/attachments`, {
      "@odata.type": "#microsoft.graph.fileAttachment",
      name: "contract.pdf",
      contentType: "application/pdf",
      contentBytes: contract.toString("base64"),
    });
    // Filed away into Archive (not Inbox or Sent Items): found by Message-ID all the same.
    const moved = await graph.control.actAsUser(alice, "POST", `/messages/${String(stored?.id)}/move`, {
      destinationId: "archive",
    });
    expect(moved.status).toBe(201);

    const sent = await call(alice, "POST", "/api/addin/emails", {
      internetMessageId: messageId,
      targets: [{ module: "Contacts", id: ids.contact }],
      includeAttachments: true,
    });
    expect(sent.body).toMatchObject({ results: [{ status: "associated" }] });
    const filed = zohoStoredEmails(`Contacts/${ids.contact}`).filter((mail) => mail.subject === "Signed contract");
    expect(filed.map((mail) => mail.attachments)).toEqual([
      [{ id: expect.any(String), name: "contract.pdf", size: String(contract.length) }],
    ]);

    // Zoho takes at most 10 MB of attachments per e-mail: refused with a clear error, nothing half-filed.
    const bigId = await mailFrom(alice, KNOWN, "Scanned archive");
    const big = graph.control.items(alice, "message").find((item) => item.internetMessageId === bigId);
    await graph.control.actAsUser(alice, "POST", `/messages/${String(big?.id)}/attachments`, {
      "@odata.type": "#microsoft.graph.fileAttachment",
      name: "scan.tiff",
      contentType: "image/tiff",
      contentBytes: Buffer.alloc(10 * 1024 * 1024 + 1).toString("base64"),
    });
    const refused = await call(alice, "POST", "/api/addin/emails", {
      internetMessageId: bigId,
      targets: [{ module: "Contacts", id: ids.contact }],
      includeAttachments: true,
    });
    expect(refused.body).toMatchObject({
      results: [{ status: "failed", error: { code: "CRM_REJECTED", message: expect.stringContaining("10 MB") } }],
    });
    expect(zohoStoredEmails(`Contacts/${ids.contact}`).some((mail) => mail.subject === "Scanned archive")).toBe(false);
  });

  it("files one e-mail on Contact, Account and Deal together, and lists the mailbox's messages for the preview", async () => {
    const messageId = await mailFrom(alice, KNOWN, "Deal review");
    const targets = [
      { module: "Contacts", id: ids.contact },
      { module: "Accounts", id: ids.account },
      { module: "Deals", id: ids.deal },
    ];
    const sent = await call(alice, "POST", "/api/addin/emails", {
      internetMessageId: messageId,
      targets,
      includeAttachments: false,
    });
    expect((sent.body.results as Array<{ status: string }>).map((result) => result.status)).toEqual([
      "associated",
      "associated",
      "associated",
    ]);
    const status = await call(
      alice,
      "GET",
      `/api/addin/items/status?itemType=message&internetMessageId=${encodeURIComponent(messageId)}`,
    );
    expect(status.body).toMatchObject({
      state: "synced",
      crmRecords: [
        { module: "Contacts", name: "Nora North" },
        { module: "Accounts", name: "Northwind Traders" },
        { module: "Deals", name: "Northwind renewal" },
      ],
    });
    const preview = await fetch(`${bridge.url}/api/addin/sandbox/items?mailbox=${encodeURIComponent(alice)}`);
    const { mailboxes, items } = (await preview.json()) as {
      mailboxes: Array<{ address: string; server: string }>;
      items: Array<{ internetMessageId: string; from: { email: string }; subject: string }>;
    };
    expect(mailboxes.map((mailbox) => mailbox.address).sort()).toEqual([alice, bob].sort());
    expect(items.find((item) => item.internetMessageId === messageId)).toMatchObject({
      subject: "Deal review",
      from: { email: KNOWN },
    });
  });

  it("refuses unknown records and bad input with the add-in error shape", async () => {
    const messageId = await mailFrom(alice, KNOWN, "Another");
    const missing = await call(alice, "POST", "/api/addin/emails", {
      internetMessageId: messageId,
      targets: [{ module: "Contacts", id: "999999999" }],
      includeAttachments: false,
    });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: "RECORD_NOT_FOUND" } });
    const invalid = await call(alice, "POST", "/api/addin/context", { emails: ["not an address"] });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ error: { code: "VALIDATION_FAILED" } });
  });

  it("creates a lead from an unknown sender once, then finds it by search and by context", async () => {
    const request = {
      module: "Leads",
      firstName: "Sam",
      lastName: "Stranger",
      email: UNKNOWN,
      company: "Fabrikam",
      title: null,
      phone: null,
    };
    const created = await call(alice, "POST", "/api/addin/people", request);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      created: true,
      record: { module: "Leads", name: "Sam Stranger", company: "Fabrikam" },
    });
    const again = await call(alice, "POST", "/api/addin/people", request);
    expect(again.body).toMatchObject({ created: false, record: { id: (created.body.record as { id: string }).id } });
    expect(zoho.control.records("Leads").filter((lead) => lead.Email === UNKNOWN)).toHaveLength(1);
    const found = await call(alice, "GET", "/api/addin/people/search?q=strang");
    expect(found.body).toMatchObject({ records: [{ module: "Leads", email: UNKNOWN }] });
  });

  it("creates a follow-up task on the contact and an event; they show as the contact's open task", async () => {
    const task = await call(alice, "POST", "/api/addin/follow-ups", {
      kind: "task",
      subject: "Send the renewal quote",
      dueDate: "2030-01-15",
      priority: "High",
      description: null,
      who: { module: "Contacts", id: ids.contact },
      what: { module: "Deals", id: ids.deal },
      internetMessageId: null,
    });
    expect(task.status).toBe(200);
    expect(task.body).toMatchObject({ module: "Tasks", name: "Send the renewal quote" });
    const event = await call(alice, "POST", "/api/addin/follow-ups", {
      kind: "event",
      title: "Renewal call",
      start: "2030-01-16T10:00:00.000Z",
      end: "2030-01-16T10:30:00Z",
      venue: null,
      description: null,
      participants: [{ module: "Contacts", id: ids.contact }],
      what: null,
      internetMessageId: null,
    });
    expect(event.status).toBe(200);
    expect(zoho.control.record("Events", String(event.body.id))).toMatchObject({ Event_Title: "Renewal call" });
    const { body } = await call(alice, "POST", "/api/addin/context", { emails: [KNOWN] });
    const [person] =
      (body.people as Array<{ records: Array<{ openTasks: Array<{ subject: string }> }> }>)[0]?.records ?? [];
    expect(person?.openTasks.map((entry) => entry.subject)).toContain("Send the renewal quote");
  });

  it("reports a meeting as synced once the calendar sync paired it, and why not before", async () => {
    const query = "/api/addin/items/status?itemType=appointment&restItemId=AAMkMeeting1";
    expect((await call(alice, "GET", query)).body).toMatchObject({
      state: "not-synced",
      reason: { code: "not-yet-synced" },
    });
    const me = await bridge.storage.users.byMailbox(alice);
    await bridge.storage.syncState.saveRelation(
      { mailboxId: String(me?.id), module: "events" },
      {
        id: "relation-1",
        exchangeId: "AAMkMeeting1",
        exchangeVersion: "ck1",
        exchangeHash: "h1",
        crmId: "4000001",
        crmVersion: "2030-01-01T00:00:00+00:00",
        crmHash: "h2",
        base: {},
        schemaVersion: 1,
        syncedAt: "2030-01-01T00:00:00.000Z",
      },
    );
    expect((await call(alice, "GET", query)).body).toMatchObject({
      state: "synced",
      lastSyncedAt: "2030-01-01T00:00:00.000Z",
    });
    // The relation is Alice's: Bob asking about the same id learns nothing.
    expect((await call(bob, "GET", query)).body).toMatchObject({ state: "not-synced" });
  });

  it("answers free/busy of colleagues from the mailbox's getSchedule", async () => {
    await graph.control.actAsUser(bob, "POST", "/events", {
      subject: "Busy block",
      start: { dateTime: "2030-02-01T09:00:00", timeZone: "UTC" },
      end: { dateTime: "2030-02-01T10:00:00", timeZone: "UTC" },
      showAs: "busy",
    });
    const { status, body } = await call(alice, "POST", "/api/addin/availability", {
      emails: [bob],
      start: "2030-02-01T08:00:00Z",
      end: "2030-02-01T11:00:00Z",
      intervalMinutes: 60,
    });
    expect(status).toBe(200);
    expect(body.schedules).toEqual([
      {
        email: bob,
        availabilityView: "020",
        items: [{ start: "2030-02-01T09:00:00Z", end: "2030-02-01T10:00:00Z", status: "busy" }],
        error: null,
      },
    ]);
  });
});

/** A record's Emails related list, read over Zoho's REST API as any CRM client would. */
/** The mails the Zoho simulator stores on a record (`Module/id`), as associated. */
function zohoStoredEmails(record: string): Array<{ subject?: unknown; attachments?: unknown }> {
  const emails = zoho.control.state().emails as Record<string, Array<{ subject?: unknown; attachments?: unknown }>>;
  return emails[record] ?? [];
}

async function zohoEmails(module: string, id: string): Promise<Array<{ subject?: unknown }>> {
  const urls = zoho.control.urls();
  const port = await createZohoCrmPort({
    oauth: {
      ...DEFAULT_CLIENT,
      accountsServer: urls.accountsUrl,
      apiDomain: urls.apiDomain,
      refreshToken: zoho.control.issueRefreshToken(),
    },
  });
  const answer = await port.client.request({ method: "GET", path: `${module}/${id}/Emails` });
  return answer.status === 204 ? [] : ((answer.json?.Emails as Array<{ subject?: unknown }> | undefined) ?? []);
}

describe("add-in CRM routes before the bridge is connected", () => {
  it("answers CRM_NOT_CONNECTED (409) instead of failing", async () => {
    const unconnected = await startTestBridge();
    try {
      const [user] = await seedUsers(unconnected, 1);
      const headers = await addinHeaders(unconnected, String(user?.mailbox));
      for (const [path, body] of [
        ["/api/addin/context", { emails: [KNOWN] }],
        [
          "/api/addin/availability",
          { emails: [KNOWN], start: "2030-01-01T00:00:00Z", end: "2030-01-01T01:00:00Z", intervalMinutes: 30 },
        ],
      ] as const) {
        const response = await fetch(`${unconnected.url}${path}`, {
          method: "POST",
          headers,
          body: JSON.stringify(body),
        });
        expect(response.status, path).toBe(409);
        expect(await response.json()).toMatchObject({ error: { code: "CRM_NOT_CONNECTED" } });
      }
    } finally {
      await unconnected.close();
    }
  });
});
