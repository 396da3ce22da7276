/**
 * Routes as data: each endpoint is `auth → validate (zod) → thin handler → presenter (response schema)`, declared
 * once in a `RouteTable`. The same table mounts the Koa routes, generates the OpenAPI document and drives the
 * security test that asserts every non-public route rejects anonymous callers.
 *
 * Validation: path params against `params`; the query string (GET) or the JSON body (other methods) against
 * `request`. The handler's result is parsed with `response` before it leaves, so a handler can never leak a field
 * the contract does not declare (zod objects strip unknown keys) — this is what keeps secrets out of responses.
 */
import Router from "@koa/router";
import type { Context, Middleware } from "koa";
import type { z } from "zod";
import type { AdminPrincipal } from "../storage/session-store.js";
import type { BridgeUser } from "../storage/user-repository.js";
import { type ApiFamily, HttpError, httpErrors } from "./errors.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

/**
 * public: anyone (health, add-in bootstrap, sign-in redirects). admin: a signed-in Zoho administrator (cookie
 * session; unsafe methods also need the CSRF header). signed-in: any signed-in console user. addin: an add-in user
 * proven by a verified token. webhook: anyone, but the handler verifies the service's own proof (token/clientState).
 */
export type AuthRequirement = "public" | "admin" | "signed-in" | "addin" | "webhook";

export interface RouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  name: string;
  family: ApiFamily;
  method: HttpMethod;
  /** Koa-router style; `:name` segments. */
  path: string;
  auth: AuthRequirement;
  summary?: string;
  params: P;
  request: Q;
  response: R;
  /** Only mounted in sandbox mode. */
  sandboxOnly?: boolean;
  /** Extra middlewares before auth (rate limits). */
  before?: Middleware[];
}

export interface RequestContext {
  requestId: string;
  admin?: AdminPrincipal;
  user?: BridgeUser;
  koa: Context;
}

export type RouteHandler<P extends z.ZodType, Q extends z.ZodType, R extends z.ZodType> = (
  input: { params: z.output<P>; request: z.output<Q> },
  context: RequestContext,
) => Promise<z.input<R>>;

/** How a request proves who it is; app.ts supplies the implementations. */
export interface Authenticators {
  /** Resolves the admin session from the cookie; throws 401/403 HttpError. */
  admin(ctx: Context, options: { requireAdmin: boolean }): Promise<AdminPrincipal>;
  /** Resolves the add-in user from the bearer token; throws 401/403 HttpError. */
  addin(ctx: Context): Promise<BridgeUser>;
}

interface RegisteredRoute {
  spec: RouteSpec;
  handler: RouteHandler<z.ZodType, z.ZodType, z.ZodType>;
}

function issuesOf(error: z.ZodError): unknown[] {
  return error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message, code: issue.code }));
}

export class RouteTable {
  private readonly routes: RegisteredRoute[] = [];

  add<P extends z.ZodType, Q extends z.ZodType, R extends z.ZodType>(
    spec: RouteSpec<P, Q, R>,
    handler: RouteHandler<P, Q, R>,
  ): void {
    if (this.routes.some((route) => route.spec.method === spec.method && route.spec.path === spec.path)) {
      throw new Error(`route ${spec.method} ${spec.path} is declared twice`);
    }
    this.routes.push({ spec, handler: handler as unknown as RouteHandler<z.ZodType, z.ZodType, z.ZodType> });
  }

  get specs(): readonly RouteSpec[] {
    return this.routes.map((route) => route.spec);
  }

  /** Koa router with every route; sandbox-only routes only when `sandbox`. */
  router(authenticators: Authenticators, options: { sandbox: boolean }): Router {
    const router = new Router();
    for (const { spec, handler } of this.routes) {
      if (spec.sandboxOnly && !options.sandbox) continue;
      const endpoint: Middleware = async (ctx) => {
        const context: RequestContext = { requestId: ctx.state.requestId as string, koa: ctx };
        if (spec.auth === "admin" || spec.auth === "signed-in") {
          context.admin = await authenticators.admin(ctx, { requireAdmin: spec.auth === "admin" });
        } else if (spec.auth === "addin") {
          context.user = await authenticators.addin(ctx);
        }
        const params = spec.params.safeParse(ctx.params);
        if (!params.success) throw httpErrors.invalid(spec.family, issuesOf(params.error));
        const raw = spec.method === "GET" ? ctx.query : ((ctx.request as { body?: unknown }).body ?? {});
        const request = spec.request.safeParse(raw);
        if (!request.success) throw httpErrors.invalid(spec.family, issuesOf(request.error));
        const result = await handler({ params: params.data, request: request.data }, context);
        if (ctx.status === 302 || ctx.status === 303) return; // the handler redirected (OAuth flows)
        const shaped = spec.response.safeParse(result);
        if (!shaped.success) {
          throw new HttpError(500, httpErrors.internal(spec.family).code, "the response did not match its contract", {
            route: spec.name,
          });
        }
        ctx.body = shaped.data;
      };
      router.register(spec.path, [spec.method], [...(spec.before ?? []), endpoint], { name: spec.name });
    }
    return router;
  }
}
