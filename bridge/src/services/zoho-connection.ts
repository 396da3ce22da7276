/**
 * Connecting the bridge to a Zoho CRM org: exchange a grant code (from the consent redirect or a Self Client) at the
 * data centre's accounts server, read who connected and the org, import the org's active users, and store the
 * refresh token sealed. Accounts servers per data centre: zoho-crm-api.md §1 (the token must be exchanged at the
 * `accounts-server` Zoho names; CRM calls go only to the returned `api_domain`).
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { ZohoDataCentre } from "../api/admin.js";
import { createZohoCrmPort, exchangeAuthorizationCode, type ZohoCrmPort } from "../connectors/zoho/index.js";
import type { Storage } from "../storage/index.js";
import { loadZohoConnection, SECRET, saveZohoConnection } from "./connections.js";

export const ZOHO_ACCOUNTS: Record<ZohoDataCentre, string> = {
  US: "https://accounts.zoho.com",
  EU: "https://accounts.zoho.eu",
  IN: "https://accounts.zoho.in",
  AU: "https://accounts.zoho.com.au",
  JP: "https://accounts.zoho.jp",
  CA: "https://accounts.zohocloud.ca",
  SA: "https://accounts.zoho.sa",
  CN: "https://accounts.zoho.com.cn",
};

export const ZOHO_CONNECT_SCOPES = [
  "ZohoCRM.modules.ALL",
  "ZohoCRM.modules.emails.ALL",
  "ZohoCRM.notifications.ALL",
  "ZohoCRM.users.READ",
  "ZohoCRM.org.READ",
  "ZohoCRM.settings.ALL",
  "ZohoCRM.coql.READ",
  // Attachments of e-mails filed into the CRM are uploaded to Zoho's file store first.
  "ZohoCRM.Files.CREATE",
].join(",");

const STATE_KEY = "zoho-oauth-state";

/** Starts the consent flow: remembers a one-time state and returns Zoho's authorize URL. */
export async function beginZohoConnect(
  storage: Storage,
  options: {
    dataCentre: ZohoDataCentre;
    accountsUrl: string;
    clientId: string;
    clientSecret?: string;
    redirectUri: string;
  },
): Promise<string> {
  const state = randomBytes(24).toString("base64url");
  await storage.settings.put(STATE_KEY, { state, dataCentre: options.dataCentre, accountsUrl: options.accountsUrl });
  const url = new URL(`${options.accountsUrl}/oauth/v2/auth`);
  url.search = new URLSearchParams({
    scope: ZOHO_CONNECT_SCOPES,
    client_id: options.clientId,
    response_type: "code",
    access_type: "offline",
    prompt: "consent",
    redirect_uri: options.redirectUri,
    state,
  }).toString();
  const previous = await loadZohoConnection(storage);
  await saveZohoConnection(
    storage,
    {
      ...previous,
      status: "awaiting-consent",
      dataCentre: options.dataCentre,
      clientId: options.clientId,
      authorizeUrl: url.toString(),
      lastError: null,
    },
    options.clientSecret ? { clientSecret: options.clientSecret } : {},
  );
  return url.toString();
}

/** The state stored by `beginZohoConnect`, consumed (one use). */
export async function takeZohoConnectState(storage: Storage) {
  const stored = await storage.settings.get(
    STATE_KEY,
    z.object({ state: z.string(), dataCentre: z.string(), accountsUrl: z.string() }),
  );
  await storage.settings.delete(STATE_KEY);
  return stored;
}

/** Exchanges the code, verifies the connection works, imports users; records failures on the connection. */
export async function completeZohoConnect(
  storage: Storage,
  options: { dataCentre: ZohoDataCentre; accountsUrl: string; clientId: string; code: string; redirectUri: string },
): Promise<void> {
  const clientSecret = await storage.secrets.get(SECRET.zohoClientSecret);
  const previous = await loadZohoConnection(storage);
  try {
    if (!clientSecret) throw new Error("the client secret is missing");
    const token = await exchangeAuthorizationCode({ ...options, accountsServer: options.accountsUrl, clientSecret });
    const port = await createZohoCrmPort({
      oauth: {
        clientId: options.clientId,
        clientSecret,
        accountsServer: options.accountsUrl,
        refreshToken: token.refreshToken,
        apiDomain: token.apiDomain,
      },
    });
    try {
      const me = await port.client.request({ method: "GET", path: "users", query: { type: "CurrentUser" } });
      const org = await port.client.request({ method: "GET", path: "org" });
      const user = (me.json?.users as Array<{ id: string; email: string }> | undefined)?.[0];
      const company = (org.json?.org as Array<{ id: string; company_name?: string }> | undefined)?.[0];
      await refreshZohoUsers(storage, port);
      await saveZohoConnection(
        storage,
        {
          status: "connected",
          dataCentre: options.dataCentre,
          clientId: options.clientId,
          accountsUrl: options.accountsUrl,
          apiDomain: token.apiDomain,
          organization: company ? { id: String(company.id), name: company.company_name ?? "" } : null,
          connectedAs: user ? { zohoUserId: user.id, email: user.email } : null,
          authorizeUrl: null,
          lastError: null,
        },
        { refreshToken: token.refreshToken },
      );
    } finally {
      await port.close();
    }
  } catch (error) {
    await saveZohoConnection(storage, {
      ...previous,
      status: "failed",
      dataCentre: options.dataCentre,
      clientId: options.clientId,
      authorizeUrl: null,
      lastError: error instanceof Error ? error.message : String(error),
    });
  }
}

/**
 * Re-reads the org's active users: new ones appear (not selected), disabled or deleted ones become inactive and stop
 * syncing (only active, selected users are synced). An empty answer is ignored rather than applied: the connected
 * user is always active, so it means a failed read, not an org without users. Returns how many are active.
 */
export async function refreshZohoUsers(storage: Storage, port: Pick<ZohoCrmPort, "activeUsers">): Promise<number> {
  const users = await port.activeUsers();
  if (users.length === 0) return 0;
  await storage.users.syncFromZoho(
    users.map((zohoUser) => ({
      zohoUserId: zohoUser.id,
      email: zohoUser.email,
      fullName: zohoUser.fullName,
      profileId: zohoUser.profile?.id ?? "",
      profile: zohoUser.profile?.name ?? "",
      active: true,
    })),
  );
  return users.length;
}

const USERS_REFRESHED_KEY = "zoho-users-refreshed-at";

/** How stale the user list may get: in the background (hourly), and when an admin opens the user list. */
export const ZOHO_USERS_MAX_AGE_MS = { background: 60 * 60_000, onView: 5 * 60_000 } as const;

/**
 * `refreshZohoUsers` unless another call (in any process: the time is stored) did it less than `maxAgeMs` ago, or
 * Zoho is not connected. Returns whether it refreshed.
 */
export async function refreshZohoUsersIfStale(
  storage: Storage,
  orgCrm: () => Promise<Pick<ZohoCrmPort, "activeUsers">>,
  now: Date,
  maxAgeMs: number,
): Promise<boolean> {
  if ((await loadZohoConnection(storage)).status !== "connected") return false;
  const last = await storage.settings.get(USERS_REFRESHED_KEY, z.iso.datetime());
  if (last && now.getTime() - Date.parse(last) < maxAgeMs) return false;
  await storage.settings.put(USERS_REFRESHED_KEY, now.toISOString());
  await refreshZohoUsers(storage, await orgCrm());
  return true;
}
