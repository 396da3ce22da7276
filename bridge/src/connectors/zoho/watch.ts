/**
 * Zoho instant notifications (`/actions/watch`, zoho-crm-api.md §5) as a `PushSubscription`.
 *
 * One channel per module, created with `Module.all`, `notify_on_related_action: false` (related-record noise would
 * only trigger empty syncs) and an explicit `channel_expiry` (default would be 1 h; the maximum is 1 week).
 * `renew` re-sends the expiry with PATCH before it passes. Deliveries carry only ids, so a notice just triggers a
 * sync; a delivery is accepted only with the channel's `token` (the shared secret) and channel id.
 */
import { randomInt } from "node:crypto";
import { ConnectorError } from "../errors.js";
import type { PushOptions, PushSubscription, SyncModuleName } from "../port.js";
import { requestError, type ZohoClient, type ZohoJson } from "./client.js";
import { zohoTime } from "./time.js";

/** How long a channel lives between renewals. */
export const CHANNEL_LIFETIME_MS = 24 * 60 * 60 * 1000;

function expiryFromNow(): string {
  return zohoTime(Math.floor((Date.now() + CHANNEL_LIFETIME_MS) / 1000));
}

/**
 * Renewal and deletion of a channel by id: for one just opened, or one an earlier process opened (the port's
 * `resumeSubscription`), whose deliveries the bridge verifies against its stored token hash.
 */
export function watchChannelHandle(
  client: ZohoClient,
  zohoModule: string,
  channel: { id: string; expiresAt: string },
): Omit<PushSubscription, "acceptDelivery"> {
  let expiresAt = channel.expiresAt;
  return {
    id: channel.id,
    get expiresAt() {
      return new Date(expiresAt).toISOString();
    },
    async renew() {
      const next = expiryFromNow();
      const renewal = await client.request({
        method: "PATCH",
        path: "actions/watch",
        body: { watch: [{ channel_id: channel.id, events: [`${zohoModule}.all`], channel_expiry: next }] },
      });
      const result = (renewal.json?.watch as ZohoJson[] | undefined)?.[0];
      if (renewal.status === 400 && result === undefined) {
        throw new ConnectorError({ kind: "not-found", message: "the Zoho notification channel is gone" });
      }
      if (result?.status !== "success") throw requestError(renewal, "renew notifications");
      expiresAt = next;
      return new Date(expiresAt).toISOString();
    },
    async close() {
      const closing = await client.request({
        method: "DELETE",
        path: "actions/watch",
        query: { channel_ids: channel.id },
      });
      if (closing.status >= 500) throw requestError(closing, "disable notifications");
    },
  };
}

export async function openWatchChannel(
  client: ZohoClient,
  zohoModule: string,
  module: SyncModuleName,
  options: PushOptions,
): Promise<PushSubscription> {
  if (!options.callbackUrl)
    throw new ConnectorError({ kind: "invalid-record", message: "Zoho push needs a callbackUrl" });
  if (options.secret.length > 50) throw new ConnectorError({ kind: "invalid-record", message: "token over 50 chars" });
  const channelId = String(randomInt(1_000_000_000, 2 ** 47));
  const expiresAt = expiryFromNow();
  const answer = await client.request({
    method: "POST",
    path: "actions/watch",
    body: {
      watch: [
        {
          channel_id: channelId,
          events: [`${zohoModule}.all`],
          channel_expiry: expiresAt,
          token: options.secret,
          notify_url: options.callbackUrl,
          notify_on_related_action: false,
        },
      ],
    },
  });
  const item = (answer.json?.watch as ZohoJson[] | undefined)?.[0];
  if (answer.status !== 201 || item?.status !== "success") throw requestError(answer, "enable notifications");

  return Object.assign(watchChannelHandle(client, zohoModule, { id: channelId, expiresAt }), {
    acceptDelivery(body: unknown) {
      const payload = body as ZohoJson | null;
      if (
        !payload ||
        typeof payload !== "object" ||
        payload.token !== options.secret ||
        String(payload.channel_id) !== channelId
      ) {
        throw new ConnectorError({ kind: "invalid-record", message: "notification without this channel's token" });
      }
      if (payload.module !== zohoModule || !Array.isArray(payload.ids)) {
        throw new ConnectorError({ kind: "invalid-record", message: "malformed Zoho notification" });
      }
      options.onNotice({ module, ids: payload.ids.map(String), reason: "changed" });
      return 1;
    },
  });
}
