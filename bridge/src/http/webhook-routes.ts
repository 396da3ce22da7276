/**
 * Webhooks: public endpoints whose callers prove themselves with the secret we gave them.
 *
 * Graph (graph-and-addin.md §1.6): a POST with `?validationToken=` is the subscription handshake — answer 200,
 * text/plain, the decoded token, within 10 s. A delivery `{value:[…]}` is answered 202 at once and processed after
 * the response (Graph counts answers over ~3 s as slow and throttles the endpoint); each notification counts only
 * if its `subscriptionId` is ours and its `clientState` matches, others are ignored. Lifecycle events
 * (`reauthorizationRequired`, `subscriptionRemoved`, `missed`) go to their own URL and are answered 202.
 * Zoho (zoho-crm-api.md §5): the callback body names `channel_id` and echoes our `token`; a mismatch is refused.
 * A notification never carries data we trust: it only enqueues a sync of the affected mailbox and module.
 */
import type { Context } from "koa";
import { z } from "zod";
import type { AppContext } from "./context.js";
import { HttpError } from "./errors.js";
import type { RouteTable } from "./routes.js";

const empty = z.object({});

const graphNotification = z.object({
  subscriptionId: z.string(),
  clientState: z.string().optional(),
  changeType: z.string().optional(),
  resource: z.string().optional(),
  lifecycleEvent: z.enum(["reauthorizationRequired", "subscriptionRemoved", "missed"]).optional(),
});
const graphDelivery = z.object({ value: z.array(graphNotification) }).or(z.object({}));

const zohoCallback = z.object({
  channel_id: z.union([z.string(), z.number()]).transform(String),
  token: z.string().optional(),
  module: z.string().optional(),
  operation: z.string().optional(),
  ids: z.array(z.string()).optional(),
});

const MODULES = new Set(["contacts", "events", "tasks"]);

export function addWebhookRoutes(table: RouteTable, context: AppContext): void {
  const { storage, logger, metrics } = context;

  async function processGraph(notifications: z.infer<typeof graphNotification>[]): Promise<void> {
    for (const notification of notifications) {
      const channel = await storage.subscriptions.verify(
        "graph",
        notification.subscriptionId,
        notification.clientState,
      );
      if (!channel) {
        logger.warn(
          { subscriptionId: notification.subscriptionId },
          "graph notification with unknown subscription or clientState ignored",
        );
        continue;
      }
      const lifecycle = notification.lifecycleEvent;
      if (lifecycle === "reauthorizationRequired") await context.push?.reauthorize(channel.id);
      if (lifecycle === "subscriptionRemoved") {
        // A removed subscription is gone for good: open a new one (or at least forget it, for the owner to reopen).
        if (context.push) await context.push.recreate(channel.id);
        else await storage.subscriptions.remove(channel.id);
      }
      if (MODULES.has(channel.module)) {
        await context.queue.enqueue({
          mailboxId: channel.mailboxId,
          module: channel.module as "contacts",
          trigger: "notification",
        });
      }
    }
  }

  const graphHandler =
    (source: string) =>
    async (_input: unknown, { koa }: { koa: Context }) => {
      const started = performance.now();
      // The handshake token travels in the query string even though the method is POST.
      const token = koa.query.validationToken;
      if (typeof token === "string") {
        koa.type = "text/plain";
        return token;
      }
      const delivery = graphDelivery.safeParse((koa.request as { body?: unknown }).body);
      const notifications = delivery.success && "value" in delivery.data ? delivery.data.value : [];
      koa.status = 202;
      setImmediate(() => {
        processGraph(notifications).catch((error: unknown) =>
          logger.error({ err: error }, "graph notification processing failed"),
        );
      });
      metrics.webhookLatency.observe({ source }, (performance.now() - started) / 1000);
      return "";
    };

  for (const [name, path] of [
    ["graphNotifications", "/webhooks/graph"],
    ["graphLifecycle", "/webhooks/graph/lifecycle"],
  ] as const) {
    table.add(
      {
        name,
        family: "ops",
        method: "POST",
        path,
        auth: "webhook",
        summary: "Microsoft Graph change notifications (validation handshake, clientState checked, processed async)",
        params: empty,
        request: z.unknown(),
        response: z.string(),
      },
      graphHandler(name),
    );
  }

  table.add(
    {
      name: "zohoNotifications",
      family: "ops",
      method: "POST",
      path: "/webhooks/zoho",
      auth: "webhook",
      summary: "Zoho CRM notification callbacks (token verified)",
      params: empty,
      request: zohoCallback,
      response: z.object({ accepted: z.boolean() }),
    },
    async ({ request }) => {
      const started = performance.now();
      const channel = await storage.subscriptions.verify("zoho", request.channel_id, request.token);
      if (!channel) throw new HttpError(403, "forbidden", "unknown channel or wrong token");
      if (MODULES.has(channel.module)) {
        await context.queue.enqueue({
          mailboxId: channel.mailboxId,
          module: channel.module as "contacts",
          trigger: "notification",
        });
      }
      metrics.webhookLatency.observe({ source: "zoho" }, (performance.now() - started) / 1000);
      return { accepted: true };
    },
  );
}
