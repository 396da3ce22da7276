/**
 * The Zoho user list follows Zoho after the connection is made: a rep added in Zoho appears in the admin's user list
 * (not selected), and a disabled one becomes inactive and stops syncing — through the real server and the Zoho
 * simulator, paging past 200 users as Zoho's users API requires. A user whose mailbox Exchange throttles is listed
 * as throttled until the time Exchange gave.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { BridgeUser as PresentedUser } from "../../src/api/admin.js";
import { type RunningServer, startServer } from "../../src/server.js";
import { eventually, type OneUserBridge, openOneUserBridge } from "../support/one-user-bridge.js";

let setup: OneUserBridge;
let server: RunningServer;

beforeAll(async () => {
  setup = await openOneUserBridge({ modules: ["contacts"], users: 2 });
  server = await startServer(setup.runtime);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await setup?.close();
});

async function listUsers(): Promise<PresentedUser[]> {
  const session = await setup.runtime.storage.sessions.create(
    {
      zohoUserId: "admin",
      email: "admin@example.com",
      name: "Admin",
      profileId: "p-admin",
      profileName: "Administrator",
      isAdmin: true,
    },
    60_000,
  );
  const response = await fetch(`${server.url}/api/admin/users`, {
    headers: { cookie: `bridge_session=${session.id}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { users: PresentedUser[] }).users;
}

it("lists a user Exchange throttles as throttled until the time Exchange gave", async () => {
  const [user] = await setup.runtime.storage.users.listSyncable();
  setup.graph.control.setThrottled(10 * 60_000);
  try {
    const asked = Date.now();
    await server.syncEveryone("schedule");
    const listed = await eventually(async () =>
      (await listUsers()).find((each) => each.zohoUserId === user?.zohoUserId && each.syncState === "throttled"),
    );
    const until = Date.parse(listed.throttledUntil ?? "");
    expect(until).toBeGreaterThanOrEqual(asked + 10 * 60_000);
    expect(until).toBeLessThan(Date.now() + 11 * 60_000);
  } finally {
    setup.graph.control.setThrottled(undefined);
  }
});

it("adds Zoho users created after the connection and stops syncing disabled ones", async () => {
  const { zoho, runtime } = setup;
  const before = await listUsers();
  const [, colleague] = await runtime.storage.users.listSyncable();
  expect(colleague).toBeDefined();

  // A big org: past Zoho's 200 users a page, and a rep hired today.
  for (let n = 0; n < 205; n++)
    zoho.control.addUser({ firstName: `Rep${n}`, lastName: "Bulk", email: `rep${n}@zylker.example` });
  const hired = zoho.control.addUser({ firstName: "Nora", lastName: "New", email: "nora.new@zylker.example" });
  zoho.control.setUserStatus(colleague?.zohoUserId ?? "", "disabled");

  // Within minutes of the last look, the stored list is shown as it is.
  expect((await listUsers()).map((user) => user.zohoUserId)).toEqual(before.map((user) => user.zohoUserId));

  const clock = server.context.now;
  server.context.now = () => new Date(Date.now() + 6 * 60_000);
  try {
    const after = await listUsers();
    expect(after.find((user) => user.zohoUserId === hired.id)).toMatchObject({ email: "nora.new@zylker.example" });
    expect(after.filter((user) => user.name.endsWith(" Bulk"))).toHaveLength(205);
    // Mailboxes the admin paired are kept; the disabled colleague is inactive and no longer synced.
    const stored = await runtime.storage.users.list();
    expect(stored.find((user) => user.zohoUserId === colleague?.zohoUserId)).toMatchObject({
      zohoActive: false,
      mailbox: colleague?.mailbox,
    });
    expect((await runtime.storage.users.listSyncable()).map((user) => user.id)).not.toContain(colleague?.id);
    expect(await server.syncEveryone("schedule")).toBe(1);
  } finally {
    server.context.now = clock;
  }
});
