/**
 * Zoho OAuth for one CRM user (zoho-crm-api.md §1).
 *
 * - The authorization code is exchanged at the `accounts-server` the authorize redirect named (EU/IN/AU users are
 *   redirected there), and every CRM call goes to the `api_domain` the token answer returned — never a hard-coded
 *   zohoapis.com.
 * - Token endpoint errors come back as HTTP 200 `{"error": …}`: success is "has an access_token", not the status.
 * - The access token is cached until shortly before `expires_in` (each refresh token keeps only 30 live access
 *   tokens and Zoho throttles rapid generation), refreshed once on demand, and concurrent callers share one refresh.
 * - Secrets (client secret, refresh and access tokens) never reach a log line or an error message.
 */
import { ConnectorError } from "../errors.js";

export interface ZohoOAuthConfig {
  clientId: string;
  clientSecret: string;
  /** Accounts server of the user's data centre, e.g. `https://accounts.zoho.eu` (from the `accounts-server` param). */
  accountsServer: string;
  refreshToken: string;
  /** Known API domain (from the first token answer); refreshed answers may update it. */
  apiDomain?: string;
}

export interface ZohoTokenAnswer {
  refreshToken?: string;
  accessToken: string;
  apiDomain: string;
  expiresInSeconds: number;
}

/** Renew this long before Zoho's expiry (at most a tenth of the lifetime), so a token never dies in flight. */
const EXPIRY_MARGIN_MS = 60_000;

interface TokenResponse {
  access_token?: string;
  refresh_token?: string;
  api_domain?: string;
  expires_in?: number;
  expires_in_sec?: number;
  error?: string;
}

async function postToken(url: string, params: Record<string, string>): Promise<TokenResponse> {
  let response: Response;
  try {
    response = await fetch(url, { method: "POST", body: new URLSearchParams(params) });
  } catch (error) {
    throw new ConnectorError({ kind: "transient", message: "Zoho accounts server unreachable" }, { cause: error });
  }
  const text = await response.text();
  if (response.status === 429) {
    throw new ConnectorError({ kind: "throttled", message: "Zoho accounts server throttled", retryAfterMs: 60_000 });
  }
  if (response.status >= 500)
    throw new ConnectorError({ kind: "transient", message: `accounts server ${response.status}` });
  try {
    return JSON.parse(text) as TokenResponse;
  } catch {
    throw new ConnectorError({ kind: "transient", message: "malformed answer from the Zoho accounts server" });
  }
}

function answer(body: TokenResponse, fallbackDomain: string | undefined): ZohoTokenAnswer {
  // Token errors are HTTP 200 with an `error` key (invalid_code = revoked/expired grant or refresh token).
  if (!body.access_token) {
    throw new ConnectorError({
      kind: "auth-expired",
      message: `Zoho refused the token request (${body.error ?? "no token"})`,
    });
  }
  const apiDomain = body.api_domain ?? fallbackDomain;
  if (!apiDomain) throw new ConnectorError({ kind: "transient", message: "token answer without api_domain" });
  // SDK8 rule: with `expires_in_sec` present, `expires_in` is in milliseconds.
  const seconds = body.expires_in_sec ?? body.expires_in ?? 3600;
  return { accessToken: body.access_token, refreshToken: body.refresh_token, apiDomain, expiresInSeconds: seconds };
}

/** Exchanges an authorization code at the accounts server the redirect named. */
export async function exchangeAuthorizationCode(options: {
  accountsServer: string;
  clientId: string;
  clientSecret: string;
  code: string;
  redirectUri: string;
}): Promise<ZohoTokenAnswer & { refreshToken: string }> {
  const body = await postToken(`${options.accountsServer}/oauth/v2/token`, {
    grant_type: "authorization_code",
    client_id: options.clientId,
    client_secret: options.clientSecret,
    redirect_uri: options.redirectUri,
    code: options.code,
  });
  const result = answer(body, undefined);
  if (!result.refreshToken) {
    throw new ConnectorError({ kind: "auth-expired", message: "no refresh_token: authorize with access_type=offline" });
  }
  return { ...result, refreshToken: result.refreshToken };
}

export class ZohoOAuth {
  private accessToken: string | undefined;
  private expiresAt = 0;
  private pending: Promise<string> | undefined;
  private domain: string | undefined;

  constructor(
    private readonly config: ZohoOAuthConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.domain = config.apiDomain;
  }

  /** The API domain to call; known after the first token. */
  async apiDomain(): Promise<string> {
    if (!this.domain) await this.token();
    return this.domain as string;
  }

  /** A valid access token, refreshing when the cached one is (nearly) expired. */
  async token(): Promise<string> {
    if (this.accessToken && this.now() < this.expiresAt) return this.accessToken;
    return this.refresh();
  }

  /** Forgets the cached token (after a 401 INVALID_TOKEN) and fetches a new one; concurrent callers share it. */
  refresh(): Promise<string> {
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  invalidate(rejected: string): void {
    if (this.accessToken === rejected) {
      this.accessToken = undefined;
      this.expiresAt = 0;
    }
  }

  private async fetchToken(): Promise<string> {
    const body = await postToken(`${this.config.accountsServer}/oauth/v2/token`, {
      grant_type: "refresh_token",
      client_id: this.config.clientId,
      client_secret: this.config.clientSecret,
      refresh_token: this.config.refreshToken,
    });
    const result = answer(body, this.domain);
    this.accessToken = result.accessToken;
    this.domain = result.apiDomain;
    const lifetimeMs = result.expiresInSeconds * 1000;
    this.expiresAt = this.now() + lifetimeMs - Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 10);
    return result.accessToken;
  }

  /** Revokes the refresh token (uninstall). */
  async revoke(): Promise<void> {
    const url = `${this.config.accountsServer}/oauth/v2/token/revoke?${new URLSearchParams({ token: this.config.refreshToken })}`;
    const response = await fetch(url, { method: "POST" });
    await response.arrayBuffer();
    if (response.status >= 400)
      throw new ConnectorError({ kind: "transient", message: `revoke failed (${response.status})` });
    this.accessToken = undefined;
    this.expiresAt = 0;
  }
}
