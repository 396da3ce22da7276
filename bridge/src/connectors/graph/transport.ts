/**
 * HTTP to Graph through the unchanged `@microsoft/microsoft-graph-client`.
 *
 * - Every request asks for immutable ids (`Prefer: IdType="ImmutableId"`) and UTC times; delta pages also ask for the
 *   largest page (`Prefer: odata.maxpagesize`). The Prefer header is per request, so it is sent every time.
 * - The SDK's RetryHandler may retry a 429/503 only when the server asks for a short wait (≤ `maxInlineWaitMs`);
 *   longer waits surface as `throttled` so the engine backs off the whole mailbox instead of blocking a worker.
 * - A 401 is retried once with a freshly acquired token; a second 401 or a refused token request is `auth-expired`.
 * - `$batch` (json-batching.md): at most `parallelPerBatch` (4, the mailbox concurrency limit) requests per batch,
 *   batches sent one after another; inner 429s are retried in a later batch after their inner Retry-After (the SDK
 *   never retries inner requests), up to `batchAttempts` times, then reported as `throttled` for those items only.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Client, GraphError, RetryHandlerOptions } from "@microsoft/microsoft-graph-client";
import { ConnectorError } from "../errors.js";
import type { TokenProvider } from "./auth.js";
import { graphFailure, retryAfterMs } from "./errors.js";

export interface GraphTransportOptions {
  /** Graph origin without version, e.g. `https://graph.microsoft.com` or the simulator's URL. */
  baseUrl: string;
  tokens: TokenProvider;
  maxPageSize?: number;
  maxInlineWaitMs?: number;
  parallelPerBatch?: number;
  batchAttempts?: number;
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
  private readonly parallelPerBatch: number;
  private readonly batchAttempts: number;
  private readonly prefer: readonly string[];

  constructor(options: GraphTransportOptions) {
    this.prefer = [...BASE_PREFER, ...(options.prefer ?? [])];
    this.maxPageSize = options.maxPageSize ?? 1000;
    this.maxInlineWaitMs = options.maxInlineWaitMs ?? 1_000;
    this.parallelPerBatch = options.parallelPerBatch ?? 4;
    this.batchAttempts = options.batchAttempts ?? 4;
    this.client = Client.init({
      baseUrl: options.baseUrl,
      customHosts: new Set([new URL(options.baseUrl).hostname]),
      authProvider: (done) => {
        const force = this.forceRefresh;
        this.forceRefresh = false;
        options.tokens.getToken(force).then(
          (token) => done(null, token),
          (error: unknown) => {
            this.tokenError = error;
            done(error, null);
          },
        );
      },
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
    options: { body?: unknown; headers?: Record<string, string>; prefer?: string[] } = {},
  ): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      this.tokenError = undefined;
      try {
        const request = this.client
          .api(url)
          .headers({ Prefer: [...this.prefer, ...(options.prefer ?? [])].join(", "), ...options.headers })
          .middlewareOptions([this.retryOptions()]);
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
        if (this.tokenError instanceof ConnectorError) throw this.tokenError;
        if (error instanceof GraphError && error.statusCode === 401 && attempt === 0) {
          this.forceRefresh = true;
          continue;
        }
        throw toConnectorError(error);
      }
    }
  }

  /** Runs the requests through `$batch`; one response per request, in order. */
  async batch(requests: readonly BatchRequest[]): Promise<BatchResponse[]> {
    const results: Array<BatchResponse | undefined> = requests.map(() => undefined);
    let pending = requests.map((_, index) => index);
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      const throttled: number[] = [];
      let wait = 0;
      for (let start = 0; start < pending.length; start += this.parallelPerBatch) {
        const chunk = pending.slice(start, start + this.parallelPerBatch);
        const answer = await this.request<BatchAnswer>("POST", "/$batch", {
          body: {
            requests: chunk.map((index) => {
              const request = requests[index] as BatchRequest;
              const headers: Record<string, string> = { Prefer: this.prefer.join(", "), ...request.headers };
              if (request.body !== undefined) headers["Content-Type"] = "application/json";
              return {
                id: String(index),
                method: request.method,
                url: request.url,
                headers,
                ...(request.body !== undefined ? { body: request.body } : {}),
              };
            }),
          },
        });
        for (const response of answer.responses) {
          const index = Number(response.id);
          const headers = Object.fromEntries(
            Object.entries(response.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
          );
          const result = { status: response.status, headers, body: response.body };
          if (response.status === 429 && attempt + 1 < this.batchAttempts) {
            throttled.push(index);
            wait = Math.max(wait, retryAfterMs(headers["retry-after"]) ?? 1_000);
          }
          results[index] = result;
        }
      }
      if (throttled.length > 0 && wait > this.maxInlineWaitMs * 5) break;
      pending = throttled.sort((a, b) => a - b);
      if (pending.length > 0) await sleep(wait);
    }
    return results.map((result) => result ?? { status: 500, headers: {}, body: undefined });
  }
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
  const message = error instanceof Error ? error.message : String(error);
  return new ConnectorError({ kind: "transient", message: `Graph request failed: ${message}` }, { cause: error });
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
