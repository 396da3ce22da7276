/**
 * The Zoho CRM simulator: Zoho Accounts for every data centre plus the CRM REST API v8, one Node request listener.
 *
 * URL layout (see `auth.ts`): `{base}/{dc}/accounts/oauth/v2/...` and `{base}/{dc}/crm/v8/...` with dc ∈ us, eu, in,
 * au, jp, ca, sa, cn; `api_domain` = `{base}/{dc}` of the org's home DC. The control API lives under `{base}/_sim/`.
 *
 * Every CRM call goes through one pipeline: route → count the call → latency → authenticate (401s) → scope check →
 * limits (credits, concurrency, heavy sub-limit → 429) → seeded fault (if drawn) → handler → Zoho-shaped answer.
 * Handlers throw `ZohoApiError` for request-level errors; anything else is a bug and answers 500 INTERNAL_ERROR.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  applyLatency,
  CallLog,
  FaultInjector,
  type FaultSettings,
  HTML_ERROR_PAGE,
  renderTransportFault,
  sendTruncated,
} from "../shared/behaviour.js";
import type { TestPki } from "../shared/pki.js";
import { type RequestListener, serveHttps } from "../shared/server.js";
import { DATA_CENTRES, type DataCentre, type OAuthClient, requireScope, type ScopeNeed, ZohoAccounts } from "./auth.js";
import type { ApiContext, ApiResult } from "./context.js";
import { executeCoql } from "./coql.js";
import { associateEmail, getEmail, listEmails, recordCrmSentEmail } from "./emails.js";
import { uploadFiles } from "./files.js";
import { ApiLimiter, type LimitSettings } from "./limits.js";
import type { ModuleDef } from "./modules.js";
import { Notifications } from "./notifications.js";
import { type OrgOptions, ZohoOrg } from "./org.js";
import { RecordsApi } from "./records.js";
import { renderRecord } from "./render.js";
import { searchRecords } from "./search.js";
import { type DemoSeedOptions, seedDemoOrg } from "./seed.js";
import { getOrg, listFields, listModules, listProfiles, listRoles, listUsers } from "./settings.js";
import type { SimUser, StoredRecord } from "./store.js";
import {
  errors,
  type Json,
  type JsonObject,
  parseJsonBody,
  readBody,
  sendEmpty,
  sendJson,
  ZOHO_JSON_CONTENT_TYPE,
  ZohoApiError,
} from "./wire.js";

export type { DataCentre, OAuthClient } from "./auth.js";
export type { DemoSeedOptions } from "./seed.js";

export const DEFAULT_CLIENT: OAuthClient = { clientId: "1000.SIMULATORCLIENT", clientSecret: "simulator-secret" };

/** Every scope the bridge asks for (zoho-crm-api.md §1 "Scopes used by the bridge"). */
export const BRIDGE_SCOPES = [
  "ZohoCRM.modules.ALL",
  "ZohoCRM.modules.emails.ALL",
  "ZohoCRM.notifications.ALL",
  "ZohoCRM.users.READ",
  "ZohoCRM.org.READ",
  "ZohoCRM.settings.ALL",
  "ZohoCRM.coql.READ",
  "ZohoCRM.Files.CREATE",
  "ZohoSearch.securesearch.READ",
];

export interface ZohoSimulatorOptions extends OrgOptions {
  /** The org's data centre (default `us`). */
  dataCentre?: DataCentre;
  clients?: OAuthClient[];
  accessTokenTtlSeconds?: number;
  pageTokenTtlMs?: number;
  /** Records reachable through page tokens (Zoho: 100 000); tests scale it down. */
  pageTokenRecordLimit?: number;
  latencyMs?: number;
  limits?: Partial<LimitSettings>;
  /** Seed the demo org at creation (and after each `reset`). */
  seed?: DemoSeedOptions;
}

export interface ActAsUser {
  insert(module: string, records: JsonObject[]): JsonObject[];
  update(module: string, records: JsonObject[]): JsonObject[];
  delete(module: string, ids: string[]): Array<{ id: string; ok: boolean }>;
}

export interface ZohoControl {
  reset(): void;
  seedDemo(options?: DemoSeedOptions): ReturnType<typeof seedDemoOrg>;
  /** The full state: users, records per module (as the primary user sees them via GET), recycle bin, channels. */
  state(): JsonObject;
  records(module: string): JsonObject[];
  record(module: string, id: string): JsonObject | undefined;
  callCounts(): Record<string, number>;
  totalCalls(filter?: (endpoint: string) => boolean): number;
  resetCallCounts(): void;
  setLatency(ms: number): void;
  setFaults(settings: FaultSettings | undefined): void;
  setLimits(settings: Partial<LimitSettings>): void;
  creditsUsed(): number;
  setSearchIndexLag(ms: number): void;
  /** Moves the simulator's clock (token, page-token and channel expiry) forward. */
  advanceClock(ms: number): void;
  expireAccessTokens(): void;
  setAccessTokenTtl(seconds: number): void;
  issueRefreshToken(options?: { scopes?: string[]; clientId?: string; userId?: string }): string;
  createGrantCode(options?: { scopes?: string[]; clientId?: string; userId?: string }): string;
  addUser(spec: Parameters<ZohoOrg["addUser"]>[0]): SimUser;
  setUserStatus(userId: string, status: SimUser["status"]): void;
  primaryUser(): SimUser;
  /** Acts as a CRM user in the UI: writes go through validation and trigger notifications like API writes. */
  actAs(userId?: string): ActAsUser;
  purgeRecycleBin(): void;
  /** Makes the given fields "Do not allow duplicate values" (DUPLICATE_DATA on insert/update). */
  setUniqueFields(module: string, fields: string[]): void;
  /** Adds a layout rule making `requiredFields` mandatory in `module` (MANDATORY_NOT_FOUND with `layout_rule`). */
  addLayoutRule(module: string, rule: { name: string; requiredFields: string[] }): string;
  clearLayoutRules(module: string): void;
  /** Removes a module's view permission from a profile (403 NO_PERMISSION for its users). */
  denyModule(profileName: string, module: string): void;
  /**
   * A mail a CRM user sends from a record in the UI; `sender` (a user id, the primary user when absent) owns it and is
   * its from address, as in real Zoho. Returns Zoho's message id.
   */
  sendEmailFromCrm(
    module: string,
    recordId: string,
    mail: { to: string[]; subject: string; content: string; sender?: string },
  ): string;
  deliveries(): ReturnType<Notifications["deliveries"]["slice"]>;
  notificationsSettled(): Promise<void>;
  /** The data centre's accounts URL and API domain (after `start…`; relative to `base` before). */
  urls(dc?: DataCentre): { accountsUrl: string; apiDomain: string; tokenUrl: string };
}

export interface ZohoSimulator {
  listener: RequestListener;
  control: ZohoControl;
  org: ZohoOrg;
  /** Tells the simulator its own base URL (known after listen) for absolute URLs such as `api_domain`. */
  setBaseUrl(url: string): void;
}

interface Route {
  endpoint: string;
  /** The module the call reads or writes, for profile permissions. */
  module?: string;
  scope?: ScopeNeed;
  heavy?: boolean;
  writeItems?: boolean;
  run(ctx: ApiContext): ApiResult | Promise<ApiResult>;
}

export function createZohoSimulator(options: ZohoSimulatorOptions = {}): ZohoSimulator {
  const org = new ZohoOrg(options);
  const homeDc = options.dataCentre ?? "us";
  const accounts = new ZohoAccounts(
    org,
    homeDc,
    options.clients ?? [DEFAULT_CLIENT],
    options.accessTokenTtlSeconds ?? 3600,
  );
  const records = new RecordsApi(org);
  if (options.pageTokenTtlMs !== undefined) records.pageTokenTtlMs = options.pageTokenTtlMs;
  if (options.pageTokenRecordLimit !== undefined) records.pageTokenRecordLimit = options.pageTokenRecordLimit;
  const notifications = new Notifications(org);
  const limiter = new ApiLimiter(() => org.nowMs());
  const calls = new CallLog();
  const faults = new FaultInjector();
  let latencyMs = options.latencyMs ?? 0;
  let baseUrl = "https://127.0.0.1";
  const applyLimits = () => limiter.configure(options.limits ?? {});
  applyLimits();
  if (options.seed) seedDemoOrg(org, options.seed);

  const moduleRoute = (module: ModuleDef, rest: string[], method: string): Route | undefined => {
    const read: ScopeNeed = { area: "modules", sub: module.apiName, op: "READ" };
    const [first, second, third] = rest;
    if (rest.length === 0) {
      if (method === "GET") return { endpoint: "records.list", scope: read, run: (ctx) => records.list(ctx, module) };
      if (method === "POST") {
        return {
          endpoint: "records.insert",
          scope: { ...read, op: "CREATE" },
          writeItems: true,
          run: (ctx) => records.insert(ctx, module),
        };
      }
      if (method === "PUT") {
        return {
          endpoint: "records.update",
          scope: { ...read, op: "UPDATE" },
          writeItems: true,
          run: (ctx) => records.update(ctx, module),
        };
      }
      if (method === "DELETE") {
        return {
          endpoint: "records.delete",
          scope: { ...read, op: "DELETE" },
          run: (ctx) => records.delete(ctx, module),
        };
      }
      return undefined;
    }
    if (rest.length === 1 && first === "upsert" && method === "POST") {
      return {
        endpoint: "records.upsert",
        scope: { ...read, op: "CREATE" },
        writeItems: true,
        run: (ctx) => records.upsert(ctx, module),
      };
    }
    if (rest.length === 1 && first === "search" && method === "GET") {
      return {
        endpoint: "records.search",
        scope: { ...read, also: "ZohoSearch.securesearch.READ" },
        heavy: true,
        run: (ctx) => searchRecords(org, ctx, module),
      };
    }
    if (rest.length === 1 && first === "deleted" && method === "GET") {
      return { endpoint: "records.deleted", scope: read, run: (ctx) => records.deletedList(ctx, module) };
    }
    if (rest.length === 2 && first === "actions" && second === "count" && method === "GET") {
      return { endpoint: "records.count", scope: read, run: (ctx) => records.count(ctx, module) };
    }
    if (!/^\d+$/.test(first)) return undefined;
    if (rest.length === 1) {
      if (method === "GET")
        return { endpoint: "records.get", scope: read, run: (ctx) => records.get(ctx, module, first) };
      if (method === "PUT") {
        return {
          endpoint: "records.update",
          scope: { ...read, op: "UPDATE" },
          writeItems: true,
          run: (ctx) => records.update(ctx, module, first),
        };
      }
      if (method === "DELETE") {
        return {
          endpoint: "records.delete",
          scope: { ...read, op: "DELETE" },
          run: (ctx) => records.delete(ctx, module, first),
        };
      }
      return undefined;
    }
    const emailScope: ScopeNeed = { area: "modules", sub: "emails", op: "READ" };
    if (rest.length === 3 && second === "actions" && third === "associate_email" && method === "POST") {
      return {
        endpoint: "emails.associate",
        scope: { ...emailScope, op: "CREATE" },
        run: (ctx) => associateEmail(org, ctx, module, first),
      };
    }
    if (second === "Emails" && method === "GET") {
      if (rest.length === 2)
        return { endpoint: "emails.list", scope: emailScope, run: (ctx) => listEmails(org, ctx, module, first) };
      if (rest.length === 3) {
        return { endpoint: "emails.get", scope: emailScope, run: (ctx) => getEmail(org, ctx, module, first, third) };
      }
    }
    return undefined;
  };

  const route = (segments: string[], method: string): Route => {
    const [head, ...rest] = segments;
    const joined = segments.join("/");
    if (joined === "users" && method === "GET") {
      return { endpoint: "users.list", scope: { area: "users", op: "READ" }, run: (ctx) => listUsers(org, ctx) };
    }
    if (head === "users" && rest.length === 1 && method === "GET") {
      return {
        endpoint: "users.get",
        scope: { area: "users", op: "READ" },
        run: (ctx) => listUsers(org, ctx, rest[0]),
      };
    }
    if (joined === "org" && method === "GET") {
      const edition = () => limiter.settings.edition;
      return { endpoint: "org.get", scope: { area: "org", op: "READ" }, run: (ctx) => getOrg(org, ctx, edition()) };
    }
    if (head === "settings" && method === "GET" && rest.length === 1) {
      const settingsRoutes: Partial<Record<string, Route["run"]>> = {
        profiles: () => listProfiles(org),
        roles: () => listRoles(org),
        modules: () => listModules(org),
        fields: (ctx) => listFields(org, ctx),
      };
      const run = settingsRoutes[rest[0]];
      if (run) return { endpoint: `settings.${rest[0]}`, scope: { area: "settings", sub: rest[0], op: "READ" }, run };
    }
    if (joined === "coql" && method === "POST") {
      return {
        endpoint: "coql",
        scope: { area: "coql", op: "READ" },
        heavy: true,
        run: (ctx) => executeCoql(org, ctx),
      };
    }
    if (joined === "files" && method === "POST") {
      return { endpoint: "files.upload", scope: { area: "Files", op: "CREATE" }, run: (ctx) => uploadFiles(org, ctx) };
    }
    if (joined === "actions/watch") {
      const op = method === "GET" ? "READ" : method === "DELETE" ? "DELETE" : method === "POST" ? "CREATE" : "UPDATE";
      return {
        endpoint: `notifications.${method.toLowerCase()}`,
        scope: { area: "notifications", op },
        run: (ctx) => notifications.handle(ctx),
      };
    }
    const module = head ? org.module(head) : undefined;
    if (module) {
      const found = moduleRoute(module, rest, method);
      if (found) return { ...found, module: module.apiName };
      throw errors.invalidUrl();
    }
    if (head && /^[A-Za-z_]+$/.test(head) && segments.length <= 3) throw errors.invalidModule();
    throw errors.invalidUrl();
  };

  const renderFault = async (kind: string, res: ServerResponse): Promise<boolean> => {
    switch (kind) {
      case "server-error":
        sendJson(res, 500, errors.internal().body());
        return true;
      case "unavailable":
        res.writeHead(503, { "content-type": "text/html", "retry-after": "2" });
        res.end("<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>");
        return true;
      case "throttled":
        sendJson(res, 429, errors.tooManyRequests().body());
        return true;
      case "malformed":
        res.writeHead(200, { "content-type": ZOHO_JSON_CONTENT_TYPE });
        res.end("<html><body>Zoho CRM is under maintenance</body></html>");
        return true;
      case "html-error":
        res.writeHead(500, { "content-type": "text/html" });
        res.end(HTML_ERROR_PAGE);
        return true;
      default:
        return renderTransportFault(kind as Parameters<typeof renderTransportFault>[0], res, faults.current ?? {});
    }
  };

  const send = (res: ServerResponse, result: ApiResult, truncate: boolean, extraHeaders: Record<string, string>) => {
    // The Date header reads the org's clock, the one Modified_Time is stamped with (it moves with advanceClock).
    const headers = { date: new Date(org.nowMs()).toUTCString(), ...extraHeaders, ...result.headers };
    if (result.status === 204 || result.status === 304) {
      sendEmpty(res, result.status, headers);
      return;
    }
    if (truncate) {
      sendTruncated(res, result.status, ZOHO_JSON_CONTENT_TYPE, JSON.stringify(result.body ?? null));
      return;
    }
    sendJson(res, result.status, result.body ?? null, headers);
  };

  const handleCrm = async (dc: DataCentre, segments: string[], req: IncomingMessage, res: ServerResponse, url: URL) => {
    const method = req.method ?? "GET";
    let routed: Route;
    try {
      routed = route(segments, method);
    } catch (error) {
      calls.record("invalid");
      const failure = error instanceof ZohoApiError ? error : errors.invalidUrl();
      // Unknown URLs still need a valid token first, as on Zoho.
      try {
        accounts.authenticate(dc, req.headers.authorization);
      } catch (authError) {
        if (authError instanceof ZohoApiError) return sendJson(res, authError.status, authError.body());
      }
      return sendJson(res, failure.status, failure.body());
    }
    calls.record(routed.endpoint);
    let release: (() => void) | undefined;
    try {
      const token = accounts.authenticate(dc, req.headers.authorization);
      if (routed.scope) requireScope(token, routed.scope);
      const user = org.users.get(token.userId) as SimUser;
      if (routed.module && org.deniedModules.get(user.profileId)?.has(routed.module)) {
        throw new ZohoApiError(403, "NO_PERMISSION", "Permission denied", {
          permissions: [`Crm_Implied_View_${routed.module}`],
        });
      }
      const raw = method === "GET" || method === "DELETE" ? Buffer.alloc(0) : await readBody(req);
      let parsed: JsonObject | undefined;
      const body = async () => {
        parsed ??= parseJsonBody(raw);
        return parsed;
      };
      let credits = 1;
      let heavy = routed.heavy === true;
      if (routed.writeItems) {
        const data = (await body().catch(() => ({}) as JsonObject)).data;
        const count = Array.isArray(data) ? data.length : 0;
        credits = Math.max(1, Math.ceil(count / 10));
        heavy = count > 10;
      }
      release = limiter.admit(credits, heavy);
      // Latency is server time, so the call holds its concurrency slot while it waits.
      await applyLatency(latencyMs);
      const fault = faults.draw(routed.endpoint);
      if (fault && fault !== "truncated" && (await renderFault(fault, res))) return;
      const ctx: ApiContext = {
        org,
        token,
        user,
        zone: user.timeZone,
        query: url.searchParams,
        headers: req.headers,
        method,
        body,
        raw,
        apiDomain: accounts.apiDomain(baseUrl, dc),
      };
      const result = await routed.run(ctx);
      send(res, result, fault === "truncated", limiter.remainingHeader());
    } catch (error) {
      if (error instanceof ZohoApiError) {
        sendJson(res, error.status, error.body());
      } else {
        console.error("zoho simulator: unexpected error", error);
        sendJson(res, 500, errors.internal().body());
      }
    } finally {
      release?.();
    }
  };

  const handleAccounts = async (dc: DataCentre, rest: string, req: IncomingMessage, res: ServerResponse, url: URL) => {
    calls.record(
      rest === "oauth/v2/auth" ? "oauth.authorize" : rest.endsWith("revoke") ? "oauth.revoke" : "oauth.token",
    );
    await applyLatency(latencyMs);
    const fault = faults.draw("oauth.token");
    if (fault && fault !== "truncated" && (await renderFault(fault, res))) return;
    if (rest === "oauth/v2/auth" && req.method === "GET") return accounts.authorize(baseUrl, url.searchParams, res);
    if (rest === "oauth/v2/token" || rest === "oauth/v2/token/revoke") {
      return accounts.token(dc, baseUrl, req, url, res);
    }
    res.writeHead(404, { "content-type": "text/html" });
    res.end("<html><body>Not Found</body></html>");
  };

  const actAs = (userId = org.primaryUser.id): ActAsUser => {
    const moduleOf = (name: string) => {
      const module = org.module(name);
      if (!module) throw new Error(`unknown module ${name}`);
      return module;
    };
    const results = (module: ModuleDef, written: ReturnType<ZohoOrg["insert"]>): JsonObject[] =>
      written.map(
        (result): JsonObject =>
          result.ok
            ? { status: "success", id: result.record.id, record: renderOne(module, result.record) }
            : { status: "error", code: result.error.code, details: result.error.details },
      );
    return {
      insert: (name, items) => {
        const module = moduleOf(name);
        return results(module, org.insert(module, items, userId));
      },
      update: (name, items) => {
        const module = moduleOf(name);
        return results(module, org.update(module, items, userId));
      },
      delete: (name, ids) => org.delete(moduleOf(name), ids, userId),
    };
  };

  const renderOne = (module: ModuleDef, record: StoredRecord): JsonObject =>
    renderRecord(org, module, record, { zone: org.primaryUser.timeZone });

  const control: ZohoControl = {
    reset() {
      org.reset();
      accounts.reset();
      records.reset();
      notifications.reset();
      limiter.reset();
      applyLimits();
      calls.reset();
      faults.configure(undefined);
      latencyMs = options.latencyMs ?? 0;
      if (options.seed) seedDemoOrg(org, options.seed);
    },
    seedDemo: (seedOptions = {}) => seedDemoOrg(org, seedOptions),
    state() {
      const modules: JsonObject = {};
      for (const module of org.modules.values()) modules[module.apiName] = control.records(module.apiName);
      const deleted: JsonObject = {};
      for (const [module, entries] of org.deleted) {
        deleted[module] = entries.map((entry) => ({ id: entry.id, type: entry.type, deleted_time: entry.deletedTime }));
      }
      return {
        users: [...org.users.values()].map((user) => ({ ...user }) as unknown as Json),
        records: modules,
        deleted,
        emails: Object.fromEntries(
          [...org.emails].map(([key, list]) => [key, list.map((email) => ({ ...email }) as unknown as Json)]),
        ),
      };
    },
    records: (module) => {
      const def = org.module(module);
      if (!def) throw new Error(`unknown module ${module}`);
      return [...org.moduleRecords(def.apiName).records.values()].map((record) => renderOne(def, record));
    },
    record: (module, id) => {
      const def = org.module(module);
      const record = def ? org.findRecord(def.apiName, id) : undefined;
      return def && record ? renderOne(def, record) : undefined;
    },
    callCounts: () => calls.snapshot(),
    totalCalls: (filter) => calls.total(filter),
    resetCallCounts: () => calls.reset(),
    setLatency: (ms) => {
      latencyMs = ms;
    },
    setFaults: (settings) => faults.configure(settings),
    setLimits: (settings) => limiter.configure(settings),
    creditsUsed: () => limiter.creditsUsed(),
    setSearchIndexLag: (ms) => {
      org.searchIndexLagMs = ms;
    },
    advanceClock: (ms) => org.advanceClock(ms),
    expireAccessTokens: () => accounts.expireAccessTokens(),
    setAccessTokenTtl: (seconds) => {
      accounts.accessTokenTtlSeconds = seconds;
    },
    issueRefreshToken: (spec = {}) =>
      accounts.issueRefreshToken(spec.clientId ?? DEFAULT_CLIENT.clientId, spec.scopes ?? BRIDGE_SCOPES, spec.userId),
    createGrantCode: (spec = {}) =>
      accounts.createGrantCode(spec.clientId ?? DEFAULT_CLIENT.clientId, spec.scopes ?? BRIDGE_SCOPES, spec.userId),
    addUser: (spec) => org.addUser(spec),
    setUserStatus: (userId, status) => {
      const user = org.users.get(userId);
      if (!user) throw new Error(`unknown user ${userId}`);
      user.status = status;
      user.modifiedTime = org.nowSeconds();
    },
    primaryUser: () => org.primaryUser,
    actAs,
    purgeRecycleBin: () => org.purgeRecycleBin(),
    setUniqueFields: (module, fields) => {
      org.uniqueFields = { ...org.uniqueFields, [module]: fields };
    },
    addLayoutRule: (module, rule) => {
      const id = org.ids.next();
      org.layoutRules[module] = [...(org.layoutRules[module] ?? []), { id, ...rule }];
      return id;
    },
    clearLayoutRules: (module) => {
      org.layoutRules[module] = [];
    },
    denyModule: (profileName, module) => {
      const profile = org.profileByName(profileName);
      const denied = org.deniedModules.get(profile.id) ?? new Set<string>();
      denied.add(module);
      org.deniedModules.set(profile.id, denied);
    },
    sendEmailFromCrm: (module, recordId, { sender = org.primaryUser.id, ...mail }) =>
      recordCrmSentEmail(org, module, recordId, sender, mail).messageId,
    deliveries: () => notifications.deliveries.slice(),
    notificationsSettled: () => notifications.settled(),
    urls: (dc = homeDc) => ({
      accountsUrl: accounts.accountsUrl(baseUrl, dc),
      apiDomain: accounts.apiDomain(baseUrl, dc),
      tokenUrl: `${accounts.accountsUrl(baseUrl, dc)}/oauth/v2/token`,
    }),
  };

  const simControl = createSimControlHandler(control);

  const listener: RequestListener = (req, res) => {
    const url = new URL(req.url ?? "/", baseUrl);
    const segments = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const respond = async () => {
      if (segments[0] === "_sim") return simControl(segments.slice(1), req, res);
      const dc = segments[0] as DataCentre;
      if (DATA_CENTRES.includes(dc) && segments[1] === "accounts") {
        return handleAccounts(dc, segments.slice(2).join("/"), req, res, url);
      }
      if (DATA_CENTRES.includes(dc) && segments[1] === "crm" && segments[2] === "v8") {
        return handleCrm(dc, segments.slice(3), req, res, url);
      }
      sendJson(res, 404, errors.invalidUrl().body());
    };
    respond().catch((error: unknown) => {
      console.error("zoho simulator: unexpected error", error);
      if (!res.headersSent) sendJson(res, 500, errors.internal().body());
      else res.destroy();
    });
  };

  const setBaseUrl = (url: string) => {
    baseUrl = url;
    notifications.apiDomain = accounts.apiDomain(baseUrl);
  };

  return { listener, control, org, setBaseUrl };
}

/** `/_sim/...`: the control API over HTTP (JSON in, JSON out), for the sandbox and other processes. */
function createSimControlHandler(control: ZohoControl) {
  return async (segments: string[], req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req);
    const body: JsonObject = raw.length > 0 ? parseJsonBody(raw) : {};
    const path = segments.join("/");
    const ok = (value: Json = { ok: true }) => sendJson(res, 200, value);
    const userId = typeof body.userId === "string" ? body.userId : undefined;
    const scopes = Array.isArray(body.scopes) ? (body.scopes as string[]) : undefined;
    switch (path) {
      case "reset":
        control.reset();
        return ok();
      case "seed":
        return ok(control.seedDemo(body as DemoSeedOptions) as unknown as Json);
      case "state":
        return ok(control.state());
      case "calls":
        if (req.method === "DELETE") control.resetCallCounts();
        return ok(control.callCounts());
      case "latency":
        control.setLatency(Number(body.ms ?? 0));
        return ok();
      case "faults":
        control.setFaults(
          body.rate === undefined
            ? undefined
            : {
                rate: Number(body.rate),
                kinds: body.kinds as FaultSettings["kinds"],
                seed: Number(body.seed ?? 1),
                endpoints: typeof body.endpoints === "string" ? new RegExp(body.endpoints) : undefined,
                hangMs: typeof body.hangMs === "number" ? body.hangMs : undefined,
                slowMs: typeof body.slowMs === "number" ? body.slowMs : undefined,
              },
        );
        return ok();
      case "limits":
        control.setLimits(body as Partial<LimitSettings>);
        return ok({ creditsUsed: control.creditsUsed() });
      case "clock":
        control.advanceClock(Number(body.advanceMs ?? 0));
        return ok();
      case "tokens/refresh":
        return ok({ refresh_token: control.issueRefreshToken({ scopes, userId }) });
      case "tokens/grant":
        return ok({ code: control.createGrantCode({ scopes, userId }) });
      case "tokens/expire":
        control.expireAccessTokens();
        return ok();
      case "act": {
        const actor = control.actAs(userId);
        const module = String(body.module ?? "");
        if (body.operation === "delete")
          return ok(actor.delete(module, (body.ids as string[]) ?? []) as unknown as Json);
        const items = (body.records as JsonObject[]) ?? [];
        return ok(body.operation === "update" ? actor.update(module, items) : actor.insert(module, items));
      }
      case "notifications/deliveries":
        return ok(control.deliveries() as unknown as Json);
      case "urls":
        return ok(control.urls() as unknown as Json);
      default:
        sendJson(res, 404, { error: `unknown control path /_sim/${path}` });
    }
  };
}

export interface RunningZohoSimulator extends ZohoSimulator {
  url: string;
  close(): Promise<void>;
}

export async function startZohoSimulator(
  options: ZohoSimulatorOptions & { pki: TestPki; port?: number },
): Promise<RunningZohoSimulator> {
  const simulator = createZohoSimulator(options);
  const running = await serveHttps(simulator.listener, options.pki, { port: options.port });
  simulator.setBaseUrl(running.url);
  return { ...simulator, url: running.url, close: running.close };
}
