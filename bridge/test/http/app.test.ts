/** Route tests through the real Koa app (HTTP on an ephemeral port), storage on SQLite, jobs in-process. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, addinHeaders, seedUsers, sessionHeaders, startTestBridge, type TestBridge } from "./harness.js";

let bridge: TestBridge;
beforeAll(async () => {
  bridge = await startTestBridge();
});
afterAll(async () => {
  await bridge.close();
});

const json = (body: unknown) => JSON.stringify(body);

describe("operability", () => {
  it("answers /healthz and /readyz, and /metrics in Prometheus format to loopback callers", async () => {
    expect(await (await fetch(`${bridge.url}/healthz`)).json()).toEqual({ status: "ok" });
    expect(await (await fetch(`${bridge.url}/readyz`)).json()).toEqual({ status: "ok" });
    const metrics = await fetch(`${bridge.url}/metrics`);
    expect(metrics.headers.get("content-type")).toContain("text/plain");
    expect(await metrics.text()).toContain("bridge_http_requests_total");
  });

  it("gives every failure one shape with a stable code and the request id", async () => {
    const missing = await fetch(`${bridge.url}/api/admin/nope`, { headers: { "x-request-id": "trace-12345678" } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { code: "not-found", message: "no such route", requestId: "trace-12345678" },
    });
    const headers = await sessionHeaders(bridge);
    const invalid = await fetch(`${bridge.url}/api/admin/access`, {
      method: "PUT",
      headers,
      body: json({ audience: "everyone" }),
    });
    expect(invalid.status).toBe(400);
    const body = (await invalid.json()) as { error: { code: string; details: { issues: { path: string }[] } } };
    expect(body.error.code).toBe("invalid-request");
    expect(body.error.details.issues.map((issue) => issue.path)).toContain("audience");
    const notJson = await fetch(`${bridge.url}/api/admin/access`, { method: "PUT", headers, body: "{oops" });
    expect(notJson.status).toBe(400);
    const huge = await fetch(`${bridge.url}/api/admin/access`, {
      method: "PUT",
      headers,
      body: json({ audience: "profiles", profileIds: ["x".repeat(1_100_000)] }),
    });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { code: string } }).error.code).toBe("payload-too-large");
  });

  it("serves an OpenAPI 3.1 document generated from every route", async () => {
    const doc = (await (
      await fetch(`${bridge.url}/openapi.json`, { headers: await sessionHeaders(bridge) })
    ).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    expect(doc.openapi).toBe("3.1.0");
    const operations = Object.values(doc.paths).flatMap((methods) =>
      Object.values(methods).map((op) => op.operationId),
    );
    expect(operations).toHaveLength(
      bridge.routes.specs.filter((spec) => !spec.sandboxOnly || bridge.context.settings.sandbox).length,
    );
    expect(doc.paths["/api/admin/users/{zohoUserId}"]?.put?.operationId).toBe("updateUser");
  });
});

describe("sign-in endpoints", () => {
  it("are rate-limited per client: the 21st attempt in a minute gets 429 with Retry-After", async () => {
    const fresh = await startTestBridge();
    try {
      const attempt = () => fetch(`${fresh.url}/auth/zoho/callback?code=guess&state=guess`, { redirect: "manual" });
      for (let index = 0; index < 20; index++) expect((await attempt()).status).not.toBe(429);
      const refused = await attempt();
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(await refused.json()).toMatchObject({ error: { code: "rate-limited" } });
      // Per route: the other sign-in endpoint still answers.
      expect((await fetch(`${fresh.url}/auth/zoho/login`, { redirect: "manual" })).status).not.toBe(429);
    } finally {
      await fresh.close();
    }
  });
});

describe("admin API", () => {
  it("requires the CSRF header on unsafe methods of a cookie session", async () => {
    const { cookie } = await sessionHeaders(bridge);
    const response = await fetch(`${bridge.url}/api/admin/access`, {
      method: "PUT",
      headers: { cookie, "content-type": "application/json" },
      body: json({ audience: "admins", profileIds: [] }),
    });
    expect(response.status).toBe(403);
  });

  it("keeps non-administrators out", async () => {
    const headers = await sessionHeaders(bridge, {
      ...ADMIN,
      zohoUserId: "z-std",
      profileName: "Standard",
      isAdmin: false,
    });
    expect((await fetch(`${bridge.url}/api/admin/users`, { headers })).status).toBe(403);
    const session = (await (await fetch(`${bridge.url}/api/admin/session`, { headers })).json()) as {
      canAdminister: boolean;
    };
    expect(session.canAdminister).toBe(false);
  });

  it("saves sync settings with revision checks and audits it", async () => {
    const headers = await sessionHeaders(bridge);
    const current = (await (await fetch(`${bridge.url}/api/admin/settings`, { headers })).json()) as {
      revision: number;
    };
    const { updatedAt: _u, ...input } = current as { revision: number; updatedAt: unknown };
    const saved = await fetch(`${bridge.url}/api/admin/settings`, { method: "PUT", headers, body: json(input) });
    expect(saved.status).toBe(200);
    expect(((await saved.json()) as { revision: number }).revision).toBe(current.revision + 1);
    const stale = await fetch(`${bridge.url}/api/admin/settings`, { method: "PUT", headers, body: json(input) });
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as { error: { code: string } }).error.code).toBe("stale-revision");
    expect((await bridge.storage.audit.recent()).some((entry) => entry.action === "settings.save")).toBe(true);
  });

  it("refuses an EWS URL outside the allow-list and never echoes a password", async () => {
    const headers = await sessionHeaders(bridge);
    const connection = {
      kind: "ews",
      endpoint: { mode: "url", ewsUrl: "https://169.254.169.254/EWS/Exchange.asmx" },
      emailAddress: "svc@contoso.com",
      password: "Secr3t!pw",
      authScheme: "ntlm",
      serverVersion: "Exchange2016",
    };
    const refused = await fetch(`${bridge.url}/api/admin/exchange/connection`, {
      method: "PUT",
      headers,
      body: json(connection),
    });
    expect(refused.status).toBe(400);
    const allowed = await fetch(`${bridge.url}/api/admin/exchange/connection`, {
      method: "PUT",
      headers,
      body: json({ ...connection, endpoint: { mode: "url", ewsUrl: "https://mail.contoso.com/EWS/Exchange.asmx" } }),
    });
    const text = await allowed.text();
    expect(allowed.status).toBe(200);
    expect(text).not.toContain("Secr3t");
    expect(JSON.parse(text)).toMatchObject({
      kind: "ews",
      password: "set",
      resolvedEwsUrl: "https://mail.contoso.com/EWS/Exchange.asmx",
    });
  });

  it("selects users (refusing inactive ones), syncs them now, and reports runs and status", async () => {
    const users = await seedUsers(bridge, 3, 0);
    await bridge.storage.users.syncFromZoho([
      ...users.map((u) => ({
        zohoUserId: u.zohoUserId,
        email: u.email,
        fullName: u.fullName,
        profileId: u.zohoProfileId,
        profile: u.zohoProfile,
        active: u.zohoUserId !== "z3",
      })),
    ]);
    const ann = bridge.connectors.mailbox("user1@example.com");
    ann.exchange.contacts.userCreate({
      givenName: "Carla",
      surname: "Customer",
      email1: "carla@acme.example",
      categories: [],
    });
    ann.crm.contacts.userCreate({ givenName: "Dan", surname: "Dealer", email1: "dan@dealer.example", categories: [] });
    const headers = await sessionHeaders(bridge);
    const selection = await fetch(`${bridge.url}/api/admin/users/selection`, {
      method: "POST",
      headers,
      body: json({ select: ["z1", "z3", "z9"], deselect: [] }),
    });
    const result = (await selection.json()) as {
      rejected: unknown[];
      users: { zohoUserId: string; selected: boolean }[];
    };
    expect(result.rejected).toEqual([
      { zohoUserId: "z3", reason: "inactive" },
      { zohoUserId: "z9", reason: "unknown-user" },
    ]);
    await bridge.scheduler.idle();
    expect(ann.crm.contacts.snapshot()).toHaveLength(2);
    expect(ann.exchange.contacts.snapshot()).toHaveLength(2);
    const now = await fetch(`${bridge.url}/api/admin/sync`, {
      method: "POST",
      headers,
      body: json({ modules: ["contacts"] }),
    });
    expect(((await now.json()) as { queued: unknown[] }).queued).toHaveLength(1);
    await bridge.scheduler.idle();
    const listed = (await (await fetch(`${bridge.url}/api/admin/users?search=user%201`, { headers })).json()) as {
      users: { zohoUserId: string; syncState: string; lastSyncAt: string | null }[];
    };
    expect(listed.users).toEqual([expect.objectContaining({ zohoUserId: "z1", syncState: "in-sync" })]);
    const runs = (await (await fetch(`${bridge.url}/api/admin/runs?zohoUserId=z1`, { headers })).json()) as {
      runs: { status: string; rows: { module: string; direction: string; counts: { creates: number } }[] }[];
    };
    expect(runs.runs.length).toBeGreaterThanOrEqual(4);
    const created = runs.runs
      .flatMap((run) => run.rows)
      .filter((row) => row.module === "contacts" && row.counts.creates > 0);
    expect(created.map((row) => row.direction).sort()).toEqual(["exchange-to-zoho", "zoho-to-exchange"]);
    const crmId = ann.crm.contacts
      .snapshot()
      .find((item) => (item.value as { givenName?: string }).givenName === "Carla")?.id;
    const explained = (await (
      await fetch(`${bridge.url}/api/admin/items/explain?side=zoho&module=contacts&id=${crmId}`, { headers })
    ).json()) as { summary: string; counterpart: { side: string } | null };
    expect(explained.summary).toMatch(/^created/);
    expect(explained.counterpart?.side).toBe("exchange");
    const dashboard = (await (await fetch(`${bridge.url}/api/admin/dashboard?range=24h`, { headers })).json()) as {
      totals: { module: string; direction: string; counts: { creates: number } }[];
      users: { zohoUserId: string; syncState: string }[];
      history: { synced: number }[];
      lastRunAt: string | null;
    };
    expect(dashboard.totals.filter((row) => row.module === "contacts").map((row) => row.counts.creates)).toEqual([
      1, 1,
    ]);
    expect(dashboard.users).toEqual([expect.objectContaining({ zohoUserId: "z1", syncState: "in-sync" })]);
    expect(dashboard.history).toHaveLength(24);
    expect(dashboard.history.reduce((sum, bucket) => sum + bucket.synced, 0)).toBe(2);
    expect(dashboard.lastRunAt).not.toBeNull();

    // Dry-run preview of (unsaved) settings: counts what would happen, writes nothing.
    ann.exchange.contacts.userCreate({
      givenName: "Fay",
      surname: "Future",
      email1: "fay@future.example",
      categories: [],
    });
    const {
      revision: _r,
      updatedAt: _t,
      ...settings
    } = (await (await fetch(`${bridge.url}/api/admin/settings`, { headers })).json()) as {
      revision: number;
      updatedAt: string;
    };
    const preview = await fetch(`${bridge.url}/api/admin/settings/preview`, {
      method: "POST",
      headers,
      body: json({ settings, zohoUserIds: ["z1"] }),
    });
    const plan = (await preview.json()) as {
      usersPreviewed: number;
      rows: { module: string; direction: string; counts: { creates: number } }[];
    };
    expect(plan.usersPreviewed).toBe(1);
    expect(
      plan.rows.find((row) => row.module === "contacts" && row.direction === "exchange-to-zoho")?.counts.creates,
    ).toBe(1);
    expect(ann.crm.contacts.snapshot()).toHaveLength(2);
  });

  it("previews and applies a switch to individual credentials, keeping relations", async () => {
    const headers = await sessionHeaders(bridge);
    const [first] = await bridge.storage.users.listSyncable();
    const relationsBefore = await bridge.storage.db.selectFrom("relations").selectAll().execute();
    const migrate = async (apply: boolean) =>
      (await (
        await fetch(`${bridge.url}/api/admin/credential-mode/migration`, {
          method: "POST",
          headers,
          body: json({ to: "individual", apply }),
        })
      ).json()) as { applied: boolean; users: { zohoUserId: string; outcome: string }[] };
    const preview = await migrate(false);
    expect(preview.applied).toBe(false);
    expect(preview.users.find((user) => user.zohoUserId === first?.zohoUserId)?.outcome).toBe("needs-password");
    const applied = await migrate(true);
    expect(applied.applied).toBe(true);
    const mode = (await (await fetch(`${bridge.url}/api/admin/credential-mode`, { headers })).json()) as {
      mode: string;
      usersMissingCredentials: number;
    };
    expect(mode.mode).toBe("individual");
    expect(mode.usersMissingCredentials).toBeGreaterThan(0);
    expect(await bridge.storage.db.selectFrom("relations").selectAll().execute()).toEqual(relationsBefore);
  });

  it("answers unknown users with 404 not-found", async () => {
    const headers = await sessionHeaders(bridge);
    const response = await fetch(`${bridge.url}/api/admin/users/z404/reset`, {
      method: "POST",
      headers,
      body: json({}),
    });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("not-found");
  });
});

describe("add-in API", () => {
  it("serves the user's own sync status and controls, identified by the token only", async () => {
    await seedUsers(bridge, 3, 2);
    const headers = await addinHeaders(bridge, "user2@example.com");
    const status = (await (await fetch(`${bridge.url}/api/addin/me/sync`, { headers })).json()) as {
      mailbox: string;
      modules: { module: string; enabled: boolean }[];
    };
    expect(status.mailbox).toBe("user2@example.com");
    const off = await fetch(`${bridge.url}/api/addin/me/sync`, {
      method: "PUT",
      headers,
      body: json({ modules: [{ module: "tasks", enabled: false }] }),
    });
    const updated = (await off.json()) as { modules: { module: string; enabled: boolean }[] };
    expect(updated.modules.find((m) => m.module === "tasks")?.enabled).toBe(false);
    const run = await fetch(`${bridge.url}/api/addin/me/sync/run`, {
      method: "POST",
      headers,
      body: json({ modules: null }),
    });
    const queued = (await run.json()) as { queued: { module: string }[] };
    expect(queued.queued.map((q) => q.module).sort()).toEqual(["contacts", "events"]);
    await bridge.scheduler.idle();
  });

  it("refuses a forged or missing token, and a user the access policy excludes", async () => {
    const forged = await fetch(`${bridge.url}/api/addin/me/sync`, {
      headers: {
        authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.eyJtYWlsYm94IjoidXNlcjFAZXhhbXBsZS5jb20ifQ.c2ln",
        "x-bridge-token-type": "sandbox",
      },
    });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe("UNAUTHENTICATED");
    const headers = await addinHeaders(bridge, "user2@example.com");
    await bridge.storage.settings.put("access-policy", { audience: "admins", profileIds: [] });
    const excluded = await fetch(`${bridge.url}/api/addin/me/sync`, { headers });
    expect(excluded.status).toBe(403);
    expect(((await excluded.json()) as { error: { code: string } }).error.code).toBe("MAILBOX_NOT_ENABLED");
    await bridge.storage.settings.put("access-policy", { audience: "all-users", profileIds: [] });
  });
});

describe("webhooks", () => {
  it("answers the Graph validation handshake with the token as text/plain", async () => {
    const response = await fetch(
      `${bridge.url}/webhooks/graph?validationToken=${encodeURIComponent("Validation: Token <1>")}`,
      {
        method: "POST",
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    expect(await response.text()).toBe("Validation: Token <1>");
  });

  it("accepts Graph notifications with 202 at once and syncs only for a matching clientState", async () => {
    const [user] = await seedUsers(bridge, 1);
    const subscription = await bridge.storage.subscriptions.add(
      {
        service: "graph",
        mailboxId: user?.id ?? "",
        module: "contacts",
        externalId: "sub-1",
        expiresAt: "2030-01-01T00:00:00Z",
      },
      "client-state-secret",
    );
    expect(subscription.externalId).toBe("sub-1");
    const enqueued: string[] = [];
    const original = bridge.context.queue.enqueue.bind(bridge.context.queue);
    bridge.context.queue.enqueue = async (job) => {
      enqueued.push(`${job.trigger}:${job.module}`);
      return original(job);
    };
    const deliver = (clientState: string) =>
      fetch(`${bridge.url}/webhooks/graph`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: json({
          value: [{ subscriptionId: "sub-1", clientState, changeType: "updated", resource: "Users/x/Contacts/y" }],
        }),
      });
    expect((await deliver("forged")).status).toBe(202);
    expect((await deliver("client-state-secret")).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(enqueued).toEqual(["notification:contacts"]);
    bridge.context.queue.enqueue = original;
    await bridge.scheduler.idle();
  });

  it("verifies the Zoho channel token", async () => {
    const [user] = await seedUsers(bridge, 1);
    await bridge.storage.subscriptions.add(
      {
        service: "zoho",
        mailboxId: user?.id ?? "",
        module: "contacts",
        externalId: "1000000068001",
        expiresAt: "2030-01-01T00:00:00Z",
      },
      "zoho-channel-token",
    );
    const callback = (token: string) =>
      fetch(`${bridge.url}/webhooks/zoho`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: json({
          server_time: 1,
          module: "Contacts",
          resource_uri: "x",
          ids: ["1"],
          affected_fields: [],
          operation: "update",
          channel_id: "1000000068001",
          token,
        }),
      });
    expect((await callback("wrong")).status).toBe(403);
    expect(await (await callback("zoho-channel-token")).json()).toEqual({ accepted: true });
    await bridge.scheduler.idle();
  });
});
