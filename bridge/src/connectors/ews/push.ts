/**
 * Push for EWS: streaming notifications from Exchange 2010 SP1 on (one long GetStreamingEvents response,
 * re-opened whenever the server closes it after its ConnectionTimeout), a pull subscription polled with
 * GetEvents on 2007 SP1, which has no streaming. A notice only triggers a sync — EWS notifications carry no ChangeKey or content, so the
 * engine follows them with SyncFolderItems (docs mailbox-synchronization-and-ews-in-exchange.md).
 * The subscription's Timeout is the idle time after which Exchange drops it; polling keeps it alive, `renew`
 * reports the extended expiry, a vanished subscription is announced as `removed`.
 */
import {
  EventType,
  FolderId,
  ItemEvent,
  type PullSubscription,
  StreamingSubscriptionConnection,
  type WellKnownFolderName,
} from "ews-javascript-api";
import { ConnectorError } from "../errors.js";
import type { PushOptions, PushSubscription, SyncModuleName } from "../port.js";
import type { EwsSession } from "./session.js";

const TIMEOUT_MINUTES = 30;

const EVENT_TYPES = [EventType.Created, EventType.Modified, EventType.Deleted, EventType.Moved];
/** Minutes a streaming connection stays open before Exchange closes it and we re-open it (1..30). */
const STREAM_LIFETIME_MINUTES = 30;

export function openPushChannel(
  session: EwsSession,
  module: SyncModuleName,
  folder: WellKnownFolderName,
  options: PushOptions,
  intervalMs: number,
): Promise<PushSubscription> {
  return session.is2007
    ? openPullChannel(session, module, folder, options, intervalMs)
    : openStreamingChannel(session, module, folder, options);
}

async function openStreamingChannel(
  session: EwsSession,
  module: SyncModuleName,
  folder: WellKnownFolderName,
  options: PushOptions,
): Promise<PushSubscription> {
  const subscription = await session.call((service) =>
    service.SubscribeToStreamingNotifications([new FolderId(folder)], ...EVENT_TYPES),
  );
  const connection = new StreamingSubscriptionConnection(session.service, [subscription], STREAM_LIFETIME_MINUTES);
  const expiry = () => new Date(Date.now() + STREAM_LIFETIME_MINUTES * 60_000).toISOString();
  let expiresAt = expiry();
  let closed = false;
  connection.OnNotificationEvent.push((_sender, args) => {
    const ids = args.Events.flatMap((event) =>
      event instanceof ItemEvent && event.ItemId ? [event.ItemId.UniqueId] : [],
    );
    options.onNotice({ module, ids, reason: "changed" });
  });
  connection.OnSubscriptionError.push(() => {
    closed = true;
    options.onNotice({ module, ids: [], reason: "removed" });
  });
  connection.OnDisconnect.push(() => {
    if (closed) return;
    // Exchange closes every stream after its lifetime; events in between are not lost (they queue on the
    // subscription), but say so in case the gap was long, then listen again.
    options.onNotice({ module, ids: [], reason: "missed" });
    expiresAt = expiry();
    connection.Open().catch(() => options.onNotice({ module, ids: [], reason: "removed" }));
  });
  // Open() settles only when the stream ends; events raised before it is connected queue on the subscription.
  connection.Open().catch(() => options.onNotice({ module, ids: [], reason: "removed" }));
  return {
    id: subscription.Id,
    get expiresAt() {
      return expiresAt;
    },
    async renew() {
      if (!connection.IsOpen && !closed) connection.Open().catch(() => undefined);
      expiresAt = expiry();
      return expiresAt;
    },
    async close() {
      if (closed) return;
      closed = true;
      connection.Close();
      await session.call(() => subscription.Unsubscribe()).catch(() => undefined);
    },
  };
}

async function openPullChannel(
  session: EwsSession,
  module: SyncModuleName,
  folder: WellKnownFolderName,
  options: PushOptions,
  intervalMs: number,
): Promise<PushSubscription> {
  const subscription: PullSubscription = await session.call((service) =>
    service.SubscribeToPullNotifications([new FolderId(folder)], TIMEOUT_MINUTES, "", ...EVENT_TYPES),
  );
  const expiry = () => new Date(Date.now() + TIMEOUT_MINUTES * 60_000).toISOString();
  let expiresAt = expiry();
  let closed = false;
  let polling = false;
  const poll = async () => {
    if (closed || polling) return;
    polling = true;
    try {
      const result = await session.call(() => subscription.GetEvents());
      expiresAt = expiry();
      const ids = result.ItemEvents.map((event) => event.ItemId?.UniqueId).filter((id): id is string => Boolean(id));
      if (ids.length > 0) options.onNotice({ module, ids, reason: "changed" });
    } catch (error) {
      const kind = error instanceof ConnectorError ? error.failure.kind : "transient";
      if (kind === "cursor-invalid" || kind === "not-found") {
        closed = true;
        clearInterval(timer);
        options.onNotice({ module, ids: [], reason: "removed" });
      }
      // Transient and throttling failures: the next tick tries again; the periodic sync covers the gap.
    } finally {
      polling = false;
    }
  };
  const timer = setInterval(() => void poll(), intervalMs);
  timer.unref();
  return {
    id: subscription.Id,
    get expiresAt() {
      return expiresAt;
    },
    async renew() {
      await poll();
      return expiresAt;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await session.call(() => subscription.Unsubscribe()).catch(() => undefined);
    },
  };
}
