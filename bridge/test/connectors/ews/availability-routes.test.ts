/**
 * Free/busy of on-premises mailboxes through the real app: the console's meetings availability grid and the
 * add-in's availability route, with the bridge connected to the EWS 2016 simulator through the impersonation
 * service account (as the sandbox's on-premises bridge is) and Zoho to its simulator, all over HTTPS.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEwsSimulator } from "../../../simulators/ews/index.js";
import { startZohoSimulator } from "../../../simulators/zoho/index.js";
import { connectToSimulators } from "../../../src/sandbox/connect-simulators.js";
import type { BridgeUser } from "../../../src/storage/user-repository.js";
import { ADMIN, addinHeaders, sessionHeaders, startTestBridge, type TestBridge } from "../../http/harness.js";
import { testPki } from "../../support/pki.js";

type Running<T extends (...args: never[]) => Promise<unknown>> = Awaited<ReturnType<T>>;
let zoho: Running<typeof startZohoSimulator>;
let ews: Running<typeof startEwsSimulator>;
let bridge: TestBridge;
let alice: BridgeUser;
let bob: BridgeUser;

const at = (hour: number) => `2030-03-04T${String(hour).padStart(2, "0")}:00:00Z`;

async function send(path: string, headers: Record<string, string>, body: unknown) {
  const response = await fetch(`${bridge.url}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, never> };
}

beforeAll(async () => {
  const pki = await testPki();
  zoho = await startZohoSimulator({ pki });
  ews = await startEwsSimulator({ pki, release: "2016" });
  const org = ews.control.seed({
    mailboxes: 2,
    contactsPerMailbox: 0,
    meetingsPerMailbox: 0,
    tasksPerMailbox: 0,
    mailsPerMailbox: 0,
  });
  const mailboxes = org.users.map((user) => user.smtp);
  bridge = await startTestBridge({ sandbox: true });
  await connectToSimulators(bridge.storage, {
    zoho,
    mailboxes,
    modules: ["events"],
    exchange: {
      kind: "ews",
      endpoint: { mode: "url", ewsUrl: ews.ewsUrl },
      emailAddress: org.serviceAccount.upn,
      username: org.serviceAccount.upn,
      password: org.serviceAccount.password,
      authScheme: "basic",
      serverVersion: "Exchange2016",
    },
  });
  [alice, bob] = (await bridge.storage.users.list()).sort(
    (a, b) => mailboxes.indexOf(a.mailbox) - mailboxes.indexOf(b.mailbox),
  ) as [BridgeUser, BridgeUser];
  for (const [mailbox, hour, status] of [
    [alice.mailbox, 9, "Busy"],
    [bob.mailbox, 10, "Tentative"],
  ] as const) {
    ews.control.user.create(mailbox, "calendar", "CalendarItem", {
      Subject: `${status} block`,
      Start: at(hour),
      End: at(hour + 1),
      LegacyFreeBusyStatus: status,
    });
  }
}, 60_000);

afterAll(async () => {
  await bridge?.close();
  await ews?.close();
  await zoho?.close();
});

describe("availability routes for EWS mailboxes", () => {
  it("fills the console's free/busy grid from GetUserAvailability", async () => {
    const headers = await sessionHeaders(bridge, { ...ADMIN, zohoUserId: alice.zohoUserId });
    const { status, body } = await send("/api/admin/meetings/availability", headers, {
      organizerZohoUserId: alice.zohoUserId,
      emails: [alice.mailbox, bob.mailbox, "nobody@contoso.com"],
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
        { email: bob.mailbox, slots: ["free", "free", "tentative", "free"], error: null },
        {
          email: "nobody@contoso.com",
          slots: ["unknown", "unknown", "unknown", "unknown"],
          error: "no free/busy information for this address",
        },
      ],
    });
  });

  it("answers the add-in's availability route instead of 501", async () => {
    const { status, body } = await send("/api/addin/availability", await addinHeaders(bridge, alice.mailbox), {
      emails: [bob.mailbox],
      start: at(9),
      end: at(12),
      intervalMinutes: 60,
    });
    expect(status).toBe(200);
    expect(body.schedules).toEqual([
      {
        email: bob.mailbox,
        availabilityView: "010",
        items: [{ start: at(10), end: at(11), status: "tentative" }],
        error: null,
      },
    ]);
  });
});
