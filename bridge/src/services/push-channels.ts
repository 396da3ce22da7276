/**
 * Push channels: for every selected user and enabled module, one subscription per side that can push (Graph
 * subscriptions, Zoho `actions/watch` channels, EWS streaming), so a change made in either service triggers a sync
 * without waiting for the polling schedule.
 *
 * Invariants:
 * - The store is the source of truth: every channel is stored (service, mailbox, module, external id, expiry, hash
 *   of its secret) when opened, its expiry rewritten when renewed, its row removed when it is deleted or gone. The
 *   webhook routes verify a delivery against the store (any process may receive it); the secret itself is only
 *   held in memory.
 * - Exactly one process owns the channels (the `LeaderLease`: a PostgreSQL advisory lock; always this process on
 *   SQLite). `maintain` (at start and on a timer) first checks the lease: a process that does not hold it keeps no
 *   channel; the one that does resumes every stored channel it does not have yet (a previous owner's, or its own
 *   before a restart) — renewing it when the user and module still want it, deleting it remotely otherwise — and
 *   then opens the missing channels and renews the ones expiring within `renewBeforeMs`. A stored channel calling
 *   another URL than this process's webhook URL is replaced rather than resumed.
 * - A channel the service says is gone (`not-found`) is opened again; lifecycle `reauthorize` renews (and reopens if
 *   gone), `removed` reopens. A row removed by another process (a lifecycle delivery it received) makes the owner
 *   drop and reopen that channel at its next round.
 * - EWS streaming subscriptions belong to the connection that opened them: a previous process's are dropped, not
 *   resumed.
 * - `closeAll` (uninstall) deletes every stored channel remotely, whichever process opened it, and every row; a
 *   remote failure is logged and counted, never blocks the rest.
 */
import { randomBytes } from "node:crypto";
import { ConnectorError, type PushSubscription, type RecordPort, type SyncModuleName } from "../connectors/port.js";
import type { SyncQueue } from "../jobs/job.js";
import type { Logger } from "../observability/logger.js";
import type { Storage } from "../storage/index.js";
import type { LeaderLease } from "../storage/leader-lease.js";
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
  /** Decides which process owns the channels. */
  lease: LeaderLease;
  /** The bridge's public HTTPS origin for webhooks (read when a channel opens: it is known only after listen). */
  publicUrl: () => string;
  renewBeforeMs?: number;
}

function serviceOf(ports: MailboxPorts, side: "exchange" | "crm"): SubscriptionRecord["service"] {
  if (side === "crm") return "zoho";
  return ports.exchange.implementation === "ews" ? "ews" : "graph";
}

function isGone(error: unknown): boolean {
  return error instanceof ConnectorError && error.failure.kind === "not-found";
}

export class PushChannels {
  private readonly live = new Map<string, LiveChannel>();
  private round: Promise<number> | undefined;

  constructor(private readonly options: PushChannelOptions) {}

  /**
   * One maintenance round (at start, then on a timer): if this process owns the channels, resume the stored ones it
   * lacks, open the missing ones and renew those due. Returns how many were opened (0 when not the owner).
   */
  maintain(now = new Date()): Promise<number> {
    // One round at a time: a timer tick during a slow round joins it instead of opening the same channels again.
    this.round ??= this.maintainRound(now).finally(() => {
      this.round = undefined;
    });
    return this.round;
  }

  private async maintainRound(now: Date): Promise<number> {
    if (!(await this.options.lease.hold())) {
      // Another process owns them (or took over): forget our handles; the rows are the new owner's to resume.
      this.live.clear();
      return 0;
    }
    await this.resumeStored();
    await this.closeUnwanted();
    const opened = await this.openAll();
    await this.renewDue(now);
    return opened;
  }

  /**
   * Deletes the channels nobody wants any more — their user deselected or no longer active in Zoho, or the module
   * switched off — rather than renewing them for ever (their notifications would only start syncs that are refused).
   */
  private async closeUnwanted(): Promise<void> {
    const users = new Set((await this.options.storage.users.listSyncable()).map((user) => user.id));
    const modules = new Set<string>(enabledModules(await loadSyncSettings(this.options.storage.settings)));
    for (const [id, { record, subscription }] of [...this.live]) {
      if (users.has(record.mailboxId) && modules.has(record.module)) continue;
      this.live.delete(id);
      await this.options.storage.subscriptions.remove(id);
      await subscription
        .close()
        .catch((error: unknown) =>
          this.options.logger.warn({ err: error, channel: record }, "unwanted push channel not deleted remotely"),
        );
    }
  }

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

  /** Takes over the stored channels this process has no handle on; drops handles whose row is gone. */
  private async resumeStored(): Promise<void> {
    const stored = await this.options.storage.subscriptions.list();
    const ids = new Set(stored.map((record) => record.id));
    for (const [id, channel] of [...this.live]) {
      if (ids.has(id)) continue;
      this.live.delete(id);
      await channel.subscription.close().catch(() => undefined);
    }
    const orphans = stored.filter((record) => !this.live.has(record.id));
    if (orphans.length === 0) return;
    const wanted = new Set(enabledModules(await loadSyncSettings(this.options.storage.settings)) as string[]);
    for (const record of orphans) {
      await this.resume(record, wanted).catch((error: unknown) =>
        this.options.logger.warn({ err: error, channel: record }, "stored push channel not resumed"),
      );
    }
  }

  /**
   * Renews a previous process's channel still wanted, deletes one no longer wanted (or calling another URL: the next
   * step opens its replacement); forgets what cannot be resumed.
   */
  private async resume(record: SubscriptionRecord, wantedModules: ReadonlySet<string>): Promise<void> {
    const user = await this.options.storage.users.byId(record.mailboxId);
    const subscription = user ? await this.handleOn(user, record) : undefined;
    if (!user || !subscription) {
      await this.options.storage.subscriptions.remove(record.id);
      return;
    }
    // A channel calling another URL (the public URL changed, or its owner had its own) is replaced, not resumed.
    const wanted =
      user.selected &&
      user.zohoActive &&
      wantedModules.has(record.module) &&
      record.callbackUrl === this.callbackUrl(record.service);
    try {
      if (!wanted) {
        await subscription.close();
        await this.options.storage.subscriptions.remove(record.id);
        return;
      }
      await this.options.storage.subscriptions.setExpiry(record.id, await subscription.renew());
      this.live.set(record.id, { record, subscription });
    } catch (error) {
      if (!isGone(error)) throw error;
      await this.options.storage.subscriptions.remove(record.id);
    }
  }

  /** A handle on a stored channel through the user's ports (none for EWS streaming or an unconnected user). */
  private async handleOn(user: BridgeUser, record: SubscriptionRecord): Promise<PushSubscription | undefined> {
    const ports = await this.options.connectors.open(user).catch(() => undefined);
    if (!ports) return undefined;
    const side = record.service === "zoho" ? "crm" : "exchange";
    if (serviceOf(ports, side) !== record.service) return undefined;
    const port = ports[side].modules[record.module as SyncModuleName] as RecordPort<unknown> | undefined;
    return port?.resumeSubscription?.({ id: record.externalId, expiresAt: record.expiresAt });
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
    const callbackUrl = this.callbackUrl(service);
    const subscription = await port.subscribe?.({
      ...(callbackUrl ? { callbackUrl } : {}),
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
      { service, mailboxId, module, externalId: subscription.id, expiresAt: subscription.expiresAt, callbackUrl },
      secret,
    );
    this.live.set(record.id, { record, subscription });
  }

  /** Where a service calls this process back (null for EWS streaming, which needs no callback). */
  private callbackUrl(service: SubscriptionRecord["service"]): string | null {
    return service === "ews" ? null : `${this.options.publicUrl()}${WEBHOOK_PATHS[service]}`;
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
   * "reauthorize or PATCH-renew"); only a channel the service no longer has is replaced. A process that does not own
   * the channel leaves it to the owner's renewal round.
   */
  async reauthorize(recordId: string): Promise<void> {
    const channel = this.live.get(recordId);
    if (!channel) return;
    try {
      const expiresAt = await channel.subscription.renew();
      await this.options.storage.subscriptions.setExpiry(recordId, expiresAt);
      channel.record = { ...channel.record, expiresAt };
    } catch (error) {
      if (!isGone(error)) throw error;
      await this.recreate(recordId);
    }
  }

  /**
   * Replaces a channel (lifecycle `removed` / `reauthorize`, or gone at renewal). In a process that does not own it,
   * only the row is removed: the owner notices at its next round and opens a new one.
   */
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

  /** This process's live channels (for status and tests). */
  channels(): SubscriptionRecord[] {
    return [...this.live.values()].map((channel) => channel.record);
  }

  /**
   * Deletes every stored channel remotely (whichever process opened it) and every row (uninstall); returns how many
   * remote deletes succeeded and failed.
   */
  async closeAll(): Promise<{ deleted: number; failed: number }> {
    let [deleted, failed] = [0, 0];
    for (const record of await this.options.storage.subscriptions.list()) {
      try {
        const user = await this.options.storage.users.byId(record.mailboxId);
        const subscription =
          this.live.get(record.id)?.subscription ?? (user ? await this.handleOn(user, record) : undefined);
        if (!subscription) continue;
        await subscription.close();
        deleted += 1;
      } catch (error) {
        failed += 1;
        this.options.logger.warn({ err: error, channel: record }, "push channel not deleted remotely");
      }
    }
    this.live.clear();
    await this.options.storage.subscriptions.removeAll();
    return { deleted, failed };
  }

  /**
   * Shutdown: Graph and Zoho channels stay open for the next owner to resume; EWS streams end with this process.
   * Then the lease is given up so another process takes over at once.
   */
  async stop(): Promise<void> {
    for (const [id, { record, subscription }] of this.live) {
      if (record.service !== "ews") continue;
      await subscription.close().catch(() => undefined);
      await this.options.storage.subscriptions.remove(id);
    }
    this.live.clear();
    await this.options.lease.release();
  }
}
