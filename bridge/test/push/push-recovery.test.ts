/**
 * Push channels survive a restart: they are stored (external id, expiry, secret hash), so the next process resumes
 * them — renewing each one still wanted (its deliveries keep being accepted, verified against the stored hash) and
 * deleting remotely the ones no longer wanted — instead of leaving stale subscriptions at Graph and Zoho and
 * opening duplicates. Over real HTTPS against the Graph and Zoho simulators.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/server.js";
import { loadSyncSettings, SYNC_SETTINGS_KEY } from "../../src/services/sync-settings.js";
import { eventually, type OneUserBridge, openOneUserBridge, startHttpsServer } from "../support/one-user-bridge.js";

describe("push channels across restarts", () => {
  let setup: OneUserBridge;
  let server: RunningServer | undefined;

  // A deployment's public URL is stable across restarts: the restarted server listens where the first one did.
  let port = 0;
  const start = async () => {
    const { config } = setup.runtime;
    server = await startHttpsServer(setup, { ...setup.runtime, config: { ...config, http: { ...config.http, port } } });
    port = Number(new URL(server.url).port);
    return server;
  };
  const stored = () => setup.runtime.storage.subscriptions.list();
  const zohoCalls = (endpoint: string) => setup.zoho.control.callCounts()[endpoint] ?? 0;

  beforeAll(async () => {
    setup = await openOneUserBridge({ modules: ["contacts"] });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await setup?.close();
  });

  it("resumes the stored channels after a restart: renewed, none opened again, deliveries still accepted", async () => {
    const first = await start();
    expect(await first.pushReady).toBe(2);
    const before = await stored();
    const [graphSubscription] = setup.graph.control.subscriptions();
    await first.close();
    // The remote channels outlive the process, as after a crash.
    expect(setup.graph.control.subscriptions()).toHaveLength(1);
    expect(await stored()).toHaveLength(2);

    const [watchesOpened, watchesRenewed] = [zohoCalls("notifications.post"), zohoCalls("notifications.patch")];
    const restarted = await start();
    expect(await restarted.pushReady).toBe(0);
    expect(zohoCalls("notifications.post")).toBe(watchesOpened);
    expect(zohoCalls("notifications.patch")).toBe(watchesRenewed + 1);
    expect(setup.graph.control.subscriptions().map((subscription) => subscription.id)).toEqual([graphSubscription?.id]);
    expect(
      restarted.push
        .channels()
        .map((channel) => channel.externalId)
        .sort(),
    ).toEqual(before.map((channel) => channel.externalId).sort());
    const after = await stored();
    expect(after.map((channel) => channel.id).sort()).toEqual(before.map((channel) => channel.id).sort());
    // Renewal wrote the new expiries through the store.
    const graphBefore = before.find((channel) => channel.service === "graph");
    const graphAfter = after.find((channel) => channel.service === "graph");
    expect(Date.parse(String(graphAfter?.expiresAt))).toBeGreaterThanOrEqual(
      Date.parse(String(graphBefore?.expiresAt)),
    );

    // A Zoho edit reaches the mailbox through the resumed channel alone (no polling in reach).
    setup.zoho.control
      .actAs()
      .insert("Contacts", [{ First_Name: "Rita", Last_Name: "Resumed", Email: "rita@acme.example" }]);
    await eventually(() =>
      setup.graph.control.items(setup.mailbox, "contact").find((item) => item.surname === "Resumed"),
    );
  });

  it("replaces, at the next start, channels that call another URL than the bridge's webhook URL", async () => {
    await server?.close();
    const before = await stored();
    const [posts, deletes] = [zohoCalls("notifications.post"), zohoCalls("notifications.delete")];
    port = 0; // the bridge comes back at another address
    const moved = await start();
    expect(await moved.pushReady).toBe(2);
    expect(zohoCalls("notifications.delete")).toBe(deletes + 1);
    expect(zohoCalls("notifications.post")).toBe(posts + 1);
    const after = await stored();
    expect(after).toHaveLength(2);
    expect(after.every((channel) => channel.callbackUrl?.startsWith(moved.url))).toBe(true);
    expect(after.some((channel) => before.some((old) => old.externalId === channel.externalId))).toBe(false);
    expect(setup.graph.control.subscriptions().map((subscription) => subscription.id)).toEqual([
      after.find((channel) => channel.service === "graph")?.externalId,
    ]);
  });

  it("deletes, at the next start, the channels of a module no longer enabled", async () => {
    await server?.close();
    const settings = await loadSyncSettings(setup.runtime.storage.settings);
    await setup.runtime.storage.settings.put(SYNC_SETTINGS_KEY, {
      ...settings,
      modules: { ...settings.modules, contacts: { ...settings.modules.contacts, enabled: false } },
    });
    const deletes = zohoCalls("notifications.delete");
    const restarted = await start();
    expect(await restarted.pushReady).toBe(0);
    expect(setup.graph.control.subscriptions()).toHaveLength(0);
    expect(zohoCalls("notifications.delete")).toBe(deletes + 1);
    expect(await stored()).toHaveLength(0);
    expect(restarted.push.channels()).toHaveLength(0);
  });
});
