/**
 * Change notifications over webhooks (change-notifications-delivery-webhooks.md, webhooks-lifecycle.md).
 *
 * - Create: at most 1 000 active subscriptions per mailbox (403 beyond); the notification (and lifecycle) URL must be https and pass the validation handshake: a POST with
 *   `?validationToken=…` answered within the timeout (10 s) by 200 text/plain echoing the token; otherwise 400 and
 *   no subscription. Lifetimes are capped per resource (Outlook items 10 080 min, To Do 4 230 min); requests below
 *   45 min are raised to 45 min.
 * - Deliveries: every store change matching a subscription (mailbox, kind, optional folder, changeType) becomes a
 *   notification; notifications for one URL are batched for `deliveryDelayMs` into one `{"value":[…]}` POST.
 *   A non-2xx answer or a timeout is retried after each of `retryDelaysMs`, then dropped. Expired subscriptions
 *   deliver nothing.
 * - Lifecycle events (`reauthorizationRequired`, `subscriptionRemoved`, `missed`) are sent on demand (control API)
 *   to the lifecycle URL; `subscriptionRemoved` deletes the subscription.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { badRequest, GraphError, notFound } from "./errors.js";
import { canonicalSegments } from "./paths.js";
import { prefersImmutableIds } from "./query.js";
import type { GraphRequest, GraphResponse } from "./request.js";
import { requirePermission, resolveMailbox } from "./resources.js";
import type { ChangeEvent, ChangeType, Directory, ItemKind, Json } from "./store.js";

export interface SubscriptionOptions {
  validationTimeoutMs: number;
  deliveryTimeoutMs: number;
  deliveryDelayMs: number;
  retryDelaysMs: number[];
}

export const DEFAULT_SUBSCRIPTION_OPTIONS: SubscriptionOptions = {
  validationTimeoutMs: 10_000,
  deliveryTimeoutMs: 3_000,
  deliveryDelayMs: 20,
  retryDelaysMs: [1_000, 5_000, 30_000],
};

export type LifecycleEvent = "reauthorizationRequired" | "subscriptionRemoved" | "missed";

interface Subscription {
  id: string;
  resource: string;
  changeTypes: Set<ChangeType>;
  notificationUrl: string;
  lifecycleNotificationUrl?: string;
  clientState?: string;
  expirationDateTime: string;
  applicationId: string;
  creatorId: string;
  tenantId: string;
  userId: string;
  kind: ItemKind;
  folderId?: string;
  immutableIds: boolean;
  latestSupportedTlsVersion: string;
}

export interface DeliveryRecord {
  url: string;
  attempt: number;
  status: number | "timeout" | "error";
  notifications: number;
  at: string;
}

/** "Max 1,000 active subscriptions per mailbox across all apps" (change-notifications-overview, quotas). */
const MAX_PER_MAILBOX = 1_000;
const MAX_MINUTES: Record<ItemKind, number> = { message: 10_080, event: 10_080, contact: 10_080, task: 4_230 };
const ENTITY: Record<ItemKind, { segment: string; type: string }> = {
  message: { segment: "Messages", type: "#Microsoft.Graph.Message" },
  event: { segment: "Events", type: "#Microsoft.Graph.Event" },
  contact: { segment: "Contacts", type: "#Microsoft.Graph.Contact" },
  task: { segment: "Tasks", type: "#Microsoft.Graph.TodoTask" },
};

function withQuery(url: string, name: string, value: string): string {
  const target = new URL(url);
  target.searchParams.set(name, value);
  return target.toString();
}

export class SubscriptionService {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly queues = new Map<string, Json[]>();
  private readonly timers = new Set<NodeJS.Timeout>();
  readonly deliveries: DeliveryRecord[] = [];
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly directory: Directory,
    readonly options: SubscriptionOptions,
  ) {
    directory.onChange((change) => this.onChange(change));
  }

  reset(): void {
    this.subscriptions.clear();
    this.queues.clear();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.deliveries.length = 0;
  }

  list(): Json[] {
    return [...this.subscriptions.values()].map((subscription) => this.json(subscription));
  }

  /** Resolves when every queued and in-flight delivery (including scheduled retries) has finished. */
  async idle(): Promise<void> {
    while (this.pending.size > 0 || this.timers.size > 0) {
      await Promise.all([...this.pending]);
      if (this.timers.size > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  async handle(req: GraphRequest, id: string | undefined, action: string | undefined): Promise<GraphResponse> {
    if (id === undefined) {
      if (req.method === "POST") return { status: 201, body: await this.create(req) };
      if (req.method === "GET") return { status: 200, body: { value: this.visible(req).map((s) => this.json(s)) } };
      throw new GraphError(405, "ErrorInvalidRequest", "The OData request is not supported.");
    }
    const subscription = this.subscriptions.get(id);
    if (!subscription || subscription.applicationId !== req.principal.app.clientId) {
      throw new GraphError(404, "ResourceNotFound", `The object was not found.`);
    }
    if (action === "reauthorize" && req.method === "POST") return { status: 204 };
    if (action !== undefined) throw notFound();
    if (req.method === "GET") return { status: 200, body: this.json(subscription) };
    if (req.method === "DELETE") {
      this.subscriptions.delete(id);
      return { status: 204 };
    }
    if (req.method === "PATCH") {
      const expiration = (req.body as Json | undefined)?.expirationDateTime;
      subscription.expirationDateTime = this.expiration(expiration, subscription.kind);
      return { status: 200, body: this.json(subscription) };
    }
    throw new GraphError(405, "ErrorInvalidRequest", "The OData request is not supported.");
  }

  /** Sends a lifecycle notification; returns false when the subscription has no lifecycle URL. */
  async lifecycle(id: string, event: LifecycleEvent): Promise<boolean> {
    const subscription = this.subscriptions.get(id);
    if (!subscription?.lifecycleNotificationUrl) return false;
    const notification: Json = {
      subscriptionId: subscription.id,
      subscriptionExpirationDateTime: subscription.expirationDateTime,
      tenantId: subscription.tenantId,
      clientState: subscription.clientState ?? null,
      lifecycleEvent: event,
    };
    if (event === "subscriptionRemoved") this.subscriptions.delete(id);
    await this.track(this.deliver(subscription.lifecycleNotificationUrl, [notification], 0));
    return true;
  }

  private visible(req: GraphRequest): Subscription[] {
    return [...this.subscriptions.values()].filter(
      (s) => s.applicationId === req.principal.app.clientId && s.tenantId === req.principal.tenant.id,
    );
  }

  private async create(req: GraphRequest): Promise<Json> {
    const body = (req.body ?? {}) as Json;
    const resource = body.resource;
    const notificationUrl = body.notificationUrl;
    const changeType = body.changeType;
    if (typeof resource !== "string" || typeof notificationUrl !== "string" || typeof changeType !== "string") {
      throw badRequest("changeType, notificationUrl, resource and expirationDateTime are required.", "InvalidRequest");
    }
    const changeTypes = new Set(changeType.split(",").map((type) => type.trim()));
    for (const type of changeTypes) {
      if (!["created", "updated", "deleted"].includes(type))
        throw badRequest(`'${type}' is not a valid change type.`, "InvalidRequest");
    }
    if (typeof body.clientState === "string" && body.clientState.length > 128) {
      throw badRequest("clientState must be at most 128 characters.", "InvalidRequest");
    }
    if (body.includeResourceData === true && typeof body.encryptionCertificate !== "string") {
      throw badRequest(
        "includeResourceData requires encryptionCertificate and encryptionCertificateId.",
        "InvalidRequest",
      );
    }
    const target = this.parseResource(req, resource);
    const active = [...this.subscriptions.values()].filter(
      (subscription) => subscription.userId === target.userId,
    ).length;
    if (active >= MAX_PER_MAILBOX) {
      throw new GraphError(
        403,
        "ExtensionError",
        `The mailbox has reached its limit of ${MAX_PER_MAILBOX} active subscriptions.`,
      );
    }
    const lifecycleUrl = typeof body.lifecycleNotificationUrl === "string" ? body.lifecycleNotificationUrl : undefined;
    for (const url of [notificationUrl, lifecycleUrl]) if (url !== undefined) await this.validateEndpoint(url);
    const subscription: Subscription = {
      id: randomUUID(),
      resource,
      changeTypes: changeTypes as Set<ChangeType>,
      notificationUrl,
      expirationDateTime: this.expiration(body.expirationDateTime, target.kind),
      applicationId: req.principal.app.clientId,
      creatorId: req.principal.userId ?? req.principal.app.clientId,
      tenantId: req.principal.tenant.id,
      userId: target.userId,
      kind: target.kind,
      immutableIds: prefersImmutableIds(req.headers.prefer),
      latestSupportedTlsVersion:
        typeof body.latestSupportedTlsVersion === "string" ? body.latestSupportedTlsVersion : "v1_2",
    };
    if (target.folderId) subscription.folderId = target.folderId;
    if (lifecycleUrl) subscription.lifecycleNotificationUrl = lifecycleUrl;
    if (typeof body.clientState === "string") subscription.clientState = body.clientState;
    this.subscriptions.set(subscription.id, subscription);
    return this.json(subscription);
  }

  private parseResource(req: GraphRequest, resource: string): { userId: string; kind: ItemKind; folderId?: string } {
    const segments = canonicalSegments(resource);
    const unsupported = () =>
      badRequest(`Resource '${resource}' is not supported for subscriptions.`, "InvalidRequest");
    if (segments[0] !== "me" && segments[0] !== "users") throw unsupported();
    const { mailbox, rest } = resolveMailbox(req, [segments[0] === "me" ? "me" : "users", ...segments.slice(1)]);
    const folder = (name: string | undefined) => {
      const found = mailbox.folders.get(name ?? "") ?? this.directory.wellKnownFolder(mailbox, name ?? "");
      if (!found) throw notFound();
      return found.id;
    };
    const [head, second, third, fourth, fifth] = rest;
    const match = (): { kind: ItemKind; folderId?: string } | undefined => {
      if (third === undefined && second === undefined) {
        const kinds: Record<string, ItemKind> = { messages: "message", contacts: "contact", events: "event" };
        const kind = kinds[head ?? ""];
        return kind ? { kind } : undefined;
      }
      if (fourth === undefined && head === "mailFolders" && third === "messages")
        return { kind: "message", folderId: folder(second) };
      if (fourth === undefined && head === "contactFolders" && third === "contacts")
        return { kind: "contact", folderId: folder(second) };
      if (fourth === undefined && head === "calendars" && third === "events")
        return { kind: "event", folderId: folder(second) };
      if (fifth === undefined && head === "todo" && second === "lists" && fourth === "tasks")
        return { kind: "task", folderId: folder(third) };
      return undefined;
    };
    const target = match();
    if (!target) throw unsupported();
    requirePermission(
      req,
      target.kind === "message"
        ? "Mail"
        : target.kind === "event"
          ? "Calendars"
          : target.kind === "contact"
            ? "Contacts"
            : "Tasks",
      false,
    );
    return { userId: mailbox.user.id, ...target };
  }

  private expiration(value: unknown, kind: ItemKind): string {
    const requested = typeof value === "string" ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(requested))
      throw badRequest("expirationDateTime is required and must be a date-time.", "InvalidRequest");
    const now = Date.now();
    if (requested <= now)
      throw badRequest("Subscription expiration date time cannot be in the past.", "InvalidRequest");
    const max = MAX_MINUTES[kind];
    if (requested > now + max * 60_000)
      throw badRequest(`Subscription expiration can only be ${max} minutes in the future.`, "InvalidRequest");
    return new Date(Math.max(requested, now + 45 * 60_000)).toISOString();
  }

  private async validateEndpoint(url: string): Promise<void> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw badRequest("Invalid notification url.", "InvalidRequest");
    }
    if (parsed.protocol !== "https:")
      throw badRequest(
        `The Uri scheme '${parsed.protocol.slice(0, -1)}' is not supported. Notification URL must use https.`,
        "InvalidRequest",
      );
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()} ${randomBytes(6).toString("hex")}`;
    let echoed: string | undefined;
    let status = 0;
    try {
      const response = await fetch(withQuery(url, "validationToken", token), {
        method: "POST",
        headers: { "content-type": "text/plain; charset=utf-8" },
        signal: AbortSignal.timeout(this.options.validationTimeoutMs),
      });
      status = response.status;
      echoed = await response.text();
    } catch {
      throw badRequest(
        "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.",
        "InvalidRequest",
      );
    }
    if (status !== 200)
      throw badRequest(
        `Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request (it answered ${status}).`,
        "InvalidRequest",
      );
    if (echoed !== token)
      throw badRequest(
        "Subscription validation request failed. Response must exactly match validationToken query parameter.",
        "InvalidRequest",
      );
  }

  private json(subscription: Subscription): Json {
    return {
      id: subscription.id,
      resource: subscription.resource,
      applicationId: subscription.applicationId,
      changeType: [...subscription.changeTypes].join(","),
      clientState: subscription.clientState ?? null,
      notificationUrl: subscription.notificationUrl,
      lifecycleNotificationUrl: subscription.lifecycleNotificationUrl ?? null,
      expirationDateTime: subscription.expirationDateTime,
      creatorId: subscription.creatorId,
      latestSupportedTlsVersion: subscription.latestSupportedTlsVersion,
      notificationContentType: "application/json",
    };
  }

  private onChange(change: ChangeEvent): void {
    const now = Date.now();
    for (const subscription of this.subscriptions.values()) {
      if (subscription.userId !== change.mailbox.user.id || subscription.kind !== change.item.kind) continue;
      if (subscription.folderId && subscription.folderId !== change.folderId) continue;
      if (!subscription.changeTypes.has(change.changeType)) continue;
      if (Date.parse(subscription.expirationDateTime) < now) continue;
      const entity = ENTITY[change.item.kind];
      const id = subscription.immutableIds ? change.item.immutableId : change.item.restId;
      const path = `Users/${change.mailbox.user.id}/${entity.segment}/${id}`;
      this.enqueue(subscription.notificationUrl, {
        subscriptionId: subscription.id,
        subscriptionExpirationDateTime: subscription.expirationDateTime,
        clientState: subscription.clientState ?? null,
        changeType: change.changeType,
        resource: path,
        tenantId: subscription.tenantId,
        resourceData: {
          "@odata.type": entity.type,
          "@odata.id": path,
          "@odata.etag": `W/"${change.item.changeKey}"`,
          id,
        },
      });
    }
  }

  private enqueue(url: string, notification: Json): void {
    const queue = this.queues.get(url);
    if (queue) {
      queue.push(notification);
      return;
    }
    this.queues.set(url, [notification]);
    this.schedule(this.options.deliveryDelayMs, () => {
      const batch = this.queues.get(url) ?? [];
      this.queues.delete(url);
      return this.deliver(url, batch, 0);
    });
  }

  private schedule(delayMs: number, run: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.track(run());
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  private track(work: Promise<void>): Promise<void> {
    this.pending.add(work);
    return work.finally(() => this.pending.delete(work));
  }

  private async deliver(url: string, notifications: Json[], attempt: number): Promise<void> {
    let status: DeliveryRecord["status"];
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8" },
        body: JSON.stringify({ value: notifications }),
        signal: AbortSignal.timeout(this.options.deliveryTimeoutMs),
      });
      status = response.status;
      await response.arrayBuffer();
    } catch (failure) {
      status = failure instanceof Error && failure.name === "TimeoutError" ? "timeout" : "error";
    }
    this.deliveries.push({ url, attempt, status, notifications: notifications.length, at: new Date().toISOString() });
    const delivered = typeof status === "number" && status >= 200 && status < 300;
    const retryDelay = this.options.retryDelaysMs[attempt];
    if (!delivered && retryDelay !== undefined)
      this.schedule(retryDelay, () => this.deliver(url, notifications, attempt + 1));
  }
}
