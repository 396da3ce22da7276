import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstUsers, type RunningGraphSimulator, startSimulator } from "./support.js";

let sim: RunningGraphSimulator;
let alice: string;

beforeAll(async () => {
  sim = await startSimulator({
    seed: { users: 2, contactsPerUser: 2, eventsPerUser: 2, tasksPerUser: 1, messagesPerUser: 1 },
  });
  [alice = ""] = firstUsers(sim, 1);
});
afterAll(() => sim.close());

async function control(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${sim.url}/_sim${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe("control API over HTTP", () => {
  it("reads state, acts as the Outlook user, counts calls, and resets", async () => {
    const state = await control("GET", "/state");
    const users = (state.body.tenants as Array<{ users: Array<{ mail: string }> }>)[0]?.users ?? [];
    expect(users.map((user) => user.mail)).toContain(alice);

    const created = await control("POST", "/act", {
      user: alice,
      method: "POST",
      path: "/contacts",
      body: { givenName: "Via", surname: "Control" },
    });
    expect(created.body.status).toBe(201);
    const contacts = await control("GET", `/mailboxes/${encodeURIComponent(alice)}/contacts`);
    expect((contacts.body.value as Array<{ displayName: string }>).map((contact) => contact.displayName)).toContain(
      "Via Control",
    );

    // Anonymous: answered 401, but counted like every call.
    expect((await fetch(`${sim.url}/v1.0/users/${alice}/contacts`)).status).toBe(401);
    const calls = await control("GET", "/calls");
    expect(calls.body["graph.GET /users/{id}/contacts"]).toBe(1);

    expect(
      (await control("POST", "/faults", { rate: 1, kinds: ["html-error"], seed: 3, endpoints: "contacts" })).status,
    ).toBe(200);
    const faulty = await fetch(`${sim.url}/v1.0/users/${alice}/contacts`);
    expect(faulty.status).toBe(500);
    expect(faulty.headers.get("content-type")).toContain("text/html");
    await control("POST", "/faults", {});

    expect((await control("POST", "/evict-delta-tokens", { user: alice })).status).toBe(200);
    expect((await control("POST", "/reset")).status).toBe(200);
    const after = await control("GET", `/mailboxes/${encodeURIComponent(alice)}/contacts`);
    expect((after.body.value as unknown[]).length).toBe(2);
    expect((await control("GET", "/nope")).status).toBe(404);
    expect((await fetch(`${sim.url}/_sim/act`, { method: "POST", body: "{not json" })).status).toBe(400);
  });
});
