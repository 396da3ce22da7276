/**
 * Instant notifications, `/actions/watch` (zoho-crm-api.md §5).
 *
 * A channel (`channel_id`) subscribes to `Module.create|edit|delete|all` events, expires at `channel_expiry`
 * (default 1 h, also when omitted or later than the 1-week maximum), and is renewed by enabling it again or by PATCH.
 * Every committed change — whoever made it, the bridge included — is POSTed to `notify_url` right away, one callback
 * per channel, module and write call, in change order per channel, carrying `token` so the receiver can verify it.
 * `operation` is `insert|update|delete` (only `insert` is shown in the docs; the other two are the presumed names,
 * §5 [?]). With `notify_on_related_action` (default true) a change to an activity or contact also notifies its parent
 * record as an `update`. With `return_affected_field_values`, updates list changed fields per id in `affected_fields`.
 */
import type { ApiContext, ApiResult } from "./context.js";
import type { ZohoOrg } from "./org.js";
import type { ChangeEvent, ChangeOperation } from "./store.js";
import { formatZohoDateTime, type Json, type JsonObject, parseZohoDateTime, ZohoApiError } from "./wire.js";

const DEFAULT_EXPIRY_MS = 60 * 60 * 1000;
const MAX_EXPIRY_MS = 7 * 24 * 60 * 60 * 1000;
const MAX_TOKEN_LENGTH = 50;
const OPERATIONS = new Set(["create", "edit", "delete", "all"]);
const EVENT_FOR: Record<ChangeOperation, string> = { insert: "create", update: "edit", delete: "delete" };

interface Channel {
  channelId: string;
  events: Set<string>;
  expiresAt: number;
  token: string | null;
  notifyUrl: string;
  notifyOnRelatedAction: boolean;
  returnAffectedFieldValues: boolean;
  notificationCondition: Json;
}

export interface Delivery {
  channelId: string;
  notifyUrl: string;
  payload: JsonObject;
  sentAt: number;
  status: number | "failed";
}

type ItemOutcome = { ok: true; item: JsonObject } | { ok: false; item: JsonObject };

function itemError(code: string, message: string, details: JsonObject): ItemOutcome {
  return { ok: false, item: { code, details, message, status: "error" } };
}

export class Notifications {
  private readonly channels = new Map<string, Channel>();
  private readonly queues = new Map<string, Promise<void>>();
  readonly deliveries: Delivery[] = [];
  /** Base URL used in `resource_uri` of callbacks for changes not made through the API (control API, seed). */
  apiDomain = "https://www.zohoapis.com";
  callbackTimeoutMs = 10_000;

  constructor(private readonly org: ZohoOrg) {
    org.onChange((event) => this.dispatch(event));
  }

  reset(): void {
    this.channels.clear();
    this.deliveries.length = 0;
  }

  /** Resolves when every callback queued so far has been delivered (or failed). */
  async settled(): Promise<void> {
    await Promise.all(this.queues.values());
  }

  private live(): Channel[] {
    const now = this.org.nowMs();
    for (const [id, channel] of this.channels) if (channel.expiresAt <= now) this.channels.delete(id);
    return [...this.channels.values()];
  }

  private resourceUri(module: string): string {
    // Zoho's samples say /crm/v2 here even for v7/v8 subscriptions (zoho-crm-api.md §5).
    return `${this.apiDomain}/crm/v2/${module}`;
  }

  private dispatch(event: ChangeEvent): void {
    for (const channel of this.live()) {
      if (subscribed(channel, event.module, event.operation)) {
        const affected =
          channel.returnAffectedFieldValues && event.operation === "update"
            ? event.ids.map((id) => ({ [id]: event.affectedFields[id] ?? [] }))
            : [];
        this.send(channel, event.module, event.ids, event.operation, affected);
      }
      if (!channel.notifyOnRelatedAction) continue;
      const parents = new Map<string, string[]>();
      for (const parent of event.related) {
        if (!subscribed(channel, parent.module, "update")) continue;
        parents.set(parent.module, [...(parents.get(parent.module) ?? []), parent.id]);
      }
      for (const [module, ids] of parents) this.send(channel, module, [...new Set(ids)], "update", []);
    }
  }

  private send(channel: Channel, module: string, ids: string[], operation: ChangeOperation, affected: Json[]): void {
    const url = new URL(channel.notifyUrl);
    const payload: JsonObject = {
      server_time: this.org.nowMs(),
      query_params: Object.fromEntries(url.searchParams),
      module,
      resource_uri: this.resourceUri(module),
      ids,
      affected_fields: affected,
      operation,
      channel_id: channel.channelId,
      token: channel.token,
    };
    const previous = this.queues.get(channel.channelId) ?? Promise.resolve();
    const next = previous.then(() => this.post(channel, payload));
    this.queues.set(channel.channelId, next);
  }

  private async post(channel: Channel, payload: JsonObject): Promise<void> {
    const delivery: Delivery = {
      channelId: channel.channelId,
      notifyUrl: channel.notifyUrl,
      payload,
      sentAt: Date.now(),
      status: "failed",
    };
    try {
      const response = await fetch(channel.notifyUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.callbackTimeoutMs),
      });
      delivery.status = response.status;
      await response.arrayBuffer();
    } catch {
      // Zoho's retry policy is undocumented (§5 [?]); a failed callback is recorded and dropped.
    }
    this.deliveries.push(delivery);
  }

  private expiry(raw: Json | undefined, index: number): number | ItemOutcome {
    const now = this.org.nowMs();
    if (raw === undefined || raw === null) return now + DEFAULT_EXPIRY_MS;
    const seconds = typeof raw === "string" ? parseZohoDateTime(raw) : undefined;
    if (seconds === undefined || seconds * 1000 <= now) {
      return itemError("INVALID_DATA", "invalid data", {
        api_name: "channel_expiry",
        json_path: `$.watch[${index}].channel_expiry`,
      });
    }
    return seconds * 1000 - now > MAX_EXPIRY_MS ? now + DEFAULT_EXPIRY_MS : seconds * 1000;
  }

  private validateEvents(raw: Json | undefined, index: number): string[] | ItemOutcome {
    if (!Array.isArray(raw) || raw.length === 0) {
      return itemError("MANDATORY_NOT_FOUND", "required field not found", {
        api_name: "events",
        json_path: `$.watch[${index}].events`,
      });
    }
    for (const event of raw) {
      const [module, operation] = typeof event === "string" ? event.split(".") : [];
      if (!module || !this.org.module(module) || !OPERATIONS.has(operation)) {
        return itemError("INVALID_DATA", "invalid data", { api_name: "events", json_path: `$.watch[${index}].events` });
      }
    }
    return (raw as string[]).map((event) => {
      const [module, operation] = event.split(".");
      return `${this.org.module(module)?.apiName}.${operation}`;
    });
  }

  private eventsDetail(channel: Channel, modules: Iterable<string>, zone: string): JsonObject[] {
    return [...new Set(modules)].map((module) => ({
      channel_expiry: formatZohoDateTime(Math.floor(channel.expiresAt / 1000), zone),
      resource_uri: this.resourceUri(module),
      resource_id: this.org.module(module)?.id ?? null,
      resource_name: module,
      channel_id: channel.channelId,
    }));
  }

  private enableOne(raw: Json, index: number, zone: string, replaceOnly: boolean): ItemOutcome {
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
      return itemError("INVALID_DATA", "invalid data", { json_path: `$.watch[${index}]` });
    }
    for (const key of ["channel_id", "notify_url"] as const) {
      if (raw[key] === undefined || raw[key] === null || raw[key] === "") {
        return itemError("MANDATORY_NOT_FOUND", "required field not found", {
          api_name: key,
          json_path: `$.watch[${index}].${key}`,
        });
      }
    }
    const channelId = String(raw.channel_id);
    if (replaceOnly && !this.channels.has(channelId)) {
      return itemError("INVALID_DATA", "invalid data", {
        api_name: "channel_id",
        json_path: `$.watch[${index}].channel_id`,
      });
    }
    const events = this.validateEvents(raw.events, index);
    if (!Array.isArray(events)) return events;
    const expiresAt = this.expiry(raw.channel_expiry, index);
    if (typeof expiresAt !== "number") return expiresAt;
    const token = raw.token === undefined || raw.token === null ? null : String(raw.token);
    if (token !== null && token.length > MAX_TOKEN_LENGTH) {
      return itemError("INVALID_DATA", "invalid data", {
        api_name: "token",
        json_path: `$.watch[${index}].token`,
        maximum_length: MAX_TOKEN_LENGTH,
      });
    }
    let notifyUrl: string;
    try {
      notifyUrl = new URL(String(raw.notify_url)).toString();
    } catch {
      return itemError("INVALID_DATA", "invalid data", {
        api_name: "notify_url",
        json_path: `$.watch[${index}].notify_url`,
      });
    }
    const channel: Channel = {
      channelId,
      events: new Set(events),
      expiresAt,
      token,
      notifyUrl,
      notifyOnRelatedAction: raw.notify_on_related_action !== false,
      returnAffectedFieldValues: raw.return_affected_field_values === true,
      notificationCondition: normalizeCondition(raw.notification_condition ?? null),
    };
    this.channels.set(channelId, channel);
    return {
      ok: true,
      item: {
        code: "SUCCESS",
        details: { events: this.eventsDetail(channel, events.map(moduleOf), zone) },
        message: replaceOnly
          ? "Successfully updated the subscribe details"
          : "Successfully subscribed for actions-watch of the given module",
        status: "success",
      },
    };
  }

  private patchOne(raw: Json, index: number, zone: string): ItemOutcome {
    if (!raw || typeof raw !== "object" || Array.isArray(raw) || raw.channel_id === undefined) {
      return itemError("MANDATORY_NOT_FOUND", "required field not found", {
        api_name: "channel_id",
        json_path: `$.watch[${index}].channel_id`,
      });
    }
    const channel = this.live().find((candidate) => candidate.channelId === String(raw.channel_id));
    if (!channel) {
      return itemError("INVALID_DATA", "invalid data", {
        api_name: "channel_id",
        json_path: `$.watch[${index}].channel_id`,
      });
    }
    let touched: string[] = [...channel.events].map(moduleOf);
    if (raw.events !== undefined) {
      const events = this.validateEvents(raw.events, index);
      if (!Array.isArray(events)) return events;
      for (const event of events) {
        if (raw._delete_events === true) channel.events.delete(event);
        else channel.events.add(event);
      }
      touched = events.map(moduleOf);
    }
    if (raw.channel_expiry !== undefined) {
      const expiresAt = this.expiry(raw.channel_expiry, index);
      if (typeof expiresAt !== "number") return expiresAt;
      channel.expiresAt = expiresAt;
    }
    if (typeof raw.token === "string") channel.token = raw.token;
    if (typeof raw.notify_url === "string") channel.notifyUrl = raw.notify_url;
    if (typeof raw.notify_on_related_action === "boolean") channel.notifyOnRelatedAction = raw.notify_on_related_action;
    if (channel.events.size === 0) this.channels.delete(channel.channelId);
    return {
      ok: true,
      item: {
        code: "SUCCESS",
        details: { events: this.eventsDetail(channel, touched, zone) },
        message:
          raw._delete_events === true
            ? "Successfully removed the subscribe details"
            : "Successfully updated the subscribe details",
        status: "success",
      },
    };
  }

  async handle(ctx: ApiContext): Promise<ApiResult> {
    this.apiDomain = ctx.apiDomain;
    if (ctx.method === "GET") return this.list(ctx);
    if (ctx.method === "DELETE") return this.disable(ctx);
    const body = await ctx.body();
    const items = body.watch;
    if (!Array.isArray(items) || items.length === 0) {
      throw new ZohoApiError(400, "MANDATORY_NOT_FOUND", "required field not found", { api_name: "watch" });
    }
    const outcomes = items.map((item, index) =>
      ctx.method === "PATCH"
        ? this.patchOne(item, index, ctx.zone)
        : this.enableOne(item, index, ctx.zone, ctx.method === "PUT"),
    );
    const okCount = outcomes.filter((outcome) => outcome.ok).length;
    if (okCount === 0 && outcomes.length === 1) {
      // A single failed item comes back as a request-level error (v8 OAS example
      // notifications-enable-error-mandatory-not-found.json).
      const { code, message, details } = outcomes[0].item as { code: string; message: string; details: JsonObject };
      throw new ZohoApiError(400, code, message, { api_name: details.api_name ?? null });
    }
    const success = ctx.method === "POST" ? 201 : 200;
    const status = okCount === outcomes.length ? success : okCount === 0 ? 400 : 207;
    return { status, body: { watch: outcomes.map((outcome) => outcome.item) } };
  }

  private list(ctx: ApiContext): ApiResult {
    const channelFilter = ctx.query.get("channel_id");
    const moduleFilter = ctx.query.get("module");
    const entries: JsonObject[] = [];
    for (const channel of this.live()) {
      if (channelFilter && channel.channelId !== channelFilter) continue;
      const modules = new Set([...channel.events].map(moduleOf));
      for (const module of modules) {
        if (moduleFilter && moduleFilter.toLowerCase() !== module.toLowerCase()) continue;
        entries.push({
          notify_on_related_action: channel.notifyOnRelatedAction,
          channel_expiry: formatZohoDateTime(Math.floor(channel.expiresAt / 1000), ctx.zone),
          return_affected_field_values: channel.returnAffectedFieldValues,
          resource_uri: this.resourceUri(module),
          resource_id: this.org.module(module)?.id ?? null,
          notify_url: channel.notifyUrl,
          resource_name: module,
          fields: null,
          notification_condition: channel.notificationCondition,
          channel_id: channel.channelId,
          events: [...channel.events].filter((event) => moduleOf(event) === module),
          token: channel.token,
        });
      }
    }
    if (entries.length === 0) return { status: 204 };
    return {
      status: 200,
      body: { watch: entries, info: { per_page: 200, count: entries.length, page: 1, more_records: false } },
    };
  }

  private disable(ctx: ApiContext): ApiResult {
    const ids = (ctx.query.get("channel_ids") ?? "").split(",").filter(Boolean);
    if (ids.length === 0) {
      throw new ZohoApiError(400, "REQUIRED_PARAM_MISSING", "required param is missing", { param_name: "channel_ids" });
    }
    const items: JsonObject[] = [];
    for (const id of ids) {
      const channel = this.channels.get(id);
      if (!channel) {
        items.push({ code: "INVALID_DATA", details: { channel_id: id }, message: "invalid data", status: "error" });
        continue;
      }
      this.channels.delete(id);
      for (const module of new Set([...channel.events].map(moduleOf))) {
        items.push({
          code: "SUCCESS",
          details: {
            resource_uri: this.resourceUri(module),
            resource_id: this.org.module(module)?.id ?? null,
            channel_id: id,
          },
          message: "Successfully un-subscribed from actions-watch",
          status: "success",
        });
      }
    }
    const okCount = items.filter((item) => item.status === "success").length;
    return { status: okCount === items.length ? 200 : okCount === 0 ? 400 : 207, body: { watch: items } };
  }
}

function moduleOf(event: string): string {
  return event.split(".")[0];
}

function subscribed(channel: Channel, module: string, operation: ChangeOperation): boolean {
  return channel.events.has(`${module}.all`) || channel.events.has(`${module}.${EVENT_FOR[operation]}`);
}

/** Zoho answers condition groups with every node complete: leaves get `group_operator: null, group: null`. */
function normalizeCondition(value: Json): Json {
  if (Array.isArray(value)) return value.map(normalizeCondition);
  if (!value || typeof value !== "object") return value;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) out[key] = normalizeCondition(child);
  if ("field" in value && !("group" in value)) {
    out.group_operator = null;
    out.group = null;
  }
  return out;
}
