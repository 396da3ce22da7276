/**
 * HTTP to Graph through the unchanged `@microsoft/microsoft-graph-client`.
 *
 * - Every request asks for immutable ids (`Prefer: IdType="ImmutableId"`) and UTC times; delta pages also ask for the
 *   largest page (`Prefer: odata.maxpagesize`). The Prefer header is per request, so it is sent every time.
 * - The SDK's RetryHandler may retry a 429/503 only when the server asks for a short wait (≤ `maxInlineWaitMs`);
 *   longer waits surface as `throttled` so the engine backs off the whole mailbox instead of blocking a worker.
 * - A 401 is retried once with a freshly acquired token; a second 401 or a refused token request is `auth-expired`.
 * - At most `concurrentRequests` (4) requests of this transport are in flight at once — the mailbox's modules share
 *   it, and Outlook allows 4 concurrent requests per app + mailbox; a chained `$batch` is one of them.
 * - A request that failed in transport (reset connection, "socket hang up", undici's "fetch failed", a cut-off body)
 *   is repeated with exponential back-off when repeating it is safe: GET, PATCH and DELETE, and `$batch`es of them.
 *   A POST that may have created an item is not repeated (it fails `transient`, and the engine's next run decides),
 *   unless the failure proves it was never sent (the connection could not be opened), or it creates an event: that
 *   carries Graph's idempotency key, `transactionId`, so a repeat answers with the event the first one made.
 *   Failures carry their cause.
 * - `$batch` (json-batching.md): up to 20 requests per batch, chained with `dependsOn` so Graph runs them one after
 *   another, and at most `concurrentRequests` (4, Outlook's concurrent-request limit per app + mailbox,
 *   throttling-limits.md) batches in flight — an unchained batch of 20 to one mailbox would run 20 at once and trip
 *   that limit. A request after a failed one answers 424 Failed Dependency without having run: it is sent again in
 *   the next batch. Inner 429s are retried in a later batch after their inner Retry-After (the SDK never retries
 *   inner requests), up to `batchAttempts` times, then reported as `throttled` for those items only.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import {
  Client,
  type Context,
  CustomAuthenticationProvider,
  GraphError,
  HTTPMessageHandler,
  type Middleware,
  MiddlewareFactory,
  type MiddlewareOptions,
  RetryHandlerOptions,
} from "@microsoft/microsoft-graph-client";
import { ConnectorError } from "../errors.js";
import { Semaphore } from "../semaphore.js";
import { describeTransportFailure, requestNeverSent } from "../transport-failure.js";
import type { TokenProvider } from "./auth.js";
import { graphFailure, retryAfterMs } from "./errors.js";

export interface GraphTransportOptions {
  /** Graph origin without version, e.g. `https://graph.microsoft.com` or the simulator's URL. */
  baseUrl: string;
  tokens: TokenProvider;
  maxPageSize?: number;
  maxInlineWaitMs?: number;
  /** Requests in flight at once (a chained `$batch` runs its requests one after another, so it counts once). */
  concurrentRequests?: number;
  batchAttempts?: number;
  /** Repeats of an idempotent request that failed in transport, and the first back-off step (doubles per repeat). */
  networkRetries?: number;
  networkBackoffMs?: number;
  /** Preferences added to every request, inner `$batch` requests included (e.g. `TEXT_BODIES`). */
  prefer?: string[];
}

export interface BatchRequest {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Relative to the version, e.g. `/users/{id}/contacts/{id}`. */
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface BatchResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

interface BatchAnswer {
  responses: Array<{ id: string; status: number; headers?: Record<string, string>; body?: unknown }>;
}

/** json-batching.md: "JSON batch requests are currently limited to 20 individual requests." */
const BATCH_SIZE = 20;
const BASE_PREFER = ['IdType="ImmutableId"', 'outlook.timezone="UTC"'];
/**
 * Item bodies as plain text (the canonical contact/event/task body is plain text): "Prefer:
 * outlook.body-content-type" applies to GET responses of items with a body (event, message, post…); without it
 * Outlook returns HTML (learn.microsoft.com/graph/api/resources/event, body; /graph/outlook-get-html-or-text-body).
 */
export const TEXT_BODIES = 'outlook.body-content-type="text"';

export class GraphTransport {
  private readonly client: Client;
  private forceRefresh = false;
  private tokenError: unknown;
  readonly maxPageSize: number;
  private readonly maxInlineWaitMs: number;
  private readonly slots: Semaphore;
  private readonly concurrentRequests: number;
  private readonly batchAttempts: number;
  private readonly networkRetries: number;
  private readonly networkBackoffMs: number;
  private readonly prefer: readonly string[];

  constructor(options: GraphTransportOptions) {
    this.prefer = [...BASE_PREFER, ...(options.prefer ?? [])];
    this.maxPageSize = options.maxPageSize ?? 1000;
    this.maxInlineWaitMs = options.maxInlineWaitMs ?? 1_000;
    this.concurrentRequests = options.concurrentRequests ?? 4;
    this.slots = new Semaphore(this.concurrentRequests);
    this.batchAttempts = options.batchAttempts ?? 4;
    this.networkRetries = options.networkRetries ?? 3;
    this.networkBackoffMs = options.networkBackoffMs ?? 250;
    const authProvider = new CustomAuthenticationProvider((done) => {
      const force = this.forceRefresh;
      this.forceRefresh = false;
      options.tokens.getToken(force).then(
        (token) => done(null, token),
        (error: unknown) => {
          this.tokenError = error;
          done(error, null);
        },
      );
    });
    // The SDK's default chain with its last link, the fetch, replaced by one that keeps the failure's cause.
    const middleware = MiddlewareFactory.getDefaultMiddlewareChain(authProvider).map((handler) =>
      handler instanceof HTTPMessageHandler ? new CauseKeepingFetch() : handler,
    );
    this.client = Client.initWithMiddleware({
      baseUrl: options.baseUrl,
      customHosts: new Set([new URL(options.baseUrl).hostname]),
      middleware,
    });
  }

  private retryOptions(): RetryHandlerOptions {
    const limit = this.maxInlineWaitMs;
    return new RetryHandlerOptions(1, 3, (_delay, _attempt, _request, _options, response) => {
      const wait = retryAfterMs(response.headers.get("retry-after"));
      return wait !== undefined && wait <= limit;
    });
  }

  /** One Graph request; `url` is relative to the version or an absolute next/delta link. */
  async request<T>(
    method: BatchRequest["method"],
    url: string,
    options: { body?: unknown; headers?: Record<string, string>; prefer?: string[]; idempotent?: boolean } = {},
  ): Promise<T> {
    const idempotent = options.idempotent ?? method !== "POST";
    let refreshed = false;
    for (let attempt = 0; ; attempt += 1) {
      this.tokenError = undefined;
      let failure: unknown;
      const fetchFailure = new FetchFailure();
      const release = await this.slots.acquire();
      try {
        const request = this.client
          .api(url)
          .headers({ Prefer: [...this.prefer, ...(options.prefer ?? [])].join(", "), ...options.headers })
          .middlewareOptions([this.retryOptions(), fetchFailure]);
        switch (method) {
          case "GET":
            return (await request.get()) as T;
          case "POST":
            return (await request.post(options.body ?? {})) as T;
          case "PATCH":
            return (await request.patch(options.body ?? {})) as T;
          case "DELETE":
            return (await request.delete()) as T;
        }
      } catch (error) {
        failure = fetchFailure.error ?? error;
      } finally {
        release();
      }
      if (this.tokenError instanceof ConnectorError) throw this.tokenError;
      if (failure instanceof GraphError && failure.statusCode === 401 && !refreshed) {
        refreshed = true;
        this.forceRefresh = true;
        continue;
      }
      const repeatable = idempotent || requestNeverSent(failure);
      if (repeatable && attempt < this.networkRetries && failedInTransport(failure)) {
        const backoff = this.networkBackoffMs * 2 ** attempt;
        await sleep(backoff / 2 + Math.random() * (backoff / 2));
        continue;
      }
      throw toConnectorError(failure);
    }
  }

  /** Runs the requests through `$batch`; one response per request, in order. */
  async batch(sent: readonly BatchRequest[]): Promise<BatchResponse[]> {
    const results: Array<BatchResponse | undefined> = sent.map(() => undefined);
    const requests = sent.map(withTransactionId);
    const idempotent = requests.every((request) => request.method !== "POST" || createsEventOnce(request));
    let pending = requests.map((_, index) => index);
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      const chunks: number[][] = [];
      for (let start = 0; start < pending.length; start += BATCH_SIZE)
        chunks.push(pending.slice(start, start + BATCH_SIZE));
      const again: number[] = [];
      let throttled = false;
      let wait = 0;
      await inPool(chunks, this.concurrentRequests, async (chunk) => {
        const answer = await this.request<BatchAnswer>("POST", "/$batch", {
          body: { requests: chunk.map((index, position) => this.inner(requests, index, chunk[position - 1])) },
          idempotent,
        });
        for (const response of answer.responses) {
          const index = Number(response.id);
          const headers = Object.fromEntries(
            Object.entries(response.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
          );
          results[index] = { status: response.status, headers, body: response.body };
          if (response.status === FAILED_DEPENDENCY) again.push(index);
          else if (response.status === 429 && attempt + 1 < this.batchAttempts) {
            again.push(index);
            throttled = true;
            wait = Math.max(wait, retryAfterMs(headers["retry-after"]) ?? 1_000);
          }
        }
      });
      if (throttled && wait > this.maxInlineWaitMs * 5) break;
      pending = again.sort((a, b) => a - b);
      if (throttled) await sleep(wait);
    }
    return results.map((result) => result ?? { status: 500, headers: {}, body: undefined });
  }

  /** One inner request of a `$batch`, run after `after` (the previous request of the same batch). */
  private inner(requests: readonly BatchRequest[], index: number, after: number | undefined) {
    const request = requests[index] as BatchRequest;
    const headers: Record<string, string> = { Prefer: this.prefer.join(", "), ...request.headers };
    if (request.body !== undefined) headers["Content-Type"] = "application/json";
    return {
      id: String(index),
      method: request.method,
      url: request.url,
      headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
      ...(after !== undefined ? { dependsOn: [String(after)] } : {}),
    };
  }
}

const FAILED_DEPENDENCY = 424;

/** A POST to an events collection (`/users/{id}/events`, `/calendars/{id}/events`) creates an event. */
const EVENT_COLLECTION = /\/events$/;

/**
 * An event create with Graph's idempotency key: "transactionId is the idempotency key for retried POSTs" (Graph
 * event resource; graph-and-addin.md §1.8) — Graph answers a repeat with the event the first one made. The key is
 * fixed before the first attempt, so every repeat of this call carries the same one.
 */
function withTransactionId(request: BatchRequest): BatchRequest {
  if (request.method !== "POST" || !EVENT_COLLECTION.test(request.url)) return request;
  const body = request.body as Record<string, unknown> | undefined;
  if (body === undefined || body.transactionId !== undefined) return request;
  return { ...request, body: { ...body, transactionId: randomUUID() } };
}

function createsEventOnce(request: BatchRequest): boolean {
  return (
    EVENT_COLLECTION.test(request.url) &&
    typeof (request.body as Record<string, unknown> | undefined)?.transactionId === "string"
  );
}

/**
 * Per request: what fetch itself rejected with. The SDK turns it into a GraphError that keeps only the message
 * ("fetch failed") and drops `cause`, the part that says what happened (and whether the request was ever sent).
 */
class FetchFailure implements MiddlewareOptions {
  error: unknown;
}

/** The SDK's HTTPMessageHandler, plus: a rejected fetch is recorded in the request's `FetchFailure`. */
class CauseKeepingFetch implements Middleware {
  async execute(context: Context): Promise<void> {
    try {
      context.response = await fetch(context.request, context.options);
    } catch (error) {
      const record = context.middlewareControl?.getMiddlewareOptions(FetchFailure) as FetchFailure | undefined;
      if (record) record.error = error;
      throw error;
    }
  }
}

/** Runs `work` over every item with at most `limit` running at once. */
async function inPool<I>(items: readonly I[], limit: number, work: (item: I) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next] as I;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * True when no usable HTTP answer arrived: fetch's TypeError ("fetch failed", its `cause` ECONNRESET / "socket hang
 * up" / UND_ERR_SOCKET), or — as the SDK wraps it — a GraphError without a status, or with a success status whose
 * body could not be read or parsed (code `TypeError` "terminated" for a cut-off body, `SyntaxError` for a broken one).
 */
function failedInTransport(error: unknown): boolean {
  if (error instanceof GraphError) return error.statusCode < 300;
  return error instanceof Error;
}

export function toConnectorError(error: unknown): ConnectorError {
  if (error instanceof ConnectorError) return error;
  if (error instanceof GraphError && error.statusCode > 0) {
    return new ConnectorError(
      graphFailure({
        status: error.statusCode,
        code: error.code,
        message: error.message,
        retryAfter: error.headers?.get("retry-after"),
      }),
      { cause: error },
    );
  }
  return new ConnectorError(
    { kind: "transient", message: `Graph request failed: ${describeTransportFailure(error)}` },
    { cause: error },
  );
}

/** The failure of one inner batch response, or undefined when it succeeded. */
export function batchFailure(response: BatchResponse) {
  if (response.status < 400) return undefined;
  const error = (response.body as { error?: { code?: string; message?: string } } | undefined)?.error;
  return graphFailure({
    status: response.status,
    code: error?.code,
    message: error?.message,
    retryAfter: response.headers["retry-after"],
  });
}
