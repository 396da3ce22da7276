/**
 * Zoho Accounts (OAuth 2.0) for every data centre, and the access-token check of the CRM API.
 *
 * Layout (the simulator's choice, one HTTPS listener for all DCs): the accounts server of DC `xx` is
 * `{base}/xx/accounts` and its API domain is `{base}/xx` (so CRM calls are `{base}/xx/crm/v8/...`). The org lives in
 * one home DC; the authorize page of any DC redirects with `location` and `accounts-server` of the home DC, and the
 * home accounts server alone knows the org's codes and tokens — exchanging a code elsewhere answers `invalid_code`,
 * and a token used on another DC's API domain is `INVALID_TOKEN` (zoho-crm-api.md §1, multi-DC pages).
 *
 * Token endpoint errors are HTTP 200 `{"error":"invalid_code"|"invalid_client"}` (real captures). Limits kept:
 * ≤30 live access tokens per refresh token and ≤20 refresh tokens per user and client (oldest dropped).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ZohoOrg } from "./org.js";
import { errors, type JsonObject, readBody, sendJson, ZohoApiError } from "./wire.js";

export const DATA_CENTRES = ["us", "eu", "in", "au", "jp", "ca", "sa", "cn"] as const;
export type DataCentre = (typeof DATA_CENTRES)[number];

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  /** Registered redirect URIs; any is accepted when empty (a "self client"). */
  redirectUris?: string[];
}

interface Grant {
  clientId: string;
  userId: string;
  scopes: string[];
  redirectUri?: string;
  offline: boolean;
  expiresAt: number;
}

interface RefreshTokenInfo {
  clientId: string;
  userId: string;
  scopes: string[];
  createdAt: number;
  accessTokens: string[];
}

export interface AccessTokenInfo {
  clientId: string;
  userId: string;
  scopes: string[];
  expiresAt: number;
  refreshToken?: string;
}

/** One requirement of a CRM endpoint; satisfied by `ZohoCRM.<area>.ALL`, `.<op>`, `.<sub>.ALL` or `.<sub>.<op>`. */
export interface ScopeNeed {
  area: string;
  op: "READ" | "CREATE" | "UPDATE" | "DELETE";
  sub?: string;
  /** Another service's scope that is needed as well (search needs ZohoSearch.securesearch.READ per D7). */
  also?: string;
}

const MAX_ACCESS_TOKENS_PER_REFRESH = 30;
const MAX_REFRESH_TOKENS_PER_USER = 20;
const GRANT_LIFETIME_MS = 2 * 60 * 1000;

export class ZohoAccounts {
  private readonly clients = new Map<string, OAuthClient>();
  private readonly grants = new Map<string, Grant>();
  private readonly refreshTokens = new Map<string, RefreshTokenInfo>();
  private readonly accessTokens = new Map<string, AccessTokenInfo>();
  accessTokenTtlSeconds: number;

  constructor(
    private readonly org: ZohoOrg,
    readonly homeDc: DataCentre,
    clients: OAuthClient[],
    accessTokenTtlSeconds: number,
  ) {
    for (const client of clients) this.clients.set(client.clientId, client);
    this.accessTokenTtlSeconds = accessTokenTtlSeconds;
  }

  reset(): void {
    this.grants.clear();
    this.refreshTokens.clear();
    this.accessTokens.clear();
  }

  /** What Zoho's developer console does for a "self client": a grant code for the given scopes. */
  createGrantCode(clientId: string, scopes: string[], userId = this.org.primaryUser.id, redirectUri?: string): string {
    const code = `1000.${ZohoOrg.hexId()}.${ZohoOrg.hexId()}`;
    this.grants.set(code, {
      clientId,
      userId,
      scopes,
      redirectUri,
      offline: true,
      expiresAt: this.org.nowMs() + GRANT_LIFETIME_MS,
    });
    return code;
  }

  /** A refresh token issued directly (tests and the sandbox skip the browser step). */
  issueRefreshToken(clientId: string, scopes: string[], userId = this.org.primaryUser.id): string {
    const token = `1000.${ZohoOrg.hexId()}.${ZohoOrg.hexId()}`;
    const own = [...this.refreshTokens].filter(([, info]) => info.userId === userId && info.clientId === clientId);
    if (own.length >= MAX_REFRESH_TOKENS_PER_USER) this.revokeRefreshToken(own[0][0]);
    this.refreshTokens.set(token, { clientId, userId, scopes, createdAt: this.org.nowMs(), accessTokens: [] });
    return token;
  }

  private revokeRefreshToken(token: string): boolean {
    const info = this.refreshTokens.get(token);
    if (!info) return false;
    for (const access of info.accessTokens) this.accessTokens.delete(access);
    this.refreshTokens.delete(token);
    return true;
  }

  private issueAccessToken(clientId: string, userId: string, scopes: string[], refreshToken?: string): string {
    const token = `1000.${ZohoOrg.hexId()}.${ZohoOrg.hexId()}`;
    this.accessTokens.set(token, {
      clientId,
      userId,
      scopes,
      refreshToken,
      expiresAt: this.org.nowMs() + this.accessTokenTtlSeconds * 1000,
    });
    const info = refreshToken ? this.refreshTokens.get(refreshToken) : undefined;
    if (info) {
      info.accessTokens.push(token);
      if (info.accessTokens.length > MAX_ACCESS_TOKENS_PER_REFRESH) {
        this.accessTokens.delete(info.accessTokens.shift() as string);
      }
    }
    return token;
  }

  /** Ends every access token now (as if an hour had passed) — for "expired token" scenarios. */
  expireAccessTokens(): void {
    for (const info of this.accessTokens.values()) info.expiresAt = 0;
  }

  accountsUrl(base: string, dc: DataCentre = this.homeDc): string {
    return `${base}/${dc}/accounts`;
  }

  apiDomain(base: string, dc: DataCentre = this.homeDc): string {
    return `${base}/${dc}`;
  }

  /** `GET /oauth/v2/auth`: auto-approves as the user named by `login_hint` (default: the primary admin). */
  authorize(base: string, query: URLSearchParams, res: ServerResponse): void {
    const client = this.clients.get(query.get("client_id") ?? "");
    const redirectUri = query.get("redirect_uri") ?? "";
    const scopes = splitScopes(query.get("scope"));
    if (!client || !redirectUri || (client.redirectUris?.length && !client.redirectUris.includes(redirectUri))) {
      res.writeHead(400, { "content-type": "text/html;charset=UTF-8" });
      res.end("<html><body><h1>Invalid Client</h1><p>The client or redirect URI is not registered.</p></body></html>");
      return;
    }
    const target = new URL(redirectUri);
    if (query.get("response_type") !== "code" || scopes.length === 0) {
      target.searchParams.set("error", scopes.length === 0 ? "invalid_scope" : "unsupported_response_type");
    } else {
      const hint = query.get("login_hint");
      const user = [...this.org.users.values()].find((u) => u.email === hint && u.status === "active");
      const code = this.createGrantCode(client.clientId, scopes, (user ?? this.org.primaryUser).id, redirectUri);
      const grant = this.grants.get(code);
      if (grant) grant.offline = query.get("access_type") === "offline";
      target.searchParams.set("code", code);
      target.searchParams.set("location", this.homeDc);
      target.searchParams.set("accounts-server", this.accountsUrl(base));
    }
    const state = query.get("state");
    if (state !== null) target.searchParams.set("state", state);
    res.writeHead(302, { location: target.toString(), "content-type": "text/html;charset=UTF-8" });
    res.end();
  }

  /** `POST /oauth/v2/token` and `/oauth/v2/token/revoke`; parameters from the query string or the body. */
  async token(dc: DataCentre, base: string, req: IncomingMessage, url: URL, res: ServerResponse): Promise<void> {
    const params = await tokenParams(req, url);
    const reply = (body: JsonObject) => sendJson(res, 200, body);
    if (url.pathname.endsWith("/revoke")) {
      // Revoking an unknown token is not an error for Zoho clients; they only look at the HTTP status.
      if (dc === this.homeDc) this.revokeRefreshToken(params.get("token") ?? "");
      reply({ status: "success" });
      return;
    }
    if (req.method !== "POST") {
      reply({ error: "invalid_request" });
      return;
    }
    const client = this.clients.get(params.get("client_id") ?? "");
    if (!client || client.clientSecret !== params.get("client_secret") || dc !== this.homeDc) {
      reply({ error: "invalid_client" });
      return;
    }
    const apiDomain = this.apiDomain(base);
    const grantType = params.get("grant_type");
    if (grantType === "authorization_code") {
      const code = params.get("code") ?? "";
      const grant = this.grants.get(code);
      this.grants.delete(code);
      const redirect = params.get("redirect_uri");
      if (
        !grant ||
        grant.clientId !== client.clientId ||
        grant.expiresAt < this.org.nowMs() ||
        (grant.redirectUri && redirect && grant.redirectUri !== redirect)
      ) {
        reply({ error: "invalid_code" });
        return;
      }
      const refresh = grant.offline ? this.issueRefreshToken(client.clientId, grant.scopes, grant.userId) : undefined;
      const access = this.issueAccessToken(client.clientId, grant.userId, grant.scopes, refresh);
      reply({
        access_token: access,
        ...(refresh ? { refresh_token: refresh } : {}),
        scope: grant.scopes.join(" "),
        api_domain: apiDomain,
        token_type: "Bearer",
        expires_in: this.accessTokenTtlSeconds,
      });
      return;
    }
    if (grantType === "refresh_token") {
      const refresh = params.get("refresh_token") ?? "";
      const info = this.refreshTokens.get(refresh);
      if (!info || info.clientId !== client.clientId) {
        reply({ error: "invalid_code" });
        return;
      }
      const access = this.issueAccessToken(client.clientId, info.userId, info.scopes, refresh);
      reply({
        access_token: access,
        scope: info.scopes.join(" "),
        api_domain: apiDomain,
        token_type: "Bearer",
        expires_in: this.accessTokenTtlSeconds,
      });
      return;
    }
    reply({ error: "unsupported_grant_type" });
  }

  /** Resolves `Authorization: Zoho-oauthtoken …` on the home DC's API domain; throws Zoho's 401s. */
  authenticate(dc: DataCentre, header: string | undefined): AccessTokenInfo {
    const match = /^Zoho-oauthtoken\s+(\S+)$/.exec(header?.trim() ?? "");
    if (!match) throw errors.authenticationFailure();
    const info = this.accessTokens.get(match[1]);
    if (!info || dc !== this.homeDc || info.expiresAt <= this.org.nowMs()) throw errors.invalidToken();
    const user = this.org.users.get(info.userId);
    if (user?.status !== "active") throw errors.invalidToken();
    return info;
  }
}

export function hasScope(granted: readonly string[], need: ScopeNeed): boolean {
  const lower = new Set(granted.map((scope) => scope.toLowerCase()));
  const area = `zohocrm.${need.area.toLowerCase()}`;
  const op = need.op.toLowerCase();
  const candidates = [`${area}.all`, `${area}.${op}`];
  if (need.sub) candidates.push(`${area}.${need.sub.toLowerCase()}.all`, `${area}.${need.sub.toLowerCase()}.${op}`);
  if (!candidates.some((candidate) => lower.has(candidate))) return false;
  if (!need.also) return true;
  const also = need.also.toLowerCase();
  return lower.has(also) || lower.has(also.replace(/\.[a-z]+$/, ".all"));
}

export function requireScope(token: AccessTokenInfo, need: ScopeNeed): void {
  if (!hasScope(token.scopes, need)) throw errors.scopeMismatch();
}

function splitScopes(value: string | null): string[] {
  return (value ?? "")
    .split(/[,\s]+/)
    .map((scope) => scope.trim())
    .filter(Boolean);
}

async function tokenParams(req: IncomingMessage, url: URL): Promise<URLSearchParams> {
  const params = new URLSearchParams(url.searchParams);
  const contentType = req.headers["content-type"] ?? "";
  const raw = await readBody(req);
  if (raw.length === 0) return params;
  if (contentType.startsWith("application/x-www-form-urlencoded") || contentType.startsWith("multipart/form-data")) {
    try {
      const form = await new Response(new Uint8Array(raw), { headers: { "content-type": contentType } }).formData();
      for (const [key, value] of form) if (typeof value === "string") params.set(key, value);
    } catch {
      throw new ZohoApiError(400, "INVALID_REQUEST", "the request body could not be read");
    }
  }
  return params;
}
