/**
 * The long-running bridge server: HTTP API + front-ends, the scheduler, a periodic sync of every selected user, and
 * a graceful shutdown (stop accepting connections, let running jobs finish or release them, close the database).
 */
import type { Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { createApp } from "./app.js";
import type { AppContext } from "./http/context.js";
import { enqueueUser } from "./http/context.js";
import type { SyncQueue } from "./jobs/job.js";
import { PushChannels, registerPushChannels } from "./services/push-channels.js";
import { openScheduling, type Runtime } from "./services/runtime.js";
import { enabledModules, loadSyncSettings } from "./services/sync-settings.js";

export interface RunningServer {
  url: string;
  context: AppContext;
  queue: SyncQueue;
  /** Webhook / streaming channels, opened when the public URL is HTTPS (Graph calls https webhooks only). */
  push: PushChannels;
  /** Settles when the first round of push channels is open (how many were opened). */
  pushReady: Promise<number>;
  /** Enqueues every selected, active user (what the schedule does each interval). */
  syncEveryone(trigger: "schedule" | "initial"): Promise<number>;
  close(): Promise<void>;
}

export async function startServer(
  runtime: Runtime,
  extra: Partial<Pick<AppContext, "sandboxKey">> & {
    publicUrl?: string;
    /** Serve HTTPS directly (Graph only calls https webhooks); otherwise HTTP behind a TLS-terminating proxy. */
    tls?: { certPem: string; keyPem: string };
    /** How often missing channels are opened and expiries checked (default 10 min). */
    pushRenewalIntervalMs?: number;
  } = {},
): Promise<RunningServer> {
  const { config, storage, logger, metrics } = runtime;
  const scheduling = await openScheduling(runtime, config.storage.kind === "sqlite" || config.serverWorksJobs);
  const context: AppContext = {
    settings: {
      publicUrl: extra.publicUrl ?? config.http.publicUrl ?? `http://${config.http.host}:${config.http.port}`,
      sandbox: config.sandbox,
      ewsAllowedHosts: config.ewsAllowedHosts,
      ...(config.zohoSignIn.clientId && config.zohoSignIn.clientSecret
        ? {
            zohoSignIn: {
              clientId: config.zohoSignIn.clientId,
              clientSecret: config.zohoSignIn.clientSecret,
              accountsUrl: config.zohoSignIn.accountsUrl,
            },
          }
        : {}),
      ...(config.entra.clientId && config.entra.tenantId
        ? {
            entra: {
              clientId: config.entra.clientId,
              tenantId: config.entra.tenantId,
              authorityHost: config.entra.authorityHost,
              apiScope: config.entra.apiScope,
            },
          }
        : {}),
      ...(config.addinUrl ? { addinUrl: config.addinUrl } : {}),
      ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
      trustProxy: config.trustProxy,
      ...(config.consoleDir ? { consoleDir: config.consoleDir } : {}),
      ...(config.addinDir ? { addinDir: config.addinDir } : {}),
      sessionLifetimeMs: config.sessionLifetimeMs,
      bridgeVersion: process.env.npm_package_version ?? "0.1.0",
    },
    storage,
    logger,
    metrics,
    queue: scheduling.queue,
    connectors: scheduling.connectors,
    preview: (userId, settings) => scheduling.service.preview(userId, settings),
    ...(extra.sandboxKey ? { sandboxKey: extra.sandboxKey } : {}),
    now: () => new Date(),
  };
  const { app } = createApp(context);
  const push = new PushChannels({
    storage,
    connectors: scheduling.connectors,
    queue: scheduling.queue,
    logger,
    publicUrl: () => context.settings.publicUrl,
  });
  registerPushChannels(context, push);
  const server: Server = await new Promise((resolve, reject) => {
    const listening = extra.tls
      ? createHttpsServer({ cert: extra.tls.certPem, key: extra.tls.keyPem }, app.callback()).listen(
          config.http.port,
          config.http.host,
          () => resolve(listening),
        )
      : app.listen(config.http.port, config.http.host, () => resolve(listening));
    listening.on("error", reject);
  });
  const address = server.address() as AddressInfo;
  const url = `${extra.tls ? "https" : "http"}://${config.http.host}:${address.port}`;
  if (!extra.publicUrl && !config.http.publicUrl) context.settings.publicUrl = url;

  async function syncEveryone(trigger: "schedule" | "initial"): Promise<number> {
    const users = await storage.users.listSyncable();
    const settings = await loadSyncSettings(storage.settings);
    const modules = enabledModules(settings);
    for (const user of users) {
      await enqueueUser(context, user.id, modules, trigger);
      if (settings.modules.emails.enabled)
        await context.queue.enqueue({ mailboxId: user.id, module: "emails", trigger });
    }
    return users.length;
  }
  const settings = await loadSyncSettings(storage.settings);
  const timer = setInterval(() => {
    syncEveryone("schedule").catch((error: unknown) =>
      logger.error({ err: error }, "scheduled sync failed to enqueue"),
    );
  }, settings.schedule.intervalMinutes * 60_000);
  timer.unref();
  const pushEnabled = context.settings.publicUrl.startsWith("https:");
  const maintainPush = () =>
    pushEnabled
      ? push.openAll().then(async (opened) => {
          await push.renewDue();
          return opened;
        })
      : Promise.resolve(0);
  const pushReady = maintainPush().catch((error: unknown) => {
    logger.error({ err: error }, "push channels not opened");
    return 0;
  });
  const renewal = setInterval(
    () => {
      maintainPush().catch((error: unknown) => logger.error({ err: error }, "push channel maintenance failed"));
    },
    extra.pushRenewalIntervalMs ?? 10 * 60_000,
  );
  renewal.unref();

  logger.info({ url }, "bridge listening");
  return {
    url,
    context,
    queue: scheduling.queue,
    push,
    pushReady,
    syncEveryone,
    async close() {
      clearInterval(timer);
      clearInterval(renewal);
      await new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await scheduling.stop();
    },
  };
}
