/** Admin sign-in endpoints (Zoho OAuth) and sign-out; rate-limited because they are reachable without a session. */
import { z } from "zod";
import { beginZohoSignIn, completeZohoSignIn, signOut, type ZohoSignInSettings } from "../security/admin-auth.js";
import type { AppContext } from "./context.js";
import { HttpError } from "./errors.js";
import { rateLimit } from "./middleware.js";
import type { RouteTable } from "./routes.js";

const empty = z.object({});
const redirect = z.undefined();

export function addAuthRoutes(table: RouteTable, context: AppContext): void {
  const limited = [rateLimit({ limit: 20, windowMs: 60_000 })];
  const signInSettings = (): ZohoSignInSettings => {
    const zoho = context.settings.zohoSignIn;
    if (!zoho) throw new HttpError(409, "not-configured", "set ZOHO_CLIENT_ID and ZOHO_CLIENT_SECRET to sign in");
    return { ...zoho, publicUrl: context.settings.publicUrl, sessionLifetimeMs: context.settings.sessionLifetimeMs };
  };
  table.add(
    {
      name: "zohoSignIn",
      family: "admin",
      method: "GET",
      path: "/auth/zoho/login",
      auth: "public",
      summary: "Starts the admin sign-in: redirects to Zoho's consent page",
      params: empty,
      request: z.record(z.string(), z.unknown()),
      response: redirect,
      before: limited,
    },
    async (_input, { koa }) => {
      beginZohoSignIn(koa, signInSettings());
      return undefined;
    },
  );
  table.add(
    {
      name: "zohoSignInCallback",
      family: "admin",
      method: "GET",
      path: "/auth/zoho/callback",
      auth: "public",
      summary: "Zoho redirects here after consent; sets the session and goes to the console",
      params: empty,
      request: z.object({
        code: z.string().optional(),
        state: z.string().optional(),
        "accounts-server": z.string().optional(),
        error: z.string().optional(),
      }),
      response: redirect,
      before: limited,
    },
    async ({ request }, { koa }) => {
      const principal = await completeZohoSignIn(koa, request, signInSettings(), context.storage.sessions);
      await context.storage.audit.record(principal.zohoUserId, "admin.sign-in", { admin: principal.isAdmin });
      koa.redirect("/admin/");
      return undefined;
    },
  );
  table.add(
    {
      name: "signOut",
      family: "admin",
      method: "POST",
      path: "/auth/logout",
      auth: "signed-in",
      params: empty,
      request: empty,
      response: z.object({ signedOut: z.literal(true) }),
      before: limited,
    },
    async (_input, { koa }) => {
      await signOut(koa, context.storage.sessions);
      return { signedOut: true as const };
    },
  );
}
