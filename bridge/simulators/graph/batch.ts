/**
 * JSON batching (json-batching.md): `POST /$batch {"requests":[{id, method, url, headers?, body?, dependsOn?}]}`,
 * at most 20 requests with unique ids. The outer answer is 200 whenever the payload parses; each inner request has
 * its own status. Requests run in waves: a wave is every request whose dependencies are done, executed in parallel —
 * so a wave of more than 4 requests to one mailbox trips the concurrency limit exactly as the service's does, with
 * an inner 429 and inner `Retry-After` while the batch itself stays 200. A request whose dependency failed gets
 * 424 Failed Dependency.
 */
import { badRequest, errorBody } from "./errors.js";
import type { GraphRequest, GraphResponse } from "./request.js";
import type { MailboxThrottle } from "./throttle.js";

interface InnerRequest {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  dependsOn?: string[];
}

export interface BatchExecutor {
  toRequest(inner: {
    method: string;
    url: string;
    headers: Record<string, string | undefined>;
    body: unknown;
  }): GraphRequest;
  throttleKey(req: GraphRequest): string | undefined;
  throttle: MailboxThrottle;
  handle(req: GraphRequest): Promise<GraphResponse>;
}

const MAX_REQUESTS = 20;

function titleCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, dash: string, letter: string) => dash + letter.toUpperCase());
}

function readRequests(body: unknown): InnerRequest[] {
  const requests = (body as { requests?: unknown } | undefined)?.requests;
  if (!Array.isArray(requests)) throw badRequest("Invalid batch payload format.");
  if (requests.length > MAX_REQUESTS)
    throw badRequest(`The number of requests in the batch exceeds the limit of ${MAX_REQUESTS}.`);
  const ids = new Set<string>();
  for (const request of requests as InnerRequest[]) {
    if (typeof request?.id !== "string" || typeof request.method !== "string" || typeof request.url !== "string") {
      throw badRequest("Each batch request needs id, method and url.");
    }
    if (ids.has(request.id)) throw badRequest(`Batch request contains duplicate id '${request.id}'.`);
    ids.add(request.id);
  }
  for (const request of requests as InnerRequest[]) {
    for (const dependency of request.dependsOn ?? []) {
      if (!ids.has(dependency)) throw badRequest(`Request '${request.id}' depends on unknown request '${dependency}'.`);
    }
  }
  return requests as InnerRequest[];
}

function innerResponse(id: string, response: GraphResponse): Record<string, unknown> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers ?? {})) headers[titleCase(name)] = value;
  if (response.body !== undefined) headers["Content-Type"] ??= "application/json";
  const inner: Record<string, unknown> = { id, status: response.status, headers };
  if (response.body !== undefined) inner.body = response.body;
  return inner;
}

export async function runBatch(body: unknown, executor: BatchExecutor): Promise<GraphResponse> {
  const requests = readRequests(body);
  const results = new Map<string, GraphResponse>();
  let remaining = requests;
  while (remaining.length > 0) {
    const wave = remaining.filter((request) =>
      (request.dependsOn ?? []).every((dependency) => results.has(dependency)),
    );
    if (wave.length === 0) throw badRequest("The batch contains a dependency cycle.");
    remaining = remaining.filter((request) => !wave.includes(request));
    const admitted: Array<{ request: InnerRequest; req: GraphRequest; key: string | undefined }> = [];
    for (const request of wave) {
      const failed = (request.dependsOn ?? []).some((dependency) => (results.get(dependency)?.status ?? 500) >= 400);
      if (failed) {
        results.set(request.id, {
          status: 424,
          body: errorBody(
            "FailedDependency",
            "The request could not be executed because a request it depends on failed.",
          ),
        });
        continue;
      }
      if (
        request.body !== undefined &&
        !Object.keys(request.headers ?? {}).some((name) => name.toLowerCase() === "content-type")
      ) {
        results.set(request.id, {
          status: 400,
          body: errorBody("BadRequest", "Content-Type header must be specified when a request has a body."),
        });
        continue;
      }
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
      let req: GraphRequest;
      try {
        req = executor.toRequest({
          method: request.method.toUpperCase(),
          url: request.url,
          headers,
          body: request.body,
        });
      } catch {
        results.set(request.id, {
          status: 400,
          body: errorBody("BadRequest", `Invalid request URL '${request.url}'.`),
        });
        continue;
      }
      const key = executor.throttleKey(req);
      const refusal = key === undefined ? undefined : executor.throttle.admit(key);
      if (refusal) results.set(request.id, refusal);
      else admitted.push({ request, req, key });
    }
    const answers = await Promise.all(admitted.map(({ req }) => executor.handle(req)));
    admitted.forEach(({ request, key }, index) => {
      if (key !== undefined) executor.throttle.release(key);
      results.set(request.id, answers[index] ?? { status: 500 });
    });
  }
  return {
    status: 200,
    body: {
      responses: requests.map((request) => innerResponse(request.id, results.get(request.id) ?? { status: 500 })),
    },
  };
}
