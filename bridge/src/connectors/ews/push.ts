/**
 * Push for EWS: a pull subscription on the module's folder polled with GetEvents (works on every version,
 * 2007 SP1 included). A notice only triggers a sync — EWS notifications carry no ChangeKey or content, so the
 * engine follows them with SyncFolderItems (docs mailbox-synchronization-and-ews-in-exchange.md).
 * The subscription's Timeout is the idle time after which Exchange drops it; polling keeps it alive, `renew`
 * reports the extended expiry, a vanished subscription is announced as `removed`.
 */
import { EventType, FolderId, type PullSubscription, type WellKnownFolderName } from "ews-javascript-api";
import { ConnectorError } from "../errors.js";
import type { PushOptions, PushSubscription, SyncModuleName } from "../port.js";
import type { EwsSession } from "./session.js";

const TIMEOUT_MINUTES = 30;

export async function openPushChannel(
  session: EwsSession,
  module: SyncModuleName,
  folder: WellKnownFolderName,
  options: PushOptions,
  intervalMs: number,
): Promise<PushSubscription> {
  const subscription: PullSubscription = await session.call((service) =>
    service.SubscribeToPullNotifications(
      [new FolderId(folder)],
      TIMEOUT_MINUTES,
      "",
      EventType.Created,
      EventType.Modified,
      EventType.Deleted,
      EventType.Moved,
    ),
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
