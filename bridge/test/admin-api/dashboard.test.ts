/**
 * The dashboard's initial-sync progress through the real app (`startTestBridge`: sync jobs on the in-memory
 * connector pair): null before the first sync starts, per enabled module what its first run wrote of what it planned
 * while other modules still wait, and null again once every enabled module has finished a run.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AdminResponse } from "../../src/api/admin.js";
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

async function progressOf(zohoUserId: string) {
  const response = await fetch(`${bridge.url}/api/admin/dashboard?range=24h`, { headers });
  expect(response.status).toBe(200);
  const dashboard = (await response.json()) as AdminResponse<"dashboard">;
  return dashboard.users.find((user) => user.zohoUserId === zohoUserId)?.initialSync;
}

async function run(mailboxId: string, module: "contacts" | "events" | "tasks") {
  await bridge.scheduler.enqueue({ mailboxId, module, trigger: "initial" });
  await bridge.scheduler.idle();
}

describe("dashboard initial-sync progress", () => {
  it("counts each module's first run while the others wait, and is null before and after", async () => {
    // Selected directly in storage, so no job is queued until the test runs one module at a time.
    const [user] = await seedUsers(bridge, 1);
    if (!user) throw new Error("no user seeded");
    const ports = bridge.connectors.mailbox(user.mailbox);
    for (const name of ["Ann", "Ben", "Cid"]) {
      ports.exchange.contacts.userCreate({
        givenName: name,
        surname: "Example",
        email1: `${name}@acme.example`,
        categories: [],
      });
    }
    ports.crm.contacts.userCreate({
      givenName: "Dee",
      surname: "Dealer",
      email1: "dee@dealer.example",
      categories: [],
    });
    expect(await progressOf(user.zohoUserId)).toBeNull();

    await run(user.id, "contacts");
    const during = await progressOf(user.zohoUserId);
    // Three contacts went to Zoho and one to Exchange: four writes planned, four done.
    expect(during?.find((entry) => entry.module === "contacts")).toEqual({
      module: "contacts",
      done: 4,
      total: 4,
      finished: true,
    });
    const waiting = during?.filter((entry) => entry.module !== "contacts") ?? [];
    expect(waiting.map((entry) => entry.module).sort()).toEqual(["events", "tasks"]);
    for (const entry of waiting) expect(entry).toMatchObject({ done: 0, total: 0, finished: false });

    await run(user.id, "events");
    await run(user.id, "tasks");
    expect(await progressOf(user.zohoUserId)).toBeNull();
  });
});
