/**
 * The console's meeting routes through the real app, connected to the real Zoho and Graph simulators over HTTPS as
 * the sandbox connects them: attendee search (CRM Contacts and bridge users), free/busy of two mailboxes, and a
 * meeting created once in Exchange (invitations recorded by the simulator) and once in Zoho (with Participants),
 * which the following real events sync neither duplicates nor changes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TENANT, startGraphSimulator } from "../../simulators/graph/index.js";
import { startZohoSimulator } from "../../simulators/zoho/index.js";
import type { CalendarEvent } from "../../src/model/event.js";
import { createLogger } from "../../src/observability/logger.js";
import { createMetrics } from "../../src/observability/metrics.js";
import { connectToSimulators } from "../../src/sandbox/connect-simulators.js";
import { createServiceConnectorFactory } from "../../src/services/service-connectors.js";
import { SyncService } from "../../src/services/sync-service.js";
import type { BridgeUser } from "../../src/storage/user-repository.js";
import { ADMIN, sessionHeaders, startTestBridge, type TestBridge } from "../http/harness.js";
import { testPki } from "../support/pki.js";

type Running<T extends (...args: never[]) => Promise<unknown>> = Awaited<ReturnType<T>>;
let zoho: Running<typeof startZohoSimulator>;
let graph: Running<typeof startGraphSimulator>;
let bridge: TestBridge;
let factory: Awaited<ReturnType<typeof createServiceConnectorFactory>>;
let headers: Record<string, string>;
let alice: BridgeUser;
let bob: BridgeUser;

const NORA = "nora.north@northwind.example";
const DAY = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
const at = (hour: number) => `${DAY}T${String(hour).padStart(2, "0")}:00:00Z`;

function busyEvent(subject: string, startHour: number): CalendarEvent {
  return {
    subject,
    span: { kind: "timed", start: at(startHour), end: at(startHour + 1) },
    timeZone: "UTC",
    attendees: [],
    movedOccurrences: [],
    cancelledOccurrences: [],
    categories: [],
    sensitivity: "normal",
  };
}

async function post(path: string, body: unknown) {
  const response = await fetch(`${bridge.url}/api/admin${path}`, {
    method: "POST",
    headers,
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, never> };
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
  bridge = await startTestBridge({
    sandbox: true,
    entra: {
      tenantId: DEMO_TENANT.id,
      clientId: DEMO_TENANT.bridgeApp.clientId,
      authorityHost: graph.url,
      apiScope: "CRM.Access",
    },
  });
  await connectToSimulators(bridge.storage, { zoho, mailboxes, modules: ["events"] });
  [alice, bob] = (await bridge.storage.users.list()).sort(
    (a, b) => mailboxes.indexOf(a.mailbox) - mailboxes.indexOf(b.mailbox),
  ) as [BridgeUser, BridgeUser];
  headers = await sessionHeaders(bridge, { ...ADMIN, zohoUserId: alice.zohoUserId });
  zoho.control.actAs().insert("Contacts", [{ First_Name: "Nora", Last_Name: "North", Email: NORA }]);
  factory = await createServiceConnectorFactory(bridge.storage, {
    authorityHost: graph.url,
    graphBaseUrl: graph.url,
    knownAuthorities: [new URL(graph.url).host],
  });
  for (const [user, hour] of [
    [alice, 9],
    [bob, 10],
  ] as const) {
    const { exchange } = await factory.open(user);
    const [created] = (await exchange.modules.events?.create([{ value: busyEvent(`Busy ${hour}`, hour) }])) ?? [];
    expect(created?.ok).toBe(true);
  }
}, 60_000);

afterAll(async () => {
  await factory?.close();
  await bridge?.close();
  await graph?.close();
  await zoho?.close();
});

describe("admin meeting routes against the Zoho and Graph simulators", () => {
  it("finds attendees among CRM Contacts and bridge users", async () => {
    const contacts = await fetch(`${bridge.url}/api/admin/meetings/attendees?search=nora`, { headers });
    expect(contacts.status).toBe(200);
    const { candidates } = (await contacts.json()) as { candidates: Array<Record<string, string>> };
    expect(candidates).toEqual([expect.objectContaining({ kind: "contact", name: "Nora North", email: NORA })]);
    const users = await fetch(
      `${bridge.url}/api/admin/meetings/attendees?search=${encodeURIComponent(bob.fullName)}&kind=user`,
      { headers },
    );
    expect(((await users.json()) as { candidates: unknown[] }).candidates).toEqual([
      { kind: "user", id: bob.zohoUserId, name: bob.fullName, email: bob.mailbox },
    ]);
  });

  it("shows each attendee's busy slot in the free/busy grid", async () => {
    const { status, body } = await post("/meetings/availability", {
      organizerZohoUserId: alice.zohoUserId,
      emails: [alice.mailbox, bob.mailbox],
      start: at(8),
      end: at(12),
      intervalMinutes: 60,
    });
    expect(status).toBe(200);
    expect(body).toEqual({
      start: at(8),
      intervalMinutes: 60,
      schedules: [
        { email: alice.mailbox, slots: ["free", "busy", "free", "free"], error: null },
        { email: bob.mailbox, slots: ["free", "free", "busy", "free"], error: null },
      ],
    });
  });

  it("creates one Exchange meeting with invitations and one Zoho Event; the next sync duplicates nothing", async () => {
    const subject = "Northwind renewal review";
    const { status, body } = await post("/meetings", {
      organizerZohoUserId: alice.zohoUserId,
      kind: "meeting",
      subject,
      attendees: [
        { kind: "contact", id: "n1", name: "Nora North", email: NORA },
        { kind: "user", id: bob.zohoUserId, name: bob.fullName, email: bob.mailbox },
      ],
      location: "Room 4",
      start: at(11),
      end: at(12),
      timeZone: "Europe/Berlin",
      reminder: { enabled: true, minutesBefore: 15 },
      description: "Pricing and terms",
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ invitationsSent: 2 });
    const invited = graph.control
      .invitations()
      .filter((invitation) => invitation.subject === subject)
      .map((invitation) => invitation.to.toLowerCase())
      .sort();
    expect(invited).toEqual([NORA, bob.mailbox.toLowerCase()].sort());
    const zohoEvents = () => zoho.control.records("Events").filter((record) => record.Event_Title === subject);
    const exchangeEvents = () => graph.control.items(alice.mailbox, "event").filter((item) => item.subject === subject);
    // The connector asks for immutable ids, so the id returned is not the simulator's internal one: count instead.
    expect(exchangeEvents()).toHaveLength(1);
    expect(body.exchangeId).toEqual(expect.any(String));
    const [event] = zohoEvents();
    expect(event?.id).toBe(body.zohoEventId);
    expect(event?.Venue).toBe("Room 4");
    expect(((event?.Participants ?? []) as Array<{ Email: string }>).map((p) => p.Email.toLowerCase()).sort()).toEqual(
      [NORA, bob.mailbox.toLowerCase()].sort(),
    );

    const service = new SyncService({
      storage: bridge.storage,
      connectors: factory,
      logger: createLogger({ level: "silent" }),
      metrics: createMetrics(),
    });
    const outcome = await service.run({ mailboxId: alice.id, module: "events", trigger: "manual" });
    expect(outcome.kind).toBe("completed");
    expect(zohoEvents()).toHaveLength(1);
    expect(exchangeEvents()).toHaveLength(1);
    const [run] = await bridge.storage.runs.recent({ mailboxId: alice.id, module: "events", limit: 1 });
    // The seeded "Busy 9" event is new to Zoho; the meeting itself is neither created nor updated anywhere.
    expect(run?.planned).toMatchObject({ crm: { creates: 1, updates: 0 }, exchange: { creates: 0, updates: 0 } });
  });

  it("refuses a meeting that ends before it starts with the admin API's error shape", async () => {
    const { status, body } = await post("/meetings", {
      organizerZohoUserId: alice.zohoUserId,
      kind: "appointment",
      subject: "Backwards",
      attendees: [],
      location: "",
      start: at(11),
      end: at(10),
      timeZone: "UTC",
      reminder: { enabled: false, minutesBefore: 0 },
      description: "",
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { code: "invalid-request" } });
  });

  it("re-authorizes a user whose mailbox opens again: status back to pending, a passed connection test", async () => {
    await bridge.storage.users.setStatus(bob.id, "needs-reauthorization", { reason: "401 from Graph" });
    const { status, body } = await post(`/users/${bob.zohoUserId}/reauthorize`, {});
    expect(status).toBe(200);
    expect(body).toMatchObject({
      ok: true,
      failure: null,
      steps: [
        { step: "authentication", status: "passed" },
        { step: "mailbox", status: "passed" },
      ],
    });
    expect((await bridge.storage.users.byId(bob.id))?.status).not.toBe("needs-reauthorization");
    expect((await post("/users/nobody/reauthorize", {})).status).toBe(404);
  });
});
