/**
 * Push end to end, over real HTTPS: the real server (served over TLS, as Graph only calls https webhooks) opens a
 * Graph subscription and a Zoho watch channel per enabled module; with no polling in reach (15-minute schedule), an
 * edit made as a user in either simulator reaches the other side through the notification alone. Lifecycle
 * `subscriptionRemoved` makes the bridge open a new subscription; renewal extends every channel.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CLIENT } from "../../simulators/zoho/index.js";
import type { RunningServer } from "../../src/server.js";
import { SECRET } from "../../src/services/connections.js";
import { ADMIN } from "../http/harness.js";
import {
  eventually,
  type OneUserBridge,
  openOneUserBridge,
  startHttpsServer,
  syncEveryoneNow,
} from "../support/one-user-bridge.js";

describe("push channels", () => {
  let setup: OneUserBridge;
  let server: RunningServer;

  beforeAll(async () => {
    setup = await openOneUserBridge({ modules: ["contacts"] });
    setup.zoho.control
      .actAs()
      .insert("Contacts", [{ First_Name: "Carla", Last_Name: "Customer", Email: "carla@acme.example" }]);
    server = await startHttpsServer(setup);
    await syncEveryoneNow(server);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await setup?.close();
  });

  const graphContact = (surname: string) =>
    setup.graph.control.items(setup.mailbox, "contact").find((item) => item.surname === surname);

  it("opens one channel per side and module at start, once, stored with a hashed secret", async () => {
    expect(server.url).toMatch(/^https:/);
    expect(await server.pushReady).toBe(2);
    expect(await server.push.openAll()).toBe(0);
    expect(
      server.push
        .channels()
        .map((channel) => channel.service)
        .sort(),
    ).toEqual(["graph", "zoho"]);
    expect(setup.graph.control.subscriptions()).toHaveLength(1);
    const stored = await setup.runtime.storage.db.selectFrom("subscriptions").selectAll().execute();
    expect(stored).toHaveLength(2);
  });

  it("carries a Graph contact edit to Zoho through the notification alone", async () => {
    const contact = await eventually(() => graphContact("Customer"));
    await setup.graph.control.editContact(setup.mailbox, String(contact.id), { jobTitle: "Chief Buyer" });
    const record = await eventually(() =>
      setup.zoho.control.records("Contacts").find((r) => r.Last_Name === "Customer" && r.Title === "Chief Buyer"),
    );
    expect(record.Email).toBe("carla@acme.example");
  });

  it("carries a Zoho record edit to the mailbox through the notification alone", async () => {
    const record = setup.zoho.control.records("Contacts").find((r) => r.Last_Name === "Customer");
    setup.zoho.control.actAs().update("Contacts", [{ id: record?.id as string, Title: "Head of Purchasing" }]);
    const contact = await eventually(() =>
      graphContact("Customer")?.jobTitle === "Head of Purchasing" ? graphContact("Customer") : undefined,
    );
    expect(contact.emailAddresses).toBeDefined();
  });

  it("opens a new Graph subscription when the old one is removed, renews on reauthorization and on schedule", async () => {
    const [old] = setup.graph.control.subscriptions();
    await setup.graph.control.lifecycle(String(old?.id), "subscriptionRemoved");
    const replacement = await eventually(() => {
      const current = setup.graph.control.subscriptions();
      return current.length === 1 && current[0]?.id !== old?.id ? current[0] : undefined;
    });
    expect(server.push.channels().find((channel) => channel.service === "graph")?.externalId).toBe(replacement.id);
    expect(await setup.runtime.storage.db.selectFrom("subscriptions").selectAll().execute()).toHaveLength(2);

    const patchesBeforeReauthorization = setup.graph.control.callCounts()["graph.PATCH /subscriptions/{id}"] ?? 0;
    await setup.graph.control.lifecycle(replacement.id as string, "reauthorizationRequired");
    await eventually(() =>
      (setup.graph.control.callCounts()["graph.PATCH /subscriptions/{id}"] ?? 0) > patchesBeforeReauthorization
        ? true
        : undefined,
    );
    expect(setup.graph.control.subscriptions().map((subscription) => subscription.id)).toEqual([replacement.id]);

    const watchCalls = () => setup.zoho.control.totalCalls((endpoint) => endpoint.startsWith("notifications."));
    const graphPatches = () =>
      Object.entries(setup.graph.control.callCounts())
        .filter(([endpoint]) => endpoint.includes("PATCH /subscriptions"))
        .reduce((sum, [, count]) => sum + count, 0);
    const [zohoBefore, graphBefore] = [watchCalls(), graphPatches()];
    await server.push.renewDue(new Date(Date.now() + 30 * 86_400_000));
    expect(watchCalls()).toBe(zohoBefore + 1);
    expect(graphPatches()).toBe(graphBefore + 1);
    expect(server.push.channels()).toHaveLength(2);
  });

  it("deletes a deselected user's channels at the next maintenance round, and opens them again when reselected", async () => {
    const [user] = await setup.runtime.storage.users.listSyncable();
    const zohoDeletes = () => setup.zoho.control.totalCalls((endpoint) => endpoint === "notifications.delete");
    const deletedBefore = zohoDeletes();
    await setup.runtime.storage.users.setSelected([user?.id ?? ""], false);
    expect(await server.push.maintain()).toBe(0);
    expect(server.push.channels()).toHaveLength(0);
    expect(setup.graph.control.subscriptions()).toHaveLength(0);
    expect(zohoDeletes()).toBe(deletedBefore + 1);
    expect(await setup.runtime.storage.db.selectFrom("subscriptions").selectAll().execute()).toHaveLength(0);

    await setup.runtime.storage.users.setSelected([user?.id ?? ""], true);
    expect(await server.push.maintain()).toBe(2);
    expect(setup.graph.control.subscriptions()).toHaveLength(1);
  });

  it("uninstall deletes the remote channels and revokes the Zoho token, keeping the synced data", async () => {
    const refreshToken = await setup.runtime.storage.secrets.get(SECRET.zohoRefreshToken);
    const { accountsUrl } = setup.zoho.control.urls();
    const session = await setup.runtime.storage.sessions.create(ADMIN, 60_000);
    const response = await fetch(`${server.url}/api/admin/account/uninstall`, {
      method: "POST",
      headers: {
        cookie: `bridge_session=${session.id}`,
        "x-csrf-token": session.csrfToken,
        "content-type": "application/json",
      },
      body: JSON.stringify({ confirm: "UNINSTALL", revokeZohoToken: true }),
    });
    expect(response.status).toBe(200);
    const { removed } = (await response.json()) as { removed: string[] };
    expect(removed).toContain("2 push channel(s) deleted at Microsoft Graph / Zoho CRM");
    expect(removed).toContain("1 Zoho refresh token(s) revoked");
    expect(setup.graph.control.subscriptions()).toHaveLength(0);
    expect(setup.zoho.control.totalCalls((endpoint) => endpoint === "notifications.delete")).toBe(2);
    expect(await setup.runtime.storage.db.selectFrom("subscriptions").selectAll().execute()).toHaveLength(0);
    const refresh = await fetch(
      `${accountsUrl}/oauth/v2/token?${new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: String(refreshToken),
        client_id: DEFAULT_CLIENT.clientId,
        client_secret: DEFAULT_CLIENT.clientSecret,
      })}`,
      { method: "POST" },
    );
    expect(((await refresh.json()) as { error?: string }).error).toBe("invalid_code");
    expect(setup.zoho.control.records("Contacts").map((record) => record.Title)).toEqual(["Head of Purchasing"]);
    expect(graphContact("Customer")?.jobTitle).toBe("Head of Purchasing");
  });
});
