/**
 * Access tokens for Graph through the unchanged `@azure/msal-node`:
 * - app-only (client credentials; the Office 365 replacement of EWS impersonation, scoped by an application access
 *   policy or RBAC for Applications), served from MSAL's cache until it refreshes them;
 * - delegated per user (auth code + PKCE once, then `acquireTokenSilent` through the cached refresh token), with the
 *   MSAL token cache persisted encrypted at rest (AES-256-GCM) through a small store interface.
 *
 * Token failures that need a human (revoked secret, expired/revoked refresh token, missing account) become
 * `auth-expired`; network trouble stays `transient`. Tokens and caches are never logged.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import {
  AuthError,
  ConfidentialClientApplication,
  type Configuration,
  type ICachePlugin,
  InteractionRequiredAuthError,
  type TokenCacheContext,
} from "@azure/msal-node";
import { ConnectorError } from "../errors.js";

export const GRAPH_DEFAULT_SCOPE = "https://graph.microsoft.com/.default";

/** Supplies bearer tokens; `forceRefresh` after Graph answered 401 to a cached token. */
export interface TokenProvider {
  getToken(forceRefresh: boolean): Promise<string>;
}

/** How the app proves itself: its client secret, or a certificate uploaded to the registration and its key. */
export type AppCredential =
  | { clientSecret: string }
  | { clientCertificate: { thumbprintSha256: string; privateKey: string } };

export type MsalAppOptions = AppCredential & {
  clientId: string;
  /** `https://login.microsoftonline.com/{tenant}` (or the simulator's `{url}/{tenant}`). */
  authority: string;
  /** Hosts MSAL trusts without instance discovery (the simulator's host:port); empty for Entra. */
  knownAuthorities?: string[];
  cachePlugin?: ICachePlugin;
};

export function msalApp(options: MsalAppOptions): ConfidentialClientApplication {
  const config: Configuration = {
    auth: {
      clientId: options.clientId,
      ...("clientSecret" in options
        ? { clientSecret: options.clientSecret }
        : { clientCertificate: options.clientCertificate }),
      authority: options.authority,
      ...(options.knownAuthorities ? { knownAuthorities: options.knownAuthorities } : {}),
    },
    ...(options.cachePlugin ? { cache: { cachePlugin: options.cachePlugin } } : {}),
  };
  return new ConfidentialClientApplication(config);
}

/** AAD errors after which retrying cannot help: the credentials or the grant are gone. */
const CREDENTIAL_ERRORS = new Set([
  "invalid_client",
  "unauthorized_client",
  "invalid_grant",
  "interaction_required",
  "consent_required",
  "no_account_in_silent_request",
]);

function tokenFailure(error: unknown): ConnectorError {
  if (
    error instanceof InteractionRequiredAuthError ||
    (error instanceof AuthError && CREDENTIAL_ERRORS.has(error.errorCode))
  ) {
    return new ConnectorError(
      { kind: "auth-expired", message: `token request refused: ${error.errorCode}` },
      { cause: error },
    );
  }
  const code = error instanceof AuthError ? error.errorCode : "network";
  return new ConnectorError({ kind: "transient", message: `token request failed: ${code}` }, { cause: error });
}

export function appOnlyTokens(app: ConfidentialClientApplication): TokenProvider {
  return {
    async getToken(forceRefresh) {
      try {
        const result = await app.acquireTokenByClientCredential({
          scopes: [GRAPH_DEFAULT_SCOPE],
          skipCache: forceRefresh,
        });
        if (!result?.accessToken)
          throw new ConnectorError({ kind: "auth-expired", message: "no access token returned" });
        return result.accessToken;
      } catch (error) {
        if (error instanceof ConnectorError) throw error;
        throw tokenFailure(error);
      }
    },
  };
}

/** Delegated tokens for one user, found by the `homeAccountId` (`<oid>.<tid>`) saved when the user consented. */
export function delegatedTokens(
  app: ConfidentialClientApplication,
  homeAccountId: string,
  scopes: string[],
): TokenProvider {
  return {
    async getToken(forceRefresh) {
      try {
        const account = await app.getTokenCache().getAccountByHomeId(homeAccountId);
        if (!account)
          throw new ConnectorError({ kind: "auth-expired", message: "the user's account is not in the token cache" });
        const result = await app.acquireTokenSilent({ account, scopes, forceRefresh });
        return result.accessToken;
      } catch (error) {
        if (error instanceof ConnectorError) throw error;
        throw tokenFailure(error);
      }
    },
  };
}

/** Where an encrypted token cache lives (a database row per tenant or per user). */
export interface CacheStore {
  read(): Promise<string | undefined>;
  write(data: string): Promise<void>;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

export function encryptCache(plain: string, key: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64");
}

export function decryptCache(sealed: string, key: Buffer): string {
  const raw = Buffer.from(sealed, "base64");
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
}

/** MSAL cache plug-in that keeps the serialized cache encrypted at rest with a 32-byte key. */
export function encryptedCachePlugin(store: CacheStore, key: Buffer): ICachePlugin {
  if (key.length !== 32) throw new Error("the token cache key must be 32 bytes (AES-256)");
  return {
    async beforeCacheAccess(context: TokenCacheContext) {
      const sealed = await store.read();
      if (sealed) context.tokenCache.deserialize(decryptCache(sealed, key));
    },
    async afterCacheAccess(context: TokenCacheContext) {
      if (context.cacheHasChanged) await store.write(encryptCache(context.tokenCache.serialize(), key));
    },
  };
}
