/**
 * Starts the real Koa app on an ephemeral port over a fresh SQLite file, with the in-process scheduler running the
 * real sync service against in-memory connectors. Tests talk to it with plain `fetch`.
 */
import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp } from "../../src/app.js";
import type { AppContext, AppSettings } from "../../src/http/context.js";
import type { RouteTable } from "../../src/http/routes.js";
import { InProcessScheduler } from "../../src/jobs/in-process-scheduler.js";
import { createLogger } from "../../src/observability/logger.js";
import { createMetrics } from "../../src/observability/metrics.js";
import { createSandboxKey } from "../../src/security/addin-auth.js";
import { SecretBox } from "../../src/security/secret-box.js";
import { createServiceConnectorFactory, serviceEndpoints } from "../../src/services/service-connectors.js";
import { SyncService } from "../../src/services/sync-service.js";
import { openStorage, type Storage } from "../../src/storage/index.js";
import type { AdminPrincipal } from "../../src/storage/session-store.js";
import { MemoryConnectorFactory } from "../services/memory-connectors.js";
import { sqliteTarget } from "../storage/targets.js";

export interface TestBridge {
  url: string;
  storage: Storage;
  routes: RouteTable;
  scheduler: InProcessScheduler;
  connectors: MemoryConnectorFactory;
  context: AppContext;
  close(): Promise<void>;
}

export async function startTestBridge(settings: Partial<AppSettings> = {}): Promise<TestBridge> {
  const disposable = await sqliteTarget();
  const storage = await openStorage(disposable.target, new SecretBox(randomBytes(32)));
  const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const metrics = createMetrics();
  const connectors = new MemoryConnectorFactory();
  const service = new SyncService({ storage, connectors, logger, metrics });
  const scheduler = new InProcessScheduler({
    runner: service.run,
    logger,
    maxConcurrent: 2,
    backoffBaseMs: 5,
    backoffCapMs: 20,
  });
  // As in the sandbox, a test's Entra simulator serves Graph too; without one, Microsoft's hosts (never reached).
  const authorityHost = settings.entra?.authorityHost ?? "https://login.microsoftonline.com";
  const graphUrl = settings.entra ? authorityHost : "https://graph.microsoft.com";
  const context: AppContext = {
    settings: {
      publicUrl: "http://127.0.0.1",
      sandbox: true,
      ewsAllowedHosts: ["mail.contoso.com"],
      sessionLifetimeMs: 3_600_000,
      bridgeVersion: "test",
      ...settings,
    },
    storage,
    // Routes reach the simulators through the production factory; sync jobs run against the memory connectors.
    connectors: await createServiceConnectorFactory(storage, serviceEndpoints(graphUrl, authorityHost)),
    logger,
    metrics,
    queue: scheduler,
    sandboxKey: createSandboxKey(),
    preview: (userId, settings) => service.preview(userId, settings),
    now: () => new Date(),
  };
  const { app, routes } = createApp(context);
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  context.settings.publicUrl = url;
  return {
    url,
    storage,
    routes,
    scheduler,
    connectors,
    context,
    async close() {
      await scheduler.stop();
      await context.connectors.close();
      await new Promise((resolve) => server.close(resolve));
      await storage.close();
      await disposable.dispose();
    },
  };
}

export const ADMIN: AdminPrincipal = {
  zohoUserId: "z-admin",
  name: "Ada Admin",
  email: "ada@example.com",
  profileId: "p-admin",
  profileName: "Administrator",
  isAdmin: true,
};

/** A signed-in console session: the headers a browser would send (cookie + CSRF double submit). */
export async function sessionHeaders(bridge: TestBridge, principal: AdminPrincipal = ADMIN) {
  const session = await bridge.storage.sessions.create(principal, 3_600_000);
  return {
    cookie: `bridge_session=${session.id}`,
    "x-csrf-token": session.csrfToken,
    "content-type": "application/json",
  };
}

/** Adds Zoho users (all active), selects the first `selected`, and returns them. */
export async function seedUsers(bridge: TestBridge, count: number, selected = count) {
  await bridge.storage.users.syncFromZoho(
    Array.from({ length: count }, (_, i) => ({
      zohoUserId: `z${i + 1}`,
      email: `user${i + 1}@example.com`,
      fullName: `User ${i + 1}`,
      profileId: i === 0 ? "p-admin" : "p-std",
      profile: i === 0 ? "Administrator" : "Standard",
      active: true,
    })),
  );
  const users = await bridge.storage.users.list();
  await bridge.storage.users.setSelected(
    users.slice(0, selected).map((user) => user.id),
    true,
  );
  return bridge.storage.users.list();
}

/** A sandbox add-in token for a mailbox (the route the add-in's preview uses). */
export async function addinHeaders(bridge: TestBridge, mailbox: string) {
  const response = await fetch(`${bridge.url}/api/addin/sandbox/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ mailbox }),
  });
  const { accessToken } = (await response.json()) as { accessToken: string };
  return {
    authorization: `Bearer ${accessToken}`,
    "x-bridge-token-type": "sandbox",
    "content-type": "application/json",
  };
}
