/** Connecting Zoho through the admin API against the Zoho simulator: Self Client code, and the consent redirect. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CLIENT, type RunningZohoSimulator, startZohoSimulator } from "../../simulators/zoho/index.js";
import { testPki } from "../support/pki.js";
import { sessionHeaders, startTestBridge, type TestBridge } from "./harness.js";

let zoho: RunningZohoSimulator;
let bridge: TestBridge;
beforeAll(async () => {
  zoho = await startZohoSimulator({ pki: await testPki(), seed: { users: 3, contacts: 2 } });
  bridge = await startTestBridge({ zohoAccountsUrls: { US: zoho.control.urls().accountsUrl } });
});
afterAll(async () => {
  await bridge.close();
  await zoho.close();
});

describe("connect Zoho", () => {
  it("exchanges a Self Client grant code, imports the users and never returns the secrets", async () => {
    const headers = await sessionHeaders(bridge);
    const response = await fetch(`${bridge.url}/api/admin/zoho/connection`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        dataCentre: "US",
        clientId: DEFAULT_CLIENT.clientId,
        clientSecret: DEFAULT_CLIENT.clientSecret,
        grant: { kind: "self-client", code: zoho.control.createGrantCode() },
      }),
    });
    const text = await response.text();
    expect(text).not.toContain(DEFAULT_CLIENT.clientSecret);
    expect(JSON.parse(text)).toMatchObject({
      status: "connected",
      clientSecret: "set",
      refreshToken: "set",
      lastError: null,
    });
    expect((await bridge.storage.users.list()).length).toBeGreaterThanOrEqual(3);
    const profiles = (await (await fetch(`${bridge.url}/api/admin/zoho/profiles`, { headers })).json()) as {
      profiles: { name: string }[];
    };
    expect(profiles.profiles.map((profile) => profile.name)).toContain("Administrator");
  });

  it("runs the consent redirect: authorize URL, Zoho's redirect back, code exchanged at the named accounts server", async () => {
    const headers = await sessionHeaders(bridge);
    const started = (await (
      await fetch(`${bridge.url}/api/admin/zoho/connection`, {
        method: "POST",
        headers,
        body: JSON.stringify({ dataCentre: "US", clientId: DEFAULT_CLIENT.clientId, grant: { kind: "redirect" } }),
      })
    ).json()) as { status: string; authorizeUrl: string };
    expect(started.status).toBe("awaiting-consent");
    const consent = await fetch(started.authorizeUrl, { redirect: "manual" });
    const back = consent.headers.get("location") ?? "";
    expect(back.startsWith(`${bridge.url}/api/admin/zoho/oauth/callback?`)).toBe(true);
    const callback = await fetch(back, { headers: { cookie: headers.cookie }, redirect: "manual" });
    expect(callback.status).toBe(302);
    expect(callback.headers.get("location")).toBe("/admin/#/setup");
    const connection = (await (await fetch(`${bridge.url}/api/admin/zoho/connection`, { headers })).json()) as {
      status: string;
    };
    expect(connection.status).toBe("connected");
    // The state is single-use: a replayed callback changes nothing; without a session it is refused.
    await fetch(back, { headers: { cookie: headers.cookie }, redirect: "manual" });
    const after = (await (await fetch(`${bridge.url}/api/admin/zoho/connection`, { headers })).json()) as {
      status: string;
    };
    expect(after.status).toBe("connected");
    expect((await fetch(back, { redirect: "manual" })).status).toBe(401);
  });
});
