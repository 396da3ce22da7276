/**
 * Push channels: for every selected user and enabled module, one subscription per side that can push (Graph
 * subscriptions, Zoho `actions/watch` channels, EWS streaming), so a change made in either service triggers a sync
 * without waiting for the polling schedule.
 *
 * Invariants:
 * - each live channel is stored (service, mailbox, module, external id, hash of its secret) so the webhook routes
 *   can verify a delivery and enqueue the affected mailbox+module; the secret itself is only held in memory;
 * - `renewDue` (run on a timer) extends every channel expiring within `renewBeforeMs`; a channel the service says is
 *   gone (`not-found`) is opened again; lifecycle `reauthorize` renews (and reopens if gone), `removed` reopens;
 * - `closeAll` (uninstall) deletes the remote channels and the stored records; a remote failure is logged, never
 *   blocks the rest.
 */
import { randomBytes } from "node:crypto";
import { ConnectorError, type PushSubscription, type RecordPort, type SyncModuleName } from "../connectors/port.js";
import type { SyncQueue } from "../jobs/job.js";
import type { Logger } from "../observability/logger.js";
import type { Storage } from "../storage/index.js";
import type { SubscriptionRecord } from "../storage/subscription-store.js";
import type { BridgeUser } from "../storage/user-repository.js";
import type { ConnectorFactory, MailboxPorts } from "./connectors.js";
import { enabledModules, loadSyncSettings } from "./sync-settings.js";

/** Graph's default renewal advice: well before expiry, so one failed attempt still leaves time for a retry. */
const DEFAULT_RENEW_BEFORE_MS = 60 * 60_000;

export const WEBHOOK_PATHS = { graph: "/webhooks/graph", zoho: "/webhooks/zoho" } as const;

interface LiveChannel {
  record: SubscriptionRecord;
  subscription: PushSubscription;
}

export interface PushChannelOptions {
  storage: Storage;
  connectors: ConnectorFactory;
  queue: SyncQueue;
  logger: Logger;
  /** The bridge's public HTTPS origin (read when a channel opens: it is known only after listen). */
  publicUrl: () => string;
  renewBeforeMs?: number;
}

function serviceOf(ports: MailboxPorts, side: "exchange" | "crm"): SubscriptionRecord["service"] {
  if (side === "crm") return "zoho";
  return ports.exchange.implementation === "ews" ? "ews" : "graph";
}

export class PushChannels {
  private readonly live = new Map<string, LiveChannel>();

  constructor(private readonly options: PushChannelOptions) {}

  /**
   * Opens the missing channels of every selected, active user (idempotent: run again on each check, it picks up
   * newly selected users and newly enabled modules). Returns how many were opened.
   */
  async openAll(): Promise<number> {
    const users = await this.options.storage.users.listSyncable();
    const modules = enabledModules(await loadSyncSettings(this.options.storage.settings));
    let opened = 0;
    for (const user of users) opened += await this.openForUser(user, modules);
    return opened;
  }

  private async openForUser(
    user: BridgeUser,
    modules: readonly SyncModuleName[],
    only?: SubscriptionRecord["service"],
  ): Promise<number> {
    // A channel that cannot be opened is logged and skipped: the polling schedule still covers that module.
    const skipped = (error: unknown) => {
      this.options.logger.warn({ err: error, userId: user.id }, "push channel not opened; polling covers it");
      return 0;
    };
    const ports = await this.options.connectors.open(user).catch((error: unknown) => {
      skipped(error);
      return undefined;
    });
    if (!ports) return 0;
    let opened = 0;
    for (const module of modules) {
      for (const side of ["exchange", "crm"] as const) {
        const service = serviceOf(ports, side);
        const port = ports[side].modules[module] as RecordPort<unknown> | undefined;
        if ((only && service !== only) || !port?.capabilities.push || !port.subscribe) continue;
        if (this.isOpen(service, user.id, module)) continue;
        opened += await this.openChannel(port, service, user.id, module).then(() => 1, skipped);
      }
    }
    return opened;
  }

  private async openChannel(
    port: RecordPort<unknown>,
    service: SubscriptionRecord["service"],
    mailboxId: string,
    module: SyncModuleName,
  ): Promise<void> {
    // 32 url-safe characters: within Zoho's 50-character token and Graph's 128-character clientState limits.
    const secret = randomBytes(24).toString("base64url");
    const subscription = await port.subscribe?.({
      ...(service === "ews" ? {} : { callbackUrl: `${this.options.publicUrl()}${WEBHOOK_PATHS[service]}` }),
      secret,
      // EWS streaming notices arrive here; webhook deliveries are verified and enqueued by the webhook routes.
      onNotice: () => {
        this.options.queue
          .enqueue({ mailboxId, module, trigger: "notification" })
          .catch((error: unknown) => this.options.logger.error({ err: error }, "push notice not enqueued"));
      },
    });
    if (!subscription) return;
    const record = await this.options.storage.subscriptions.add(
      { service, mailboxId, module, externalId: subscription.id, expiresAt: subscription.expiresAt },
      secret,
    );
    this.live.set(record.id, { record, subscription });
  }

  /** Renews every channel that expires within the margin; reopens those the service no longer knows. */
  async renewDue(now = new Date()): Promise<void> {
    const margin = this.options.renewBeforeMs ?? DEFAULT_RENEW_BEFORE_MS;
    for (const [id, channel] of [...this.live]) {
      if (Date.parse(channel.subscription.expiresAt) - now.getTime() > margin) continue;
      await this.reauthorize(id).catch((error: unknown) =>
        this.options.logger.warn({ err: error, channel: channel.record }, "push channel renewal failed"),
      );
    }
  }

  private isOpen(service: SubscriptionRecord["service"], mailboxId: string, module: string): boolean {
    return [...this.live.values()].some(
      ({ record }) => record.service === service && record.mailboxId === mailboxId && record.module === module,
    );
  }

  /**
   * Graph `reauthorizationRequired`: a PATCH renewal reauthorizes the subscription (graph-and-addin.md §1.6,
   * "reauthorize or PATCH-renew"); only a channel the service no longer has is replaced.
   */
  async reauthorize(recordId: string): Promise<void> {
    const channel = this.live.get(recordId);
    if (!channel) return;
    try {
      await channel.subscription.renew();
    } catch (error) {
      if (!(error instanceof ConnectorError && error.failure.kind === "not-found")) throw error;
      await this.recreate(recordId);
    }
  }

  /** Replaces a channel (lifecycle `removed` / `reauthorize`, or gone at renewal). */
  async recreate(recordId: string): Promise<void> {
    const channel = this.live.get(recordId);
    await this.options.storage.subscriptions.remove(recordId);
    if (!channel) return;
    this.live.delete(recordId);
    await channel.subscription.close().catch(() => undefined);
    const user = await this.options.storage.users.byId(channel.record.mailboxId);
    if (!user) return;
    await this.openForUser(user, [channel.record.module as SyncModuleName], channel.record.service);
  }

  /** Live channels (for status and tests). */
  channels(): SubscriptionRecord[] {
    return [...this.live.values()].map((channel) => channel.record);
  }

  /** Deletes every remote channel and every stored record (uninstall); returns how many remote deletes failed. */
  async closeAll(): Promise<number> {
    let failed = 0;
    for (const channel of this.live.values()) {
      try {
        await channel.subscription.close();
      } catch (error) {
        failed += 1;
        this.options.logger.warn({ err: error, channel: channel.record }, "push channel not deleted remotely");
      }
    }
    this.live.clear();
    await this.options.storage.subscriptions.removeAll();
    return failed;
  }
}

/** The process's push channels, found by the webhook routes through the app context they share. */
const registry = new WeakMap<object, PushChannels>();

export function registerPushChannels(context: object, channels: PushChannels): void {
  registry.set(context, channels);
}

export function pushChannelsOf(context: object): PushChannels | undefined {
  return registry.get(context);
}
