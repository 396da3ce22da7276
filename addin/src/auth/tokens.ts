/**
 * Where the add-in's bearer token for the bridge comes from. One ladder, chosen once per session from the bridge's
 * `config` and the host's capabilities:
 * - sandbox: the bridge mints a simulator token (NAA-style or Exchange identity) for the preview mailbox;
 * - Office 365 with NestedAppAuth 1.1: MSAL nested app authentication — acquireTokenSilent, then acquireTokenPopup on
 *   InteractionRequiredAuthError, then the Office dialog flow if the popup cannot open
 *   (learn.microsoft.com office/dev/add-ins/develop/enable-nested-app-authentication-in-your-add-in; spec §2.5);
 * - Office 365 without NAA: the Office dialog flow directly (the dialog page runs standard MSAL);
 * - Exchange on-premises: the Exchange user identity token (getUserIdentityTokenAsync), still supported on-prem
 *   while turned off in Exchange Online since 2025 (spec §2.5); the first time, the bridge also asks for an Exchange
 *   callback token (getCallbackTokenAsync, Mailbox 1.1) whose signed address links the identity to the mailbox.
 * Tokens live in memory only (MSAL `memoryStorage`, and a per-session cache here): nothing long-lived is written to
 * localStorage. The ID token is never sent to the bridge — only access tokens for the bridge's API scope.
 */
import {
  BrowserAuthError,
  type Configuration,
  createNestablePublicClientApplication,
  InteractionRequiredAuthError,
  type IPublicClientApplication,
} from "@azure/msal-browser";
import { z } from "zod";
import type { AddinResponse } from "../../../bridge/src/api/addin.js";
import type { AccessToken, BridgeClient, TokenSource } from "../api/client.js";
import type { HostCapabilities, OfficeHost } from "../office/host.js";

export type AddinConfig = AddinResponse<"config">;
export type AuthPlan = "sandbox" | "naa" | "dialog" | "exchange-identity";

export class NoSignInMethodError extends Error {
  constructor() {
    super("This Outlook cannot sign in to the bridge: no supported authentication method is enabled");
    this.name = "NoSignInMethodError";
  }
}

export function chooseAuthPlan(config: AddinConfig, capabilities: HostCapabilities): AuthPlan | null {
  if (config.sandbox) return "sandbox";
  if (config.naa && capabilities.nestedAppAuth) return "naa";
  // NAA is unsupported on on-prem mailboxes; there the Exchange identity token is the route.
  if (config.exchangeIdentity) return "exchange-identity";
  if (config.naa && capabilities.dialogApi) return "dialog";
  return null;
}

/** Reissues a cached token only while it has this much life left. */
const EXPIRY_MARGIN_MS = 60_000;

export type TokenSourceOptions = {
  config: AddinConfig;
  host: OfficeHost;
  client: BridgeClient;
  /** Absolute URL of the auth dialog page (served next to the task pane). */
  dialogUrl: string;
  createNaaApp?: (configuration: Configuration) => Promise<IPublicClientApplication>;
  now?: () => number;
};

/** What the auth dialog page sends back through messageParent. */
export const dialogResultSchema = z.union([
  z.object({ accessToken: z.string().min(1), expiresOn: z.iso.datetime({ offset: true }) }),
  z.object({ error: z.string() }),
]);
export type DialogResult = z.infer<typeof dialogResultSchema>;

export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const { config, host, client } = options;
  const now = options.now ?? Date.now;
  const plan = chooseAuthPlan(config, host.capabilities);
  let cached: { token: AccessToken; expiresAt: number } | null = null;
  let naaApp: Promise<IPublicClientApplication> | null = null;

  const remember = (token: AccessToken, expiresOn: string | Date | null) => {
    const expiresAt = expiresOn ? new Date(expiresOn).getTime() : now();
    cached = { token, expiresAt };
    return token;
  };

  const viaDialog = async (): Promise<AccessToken> => {
    const naa = config.naa;
    if (!naa) throw new NoSignInMethodError();
    const url = new URL(options.dialogUrl);
    url.searchParams.set("clientId", naa.clientId);
    url.searchParams.set("authority", naa.authority);
    url.searchParams.set("scopes", naa.scopes.join(" "));
    const result = dialogResultSchema.parse(JSON.parse(await host.dialogMessage(url.href, { width: 40, height: 60 })));
    if ("error" in result) throw new Error(`Sign-in failed: ${result.error}`);
    return remember({ tokenType: "aad", token: result.accessToken }, result.expiresOn);
  };

  const viaNaa = async (): Promise<AccessToken> => {
    const naa = config.naa;
    if (!naa) throw new NoSignInMethodError();
    naaApp ??= (options.createNaaApp ?? createNestablePublicClientApplication)({
      auth: { clientId: naa.clientId, authority: naa.authority },
      cache: { cacheLocation: "memoryStorage" },
    });
    const app = await naaApp;
    const request = { scopes: naa.scopes };
    try {
      const result = await app.acquireTokenSilent(request);
      return remember({ tokenType: "aad", token: result.accessToken }, result.expiresOn);
    } catch (error) {
      if (!(error instanceof InteractionRequiredAuthError)) throw error;
    }
    try {
      const result = await app.acquireTokenPopup(request);
      return remember({ tokenType: "aad", token: result.accessToken }, result.expiresOn);
    } catch (error) {
      // A blocked or unsupported popup is a BrowserAuthError; the dialog API still works in that case.
      if (error instanceof BrowserAuthError && host.capabilities.dialogApi) return viaDialog();
      throw error;
    }
  };

  const fetchToken = async (linkMailbox: boolean): Promise<AccessToken> => {
    switch (plan) {
      case "sandbox": {
        const minted = await client("sandboxToken", { mailbox: host.user.email });
        return remember({ tokenType: minted.tokenType, token: minted.accessToken }, minted.expiresOn);
      }
      case "naa":
        return viaNaa();
      case "dialog":
        return viaDialog();
      case "exchange-identity": {
        // Office caches and renews the identity token itself; asking each time is cheap and never stale.
        const token = await host.userIdentityToken();
        if (!linkMailbox) return { tokenType: "exchange-identity", token };
        return { tokenType: "exchange-identity", token, exchangeCallbackToken: await host.exchangeCallbackToken() };
      }
      case null:
        throw new NoSignInMethodError();
    }
  };

  return async (request) => {
    if (cached && cached.expiresAt - EXPIRY_MARGIN_MS > now()) return cached.token;
    cached = null;
    return fetchToken(request?.linkMailbox ?? false);
  };
}
