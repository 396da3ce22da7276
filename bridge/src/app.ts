/**
 * The bridge's Koa application: middlewares in order (request id → error shape → security headers → JSON body with
 * a size limit → static front-ends → routes). Every route is declared in one `RouteTable` (auth → zod validation →
 * thin handler → response schema), which also yields the OpenAPI document.
 */
import { bodyParser } from "@koa/bodyparser";
import Koa from "koa";
import { addAddinCrmRoutes } from "./http/addin-crm-routes.js";
import { addAddinRoutes, serveAddinManifest } from "./http/addin-routes.js";
import { addAdminConnectionTestRoutes } from "./http/admin-connection-test-routes.js";
import { addAdminHoldRoutes } from "./http/admin-hold-routes.js";
import { addAdminMeetingRoutes } from "./http/admin-meeting-routes.js";
import { addAdminRoutes, loadAccessPolicy } from "./http/admin-routes.js";
import { addAuthRoutes } from "./http/auth-routes.js";
import type { AppContext } from "./http/context.js";
import { errorShape, requestId, securityHeaders } from "./http/middleware.js";
import { addOpsRoutes } from "./http/ops-routes.js";
import { RouteTable } from "./http/routes.js";
import { serveDirectory } from "./http/static-files.js";
import { addWebhookRoutes } from "./http/webhook-routes.js";
import { createAddinAuthenticator } from "./security/addin-auth.js";
import { createAdminAuthenticator } from "./security/admin-auth.js";
import type { BridgeUser } from "./storage/user-repository.js";

/** JSON bodies above this are refused with 413 (the largest legitimate one is a settings document). */
export const JSON_BODY_LIMIT = "1mb";

export function buildRouteTable(context: AppContext): RouteTable {
  const table = new RouteTable();
  addOpsRoutes(table, context);
  addAuthRoutes(table, context);
  addAdminRoutes(table, context);
  addAdminMeetingRoutes(table, context);
  addAdminHoldRoutes(table, context);
  addAdminConnectionTestRoutes(table, context);
  addAddinRoutes(table, context);
  addAddinCrmRoutes(table, context);
  addWebhookRoutes(table, context);
  return table;
}

export function createApp(context: AppContext): { app: Koa; routes: RouteTable } {
  const { storage, settings } = context;
  const routes = buildRouteTable(context);
  const mayUse = async (user: BridgeUser) => {
    const policy = await loadAccessPolicy(storage);
    if (policy.audience === "all-users") return true;
    if (policy.audience === "admins") return user.zohoProfile === "Administrator";
    return policy.profileIds.includes(user.zohoProfileId);
  };
  const router = routes.router(
    {
      admin: createAdminAuthenticator(storage.sessions),
      addin: createAddinAuthenticator(storage.users, {
        ...(settings.entra ? { entra: settings.entra } : {}),
        ...(settings.addinUrl
          ? { exchangeIdentity: { addinUrl: settings.addinUrl, allowedHosts: settings.ewsAllowedHosts } }
          : {}),
        ...(context.sandboxKey ? { sandboxKey: context.sandboxKey } : {}),
        mayUse,
      }),
    },
    { sandbox: settings.sandbox },
  );
  const app = new Koa({ proxy: settings.trustProxy ?? false });
  app.use(requestId());
  app.use(errorShape(context.logger, context.metrics));
  app.use(securityHeaders());
  app.use(bodyParser({ enableTypes: ["json"], jsonLimit: JSON_BODY_LIMIT, encoding: "utf-8" }));
  if (settings.consoleDir) app.use(serveDirectory("/admin", settings.consoleDir));
  app.use(serveAddinManifest(settings));
  if (settings.addinDir) app.use(serveDirectory("/addin", settings.addinDir));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return { app, routes };
}
