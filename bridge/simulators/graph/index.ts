/**
 * Microsoft Graph v1.0 + Microsoft identity platform simulator (Office 365 mailboxes), served over HTTPS.
 *
 * One listener serves the identity platform (`/{tenant}/oauth2/v2.0/token|authorize`,
 * `/{tenant}/v2.0/.well-known/openid-configuration`, `/{tenant}/discovery/v2.0/keys`, instance discovery), Graph
 * (`/v1.0/…`, `/v1.0/$batch`, `/v1.0/subscriptions`) and the control API (`/_sim/…`). Each Graph request is
 * authenticated (real JWT), throttled per app + mailbox, optionally delayed or failed by seeded fault injection,
 * counted, and handled by the same code whether it arrived alone or inside a `$batch`.
 */

import { randomUUID } from "node:crypto";
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
import { serveHttps } from "../shared/server.js";
import { runBatch } from "./batch.js";
import type { InvitationRecord } from "./calendar.js";
import { errorBody, GraphError } from "./errors.js";
import { type IdentityOptions, IdentityPlatform, type Principal } from "./identity.js";
import { canonicalSegments, endpointName } from "./paths.js";
import type { GraphContext, GraphLimits, GraphRequest, GraphResponse } from "./request.js";
import { MailboxResources } from "./resources.js";
import { DEMO_TENANT, type DemoSeedOptions, seedDemoTenant } from "./seed.js";
import { Directory, type ItemKind, type Json, type Mailbox } from "./store.js";
import {
  DEFAULT_SUBSCRIPTION_OPTIONS,
  type LifecycleEvent,
  type SubscriptionOptions,
  SubscriptionService,
} from "./subscriptions.js";
import { DEFAULT_THROTTLE_LIMITS, MailboxThrottle, type ThrottleLimits } from "./throttle.js";

export { endpointName } from "./paths.js";
export type { DemoSeedOptions } from "./seed.js";
export { BRIDGE_APP_ROLES, DEMO_TENANT } from "./seed.js";
export type { LifecycleEvent } from "./subscriptions.js";

export interface GraphSimulatorOptions {
  /** Demo tenant to seed on creation and on every reset (`false`: start empty). */
  seed?: DemoSeedOptions | false;
  limits?: Partial<GraphLimits>;
  throttle?: Partial<ThrottleLimits>;
  identity?: Partial<IdentityOptions>;
  subscriptions?: Partial<SubscriptionOptions>;
}

const JSON_CONTENT_TYPE =
  "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";
const OUTLOOK_APP_ID = "00000002-0000-0ff1-ce00-000000000000";

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, response: GraphResponse, requestId: string): void {
  const headers: Record<string, string> = {
    "request-id": requestId,
    "client-request-id": requestId,
    ...response.headers,
  };
  if (response.body === undefined) {
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  const text = typeof response.body === "string" ? response.body : JSON.stringify(response.body);
  headers["content-type"] ??= JSON_CONTENT_TYPE;
  res.writeHead(response.status, headers);
  res.end(text);
}

function failure(error: unknown): GraphResponse {
  if (error instanceof GraphError)
    return { status: error.status, headers: error.headers, body: errorBody(error.code, error.message) };
  return {
    status: 500,
    body: errorBody("generalException", error instanceof Error ? error.message : "General exception while processing."),
  };
}

export function createGraphSimulator(options: GraphSimulatorOptions = {}) {
  const directory = new Directory();
  let baseUrl = "https://graph.simulator.invalid";
  const limits: GraphLimits = { defaultPageSize: 10, maxPageSize: 1000, deltaReplay: false, ...options.limits };
  const throttle = new MailboxThrottle({ ...DEFAULT_THROTTLE_LIMITS, ...options.throttle });
  const identity = new IdentityPlatform(directory, {
    accessTokenLifetimeSeconds: 3599,
    refreshTokenLifetimeSeconds: 90 * 24 * 3600,
    authCodeLifetimeSeconds: 600,
    ...options.identity,
  });
  const invitations: InvitationRecord[] = [];
  const ctx: GraphContext = { directory, baseUrl: () => baseUrl, limits, invitations };
  const resources = new MailboxResources(ctx);
  const subscriptions = new SubscriptionService(directory, {
    ...DEFAULT_SUBSCRIPTION_OPTIONS,
    ...options.subscriptions,
  });
  const calls = new CallLog();
  const faults = new FaultInjector();
  let latencyMs = 0;
  /** While set, every Graph request is refused with 429 and this Retry-After (seconds). */
  let forcedRetryAfterSeconds: number | undefined;
  const ready = identity.init();

  function seed(): void {
    if (options.seed !== false) seedDemoTenant(directory, options.seed ?? {});
  }
  seed();

  function throttleKey(req: GraphRequest): string | undefined {
    const [head, key] = canonicalSegments(req.path);
    const appId = req.principal.app.clientId;
    if (head === "me") return `${appId}|${req.principal.userId ?? ""}`;
    if (head !== "users" || !key) return undefined;
    const mailbox = directory.findUser(req.principal.tenant, key);
    return `${appId}|${mailbox?.user.id ?? key.toLowerCase()}`;
  }

  async function handleGraph(req: GraphRequest): Promise<GraphResponse> {
    try {
      const [head, id, action] = canonicalSegments(req.path);
      if (head === "subscriptions") return await subscriptions.handle(req, id, action);
      return await resources.handle(req);
    } catch (error) {
      return failure(error);
    }
  }

  function innerRequest(principal: Principal) {
    return (inner: {
      method: string;
      url: string;
      headers: Record<string, string | undefined>;
      body: unknown;
    }): GraphRequest => {
      if (/^[a-z]+:/i.test(inner.url)) throw new Error("batch URLs must be relative");
      const url = new URL(`${baseUrl}/v1.0/${inner.url.replace(/^\/+/, "")}`);
      calls.record(`graph.${endpointName(inner.method, url.pathname.slice(5))}`);
      return {
        method: inner.method,
        path: url.pathname.slice(5),
        query: url.searchParams,
        headers: inner.headers,
        body: inner.body,
        principal,
      };
    };
  }

  async function serveGraph(req: IncomingMessage, url: URL, raw: string): Promise<GraphResponse | "handled"> {
    const path = url.pathname.slice("/v1.0".length);
    const principal = await identity.verifyGraphToken(req.headers.authorization);
    let body: unknown;
    if (raw.trim()) {
      try {
        body = JSON.parse(raw);
      } catch {
        throw new GraphError(
          400,
          "BadRequest",
          "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
        );
      }
    }
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(req.headers))
      headers[name] = Array.isArray(value) ? value.join(", ") : value;
    const graphReq: GraphRequest = {
      method: req.method ?? "GET",
      path,
      query: url.searchParams,
      headers,
      body,
      principal,
    };
    if (path === "/$batch" && graphReq.method === "POST") {
      // A batch is one round trip: the injected latency applies to it once, as to any other call.
      await applyLatency(latencyMs);
      return runBatch(body, { toRequest: innerRequest(principal), throttleKey, throttle, handle: handleGraph });
    }
    if (forcedRetryAfterSeconds !== undefined) return throttle.refuse(forcedRetryAfterSeconds);
    const key = throttleKey(graphReq);
    const refusal = key === undefined ? undefined : throttle.admit(key);
    if (refusal) return refusal;
    try {
      await applyLatency(latencyMs);
      return await handleGraph(graphReq);
    } finally {
      if (key !== undefined) throttle.release(key);
    }
  }

  async function serveIdentity(req: IncomingMessage, url: URL, raw: string): Promise<GraphResponse | undefined> {
    const path = url.pathname;
    const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
    if (token?.[1] && req.method === "POST") {
      const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1];
      const result = await identity.tokenEndpoint(token[1], new URLSearchParams(raw), basic);
      return {
        status: result.status,
        headers: { "cache-control": "no-store, no-cache", "content-type": "application/json; charset=utf-8" },
        body: result.body,
      };
    }
    const authorize = /^\/([^/]+)\/oauth2\/v2\.0\/authorize$/.exec(path);
    if (authorize?.[1]) {
      const page = identity.authorizeEndpoint(authorize[1], url.searchParams);
      return { status: page.status, headers: page.headers, body: page.body || undefined };
    }
    const openid = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path);
    if (openid?.[1]) return { status: 200, body: identity.openIdConfiguration(openid[1]) };
    if (/^\/[^/]+\/discovery\/v2\.0\/keys$/.test(path)) return { status: 200, body: identity.jwks() };
    if (/^\/common\/discovery\/instance$/.test(path)) return { status: 200, body: identity.instanceDiscovery() };
    return undefined;
  }

  function identityEndpointName(path: string): string {
    const last = path.split("/").filter(Boolean).pop() ?? "";
    return `identity.${last}`;
  }

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    void (async () => {
      const requestId = randomUUID();
      const url = new URL(req.url ?? "/", baseUrl);
      const raw = await readBody(req);
      if (url.pathname.startsWith("/_sim/")) {
        send(res, await controlHttp(req.method ?? "GET", url, raw), requestId);
        return;
      }
      await ready;
      const isGraph = url.pathname.startsWith("/v1.0/");
      const endpoint = isGraph
        ? `graph.${endpointName(req.method ?? "GET", url.pathname.slice(5))}`
        : identityEndpointName(url.pathname);
      // A $batch is counted once as itself and once per inner request (under the inner request's own name).
      calls.record(endpoint);
      const fault = faults.draw(endpoint);
      if (fault && (await renderTransportFault(fault, res, faults.current ?? {}))) return;
      let response: GraphResponse;
      switch (fault) {
        case "server-error":
          send(
            res,
            { status: 500, body: errorBody("generalException", "General exception while processing.") },
            requestId,
          );
          return;
        case "unavailable":
          send(
            res,
            {
              status: 503,
              headers: { "retry-after": "1" },
              body: errorBody("serviceNotAvailable", "Service unavailable, please retry."),
            },
            requestId,
          );
          return;
        case "throttled": {
          const body = errorBody("TooManyRequests", "Please retry again later.");
          Object.assign(body.error.innerError as Json, { code: "429", message: "Please retry after", status: "429" });
          send(res, { status: 429, headers: { "retry-after": "1" }, body }, requestId);
          return;
        }
        case "malformed":
          send(
            res,
            { status: 200, headers: { "content-type": JSON_CONTENT_TYPE }, body: '{"value":[{"id":' },
            requestId,
          );
          return;
        case "html-error":
          send(
            res,
            { status: 500, headers: { "content-type": "text/html; charset=utf-8" }, body: HTML_ERROR_PAGE },
            requestId,
          );
          return;
      }
      try {
        const answer = isGraph ? await serveGraph(req, url, raw) : await serveIdentity(req, url, raw);
        response =
          answer === undefined
            ? { status: 404, body: errorBody("NotFound", `No route for ${url.pathname}.`) }
            : (answer as GraphResponse);
      } catch (error) {
        response = failure(error);
      }
      if (fault === "truncated") {
        sendTruncated(res, response.status, JSON_CONTENT_TYPE, JSON.stringify(response.body ?? {}));
        return;
      }
      send(res, response, requestId);
    })().catch((error: unknown) => {
      if (!res.headersSent) send(res, failure(error), randomUUID());
      else res.destroy();
    });
  };

  function requireMailbox(user: string): Mailbox {
    const mailbox = directory.findUserAnywhere(user);
    if (!mailbox) throw new Error(`no simulated mailbox ${user}`);
    return mailbox;
  }

  /** Runs a Graph request as the Outlook user of `user`'s mailbox (as if done in Outlook), without throttling. */
  async function actAsUser(
    user: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<GraphResponse> {
    const mailbox = requireMailbox(user);
    const tenant = directory.tenantByIdOrDomain(mailbox.user.tenantId);
    if (!tenant) throw new Error("mailbox without tenant");
    const url = new URL(`${baseUrl}/v1.0/users/${mailbox.user.id}${path.startsWith("/") ? path : `/${path}`}`);
    const principal: Principal = {
      tenant,
      app: {
        clientId: OUTLOOK_APP_ID,
        clientSecret: "",
        displayName: "Outlook",
        roles: [],
        redirectUris: [],
        exposedScopes: [],
      },
      userId: mailbox.user.id,
      permissions: new Set([
        "Contacts.ReadWrite",
        "Calendars.ReadWrite",
        "Tasks.ReadWrite",
        "Mail.ReadWrite",
        "Mail.Send",
        "User.Read",
      ]),
    };
    const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
    return handleGraph({
      method,
      path: url.pathname.slice(5),
      query: url.searchParams,
      headers: lower,
      body,
      principal,
    });
  }

  async function expectOk(response: Promise<GraphResponse>): Promise<Json> {
    const answer = await response;
    if (answer.status >= 400)
      throw new Error(`simulated Outlook action failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    return (answer.body ?? {}) as Json;
  }

  const control = {
    directory,
    identity,
    limits,
    throttleLimits: throttle.limits,
    subscriptionOptions: subscriptions.options,
    ready: () => ready,
    url: () => baseUrl,
    reset(): void {
      directory.clear();
      identity.reset();
      subscriptions.reset();
      throttle.reset();
      calls.reset();
      faults.configure(undefined);
      latencyMs = 0;
      forcedRetryAfterSeconds = undefined;
      invitations.length = 0;
      seed();
    },
    seedDemoTenant: (seedOptions: DemoSeedOptions = {}) => seedDemoTenant(directory, seedOptions),
    mailbox: requireMailbox,
    /** Every live item of a kind in a mailbox, as Graph renders it (REST ids, UTC). */
    items(user: string, kind: ItemKind): Json[] {
      const mailbox = requireMailbox(user);
      const seen = new Set<string>();
      const out: Json[] = [];
      for (const item of mailbox.items.values()) {
        if (item.kind !== kind || seen.has(item.immutableId)) continue;
        seen.add(item.immutableId);
        out.push({
          id: item.restId,
          immutableId: item.immutableId,
          changeKey: item.changeKey,
          parentFolderId: item.folderId,
          ...item.props,
        });
      }
      return out;
    },
    callCounts: () => calls.snapshot(),
    resetCallCounts: () => calls.reset(),
    /** Graph write calls (POST/PATCH/PUT/DELETE on mailbox data, inner batch requests included). */
    writeCalls: () =>
      calls.total(
        (endpoint) =>
          /^graph\.(POST|PATCH|PUT|DELETE) \/(users|me)\//.test(endpoint) && !endpoint.endsWith("/getSchedule"),
      ),
    /** Refuses every Graph request with 429 TooManyRequests and this Retry-After until called with undefined. */
    setThrottled(retryAfterMs: number | undefined): void {
      forcedRetryAfterSeconds = retryAfterMs === undefined ? undefined : retryAfterMs / 1000;
    },
    /** Revokes an app's credentials: its secret stops working and tokens issued so far are rejected (401). */
    revokeApp: (clientId: string) => identity.revokeApp(clientId),
    /** Uploads a certificate (PEM) to an app registration, as an admin does under "Certificates & secrets". */
    addAppCertificate(clientId: string, certificatePem: string): void {
      for (const tenant of directory.tenants.values()) {
        const app = tenant.apps.get(clientId);
        if (app) app.certificates = [...(app.certificates ?? []), certificatePem];
      }
    },
    /** Forgets the request history and in-flight counts of every app + mailbox pair. */
    resetThrottling: () => throttle.reset(),
    setLatency(ms: number): void {
      latencyMs = ms;
    },
    setFaults: (settings: FaultSettings | undefined) => faults.configure(settings),
    /** Evicts the delta tokens of one mailbox (or all): their next use answers 410 syncStateNotFound. */
    evictDeltaTokens(user?: string): void {
      const targets = user
        ? [requireMailbox(user)]
        : [...directory.tenants.values()].flatMap((tenant) => [...tenant.mailboxes.values()]);
      for (const mailbox of targets) mailbox.deltaGeneration += 1;
    },
    /** Application access policy (RestrictAccess to these mailboxes) for an app; undefined removes it. */
    setAccessPolicy(clientId: string, users: string[] | undefined): void {
      for (const tenant of directory.tenants.values()) {
        const app = tenant.apps.get(clientId);
        if (!app) continue;
        if (users) app.allowedMailboxes = new Set(users.map((user) => requireMailbox(user).user.id));
        else delete app.allowedMailboxes;
      }
    },
    actAsUser,
    editContact: (user: string, id: string, patch: Json) =>
      expectOk(actAsUser(user, "PATCH", `/contacts/${id}`, patch)),
    moveEvent: (user: string, id: string, start: Json, end: Json) =>
      expectOk(actAsUser(user, "PATCH", `/events/${id}`, { start, end })),
    completeTask(user: string, id: string): Promise<Json> {
      const item = requireMailbox(user).items.get(id);
      if (!item) throw new Error(`no task ${id}`);
      return expectOk(actAsUser(user, "PATCH", `/todo/lists/${item.folderId}/tasks/${id}`, { status: "completed" }));
    },
    receiveMail: (user: string, message: Json) =>
      expectOk(actAsUser(user, "POST", "/mailFolders/inbox/messages", message)),
    subscriptions: () => subscriptions.list(),
    lifecycle: (id: string, event: LifecycleEvent) => subscriptions.lifecycle(id, event),
    deliveries: () => subscriptions.deliveries,
    notificationsIdle: () => subscriptions.idle(),
    invitations: () => invitations,
  };

  async function controlHttp(method: string, url: URL, raw: string): Promise<GraphResponse> {
    let body: Json = {};
    try {
      body = raw.trim() ? (JSON.parse(raw) as Json) : {};
    } catch {
      return { status: 400, body: errorBody("BadRequest", "control API bodies are JSON") };
    }
    const route = `${method} ${url.pathname.slice("/_sim".length)}`;
    try {
      const lifecycle = /^POST \/subscriptions\/([^/]+)\/lifecycle$/.exec(route);
      if (lifecycle?.[1])
        return { status: 200, body: { sent: await control.lifecycle(lifecycle[1], body.event as LifecycleEvent) } };
      const items = /^GET \/mailboxes\/([^/]+)\/(contact|event|task|message)s$/.exec(route);
      if (items?.[1] && items[2])
        return { status: 200, body: { value: control.items(decodeURIComponent(items[1]), items[2] as ItemKind) } };
      switch (route) {
        case "POST /reset":
          control.reset();
          return { status: 200, body: { ok: true } };
        case "POST /seed":
          return { status: 200, body: { tenantId: control.seedDemoTenant(body as DemoSeedOptions).id } };
        case "GET /state":
          return {
            status: 200,
            body: {
              tenants: [...directory.tenants.values()].map((tenant) => ({
                id: tenant.id,
                domain: tenant.domain,
                apps: [...tenant.apps.keys()],
                users: [...tenant.mailboxes.values()].map((mailbox) => ({
                  ...mailbox.user,
                  items: mailbox.items.size / 2,
                })),
              })),
            },
          };
        case "GET /calls":
          return { status: 200, body: control.callCounts() };
        case "DELETE /calls":
          control.resetCallCounts();
          return { status: 204 };
        case "POST /latency":
          control.setLatency(Number(body.ms ?? 0));
          return { status: 200, body: { ms: Number(body.ms ?? 0) } };
        case "POST /faults":
          control.setFaults(
            typeof body.rate === "number"
              ? ({
                  ...body,
                  endpoints: typeof body.endpoints === "string" ? new RegExp(body.endpoints) : undefined,
                } as FaultSettings)
              : undefined,
          );
          return { status: 200, body: { ok: true } };
        case "POST /limits":
          Object.assign(limits, body.delta ?? {});
          Object.assign(throttle.limits, body.throttle ?? {});
          return { status: 200, body: { delta: limits, throttle: throttle.limits } };
        case "POST /evict-delta-tokens":
          control.evictDeltaTokens(typeof body.user === "string" ? body.user : undefined);
          return { status: 200, body: { ok: true } };
        case "POST /access-policy":
          control.setAccessPolicy(
            String(body.clientId),
            Array.isArray(body.users) ? body.users.map(String) : undefined,
          );
          return { status: 200, body: { ok: true } };
        case "POST /act": {
          const answer = await actAsUser(
            String(body.user),
            String(body.method ?? "GET"),
            String(body.path ?? "/"),
            body.body,
          );
          return { status: 200, body: { status: answer.status, body: answer.body ?? null } };
        }
        case "GET /subscriptions":
          return { status: 200, body: { value: control.subscriptions() } };
        case "GET /deliveries":
          return { status: 200, body: { value: control.deliveries() } };
        case "GET /invitations":
          return { status: 200, body: { value: control.invitations() } };
        case "POST /authorize": {
          const code = identity.authorize(body as unknown as Parameters<IdentityPlatform["authorize"]>[0]);
          return { status: 200, body: { code } };
        }
        case "POST /addin-token": {
          await ready;
          const accessToken = await identity.issueApiToken(
            body as unknown as Parameters<IdentityPlatform["issueApiToken"]>[0],
          );
          return { status: 200, body: { access_token: accessToken } };
        }
      }
      return { status: 404, body: errorBody("NotFound", `No control route ${route}.`) };
    } catch (error) {
      return { status: 400, body: errorBody("BadRequest", error instanceof Error ? error.message : String(error)) };
    }
  }

  return {
    listener,
    control,
    /** Tells the simulator its public origin (absolute links, token issuer); `startGraphSimulator` does this. */
    setBaseUrl(url: string): void {
      baseUrl = url;
      identity.baseUrl = url;
    },
  };
}

export type GraphSimulator = ReturnType<typeof createGraphSimulator>;
export type GraphSimulatorControl = GraphSimulator["control"];

export async function startGraphSimulator(
  options: GraphSimulatorOptions & { pki: TestPki; port?: number; host?: string },
) {
  const simulator = createGraphSimulator(options);
  const serveOptions: { port?: number; host?: string } = {};
  if (options.port !== undefined) serveOptions.port = options.port;
  if (options.host !== undefined) serveOptions.host = options.host;
  const running = await serveHttps(simulator.listener, options.pki, serveOptions);
  simulator.setBaseUrl(running.url);
  await simulator.control.ready();
  return {
    ...simulator,
    url: running.url,
    port: running.port,
    /** Identity authority for the demo tenant, e.g. for MSAL `auth.authority`. */
    authority: `${running.url}/${DEMO_TENANT.id}`,
    close: () => running.close(),
  };
}
