/**
 * Notifications: Subscribe (pull, push-accepted, streaming), GetEvents, Unsubscribe and GetStreamingEvents.
 *
 * Each subscription listens to its mailbox's change feed and queues events with an increasing watermark.
 * GetEvents drains the queue after the given watermark (a StatusEvent when empty). GetStreamingEvents holds one
 * chunked HTTP response open and writes a complete SOAP envelope per batch of events, a heartbeat envelope with
 * ConnectionStatus OK while idle, and a final one with ConnectionStatus Closed after ConnectionTimeout minutes
 * (ews.md §11). `minuteMs` scales a "minute" so tests need not wait real minutes.
 */
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { OperationContext } from "./context.js";
import { resolveFolder } from "./items.js";
import { EwsResponseError, operationResponse, responseMessage, streamingEnvelope } from "./soap.js";
import type { Mailbox, MailboxEvent } from "./store.js";
import { child, children, childText, type XNode } from "./xml.js";

interface QueuedEvent {
  watermark: number;
  event: MailboxEvent;
}

interface Subscription {
  id: string;
  kind: "pull" | "push" | "streaming";
  mailbox: Mailbox;
  folders?: Set<string>;
  types: Set<string>;
  queue: QueuedEvent[];
  nextWatermark: number;
  detach(): void;
  wake?: () => void;
}

export interface NotificationOptions {
  /** Milliseconds in a simulated minute (Timeout, ConnectionTimeout). */
  minuteMs: number;
  heartbeatMs: number;
}

const EVENT_TYPE_NAMES: Record<string, MailboxEvent["kind"]> = {
  CreatedEvent: "CreatedEvent",
  DeletedEvent: "DeletedEvent",
  ModifiedEvent: "ModifiedEvent",
  MovedEvent: "MovedEvent",
  NewMailEvent: "NewMailEvent",
};

function watermarkText(subscription: Subscription, value: number): string {
  return Buffer.from(`${subscription.id}:${value}`, "utf8").toString("base64");
}

function parseWatermark(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const value = Number(Buffer.from(text, "base64").toString("utf8").split(":")[1]);
  return Number.isInteger(value) ? value : undefined;
}

export class NotificationHub {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly openStreams = new Set<ServerResponse>();

  constructor(private readonly options: NotificationOptions) {}

  reset(): void {
    for (const subscription of this.subscriptions.values()) subscription.detach();
    this.subscriptions.clear();
    for (const stream of this.openStreams) stream.destroy();
    this.openStreams.clear();
  }

  count(): number {
    return this.subscriptions.size;
  }

  subscribe(ctx: OperationContext, body: XNode): string {
    const request = body.children[0];
    const messages = [request].map((req) => {
      try {
        if (!req) throw new EwsResponseError("ErrorInvalidRequest", "The request is invalid.");
        const kind =
          req.name === "StreamingSubscriptionRequest"
            ? "streaming"
            : req.name === "PushSubscriptionRequest"
              ? "push"
              : "pull";
        const folders =
          req.attrs.SubscribeToAllFolders === "true"
            ? undefined
            : new Set((child(req, "FolderIds")?.children ?? []).map((ref) => resolveFolder(ctx, ref).id));
        const types = new Set(
          children(child(req, "EventTypes"), "EventType").map((t) => EVENT_TYPE_NAMES[t.text] ?? t.text),
        );
        const subscription = this.add(ctx.mailbox, kind, folders, types);
        const watermark = kind === "streaming" ? "" : `<m:Watermark>${watermarkText(subscription, 0)}</m:Watermark>`;
        return responseMessage("Subscribe", `<m:SubscriptionId>${subscription.id}</m:SubscriptionId>${watermark}`);
      } catch (error) {
        if (error instanceof EwsResponseError) return responseMessage("Subscribe", "", error.toResponseError());
        throw error;
      }
    });
    return operationResponse("Subscribe", messages);
  }

  private add(
    mailbox: Mailbox,
    kind: Subscription["kind"],
    folders: Set<string> | undefined,
    types: Set<string>,
  ): Subscription {
    const id = randomBytes(30).toString("base64");
    const listener = (event: MailboxEvent) => {
      if (!types.has(event.kind)) return;
      if (folders && !folders.has(event.folderId) && !(event.oldFolderId && folders.has(event.oldFolderId))) return;
      subscription.queue.push({ watermark: ++subscription.nextWatermark, event });
      subscription.wake?.();
    };
    const subscription: Subscription = {
      id,
      kind,
      mailbox,
      folders,
      types,
      queue: [],
      nextWatermark: 0,
      detach: () => mailbox.listeners.delete(listener),
    };
    mailbox.listeners.add(listener);
    this.subscriptions.set(id, subscription);
    return subscription;
  }

  private find(ctx: OperationContext, id: string | undefined): Subscription {
    const subscription = id ? this.subscriptions.get(id) : undefined;
    if (!subscription)
      throw new EwsResponseError("ErrorSubscriptionNotFound", "The specified subscription was not found.");
    if (subscription.mailbox !== ctx.mailbox)
      throw new EwsResponseError("ErrorSubscriptionAccessDenied", "You do not have access to this subscription.");
    return subscription;
  }

  unsubscribe(ctx: OperationContext, body: XNode): string {
    try {
      const subscription = this.find(ctx, childText(body, "SubscriptionId"));
      subscription.detach();
      this.subscriptions.delete(subscription.id);
      return operationResponse("Unsubscribe", [responseMessage("Unsubscribe", "")]);
    } catch (error) {
      if (!(error instanceof EwsResponseError)) throw error;
      return operationResponse("Unsubscribe", [responseMessage("Unsubscribe", "", error.toResponseError())]);
    }
  }

  getEvents(ctx: OperationContext, body: XNode): string {
    try {
      const subscription = this.find(ctx, childText(body, "SubscriptionId"));
      if (subscription.kind !== "pull")
        throw new EwsResponseError("ErrorInvalidSubscription", "The subscription is not a pull subscription.");
      const after = parseWatermark(childText(body, "Watermark"));
      if (after === undefined) throw new EwsResponseError("ErrorInvalidWatermark", "The watermark is invalid.");
      subscription.queue = subscription.queue.filter((q) => q.watermark > after);
      const batch = subscription.queue.slice(0, 50);
      const notification = this.notificationXml(subscription, after, batch, subscription.queue.length > batch.length);
      return operationResponse("GetEvents", [responseMessage("GetEvents", notification)]);
    } catch (error) {
      if (!(error instanceof EwsResponseError)) throw error;
      return operationResponse("GetEvents", [responseMessage("GetEvents", "", error.toResponseError())]);
    }
  }

  private notificationXml(
    subscription: Subscription,
    previous: number,
    batch: QueuedEvent[],
    more: boolean,
    prefix = "m",
  ): string {
    const events =
      batch.length > 0
        ? batch.map((q) => eventXml(subscription, q)).join("")
        : `<t:StatusEvent><t:Watermark>${watermarkText(subscription, previous)}</t:Watermark></t:StatusEvent>`;
    const previousXml =
      subscription.kind === "streaming"
        ? ""
        : `<t:PreviousWatermark>${watermarkText(subscription, previous)}</t:PreviousWatermark><t:MoreEvents>${more}</t:MoreEvents>`;
    return `<${prefix}:Notification><t:SubscriptionId>${subscription.id}</t:SubscriptionId>${previousXml}${events}</${prefix}:Notification>`;
  }

  /** Serves GetStreamingEvents on `res`; returns when the connection is closed. */
  async stream(ctx: OperationContext, body: XNode, res: ServerResponse): Promise<void> {
    const ids = children(child(body, "SubscriptionIds"), "SubscriptionId").map((s) => s.text);
    const timeoutMinutes = Number(childText(body, "ConnectionTimeout") ?? "30");
    const subscriptions: Subscription[] = [];
    const errors: string[] = [];
    for (const id of ids) {
      const subscription = this.subscriptions.get(id);
      if (subscription && subscription.kind === "streaming" && subscription.mailbox === ctx.mailbox)
        subscriptions.push(subscription);
      else errors.push(id);
    }
    const write = (payload: string) =>
      res.write(
        streamingEnvelope(
          ctx.server,
          operationResponse("GetStreamingEvents", [responseMessage("GetStreamingEvents", payload)]),
        ),
      );
    if (subscriptions.length === 0) {
      const message = responseMessage(
        "GetStreamingEvents",
        `<m:ErrorSubscriptionIds>${errors.map((e) => `<t:SubscriptionId>${e}</t:SubscriptionId>`).join("")}</m:ErrorSubscriptionIds>`,
        {
          code: "ErrorInvalidSubscription",
          text: "The subscription is invalid.",
        },
      );
      res.writeHead(200, { "content-type": "text/xml; charset=utf-8" });
      res.end(streamingEnvelope(ctx.server, operationResponse("GetStreamingEvents", [message])));
      return;
    }
    res.writeHead(200, { "content-type": "text/xml; charset=utf-8", "transfer-encoding": "chunked" });
    this.openStreams.add(res);
    const flush = () => {
      const notifications = subscriptions
        .filter((s) => s.queue.length > 0)
        .map((s) => {
          const batch = s.queue.splice(0, s.queue.length);
          return this.notificationXml(s, 0, batch, false, "t");
        });
      if (notifications.length > 0) write(`<m:Notifications>${notifications.join("")}</m:Notifications>`);
    };
    write("<m:ConnectionStatus>OK</m:ConnectionStatus>");
    flush();
    await new Promise<void>((resolve) => {
      const heartbeat = setInterval(
        () => write("<m:ConnectionStatus>OK</m:ConnectionStatus>"),
        this.options.heartbeatMs,
      );
      const finish = (closedByServer: boolean) => {
        clearInterval(heartbeat);
        clearTimeout(deadline);
        for (const s of subscriptions) s.wake = undefined;
        this.openStreams.delete(res);
        if (closedByServer && !res.writableEnded && !res.destroyed) {
          write("<m:ConnectionStatus>Closed</m:ConnectionStatus>");
          res.end();
        }
        resolve();
      };
      const deadline = setTimeout(() => finish(true), timeoutMinutes * this.options.minuteMs);
      for (const s of subscriptions) s.wake = () => setImmediate(flush);
      res.on("close", () => finish(false));
    });
  }
}

function eventXml(subscription: Subscription, queued: QueuedEvent): string {
  const { event } = queued;
  const id = event.changeKey
    ? `<t:ItemId Id="${event.itemId}" ChangeKey="${event.changeKey}"/>`
    : `<t:ItemId Id="${event.itemId}"/>`;
  const moved =
    event.kind === "MovedEvent" && event.oldItemId && event.oldFolderId
      ? `<t:OldItemId Id="${event.oldItemId}"/><t:OldParentFolderId Id="${event.oldFolderId}"/>`
      : "";
  return `<t:${event.kind}><t:Watermark>${watermarkText(subscription, queued.watermark)}</t:Watermark><t:TimeStamp>${event.timeStamp}</t:TimeStamp>${id}<t:ParentFolderId Id="${event.folderId}"/>${moved}</t:${event.kind}>`;
}
