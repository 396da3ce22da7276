/**
 * The long-running bridge server: HTTP API + front-ends, the scheduler, a periodic sync of every selected user, and
 * a graceful shutdown (stop accepting connections, let running jobs finish or release them, close the database).
 */
import { readFile } from "node:fs/promises";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type Koa from "koa";
import { createApp } from "./app.js";
import type { AppContext, AppSettings } from "./http/context.js";
import type { JobTrigger, SyncQueue } from "./jobs/job.js";
import { PollingSchedule, type PollTarget } from "./jobs/polling-schedule.js";
import { PushChannels } from "./services/push-channels.js";
import { openScheduling, type Runtime } from "./services/runtime.js";
import { enabledModules, loadSyncSettings } from "./services/sync-settings.js";
import { refreshZohoUsersIfStale, ZOHO_USERS_MAX_AGE_MS } from "./services/zoho-connection.js";
import { openLeaderLease } from "./storage/leader-lease.js";

export interface RunningServer {
  url: string;
  /** The HTTPS origin Graph and Zoho call back (the public URL, or the webhook listener's); undefined: no push. */
  webhookUrl: string | undefined;
  context: AppContext;
  queue: SyncQueue;
  /** Webhook / streaming channels (Graph calls https webhooks only); owned by one process of a deployment. */
  push: PushChannels;
  /** Settles when the first push maintenance round is done (how many channels it opened). */
  pushReady: Promise<number>;
  /** Enqueues every selected, active user's enabled modules (the first sync; an admin's "sync everyone"). */
  syncEveryone(trigger: "schedule" | "initial"): Promise<number>;
  /**
   * One tick of the polling timer at `now`: enqueues the modules due (push-covered ones only once per safety
   * interval). Returns how many jobs it enqueued.
   */
  pollDue(now: Date): Promise<number>;
  close(): Promise<void>;
}

interface Tls {
  certPem: string;
  keyPem: string;
}

function listen(app: Koa, host: string, port: number, tls: Tls | undefined): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = tls
      ? createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, app.callback())
      : createHttpServer(app.callback());
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}

async function closeListener(server: Server): Promise<void> {
  await new Promise((resolve) => server.close(resolve));
  server.closeAllConnections();
}

export async function startServer(
  runtime: Runtime,
  extra: Partial<Pick<AppContext, "sandboxKey">> & {
    publicUrl?: string;
    /** Serve HTTPS directly (Graph only calls https webhooks); otherwise HTTP behind a TLS-terminating proxy. */
    tls?: Tls;
    /** A second, HTTPS listener for webhooks while the main one is plain http (default: from the configuration). */
    webhookTls?: Tls & { port: number };
  } = {},
): Promise<RunningServer> {
  const { config, storage, logger, metrics } = runtime;
  const scheduling = await openScheduling(runtime, config.storage.kind === "sqlite" || config.serverWorksJobs);
  const settings: AppSettings = {
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
  };
  let webhookUrl: string | undefined;
  const push = new PushChannels({
    storage,
    connectors: scheduling.connectors,
    queue: scheduling.queue,
    logger,
    lease: openLeaderLease(storage.target, "push-channels"),
    publicUrl: () => webhookUrl ?? settings.publicUrl,
  });
  const context: AppContext = {
    settings,
    storage,
    logger,
    metrics,
    queue: scheduling.queue,
    connectors: scheduling.connectors,
    push,
    preview: (userId, syncSettings) => scheduling.service.preview(userId, syncSettings),
    ...(extra.sandboxKey ? { sandboxKey: extra.sandboxKey } : {}),
    now: () => new Date(),
  };
  const { app } = createApp(context);
  // A start that fails from here on (port in use, unreadable webhook certificate) closes what it opened: a running
  // scheduler or listener would keep `bridge serve` alive instead of letting it exit for its supervisor to restart.
  const abandon = async (error: unknown, ...listeners: Array<Server | undefined>): Promise<never> => {
    for (const listener of listeners) if (listener) await closeListener(listener);
    await scheduling.stop().catch(() => undefined);
    throw error;
  };
  const server = await listen(app, config.http.host, config.http.port, extra.tls).catch((error) => abandon(error));
  const url = `${extra.tls ? "https" : "http"}://${config.http.host}:${(server.address() as AddressInfo).port}`;
  if (!extra.publicUrl && !config.http.publicUrl) settings.publicUrl = url;
  const webhookTls = settings.publicUrl.startsWith("https:")
    ? undefined
    : (extra.webhookTls ?? (await configuredWebhookTls(config).catch((error) => abandon(error, server))));
  const webhookServer = webhookTls
    ? await listen(app, config.http.host, webhookTls.port, webhookTls).catch((error) => abandon(error, server))
    : undefined;
  webhookUrl = webhookServer
    ? `https://${config.http.host}:${(webhookServer.address() as AddressInfo).port}`
    : settings.publicUrl.startsWith("https:")
      ? settings.publicUrl
      : undefined;

  const schedule = new PollingSchedule(config.pushSafetyPollMinutes * 60_000);
  async function pollTargets(): Promise<PollTarget[]> {
    const syncSettings = await loadSyncSettings(storage.settings);
    const modules = [
      ...enabledModules(syncSettings),
      ...(syncSettings.modules.emails.enabled ? ["emails" as const] : []),
    ];
    const users = await storage.users.listSyncable();
    return users.flatMap((user) => modules.map((module) => ({ mailboxId: user.id, module })));
  }
  async function enqueueAll(targets: readonly PollTarget[], trigger: JobTrigger): Promise<void> {
    for (const target of targets) await context.queue.enqueue({ ...target, trigger });
  }
  async function syncEveryone(trigger: "schedule" | "initial"): Promise<number> {
    const targets = await pollTargets();
    await enqueueAll(targets, trigger);
    schedule.polled(new Date(), targets);
    return new Set(targets.map((target) => target.mailboxId)).size;
  }
  async function pollDue(now: Date): Promise<number> {
    // Covered: a stored channel on both sides (stored by whichever process owns them).
    const channels = await storage.subscriptions.list();
    const sides = (target: PollTarget) =>
      new Set(
        channels
          .filter((channel) => channel.mailboxId === target.mailboxId && channel.module === target.module)
          .map((channel) => (channel.service === "zoho" ? "crm" : "exchange")),
      );
    const due = schedule.due(now, await pollTargets(), (target) => sides(target).size === 2);
    await enqueueAll(due, "schedule");
    return due.length;
  }
  const { intervalMinutes } = (
    await loadSyncSettings(storage.settings).catch((error) => abandon(error, server, webhookServer))
  ).schedule;
  const timer = setInterval(() => {
    pollDue(new Date()).catch((error: unknown) => logger.error({ err: error }, "scheduled sync failed to enqueue"));
  }, intervalMinutes * 60_000);
  timer.unref();
  // Zoho does not notify user changes: a new rep appears, and a disabled one stops syncing, at the next refresh.
  const refreshUsers = () =>
    refreshZohoUsersIfStale(
      storage,
      () => scheduling.connectors.orgCrm(),
      new Date(),
      ZOHO_USERS_MAX_AGE_MS.background,
    ).catch((error: unknown) => logger.error({ err: error }, "Zoho user list not refreshed"));
  const userRefresh = setInterval(refreshUsers, ZOHO_USERS_MAX_AGE_MS.background);
  userRefresh.unref();
  const maintainPush = () => (webhookUrl ? push.maintain() : Promise.resolve(0));
  const pushReady = maintainPush().catch((error: unknown) => {
    logger.error({ err: error }, "push channels not opened");
    return 0;
  });
  const renewal = setInterval(() => {
    maintainPush().catch((error: unknown) => logger.error({ err: error }, "push channel maintenance failed"));
  }, config.pushMaintenanceMs);
  renewal.unref();

  logger.info({ url, webhookUrl }, "bridge listening");
  return {
    url,
    webhookUrl,
    context,
    queue: scheduling.queue,
    push,
    pushReady,
    syncEveryone,
    pollDue,
    async close() {
      clearInterval(timer);
      clearInterval(renewal);
      clearInterval(userRefresh);
      await pushReady;
      await closeListener(server);
      if (webhookServer) await closeListener(webhookServer);
      await push.stop();
      await scheduling.stop();
    },
  };
}

/** The webhook listener's certificate from the configured PEM files, if any. */
async function configuredWebhookTls(config: Runtime["config"]): Promise<(Tls & { port: number }) | undefined> {
  if (!config.webhookTls) return undefined;
  const [certPem, keyPem] = await Promise.all([
    readFile(config.webhookTls.certFile, "utf8"),
    readFile(config.webhookTls.keyFile, "utf8"),
  ]);
  return { certPem, keyPem, port: config.webhookTls.port };
}
