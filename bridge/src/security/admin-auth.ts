/**
 * Admin sign-in through Zoho OAuth, and the cookie session it creates.
 *
 * Flow: GET /auth/zoho/login → 302 to Zoho's consent page with a random `state` (also kept in an httpOnly cookie)
 * → Zoho redirects to GET /auth/zoho/callback → state compared in constant time, code exchanged at the allowed
 * accounts server, the signed-in user read from `GET {api_domain}/crm/v8/users?type=CurrentUser`. Whether they are
 * an administrator comes from their Zoho profile ("Administrator"), never from the browser. The Zoho token is used
 * once and dropped; only the session lives on.
 *
 * CSRF: the session cookie is SameSite=Lax and httpOnly; every unsafe request must also carry `X-CSRF-Token` equal
 * to the session's token, which the console reads from the `bridge_csrf` cookie (double submit). A cross-site form
 * can neither read that cookie nor set the header.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Context } from "koa";
import { z } from "zod";
import { httpErrors } from "../http/errors.js";
import type { AdminPrincipal, SessionStore } from "../storage/session-store.js";
import { allowedAccountsServer, exchangeZohoCode } from "./zoho-accounts.js";

export const SESSION_COOKIE = "bridge_session";
export const CSRF_COOKIE = "bridge_csrf";
export const CSRF_HEADER = "x-csrf-token";
const STATE_COOKIE = "bridge_oauth_state";
const SIGN_IN_SCOPES = "ZohoCRM.users.READ,ZohoCRM.org.READ";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface ZohoSignInSettings {
  clientId: string;
  clientSecret: string;
  accountsUrl: string;
  /** The bridge's public origin; the redirect URI registered in Zoho's API console is `{origin}/auth/zoho/callback`. */
  publicUrl: string;
  sessionLifetimeMs: number;
}

function equalSecrets(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function cookieOptions(ctx: Context) {
  return { httpOnly: true, sameSite: "lax" as const, secure: ctx.protocol === "https", path: "/", overwrite: true };
}

export function createAdminAuthenticator(sessions: SessionStore) {
  return async (ctx: Context, options: { requireAdmin: boolean }): Promise<AdminPrincipal> => {
    const id = ctx.cookies.get(SESSION_COOKIE);
    const session = id ? await sessions.find(id) : undefined;
    if (!session) throw httpErrors.unauthenticated("admin", "sign in with Zoho first");
    if (!SAFE_METHODS.has(ctx.method)) {
      const presented = ctx.get(CSRF_HEADER);
      if (!presented || !equalSecrets(presented, session.csrfToken)) {
        throw httpErrors.forbidden("admin", "missing or wrong X-CSRF-Token header");
      }
    }
    if (options.requireAdmin && !session.principal.isAdmin) {
      throw httpErrors.forbidden("admin", "only Zoho CRM administrators may change the bridge");
    }
    return session.principal;
  };
}

const currentUserSchema = z.object({
  users: z
    .array(
      z.object({
        id: z.string(),
        full_name: z.string().optional(),
        email: z.string(),
        profile: z.object({ id: z.string(), name: z.string() }),
      }),
    )
    .min(1),
});

/** Starts the sign-in: remembers a random state and sends the browser to Zoho. */
export function beginZohoSignIn(ctx: Context, settings: ZohoSignInSettings): void {
  const state = randomBytes(24).toString("base64url");
  ctx.cookies.set(STATE_COOKIE, state, { ...cookieOptions(ctx), maxAge: 10 * 60_000 });
  const authorize = new URL(`${settings.accountsUrl.replace(/\/+$/, "")}/oauth/v2/auth`);
  authorize.search = new URLSearchParams({
    scope: SIGN_IN_SCOPES,
    client_id: settings.clientId,
    response_type: "code",
    access_type: "online",
    redirect_uri: `${settings.publicUrl}/auth/zoho/callback`,
    state,
    prompt: "consent",
  }).toString();
  ctx.redirect(authorize.toString());
}

/** Completes the sign-in; on success sets the session and CSRF cookies. Throws 401 HttpErrors on every failure. */
export async function completeZohoSignIn(
  ctx: Context,
  query: { code?: string; state?: string; "accounts-server"?: string; error?: string },
  settings: ZohoSignInSettings,
  sessions: SessionStore,
): Promise<AdminPrincipal> {
  const expected = ctx.cookies.get(STATE_COOKIE);
  ctx.cookies.set(STATE_COOKIE, null, cookieOptions(ctx));
  if (!expected || !query.state || !equalSecrets(expected, query.state)) {
    throw httpErrors.unauthenticated("admin", "sign-in state mismatch; start again");
  }
  if (query.error || !query.code)
    throw httpErrors.unauthenticated("admin", `Zoho refused: ${query.error ?? "no code"}`);
  const accounts = allowedAccountsServer(query["accounts-server"] ?? settings.accountsUrl, settings.accountsUrl);
  if (!accounts) throw httpErrors.unauthenticated("admin", "unknown Zoho accounts server");
  const token = await exchangeZohoCode(accounts, {
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    redirectUri: `${settings.publicUrl}/auth/zoho/callback`,
    code: query.code,
  });
  if (!token.access_token || !token.api_domain) {
    throw httpErrors.unauthenticated("admin", `Zoho sign-in failed (${token.error ?? "no token"})`);
  }
  const response = await fetch(`${token.api_domain}/crm/v8/users?type=CurrentUser`, {
    headers: { authorization: `Zoho-oauthtoken ${token.access_token}` },
  });
  const parsed = currentUserSchema.safeParse(response.ok ? await response.json() : undefined);
  if (!parsed.success) throw httpErrors.unauthenticated("admin", "could not read the signed-in Zoho user");
  const [user] = parsed.data.users;
  if (!user) throw httpErrors.unauthenticated("admin", "could not read the signed-in Zoho user");
  const principal: AdminPrincipal = {
    zohoUserId: user.id,
    name: user.full_name ?? user.email,
    email: user.email,
    profileId: user.profile.id,
    profileName: user.profile.name,
    isAdmin: user.profile.name === "Administrator",
  };
  const session = await sessions.create(principal, settings.sessionLifetimeMs);
  const lifetime = { maxAge: settings.sessionLifetimeMs };
  ctx.cookies.set(SESSION_COOKIE, session.id, { ...cookieOptions(ctx), ...lifetime });
  ctx.cookies.set(CSRF_COOKIE, session.csrfToken, { ...cookieOptions(ctx), ...lifetime, httpOnly: false });
  return principal;
}

export async function signOut(ctx: Context, sessions: SessionStore): Promise<void> {
  const id = ctx.cookies.get(SESSION_COOKIE);
  if (id) await sessions.destroy(id);
  ctx.cookies.set(SESSION_COOKIE, null, cookieOptions(ctx));
  ctx.cookies.set(CSRF_COOKIE, null, { ...cookieOptions(ctx), httpOnly: false });
}
