/**
 * The dry-run preview's invitation list through the real app (`startTestBridge`: dry runs on the in-memory connector
 * pair): a Zoho meeting with attendees that the next sync would create in an Office 365 mailbox is listed with who
 * would be invited (Graph always mails attendees on such writes); meetings without attendees are not, and an
 * on-premises (EWS) connection lists none unless the admin asks for invitations (SendToAllAndSaveCopy instead of
 * SendToNone).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AdminResponse } from "../../src/api/admin.js";
import type { CalendarEvent } from "../../src/model/index.js";
import { saveExchangeConnection } from "../../src/services/connections.js";
import { seedUsers, sessionHeaders, startTestBridge, type TestBridge } from "../http/harness.js";

let bridge: TestBridge;
let headers: Record<string, string>;

beforeAll(async () => {
  bridge = await startTestBridge();
  headers = await sessionHeaders(bridge);
});
afterAll(async () => {
  await bridge.close();
});

function meeting(subject: string, attendees: string[]): CalendarEvent {
  const start = new Date(Date.now() + 7 * 86_400_000);
  start.setUTCHours(9, 0, 0, 0);
  const instant = (date: Date) => `${date.toISOString().slice(0, 19)}Z`;
  return {
    subject,
    span: { kind: "timed", start: instant(start), end: instant(new Date(start.getTime() + 3_600_000)) },
    attendees: attendees.map((address) => ({ address, type: "required", response: "notResponded" })),
    movedOccurrences: [],
    cancelledOccurrences: [],
    categories: [],
    sensitivity: "normal",
  };
}

/** The preview's invitations; `sendInvitations` is the events setting the admin is trying out (unsaved). */
async function previewInvitations(sendInvitations = false) {
  const settings = (await (
    await fetch(`${bridge.url}/api/admin/settings`, { headers })
  ).json()) as AdminResponse<"syncSettings">;
  const { revision: _revision, updatedAt: _updatedAt, ...input } = settings;
  const events = input.modules.events;
  input.modules.events = { ...events, filters: { ...events.filters, sendInvitations } };
  const response = await fetch(`${bridge.url}/api/admin/settings/preview`, {
    method: "POST",
    headers,
    body: JSON.stringify({ settings: input }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as AdminResponse<"previewSync">).invitations;
}

describe("dry-run preview: invitations", () => {
  it("lists each meeting the next sync would mail, with its attendees, and only those", async () => {
    const [user] = await seedUsers(bridge, 1);
    if (!user) throw new Error("no user seeded");
    const crm = bridge.connectors.mailbox(user.mailbox).crm;
    const review = meeting("Quarterly review", ["carla@acme.example", "dan@dealer.example"]);
    crm.events.userCreate(review);
    crm.events.userCreate(meeting("Focus time", []));

    await saveExchangeConnection(bridge.storage, {
      kind: "graph",
      tenantId: "contoso.onmicrosoft.com",
      clientId: "00000000-0000-0000-0000-000000000001",
      credential: { type: "secret", clientSecret: "app-secret" },
    });
    expect(await previewInvitations()).toEqual([
      {
        subject: "Quarterly review",
        start: review.span.kind === "timed" ? review.span.start : "",
        organizer: user.mailbox,
        attendees: ["carla@acme.example", "dan@dealer.example"],
      },
    ]);

    await saveExchangeConnection(bridge.storage, {
      kind: "ews",
      endpoint: { mode: "url", ewsUrl: "https://mail.contoso.com/EWS/Exchange.asmx" },
      emailAddress: "svc-crm@contoso.com",
      password: "service-password",
      authScheme: "basic",
      serverVersion: "Exchange2016",
    });
    expect(await previewInvitations()).toEqual([]);
    expect((await previewInvitations(true)).map((invitation) => invitation.subject)).toEqual(["Quarterly review"]);
    // A dry run writes nothing.
    expect(bridge.connectors.mailbox(user.mailbox).exchange.events.snapshot()).toHaveLength(0);
  });
});
