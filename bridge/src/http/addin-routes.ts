/**
 * Add-in API routes, implemented from the contract in `api/addin.ts`. The user is always the one the verified token
 * names (`RequestContext.user`); no route takes a user or mailbox from the request, so user A can never reach user
 * B's data through these routes.
 */
import type { Middleware } from "koa";
import { z } from "zod";
import { ADDIN_STATIC_BASE, type AddinRouteName, addinRoutes, type moduleSyncStatusSchema } from "../api/addin.js";
import { renderAddinManifest } from "../api/addin-manifest.js";
import { SYNC_MODULES, type SyncModuleName } from "../connectors/port.js";
import { mintSandboxToken } from "../security/addin-auth.js";
import { loadSyncSettings } from "../services/sync-settings.js";
import type { BridgeUser } from "../storage/user-repository.js";
import { type AppContext, enqueueUser } from "./context.js";
import { HttpError, httpErrors } from "./errors.js";
import type { RouteHandler, RouteSpec, RouteTable } from "./routes.js";

type Spec<N extends AddinRouteName> = (typeof addinRoutes)[N];

const emptyParams = z.object({});
type ModuleStatus = z.input<typeof moduleSyncStatusSchema>;

const DIRECTION = {
  "two-way": "two-way",
  "zoho-to-exchange": "crm-to-exchange",
  "exchange-to-zoho": "exchange-to-crm",
} as const;

function stateOf(user: BridgeUser): ModuleStatus["state"] {
  switch (user.status) {
    case "pending":
      return "queued";
    case "syncing":
      return "syncing";
    case "throttled":
      return "throttled";
    case "needs-reauthorization":
      return "needs-reauthorization";
    case "failed":
      return "failed";
    case "succeeded":
      return "idle";
  }
}

async function mySyncStatus(context: AppContext, user: BridgeUser) {
  const settings = await loadSyncSettings(context.storage.settings);
  const latest = new Map((await context.storage.runs.latestPerModule(user.id)).map((run) => [run.module, run]));
  const modules: ModuleStatus[] = (["contacts", "events", "tasks", "emails"] as const).map((module) => {
    const chosen = settings.modules[module];
    const run = latest.get(module);
    const errors = run?.totals.error ?? 0;
    return {
      module,
      enabled: chosen.enabled && user.moduleOverrides[module] !== false,
      // The admin fixes modules for everyone unless a module is on; users may then switch their own off and on.
      userMayToggle: chosen.enabled,
      direction: DIRECTION[chosen.direction],
      state: stateOf(user),
      throttledUntil: user.throttledUntil,
      lastSync: run
        ? {
            finishedAt: run.finishedAt,
            outcome: run.status === "aborted" ? "failed" : errors > 0 ? "partial" : "succeeded",
            created: (run.totals["created.exchange"] ?? 0) + (run.totals["created.crm"] ?? 0),
            updated: (run.totals["updated.exchange"] ?? 0) + (run.totals["updated.crm"] ?? 0),
            deleted: (run.totals["deleted.exchange"] ?? 0) + (run.totals["deleted.crm"] ?? 0),
            errors,
          }
        : null,
    };
  });
  const recentErrors =
    user.status === "failed" || user.status === "needs-reauthorization"
      ? [
          {
            at: user.updatedAt,
            module: "contacts" as const,
            itemLabel: null,
            code: user.status === "failed" ? "SYNC_FAILED" : "NEEDS_REAUTHORIZATION",
            message: user.statusReason ?? "sync failed",
          },
        ]
      : [];
  return { mailbox: user.mailbox, displayName: user.fullName, modules, recentErrors };
}

/**
 * `GET /addin/manifest.xml`: the add-in manifest rendered for this bridge's public URL (read per request, so it
 * follows the configuration), ready to upload in the Microsoft 365 admin center or with `New-App` on-premises.
 */
export function serveAddinManifest(settings: { publicUrl: string }): Middleware {
  const path = `${ADDIN_STATIC_BASE}manifest.xml`;
  return async (ctx, next) => {
    if (ctx.path !== path || (ctx.method !== "GET" && ctx.method !== "HEAD")) return next();
    ctx.type = "application/xml; charset=utf-8";
    ctx.set("cache-control", "no-cache");
    ctx.body = renderAddinManifest({ publicUrl: settings.publicUrl });
  };
}

/**
 * Registers add-in routes straight from the contract (`api/addin.ts`): method, path, auth and schemas come from there.
 * `onError` turns the handler's failures into HTTP errors where a route family needs its own translation.
 */
export function addinRouteAdder(table: RouteTable, onError?: (error: unknown) => never) {
  return <N extends AddinRouteName>(
    name: N,
    handler: RouteHandler<typeof emptyParams, Spec<N>["request"], Spec<N>["response"]>,
  ): void => {
    const contract = addinRoutes[name];
    const spec: RouteSpec<typeof emptyParams, Spec<N>["request"], Spec<N>["response"]> = {
      name,
      family: "addin",
      method: contract.method,
      path: contract.path,
      auth: contract.authenticated ? "addin" : "public",
      summary: contract.summary,
      sandboxOnly: contract.sandboxOnly,
      params: emptyParams,
      request: contract.request as Spec<N>["request"],
      response: contract.response as Spec<N>["response"],
    };
    const guarded: typeof handler = onError ? (input, request) => handler(input, request).catch(onError) : handler;
    table.add(spec, guarded);
  };
}

export function addAddinRoutes(table: RouteTable, context: AppContext): void {
  const { storage } = context;
  const add = addinRouteAdder(table);

  add("config", async () => {
    const entra = context.settings.entra;
    return {
      bridgeVersion: context.settings.bridgeVersion,
      naa: entra
        ? {
            clientId: entra.clientId,
            authority: `${entra.authorityHost}/${entra.tenantId}`,
            scopes: [`api://${entra.clientId}/${entra.apiScope}`],
          }
        : null,
      exchangeIdentity: Boolean(context.settings.addinUrl && context.settings.ewsAllowedHosts.length > 0),
      sandbox: context.settings.sandbox,
      zohoWebUrl: null,
    };
  });

  add("mySyncStatus", async (_input, { user }) => mySyncStatus(context, user as BridgeUser));

  add("updateMySync", async ({ request }, { user }) => {
    const me = user as BridgeUser;
    const settings = await loadSyncSettings(storage.settings);
    const overrides = { ...me.moduleOverrides };
    for (const change of request.modules) {
      if (!settings.modules[change.module].enabled) {
        throw new HttpError(
          403,
          "MODULE_NOT_USER_CONTROLLED",
          `${change.module} is switched off for everyone by the admin`,
        );
      }
      overrides[change.module] = change.enabled;
    }
    await storage.users.setModuleOverrides(me.id, overrides);
    return mySyncStatus(context, (await storage.users.byId(me.id)) ?? me);
  });

  add("syncNow", async ({ request }, { user }) => {
    const me = user as BridgeUser;
    if (!me.selected)
      throw new HttpError(403, "MAILBOX_NOT_ENABLED", "the admin has not selected your mailbox for sync");
    const settings = await loadSyncSettings(storage.settings);
    const modules = SYNC_MODULES.filter(
      (module: SyncModuleName) =>
        (!request.modules || request.modules.includes(module)) &&
        settings.modules[module].enabled &&
        me.moduleOverrides[module] !== false,
    );
    return { queued: await enqueueUser(context, me.id, modules, "manual") };
  });

  add("sandboxToken", async ({ request }) => {
    const key = context.sandboxKey;
    if (!key) throw httpErrors.notFound("addin");
    const user = await storage.users.byMailbox(request.mailbox);
    if (!user) throw new HttpError(404, "MAILBOX_NOT_ENABLED", "no simulated mailbox with that address");
    const { token, expiresAt } = await mintSandboxToken(key, user.mailbox);
    return { tokenType: "sandbox" as const, accessToken: token, expiresOn: expiresAt.toISOString() };
  });
}
