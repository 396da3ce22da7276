/**
 * Graph change notifications as a push channel (change-notifications-delivery-webhooks.md, webhooks-lifecycle.md).
 *
 * - Created with `clientState` = the shared secret and the same HTTPS URL for resource and lifecycle notifications;
 *   Graph validates both URLs first (the bridge's HTTP layer answers with `validationResponse`).
 * - `acceptDelivery` checks every notification's `clientState` and `subscriptionId` (a forged body is refused as a
 *   whole) and turns it into a notice: resource changes → `changed`; lifecycle `missed` → `missed`,
 *   `reauthorizationRequired` → `reauthorize`, `subscriptionRemoved` → `removed`. Notices are hints only; the engine
 *   runs the delta, never trusting payload order.
 * - `renew` PATCHes `expirationDateTime` (max 10 080 min for Outlook items, 4 230 for To Do tasks); `close` DELETEs
 *   and treats an already deleted subscription as closed.
 */
import { ConnectorError } from "../errors.js";
import type { PushNotice, PushOptions, PushSubscription, SyncModuleName } from "../port.js";
import type { GraphTransport } from "./transport.js";

/** A few minutes below the service maximum, so clock skew never makes a request exceed it. */
const LIFETIME_MARGIN_MINUTES = 5;

interface SubscriptionJson {
  id: string;
  expirationDateTime: string;
}

interface NotificationJson {
  subscriptionId?: unknown;
  clientState?: unknown;
  lifecycleEvent?: unknown;
  resourceData?: { id?: unknown };
}

const LIFECYCLE_REASONS: Record<string, PushNotice["reason"]> = {
  missed: "missed",
  reauthorizationRequired: "reauthorize",
  subscriptionRemoved: "removed",
};

/** The answer to Graph's validation request (`POST {url}?validationToken=…`): 200 text/plain echoing the token. */
export function validationResponse(url: URL): { status: 200; contentType: "text/plain"; body: string } | undefined {
  const token = url.searchParams.get("validationToken");
  return token === null ? undefined : { status: 200, contentType: "text/plain", body: token };
}

function expiry(lifetimeMinutes: number): string {
  return new Date(Date.now() + (lifetimeMinutes - LIFETIME_MARGIN_MINUTES) * 60_000).toISOString();
}

/**
 * Renewal and deletion of a subscription by id: for one just created, or one an earlier process created (the
 * port's `resumeSubscription`), whose deliveries the bridge verifies against its stored secret hash.
 */
export function subscriptionHandle(
  transport: GraphTransport,
  subscription: SubscriptionJson & { lifetimeMinutes: number },
): Omit<PushSubscription, "acceptDelivery"> {
  let expiresAt = subscription.expirationDateTime;
  return {
    id: subscription.id,
    get expiresAt() {
      return expiresAt;
    },
    async renew() {
      const renewed = await transport.request<SubscriptionJson>("PATCH", `/subscriptions/${subscription.id}`, {
        body: { expirationDateTime: expiry(subscription.lifetimeMinutes) },
      });
      expiresAt = renewed.expirationDateTime;
      return expiresAt;
    },
    async close() {
      try {
        await transport.request("DELETE", `/subscriptions/${subscription.id}`);
      } catch (error) {
        if (!(error instanceof ConnectorError && error.failure.kind === "not-found")) throw error;
      }
    },
  };
}

export async function openSubscription(
  transport: GraphTransport,
  options: { module: SyncModuleName; resource: string; lifetimeMinutes: number; push: PushOptions },
): Promise<PushSubscription> {
  const { push } = options;
  if (!push.callbackUrl)
    throw new ConnectorError({
      kind: "invalid-record",
      message: "Graph subscriptions need a public HTTPS callbackUrl",
    });
  const created = await transport.request<SubscriptionJson>("POST", "/subscriptions", {
    body: {
      changeType: "created,updated,deleted",
      notificationUrl: push.callbackUrl,
      lifecycleNotificationUrl: push.callbackUrl,
      resource: options.resource,
      expirationDateTime: expiry(options.lifetimeMinutes),
      clientState: push.secret,
      latestSupportedTlsVersion: "v1_2",
    },
  });
  // Assigned onto the handle, not spread: a spread would freeze its `expiresAt` getter at today's value.
  return Object.assign(subscriptionHandle(transport, { ...created, lifetimeMinutes: options.lifetimeMinutes }), {
    acceptDelivery(body: unknown): number {
      const value = (body as { value?: unknown } | undefined)?.value;
      if (!Array.isArray(value))
        throw new ConnectorError({ kind: "invalid-record", message: "notification body has no value array" });
      const notifications = value as NotificationJson[];
      for (const notification of notifications) {
        if (notification.clientState !== push.secret || notification.subscriptionId !== created.id) {
          throw new ConnectorError({
            kind: "invalid-record",
            message: "notification with a wrong clientState or subscription id",
          });
        }
      }
      for (const notification of notifications) {
        const lifecycle =
          typeof notification.lifecycleEvent === "string" ? LIFECYCLE_REASONS[notification.lifecycleEvent] : undefined;
        const id = notification.resourceData?.id;
        push.onNotice({
          module: options.module,
          ids: typeof id === "string" ? [id] : [],
          reason: lifecycle ?? "changed",
        });
      }
      return notifications.length;
    },
  });
}
