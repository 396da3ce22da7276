/**
 * Mass-delete holds through the real app: the engine's circuit breaker holds a run that would delete most of a
 * mailbox's contacts; the hold is listed, "confirm" applies the deletions, "reject" restores the missing items,
 * and a decided hold can be decided only once. Sync runs with the in-memory connector pair (`startTestBridge`).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedUsers, sessionHeaders, startTestBridge, type TestBridge } from "../http/harness.js";

let bridge: TestBridge;
let headers: Record<string, string>;

beforeAll(async () => {
  bridge = await startTestBridge();
  await seedUsers(bridge, 2);
  headers = await sessionHeaders(bridge);
});
afterAll(async () => {
  await bridge.close();
});

async function syncContacts(zohoUserId: string) {
  const response = await fetch(`${bridge.url}/api/admin/sync`, {
    method: "POST",
    headers,
    body: JSON.stringify({ zohoUserIds: [zohoUserId], modules: ["contacts"] }),
  });
  expect(response.status).toBe(200);
  await bridge.scheduler.idle();
}

/** Ten synced contacts, eight of them then deleted in Exchange, and the run that the breaker holds. */
async function holdFor(zohoUserId: string, mailbox: string) {
  const ports = bridge.connectors.mailbox(mailbox);
  const ids = Array.from(
    { length: 10 },
    (_, i) =>
      ports.exchange.contacts.userCreate({
        givenName: `Person${i}`,
        surname: zohoUserId,
        email1: `p${i}.${zohoUserId}@acme.example`,
        categories: [],
      }).id,
  );
  await syncContacts(zohoUserId);
  expect(ports.crm.contacts.snapshot()).toHaveLength(10);
  for (const id of ids.slice(0, 8)) ports.exchange.contacts.userDelete(id);
  await syncContacts(zohoUserId);
  expect(ports.crm.contacts.snapshot()).toHaveLength(10);
  const listed = (await (await fetch(`${bridge.url}/api/admin/holds`, { headers })).json()) as {
    holds: Array<Record<string, unknown>>;
  };
  const hold = listed.holds.find((candidate) => candidate.zohoUserId === zohoUserId);
  expect(hold).toMatchObject({ mailbox, module: "contacts", missingOn: "exchange", deletions: 8, itemsBefore: 10 });
  return { ports, id: String(hold?.id) };
}

function decide(id: string, decision: "confirm" | "reject") {
  return fetch(`${bridge.url}/api/admin/holds/${id}/resolution`, {
    method: "POST",
    headers,
    body: JSON.stringify({ decision }),
  });
}

describe("mass-delete holds", () => {
  it("confirm propagates the held deletions to Zoho, once", async () => {
    const { ports, id } = await holdFor("z1", "user1@example.com");
    const response = await decide(id, "confirm");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id, status: "queued" });
    await bridge.scheduler.idle();
    expect(ports.crm.contacts.snapshot()).toHaveLength(2);
    expect(ports.exchange.contacts.snapshot()).toHaveLength(2);
    expect((await decide(id, "confirm")).status).toBe(409);
    const listed = (await (await fetch(`${bridge.url}/api/admin/holds`, { headers })).json()) as {
      holds: Array<{ zohoUserId: string }>;
    };
    expect(listed.holds.filter((hold) => hold.zohoUserId === "z1")).toEqual([]);
  });

  it("reject restores the missing contacts in Exchange from Zoho without duplicates", async () => {
    const { ports, id } = await holdFor("z2", "user2@example.com");
    expect((await decide(id, "reject")).status).toBe(200);
    await bridge.scheduler.idle();
    expect(ports.crm.contacts.snapshot()).toHaveLength(10);
    const emails = ports.exchange.contacts.snapshot().map((item) => (item.value as { email1: string }).email1);
    expect(new Set(emails).size).toBe(10);
    expect(emails).toHaveLength(10);
  });

  it("answers 404 for an unknown hold and 400 for an unknown decision", async () => {
    expect((await decide("no-such-run", "confirm")).status).toBe(404);
    const bad = await fetch(`${bridge.url}/api/admin/holds/x/resolution`, {
      method: "POST",
      headers,
      body: JSON.stringify({ decision: "maybe" }),
    });
    expect(bad.status).toBe(400);
  });
});
