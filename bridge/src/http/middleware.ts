/**
 * Cross-cutting middlewares, in the order app.ts mounts them: request id → error shape → security headers.
 * Rate limiting is per route (auth endpoints), see `rateLimit`.
 */
import { randomUUID } from "node:crypto";
import type { Context, Middleware, Next } from "koa";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import { familyOfPath, HttpError, httpErrors } from "./errors.js";

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** Keeps a caller's well-formed X-Request-Id (for tracing through proxies), otherwise makes one. */
export function requestId(): Middleware {
  return async (ctx, next) => {
    const incoming = ctx.get("x-request-id");
    ctx.state.requestId = REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.set("x-request-id", ctx.state.requestId);
    await next();
  };
}

function toHttpError(error: unknown, ctx: Context): HttpError {
  if (error instanceof HttpError) return error;
  const status = (error as { status?: unknown }).status;
  const family = familyOfPath(ctx.path);
  // Body parser failures carry a status and an `expose` flag (http-errors).
  if (status === 413) return httpErrors.payloadTooLarge();
  if (status === 415) return new HttpError(415, "unsupported-media-type", "send JSON (application/json)");
  if (status === 400) return httpErrors.invalid(family, [{ message: "the body is not valid JSON" }]);
  return httpErrors.internal(family);
}

/** The one error middleware: every failure leaves as `{ error: { code, message, details?, requestId } }`. */
export function errorShape(logger: Logger, metrics: Metrics): Middleware {
  return async (ctx: Context, next: Next) => {
    const started = performance.now();
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined)
        throw httpErrors.notFound(familyOfPath(ctx.path), "no such route");
    } catch (error) {
      const failure = toHttpError(error, ctx);
      if (failure.status >= 500)
        logger.error({ err: error, requestId: ctx.state.requestId, path: ctx.path }, "request failed");
      ctx.status = failure.status;
      for (const [name, value] of Object.entries(failure.headers ?? {})) ctx.set(name, value);
      ctx.body = {
        error: {
          code: failure.code,
          message: failure.message,
          ...(failure.details ? { details: failure.details } : {}),
          requestId: ctx.state.requestId,
        },
      };
    } finally {
      const route = (ctx as Context & { _matchedRoute?: string })._matchedRoute ?? "unmatched";
      metrics.httpRequests.inc({ method: ctx.method, route: String(route), status: String(ctx.status) });
      metrics.httpDuration.observe({ route: String(route) }, (performance.now() - started) / 1000);
    }
  };
}

export function securityHeaders(): Middleware {
  return async (ctx, next) => {
    await next();
    ctx.set("x-content-type-options", "nosniff");
    ctx.set("referrer-policy", "no-referrer");
    if (ctx.path.startsWith("/api/")) ctx.set("cache-control", "no-store");
  };
}

/**
 * Fixed-window rate limit per client address and route, in memory (auth endpoints only; one process is enough for
 * what it protects — a brute force against one instance). `limit` requests per `windowMs`.
 */
export function rateLimit(options: { limit: number; windowMs: number; now?: () => number }): Middleware {
  const now = options.now ?? Date.now;
  const windows = new Map<string, { start: number; count: number }>();
  return async (ctx, next) => {
    const key = `${ctx.ip}\u0000${ctx.path}`;
    const at = now();
    let window = windows.get(key);
    if (!window || at - window.start >= options.windowMs) {
      window = { start: at, count: 0 };
      windows.set(key, window);
      if (windows.size > 10_000) for (const [k, w] of windows) if (at - w.start >= options.windowMs) windows.delete(k);
    }
    window.count += 1;
    if (window.count > options.limit) {
      throw httpErrors.tooManyRequests(Math.max(1, Math.ceil((window.start + options.windowMs - at) / 1000)));
    }
    await next();
  };
}
