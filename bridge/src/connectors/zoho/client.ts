/**
 * HTTP client for the Zoho CRM v8 API: auth header, client-side limiter, retries and error mapping.
 *
 * - Limiter: at most `concurrency` calls in flight (the edition's limit, zoho-crm-api.md §7) and at most 10 "heavy"
 *   ones (writes of more than 10 records, COQL, search). Waiting calls queue in order.
 * - 401 INVALID_TOKEN → refresh the access token once and repeat the call; a second 401 is `auth-expired`.
 * - 429 TOO_MANY_REQUESTS carries no Retry-After (§7): back off exponentially with jitter, `maxRetries` times, then
 *   report `throttled` (a 429 was refused before any work, so every request may repeat it). 5xx, dropped
 *   connections and malformed bodies are retried the same way only for idempotent requests — a POST that creates
 *   records may have been applied, so repeating it could duplicate them; it fails `transient` at once instead.
 *   A connection that could not even be opened (refused, connect timeout) proves the request was never sent:
 *   that is repeated whatever the method. A transport failure is reported with its whole `cause` chain.
 * - 204/304 are answers, not errors: they come back with `json: undefined`.
 */
import { ConnectorError } from "../errors.js";
import type { Semaphore } from "../semaphore.js";
import { describeTransportFailure, requestNeverSent } from "../transport-failure.js";
import { ZohoLimiter } from "./limits.js";
import type { ZohoOAuth } from "./oauth.js";

export type ZohoJson = { [key: string]: unknown };

export interface ZohoAnswer {
  status: number;
  json: ZohoJson | undefined;
  /** Zoho's clock when it answered (the HTTP `Date` header, epoch seconds), the clock its Modified_Time reads. */
  serverTime?: number;
}

/** Epoch seconds of an HTTP `Date` header; undefined when absent or unreadable. */
function serverTimeOf(response: Response): number | undefined {
  const date = Date.parse(response.headers.get("date") ?? "");
  return Number.isNaN(date) ? undefined : Math.floor(date / 1000);
}

export interface ZohoRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path under `/crm/v8/`, e.g. `Contacts/search`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** JSON, or a `FormData` for multipart uploads. */
  body?: unknown;
  headers?: Record<string, string>;
  heavy?: boolean;
  /** Safe to repeat after an unknown outcome; GET/PUT/PATCH/DELETE and COQL are, other POSTs only when said. */
  idempotent?: boolean;
}

export interface ZohoClientOptions {
  /** A limiter shared with other clients of the same org (`sharedLimiter`); without it, one of its own. */
  limiter?: ZohoLimiter;
  concurrency?: number;
  heavyConcurrency?: number;
  maxRetries?: number;
  /** First back-off step; doubles per retry. */
  backoffMs?: number;
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ZohoClient {
  private readonly all: Semaphore;
  private readonly heavy: Semaphore;
  private readonly maxRetries: number;
  private readonly backoffMs: number;
  private readonly timeoutMs: number;
  /** Calls made, by `METHOD path-head` — what the benchmark prints. */
  readonly calls = new Map<string, number>();

  constructor(
    readonly oauth: ZohoOAuth,
    options: ZohoClientOptions = {},
  ) {
    const limiter = options.limiter ?? new ZohoLimiter(options.concurrency, options.heavyConcurrency);
    this.all = limiter.all;
    this.heavy = limiter.heavy;
    this.maxRetries = options.maxRetries ?? 4;
    this.backoffMs = options.backoffMs ?? 500;
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  async request(request: ZohoRequest): Promise<ZohoAnswer> {
    const releaseHeavy = request.heavy ? await this.heavy.acquire() : undefined;
    const release = await this.all.acquire();
    try {
      return await this.withRetries(request);
    } finally {
      release();
      releaseHeavy?.();
    }
  }

  private async withRetries(request: ZohoRequest): Promise<ZohoAnswer> {
    let refreshed = false;
    for (let attempt = 0; ; attempt += 1) {
      const token = await this.oauth.token();
      const outcome = await this.once(request, token);
      if (outcome.kind === "answer") return outcome.answer;
      if (outcome.kind === "invalid-token") {
        if (refreshed)
          throw new ConnectorError({ kind: "auth-expired", message: "Zoho rejected a fresh access token" });
        refreshed = true;
        this.oauth.invalidate(token);
        attempt -= 1;
        continue;
      }
      const repeatable =
        outcome.kind === "throttled" ||
        (outcome.kind === "retry" && outcome.neverSent) ||
        (request.idempotent ?? (request.method !== "POST" || request.path === "coql"));
      if (attempt >= this.maxRetries || !repeatable) {
        if (outcome.kind === "throttled") {
          throw new ConnectorError({
            kind: "throttled",
            message: "Zoho API limit reached (429 TOO_MANY_REQUESTS)",
            retryAfterMs: this.backoffMs * 2 ** (attempt + 1),
          });
        }
        throw new ConnectorError({ kind: "transient", message: outcome.message });
      }
      const backoff = this.backoffMs * 2 ** attempt;
      await sleep(backoff / 2 + Math.random() * (backoff / 2));
    }
  }

  private async once(
    request: ZohoRequest,
    token: string,
  ): Promise<
    | { kind: "answer"; answer: ZohoAnswer }
    | { kind: "invalid-token" }
    | { kind: "throttled" }
    | { kind: "retry"; message: string; neverSent?: boolean }
  > {
    const url = new URL(`${await this.oauth.apiDomain()}/crm/v8/${request.path}`);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { authorization: `Zoho-oauthtoken ${token}`, ...request.headers };
    let body: string | FormData | undefined;
    // Multipart uploads (ZFS `files`) go as they are: fetch sets the multipart content type with its boundary.
    if (request.body instanceof FormData) body = request.body;
    else if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers["content-type"] = "application/json";
    }
    const name = `${request.method} ${request.path.replace(/\/\d+/g, "/{id}")}`;
    this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: request.method,
        headers,
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      return {
        kind: "retry",
        message: `Zoho unreachable: ${describeTransportFailure(error)}`,
        neverSent: requestNeverSent(error),
      };
    }
    const serverTime = serverTimeOf(response);
    if (response.status === 204 || response.status === 304) {
      return { kind: "answer", answer: { status: response.status, json: undefined, serverTime } };
    }
    let json: ZohoJson | undefined;
    try {
      json = JSON.parse(text) as ZohoJson;
    } catch {
      return { kind: "retry", message: `malformed Zoho answer (HTTP ${response.status})` };
    }
    if (response.status === 401) {
      if (json?.code === "INVALID_TOKEN") return { kind: "invalid-token" };
      throw new ConnectorError({ kind: "auth-expired", message: `Zoho ${String(json?.code ?? "401")}` });
    }
    if (response.status === 429) return { kind: "throttled" };
    if (response.status >= 500)
      return { kind: "retry", message: `Zoho ${response.status} ${String(json?.code ?? "")}` };
    if (json === null || typeof json !== "object") return { kind: "retry", message: "malformed Zoho answer" };
    return { kind: "answer", answer: { status: response.status, json, serverTime } };
  }
}

/** A request-level Zoho error (`{code, message, details}`) as a ConnectorError. */
export function requestError(answer: ZohoAnswer, what: string): ConnectorError {
  const code = String(answer.json?.code ?? answer.status);
  if (answer.status === 403) return new ConnectorError({ kind: "mailbox-unavailable", message: `${what}: ${code}` });
  if (code === "EXPIRED_VALUE" || code === "TOKEN_BOUND_DATA_MISMATCH" || code === "PAGINATION_LIMIT_EXCEEDED") {
    return new ConnectorError({ kind: "cursor-invalid", message: `${what}: ${code}` });
  }
  return new ConnectorError({
    kind: "invalid-record",
    message: `${what}: ${code} ${String(answer.json?.message ?? "")}`,
  });
}
