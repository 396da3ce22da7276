/**
 * What uninstall must undo outside the bridge before its own secrets are deleted: the push channels it opened
 * (Graph subscriptions, Zoho watch channels — deleted remotely) and every Zoho refresh token it holds (the shared
 * one and users' own, revoked at the accounts server, zoho-crm-api.md §1). Synced data is never touched.
 * A remote failure is reported, not fatal: uninstall still removes the local credentials.
 */
import { ZohoOAuth } from "../connectors/zoho/oauth.js";
import type { Logger } from "../observability/logger.js";
import type { Storage } from "../storage/index.js";
import { loadZohoConnection, SECRET } from "./connections.js";
import type { PushChannels } from "./push-channels.js";
import { userZohoToken } from "./service-connectors.js";

export async function releaseRemoteAccess(
  storage: Storage,
  push: PushChannels | undefined,
  logger: Logger,
  revokeZohoTokens: boolean,
): Promise<string[]> {
  const done: string[] = [];
  if (push) {
    const { deleted } = await push.closeAll();
    done.push(`${deleted} push channel(s) deleted at Microsoft Graph / Zoho CRM`);
  }
  const zoho = await loadZohoConnection(storage);
  const clientSecret = await storage.secrets.get(SECRET.zohoClientSecret);
  if (!revokeZohoTokens || !zoho.clientId || !zoho.accountsUrl || !clientSecret) return done;
  const names = [SECRET.zohoRefreshToken, ...(await storage.users.list()).map((user) => userZohoToken(user.id))];
  let revoked = 0;
  for (const name of names) {
    const refreshToken = await storage.secrets.get(name);
    if (!refreshToken) continue;
    try {
      await new ZohoOAuth({
        clientId: zoho.clientId,
        clientSecret,
        accountsServer: zoho.accountsUrl,
        refreshToken,
      }).revoke();
      revoked += 1;
    } catch (error) {
      logger.warn({ err: error, secret: name }, "Zoho refresh token not revoked");
    }
  }
  done.push(`${revoked} Zoho refresh token(s) revoked`);
  return done;
}
