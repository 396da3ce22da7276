/**
 * The Microsoft identity platform (v2.0 endpoints) for the simulated tenants.
 *
 * Tokens are real RS256 JWTs signed with a key published at the JWKS endpoint, so the bridge validates them the way
 * it validates Entra tokens. Grants: client_credentials (secret), authorization_code with PKCE (S256 or plain) and
 * refresh_token. User grants return `id_token` and `client_info` (base64url `{"uid","utid"}`), which MSAL needs to
 * create a cached account. Errors use the token endpoint's documented shape: `error`, `error_description`
 * ("AADSTSnnnn: …"), `error_codes`, `timestamp`, `trace_id`, `correlation_id`.
 */
import { createHash, randomBytes, randomUUID, X509Certificate } from "node:crypto";
import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importX509,
  type JWK,
  jwtVerify,
  SignJWT,
} from "jose";
import { unauthorized } from "./errors.js";
import type { AppRegistration, Directory, Tenant } from "./store.js";

export const GRAPH_RESOURCE = "https://graph.microsoft.com";
const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
const OIDC_SCOPES = new Set(["openid", "profile", "offline_access", "email"]);
const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

export interface IdentityOptions {
  accessTokenLifetimeSeconds: number;
  refreshTokenLifetimeSeconds: number;
  authCodeLifetimeSeconds: number;
}

/** Who is calling Graph, as read from a verified access token. */
export interface Principal {
  tenant: Tenant;
  app: AppRegistration;
  /** Set for delegated tokens: the signed-in user's object id. */
  userId?: string;
  /** Application permissions (`roles`) or delegated scopes (`scp`). */
  permissions: Set<string>;
}

export interface TokenEndpointResult {
  status: number;
  body: Record<string, unknown>;
}

/** What a user consented to at `/authorize`, bound to the code it returns. */
export interface AuthorizeParams {
  tenant: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  scopes: string[];
  codeChallenge?: string;
  codeChallengeMethod?: string;
  nonce?: string;
}

interface AuthCode extends Omit<AuthorizeParams, "tenant"> {
  tenantId: string;
  expiresAt: number;
  redeemed: boolean;
}

interface RefreshGrant {
  tenantId: string;
  clientId: string;
  userId: string;
  scopes: string[];
  expiresAt: number;
}

class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly aadsts: number,
    message: string,
  ) {
    super(message);
  }
}

function oauthErrorBody(failure: OAuthError): Record<string, unknown> {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace("T", " ").slice(0, 19);
  return {
    error: failure.error,
    error_description: `AADSTS${failure.aadsts}: ${failure.message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}Z`,
    error_codes: [failure.aadsts],
    timestamp: `${timestamp}Z`,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${failure.aadsts}`,
  };
}

function base64url(value: string): string {
  return Buffer.from(value, "utf8").toString("base64url");
}

export class IdentityPlatform {
  private keys: KeyPair | undefined;
  private publicJwk: JWK | undefined;
  private readonly codes = new Map<string, AuthCode>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();
  /** Apps whose tokens issued up to (and including) this second are no longer accepted. */
  private readonly revokedApps = new Map<string, number>();
  baseUrl = "https://login.microsoftonline.com";

  constructor(
    private readonly directory: Directory,
    readonly options: IdentityOptions,
  ) {}

  async init(): Promise<void> {
    if (this.keys) return;
    this.keys = await generateKeyPair("RS256", { extractable: true });
    const jwk = await exportJWK(this.keys.publicKey);
    const kid = await calculateJwkThumbprint(jwk);
    this.publicJwk = { ...jwk, kid, use: "sig", alg: "RS256" };
  }

  reset(): void {
    this.codes.clear();
    this.refreshTokens.clear();
    this.revokedApps.clear();
  }

  issuer(tenantId: string): string {
    return `${this.baseUrl}/${tenantId}/v2.0`;
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.publicJwk ? [this.publicJwk] : [] };
  }

  openIdConfiguration(tenantSegment: string): Record<string, unknown> {
    const tenant = this.directory.tenantByIdOrDomain(tenantSegment);
    const issuerTenant = tenant?.id ?? "{tenantid}";
    const base = `${this.baseUrl}/${tenantSegment}`;
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ["query", "fragment", "form_post"],
      subject_types_supported: ["pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
      response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
      scopes_supported: ["openid", "profile", "email", "offline_access"],
      issuer: `${this.baseUrl}/${issuerTenant}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${this.baseUrl}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ["sub", "iss", "aud", "exp", "iat", "nonce", "preferred_username", "name", "tid", "ver", "oid"],
      tenant_region_scope: "EU",
      cloud_instance_name: "microsoftonline.com",
      cloud_graph_host_name: "graph.windows.net",
      msgraph_host: "graph.microsoft.com",
    };
  }

  /** Instance discovery answer (MSAL asks it unless the authority is in `knownAuthorities`). */
  instanceDiscovery(): Record<string, unknown> {
    const host = new URL(this.baseUrl).host;
    return {
      tenant_discovery_endpoint: `${this.baseUrl}/{tenant}/v2.0/.well-known/openid-configuration`,
      "api-version": "1.1",
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    };
  }

  /**
   * The sign-in + consent step of `/authorize`, decided for `userId` (the sandbox's auto-consent page and tests
   * call this). Returns the authorization code.
   */
  authorize(params: AuthorizeParams): string {
    const tenant = this.requireTenant(params.tenant, params.userId);
    const app = this.requireApp(tenant, params.clientId);
    if (!app.redirectUris.includes(params.redirectUri)) {
      throw new OAuthError(
        400,
        "invalid_request",
        50011,
        `The redirect URI '${params.redirectUri}' specified in the request does not match the redirect URIs configured for the application '${app.clientId}'.`,
      );
    }
    const code = `0.A${randomBytes(48).toString("base64url")}`;
    const grant: AuthCode = {
      tenantId: tenant.id,
      clientId: app.clientId,
      userId: params.userId,
      redirectUri: params.redirectUri,
      scopes: params.scopes,
      expiresAt: Date.now() + this.options.authCodeLifetimeSeconds * 1000,
      redeemed: false,
    };
    if (params.codeChallenge) grant.codeChallenge = params.codeChallenge;
    if (params.codeChallengeMethod) grant.codeChallengeMethod = params.codeChallengeMethod;
    if (params.nonce) grant.nonce = params.nonce;
    this.codes.set(code, grant);
    return code;
  }

  /** GET /{tenant}/oauth2/v2.0/authorize: redirects with a code for `login_hint`, else lists users to pick. */
  authorizeEndpoint(
    tenantSegment: string,
    query: URLSearchParams,
  ): { status: number; headers: Record<string, string>; body: string } {
    const redirectUri = query.get("redirect_uri") ?? "";
    const tenant = this.directory.tenantByIdOrDomain(tenantSegment) ?? [...this.directory.tenants.values()][0];
    const hint = query.get("login_hint");
    const mailbox = hint && tenant ? this.directory.findUser(tenant, hint) : undefined;
    if (!mailbox || !tenant) {
      const links = [...(tenant?.mailboxes.values() ?? [])].map((candidate) => {
        const next = new URLSearchParams(query);
        next.set("login_hint", candidate.user.userPrincipalName);
        return `<li><a href="?${next.toString().replaceAll("&", "&amp;")}">${candidate.user.displayName} (${candidate.user.userPrincipalName})</a></li>`;
      });
      return {
        status: 200,
        headers: { "content-type": "text/html; charset=utf-8" },
        body: `<!DOCTYPE html><html><head><title>Sign in (simulator)</title></head><body><h1>Pick an account — consent is granted automatically</h1><ul>${links.join("")}</ul></body></html>`,
      };
    }
    const target = new URL(redirectUri);
    try {
      const params: AuthorizeParams = {
        tenant: tenant.id,
        clientId: query.get("client_id") ?? "",
        userId: mailbox.user.id,
        redirectUri,
        scopes: (query.get("scope") ?? "").split(" ").filter(Boolean),
      };
      const challenge = query.get("code_challenge");
      if (challenge) params.codeChallenge = challenge;
      const method = query.get("code_challenge_method");
      if (method) params.codeChallengeMethod = method;
      const nonce = query.get("nonce");
      if (nonce) params.nonce = nonce;
      target.searchParams.set("code", this.authorize(params));
      target.searchParams.set("client_info", this.clientInfo(tenant.id, mailbox.user.id));
    } catch (failure) {
      if (!(failure instanceof OAuthError)) throw failure;
      target.searchParams.set("error", failure.error);
      target.searchParams.set("error_description", `AADSTS${failure.aadsts}: ${failure.message}`);
    }
    const state = query.get("state");
    if (state) target.searchParams.set("state", state);
    return { status: 302, headers: { location: target.toString() }, body: "" };
  }

  /** POST /{tenant}/oauth2/v2.0/token. */
  async tokenEndpoint(tenantSegment: string, form: URLSearchParams, basicAuth?: string): Promise<TokenEndpointResult> {
    try {
      return { status: 200, body: await this.grant(tenantSegment, form, basicAuth) };
    } catch (failure) {
      if (failure instanceof OAuthError) return { status: failure.status, body: oauthErrorBody(failure) };
      throw failure;
    }
  }

  /** An access token for the bridge's own API, as an add-in obtains it through nested app authentication. */
  async issueApiToken(params: {
    tenantId: string;
    userId: string;
    clientId: string;
    apiClientId: string;
    scopes: string[];
  }): Promise<string> {
    const tenant = this.requireTenant(params.tenantId, params.userId);
    return this.signAccessToken(tenant, this.requireApp(tenant, params.clientId), params.userId, {
      audience: params.apiClientId,
      scopes: params.scopes,
    });
  }

  /** Verifies a bearer token presented to Graph. */
  async verifyGraphToken(authorization: string | undefined): Promise<Principal> {
    const token = /^Bearer\s+(.+)$/i.exec(authorization ?? "")?.[1];
    if (!token) throw unauthorized("Access token is empty.");
    if (!this.keys) throw unauthorized("Signing key not initialised.");
    let payload: Record<string, unknown>;
    try {
      payload = (await jwtVerify(token, this.keys.publicKey, { audience: [GRAPH_RESOURCE, GRAPH_APP_ID] })).payload;
    } catch (failure) {
      const expired = failure instanceof Error && "code" in failure && failure.code === "ERR_JWT_EXPIRED";
      throw unauthorized(
        expired ? "Lifetime validation failed, the token is expired." : "IDX14100: JWT is not well formed.",
      );
    }
    const tenant = this.directory.tenantByIdOrDomain(String(payload.tid ?? ""));
    const app = tenant?.apps.get(String(payload.appid ?? ""));
    if (!tenant || !app || payload.iss !== this.issuer(tenant.id)) throw unauthorized("Invalid audience or issuer.");
    const revokedAt = this.revokedApps.get(app.clientId);
    if (revokedAt !== undefined && Number(payload.iat) <= revokedAt) throw unauthorized("The token has been revoked.");
    const roles = Array.isArray(payload.roles) ? payload.roles.map(String) : [];
    const scopes = typeof payload.scp === "string" ? payload.scp.split(" ") : [];
    const principal: Principal = { tenant, app, permissions: new Set(payload.idtyp === "app" ? roles : scopes) };
    if (payload.idtyp === "user") principal.userId = String(payload.oid);
    return principal;
  }

  /** Rotates the app's secret away and rejects every token issued to it so far. */
  revokeApp(clientId: string): void {
    for (const tenant of this.directory.tenants.values()) {
      const app = tenant.apps.get(clientId);
      if (app) {
        app.clientSecret = `revoked-${randomUUID()}`;
        app.certificates = [];
      }
    }
    this.revokedApps.set(clientId, Math.floor(Date.now() / 1000));
    for (const [token, grant] of this.refreshTokens) if (grant.clientId === clientId) this.refreshTokens.delete(token);
  }

  revokeUser(userId: string): void {
    for (const [token, grant] of this.refreshTokens) if (grant.userId === userId) this.refreshTokens.delete(token);
  }

  private async grant(
    tenantSegment: string,
    form: URLSearchParams,
    basicAuth?: string,
  ): Promise<Record<string, unknown>> {
    const tenant = this.directory.tenantByIdOrDomain(tenantSegment);
    if (!tenant) {
      throw new OAuthError(
        400,
        "invalid_request",
        90002,
        `Tenant '${tenantSegment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      );
    }
    const [basicId, basicSecret] = basicAuth ? Buffer.from(basicAuth, "base64").toString("utf8").split(":") : [];
    const clientId = form.get("client_id") ?? basicId ?? "";
    const app = this.requireApp(tenant, clientId);
    const secret = form.get("client_secret") ?? basicSecret;
    const grantType = form.get("grant_type");
    if (grantType === "client_credentials" && form.get("client_assertion_type") === JWT_BEARER) {
      await this.checkAssertion(tenantSegment, app, form.get("client_assertion") ?? "");
      return this.clientCredentials(tenant, app, form.get("scope") ?? "");
    }
    if (grantType === "client_credentials") {
      if (secret === undefined) {
        throw new OAuthError(
          401,
          "invalid_client",
          7000218,
          "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        );
      }
      this.checkSecret(app, secret);
      return this.clientCredentials(tenant, app, form.get("scope") ?? "");
    }
    if (secret !== undefined) this.checkSecret(app, secret);
    if (grantType === "authorization_code") return this.redeemCode(tenant, app, form);
    if (grantType === "refresh_token") return this.redeemRefreshToken(tenant, app, form);
    throw new OAuthError(
      400,
      "unsupported_grant_type",
      70003,
      `The app requested an unsupported grant type '${grantType ?? ""}'.`,
    );
  }

  private async clientCredentials(
    tenant: Tenant,
    app: AppRegistration,
    scope: string,
  ): Promise<Record<string, unknown>> {
    const scopes = scope.split(" ").filter(Boolean);
    const resource = scopes[0];
    if (scopes.length !== 1 || !resource?.endsWith("/.default")) {
      throw new OAuthError(
        400,
        "invalid_scope",
        1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    const audience = resource.slice(0, -"/.default".length);
    if (audience !== GRAPH_RESOURCE) {
      throw new OAuthError(
        400,
        "invalid_resource",
        500011,
        `The resource principal named ${audience} was not found in the tenant named ${tenant.id}.`,
      );
    }
    const lifetime = this.options.accessTokenLifetimeSeconds;
    const accessToken = await this.sign({
      aud: GRAPH_RESOURCE,
      iss: this.issuer(tenant.id),
      tid: tenant.id,
      oid: servicePrincipalId(app.clientId),
      sub: servicePrincipalId(app.clientId),
      appid: app.clientId,
      azp: app.clientId,
      idtyp: "app",
      roles: app.roles,
      ver: "1.0",
    });
    return { token_type: "Bearer", expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken };
  }

  private async redeemCode(
    tenant: Tenant,
    app: AppRegistration,
    form: URLSearchParams,
  ): Promise<Record<string, unknown>> {
    const code = form.get("code") ?? "";
    const grant = this.codes.get(code);
    if (!grant || grant.tenantId !== tenant.id || grant.clientId !== app.clientId) {
      throw new OAuthError(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.");
    }
    if (grant.redeemed) {
      throw new OAuthError(
        400,
        "invalid_grant",
        54005,
        "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
      );
    }
    if (grant.expiresAt < Date.now()) {
      throw new OAuthError(
        400,
        "invalid_grant",
        70008,
        "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
      );
    }
    if (form.get("redirect_uri") !== grant.redirectUri) {
      throw new OAuthError(
        400,
        "invalid_grant",
        50148,
        "The redirect_uri does not match the redirect_uri used in the authorization request.",
      );
    }
    if (grant.codeChallenge) {
      const verifier = form.get("code_verifier") ?? "";
      const computed =
        grant.codeChallengeMethod === "plain" ? verifier : createHash("sha256").update(verifier).digest("base64url");
      if (computed !== grant.codeChallenge) {
        throw new OAuthError(
          400,
          "invalid_grant",
          501481,
          "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
        );
      }
    }
    grant.redeemed = true;
    return this.userTokens(tenant, app, grant.userId, mergeScopes(grant.scopes, form.get("scope")), grant.nonce);
  }

  private async redeemRefreshToken(
    tenant: Tenant,
    app: AppRegistration,
    form: URLSearchParams,
  ): Promise<Record<string, unknown>> {
    const grant = this.refreshTokens.get(form.get("refresh_token") ?? "");
    if (!grant || grant.tenantId !== tenant.id || grant.clientId !== app.clientId) {
      throw new OAuthError(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.");
    }
    if (grant.expiresAt < Date.now()) {
      throw new OAuthError(
        400,
        "invalid_grant",
        700082,
        "The refresh token has expired due to inactivity. The token was issued on a date and was inactive for the configured lifetime.",
      );
    }
    const requested = (form.get("scope") ?? "").split(" ").filter(Boolean);
    return this.userTokens(tenant, app, grant.userId, requested.length ? requested : grant.scopes);
  }

  private async userTokens(
    tenant: Tenant,
    app: AppRegistration,
    userId: string,
    scopes: string[],
    nonce?: string,
  ): Promise<Record<string, unknown>> {
    const mailbox = tenant.mailboxes.get(userId);
    if (!mailbox)
      throw new OAuthError(400, "invalid_grant", 50034, "The user account does not exist in the directory.");
    const resourceScopes = scopes.filter((scope) => !OIDC_SCOPES.has(scope.toLowerCase()));
    const apiScope = resourceScopes.find((scope) => scope.startsWith("api://"));
    const audience = apiScope ? (apiScope.slice("api://".length).split("/")[0] ?? "") : GRAPH_RESOURCE;
    const granted = resourceScopes.map((scope) =>
      scope.replace(/^https:\/\/graph\.microsoft\.com\//i, "").replace(/^api:\/\/[^/]+\//, ""),
    );
    const effective = granted.includes(".default") ? app.roles.map((role) => role.replace(/\.All$/, "")) : granted;
    const accessToken = await this.signAccessToken(tenant, app, userId, { audience, scopes: effective });
    const lifetime = this.options.accessTokenLifetimeSeconds;
    const body: Record<string, unknown> = {
      token_type: "Bearer",
      scope: [...resourceScopes, ...scopes.filter((scope) => OIDC_SCOPES.has(scope.toLowerCase()))].join(" "),
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: accessToken,
      client_info: this.clientInfo(tenant.id, userId),
    };
    if (scopes.includes("offline_access")) {
      const refreshToken = `1.A${randomBytes(64).toString("base64url")}`;
      this.refreshTokens.set(refreshToken, {
        tenantId: tenant.id,
        clientId: app.clientId,
        userId,
        scopes,
        expiresAt: Date.now() + this.options.refreshTokenLifetimeSeconds * 1000,
      });
      body.refresh_token = refreshToken;
    }
    if (scopes.includes("openid")) {
      const claims: Record<string, unknown> = {
        aud: app.clientId,
        iss: this.issuer(tenant.id),
        tid: tenant.id,
        oid: userId,
        sub: createHash("sha256").update(`${userId}:${app.clientId}`).digest("base64url"),
        preferred_username: mailbox.user.userPrincipalName,
        name: mailbox.user.displayName,
        ver: "2.0",
      };
      if (nonce) claims.nonce = nonce;
      body.id_token = await this.sign(claims);
    }
    return body;
  }

  private async signAccessToken(
    tenant: Tenant,
    app: AppRegistration,
    userId: string,
    grant: { audience: string; scopes: string[] },
  ): Promise<string> {
    const user = tenant.users.get(userId);
    return this.sign({
      aud: grant.audience,
      iss: this.issuer(tenant.id),
      tid: tenant.id,
      oid: userId,
      sub: createHash("sha256").update(`${userId}:${grant.audience}`).digest("base64url"),
      appid: app.clientId,
      azp: app.clientId,
      idtyp: "user",
      scp: grant.scopes.join(" "),
      preferred_username: user?.userPrincipalName,
      upn: user?.userPrincipalName,
      name: user?.displayName,
      ver: grant.audience === GRAPH_RESOURCE ? "1.0" : "2.0",
    });
  }

  private async sign(claims: Record<string, unknown>): Promise<string> {
    if (!this.keys || !this.publicJwk) throw new Error("IdentityPlatform.init() was not awaited");
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ ...claims, uti: randomBytes(16).toString("base64url") })
      .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: this.publicJwk.kid ?? "" })
      .setIssuedAt(now)
      .setNotBefore(now - 300)
      .setExpirationTime(now + this.options.accessTokenLifetimeSeconds)
      .sign(this.keys.privateKey);
  }

  private clientInfo(tenantId: string, userId: string): string {
    return base64url(JSON.stringify({ uid: userId, utid: tenantId }));
  }

  private requireTenant(tenantSegment: string, userId: string): Tenant {
    const tenant = this.directory.tenantByIdOrDomain(tenantSegment);
    if (!tenant?.users.has(userId)) {
      throw new OAuthError(400, "invalid_request", 90002, `Tenant '${tenantSegment}' or user '${userId}' not found.`);
    }
    return tenant;
  }

  private requireApp(tenant: Tenant, clientId: string): AppRegistration {
    const app = tenant.apps.get(clientId);
    if (!app) {
      throw new OAuthError(
        400,
        "unauthorized_client",
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenant.domain}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      );
    }
    return app;
  }

  /**
   * A certificate credential (learn.microsoft.com/entra/identity-platform/certificate-credentials): a JWT whose
   * header names the certificate by `x5t#S256` (PS256) or the older SHA-1 `x5t` (RS256), signed with its key, with
   * iss = sub = the client id and aud = this token endpoint, within its validity.
   */
  private async checkAssertion(tenantSegment: string, app: AppRegistration, assertion: string): Promise<void> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(assertion);
    } catch {
      throw new OAuthError(400, "invalid_request", 50027, "JWT token is invalid or malformed.");
    }
    const named = String(header["x5t#S256"] ?? header.x5t ?? "");
    const digest = header["x5t#S256"] ? "sha256" : "sha1";
    const certificate = (app.certificates ?? []).find(
      (pem) => createHash(digest).update(new X509Certificate(pem).raw).digest("base64url") === named,
    );
    if (!certificate) {
      throw new OAuthError(
        401,
        "invalid_client",
        700027,
        `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${named}']`,
      );
    }
    try {
      await jwtVerify(assertion, await importX509(certificate, String(header.alg)), {
        audience: `${this.baseUrl}/${tenantSegment}/oauth2/v2.0/token`,
        issuer: app.clientId,
        subject: app.clientId,
        // MSAL rounds nbf/iat to the nearest second, so an assertion can be "from the future" by a fraction of one;
        // Entra tolerates the usual clock skew between client and server.
        clockTolerance: 300,
      });
    } catch {
      throw new OAuthError(401, "invalid_client", 700027, "Client assertion failed signature validation.");
    }
  }

  private checkSecret(app: AppRegistration, secret: string): void {
    if (secret !== app.clientSecret) {
      throw new OAuthError(
        401,
        "invalid_client",
        7000215,
        "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.",
      );
    }
  }
}

function mergeScopes(granted: string[], requested: string | null): string[] {
  const extra = (requested ?? "").split(" ").filter(Boolean);
  return [...new Set([...granted, ...extra])];
}

/** A stable service-principal object id per app, so app-only tokens carry an `oid` like real ones. */
export function servicePrincipalId(clientId: string): string {
  const hex = createHash("sha256").update(`sp:${clientId}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export { OAuthError };
