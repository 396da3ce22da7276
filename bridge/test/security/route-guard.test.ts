/**
 * The automated check over EVERY declared route: anonymous requests are refused unless the route is on the short
 * public list (health, sign-in redirects, the add-in bootstrap, sandbox-only token minting) or is a webhook that
 * verifies the caller's secret; admin routes refuse non-administrators; add-in routes only ever show the caller's
 * own data.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, addinHeaders, seedUsers, sessionHeaders, startTestBridge, type TestBridge } from "../http/harness.js";

const PUBLIC_ROUTES = new Set([
  "healthz",
  "readyz",
  "metrics", // loopback or bearer token only: checked below from a non-loopback view
  "zohoSignIn",
  "zohoSignInCallback",
  "session",
  "config",
  "sandboxToken",
  "sandboxItems", // sandbox only, by contract public (the preview page lists simulated mailboxes before sign-in)
]);
const WEBHOOKS = new Set(["graphNotifications", "graphLifecycle", "zohoNotifications"]);

let bridge: TestBridge;
beforeAll(async () => {
  bridge = await startTestBridge({ metricsToken: "metrics-token-for-tests" });
  await seedUsers(bridge, 2);
});
afterAll(async () => {
  await bridge.close();
});

function concretePath(path: string): string {
  return path.replace(/:([A-Za-z]+)/g, "z1");
}

describe("every route is guarded", () => {
  it("refuses anonymous callers on every non-public route", async () => {
    const specs = bridge.routes.specs;
    expect(specs.length).toBeGreaterThan(30);
    for (const spec of specs) {
      if (PUBLIC_ROUTES.has(spec.name) || WEBHOOKS.has(spec.name)) continue;
      const response = await fetch(`${bridge.url}${concretePath(spec.path)}`, {
        method: spec.method,
        headers: { "content-type": "application/json" },
        ...(spec.method === "GET" ? {} : { body: "{}" }),
      });
      expect([spec.name, response.status]).toEqual([spec.name, 401]);
    }
  });

  it("wants the token for /metrics when one is configured", async () => {
    expect((await fetch(`${bridge.url}/metrics`)).status).toBe(401);
    const ok = await fetch(`${bridge.url}/metrics`, { headers: { authorization: "Bearer metrics-token-for-tests" } });
    expect(ok.status).toBe(200);
  });

  it("refuses webhook deliveries that do not carry the secret we issued", async () => {
    const zoho = await fetch(`${bridge.url}/webhooks/zoho`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ channel_id: "1", token: "guess", module: "Contacts", ids: ["1"], operation: "insert" }),
    });
    expect(zoho.status).toBe(403);
  });

  it("refuses signed-in non-administrators on every admin route", async () => {
    const headers = await sessionHeaders(bridge, {
      ...ADMIN,
      zohoUserId: "z2",
      profileName: "Standard",
      isAdmin: false,
    });
    for (const spec of bridge.routes.specs.filter((candidate) => candidate.auth === "admin")) {
      const response = await fetch(`${bridge.url}${concretePath(spec.path)}`, {
        method: spec.method,
        headers,
        ...(spec.method === "GET" ? {} : { body: "{}" }),
      });
      // Authorization runs before validation, so even an empty body gets 403, never 400.
      expect([spec.name, response.status]).toEqual([spec.name, 403]);
    }
  });

  it("shows user A only A's data on every add-in GET route, whatever A sends", async () => {
    const a = await addinHeaders(bridge, "user1@example.com");
    const status = (await (
      await fetch(`${bridge.url}/api/addin/me/sync?mailbox=user2@example.com&zohoUserId=z2`, { headers: a })
    ).json()) as { mailbox: string };
    expect(status.mailbox).toBe("user1@example.com");
    for (const spec of bridge.routes.specs.filter(
      (candidate) => candidate.auth === "addin" && candidate.method === "GET",
    )) {
      const response = await fetch(`${bridge.url}${spec.path}?mailbox=user2@example.com`, { headers: a });
      expect(await response.text()).not.toContain("user2@example.com");
    }
  });
});
