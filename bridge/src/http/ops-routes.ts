/**
 * Operational endpoints: liveness, readiness (the database answers), Prometheus metrics and the OpenAPI document.
 * /healthz and /readyz are public by design; /metrics wants a bearer token or a loopback caller; the OpenAPI
 * document is for signed-in console users.
 */
import { timingSafeEqual } from "node:crypto";
import { sql } from "kysely";
import { z } from "zod";
import type { AppContext } from "./context.js";
import { httpErrors } from "./errors.js";
import { openApiDocument } from "./openapi.js";
import type { RouteTable } from "./routes.js";

const status = z.object({ status: z.enum(["ok", "unavailable"]) });
const empty = z.object({});
const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

export function addOpsRoutes(table: RouteTable, context: AppContext): void {
  table.add(
    {
      name: "healthz",
      family: "ops",
      method: "GET",
      path: "/healthz",
      auth: "public",
      params: empty,
      request: empty,
      response: status,
    },
    async () => ({ status: "ok" as const }),
  );
  table.add(
    {
      name: "readyz",
      family: "ops",
      method: "GET",
      path: "/readyz",
      auth: "public",
      params: empty,
      request: empty,
      response: status,
    },
    async (_input, { koa }) => {
      try {
        await sql`select 1`.execute(context.storage.db);
        return { status: "ok" as const };
      } catch {
        koa.status = 503;
        return { status: "unavailable" as const };
      }
    },
  );
  table.add(
    {
      name: "metrics",
      family: "ops",
      method: "GET",
      path: "/metrics",
      auth: "public",
      summary: "Prometheus metrics (bearer token, or loopback callers when no token is configured)",
      params: empty,
      request: z.record(z.string(), z.unknown()),
      response: z.string(),
    },
    async (_input, { koa }) => {
      const token = context.settings.metricsToken;
      const presented = koa.get("authorization").replace(/^Bearer /i, "");
      const allowed = token
        ? presented.length === token.length && timingSafeEqual(Buffer.from(presented), Buffer.from(token))
        : LOOPBACK.has(koa.ip);
      if (!allowed) throw httpErrors.unauthenticated("ops", "metrics need the configured bearer token");
      context.metrics.queueDepth.set(await context.queue.depth());
      koa.type = context.metrics.registry.contentType;
      return context.metrics.registry.metrics();
    },
  );
  table.add(
    {
      name: "openapi",
      family: "ops",
      method: "GET",
      path: "/openapi.json",
      auth: "signed-in",
      params: empty,
      request: z.record(z.string(), z.unknown()),
      response: z.record(z.string(), z.unknown()),
    },
    async () => openApiDocument(table, context.settings.bridgeVersion),
  );
}
