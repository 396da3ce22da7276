/**
 * The production `ConnectorFactory`: Zoho CRM through the Zoho connector, Exchange through Graph (app-only, MSAL
 * client credentials) or EWS (service account with ApplicationImpersonation, or each user's own password in
 * individual mode), all from the stored connection settings and sealed secrets.
 *
 * Token economy: Zoho keeps at most 30 live access tokens per refresh token and throttles rapid refreshes
 * (zoho-crm-api.md §1), and MSAL caches app tokens per application object — so the CRM ports and the MSAL app are
 * built once per process and shared by every job; only the per-mailbox Exchange port is opened per job.
 */

import { createEwsExchangePort, type EwsVersionName } from "../connectors/ews/index.js";
import { appOnlyTokens, createGraphExchangePort, msalApp, type TokenProvider } from "../connectors/graph/index.js";
import { ConnectorError, type CrmPort } from "../connectors/port.js";
import { createZohoCrmPort, type ZohoCrmPort } from "../connectors/zoho/index.js";
import type { Storage } from "../storage/index.js";
import type { BridgeUser } from "../storage/user-repository.js";
import { loadCredentialMode, loadExchangeConnection, loadZohoConnection, SECRET } from "./connections.js";
import type { ConnectorFactory, MailboxPorts } from "./connectors.js";

export interface ServiceConnectorOptions {
  /** Graph endpoint (the sandbox points it at the simulator). */
  graphBaseUrl?: string;
  /** Identity platform host, e.g. https://login.microsoftonline.com (or the simulator). */
  authorityHost: string;
  /** Hosts MSAL may trust without instance discovery (the simulator's host:port). */
  knownAuthorities?: string[];
}

/** A per-user Zoho refresh token (the user's own CRM view), if the user authorised one. */
export const userZohoToken = (userId: string) => `user:${userId}.zohoRefreshToken`;

function notConfigured(what: string): ConnectorError {
  return new ConnectorError({ kind: "mailbox-unavailable", message: `${what} is not configured` });
}

function shared(port: ZohoCrmPort): CrmPort {
  return { side: "crm", implementation: "zoho", modules: port.modules, mail: port.mail, close: async () => {} };
}

export async function createServiceConnectorFactory(
  storage: Storage,
  options: ServiceConnectorOptions,
): Promise<ConnectorFactory & { close(): Promise<void> }> {
  const exchange = await loadExchangeConnection(storage);
  if (!exchange) throw new Error("no Exchange connection is configured");
  const crmPorts = new Map<string, Promise<ZohoCrmPort>>();
  let graphTokens: TokenProvider | undefined;

  async function crmFor(user: BridgeUser): Promise<CrmPort> {
    const zoho = await loadZohoConnection(storage);
    const clientSecret = await storage.secrets.get(SECRET.zohoClientSecret);
    const refreshToken =
      (await storage.secrets.get(userZohoToken(user.id))) ?? (await storage.secrets.get(SECRET.zohoRefreshToken));
    if (zoho.status !== "connected" || !zoho.clientId || !zoho.accountsUrl || !clientSecret || !refreshToken) {
      throw notConfigured("the Zoho connection");
    }
    let port = crmPorts.get(refreshToken);
    if (!port) {
      port = createZohoCrmPort({
        oauth: {
          clientId: zoho.clientId,
          clientSecret,
          accountsServer: zoho.accountsUrl,
          refreshToken,
          ...(zoho.apiDomain ? { apiDomain: zoho.apiDomain } : {}),
        },
      });
      port.catch(() => crmPorts.delete(refreshToken));
      crmPorts.set(refreshToken, port);
    }
    return shared(await port);
  }

  async function graphTokenProvider(): Promise<TokenProvider> {
    if (exchange?.kind !== "graph") throw notConfigured("Graph");
    if (!graphTokens) {
      const clientSecret = await storage.secrets.get(SECRET.graphClientSecret);
      if (!clientSecret) throw notConfigured("the Graph client secret");
      graphTokens = appOnlyTokens(
        msalApp({
          clientId: exchange.clientId,
          clientSecret,
          authority: `${options.authorityHost}/${exchange.tenantId}`,
          ...(options.knownAuthorities ? { knownAuthorities: options.knownAuthorities } : {}),
        }),
      );
    }
    return graphTokens;
  }

  async function exchangeFor(user: BridgeUser): Promise<MailboxPorts["exchange"]> {
    if (exchange?.kind === "graph") {
      return createGraphExchangePort({
        tokens: await graphTokenProvider(),
        mailbox: user.mailbox,
        // Subscriptions are opened only by the push channels, which give them the bridge's public HTTPS URL.
        push: true,
        ...(options.graphBaseUrl ? { baseUrl: options.graphBaseUrl } : {}),
      }) as MailboxPorts["exchange"];
    }
    if (exchange?.kind !== "ews") throw notConfigured("Exchange");
    const individual = (await loadCredentialMode(storage)) === "individual";
    const password = await storage.secrets.get(individual ? SECRET.userPassword(user.id) : SECRET.exchangePassword);
    if (!password) throw new ConnectorError({ kind: "auth-expired", message: "no Exchange password is stored" });
    const version = (exchange.detectedVersion ??
      (exchange.serverVersion === "auto" ? "Exchange2010_SP2" : exchange.serverVersion)) as EwsVersionName;
    const username = individual ? user.mailbox : (exchange.username ?? exchange.emailAddress);
    return createEwsExchangePort({
      mailbox: user.mailbox,
      ...(exchange.resolvedEwsUrl ? { url: exchange.resolvedEwsUrl } : {}),
      version,
      username: exchange.domain && !username.includes("@") ? `${exchange.domain}\\${username}` : username,
      password,
      auth: exchange.authScheme,
      impersonate: !individual,
    }) as Promise<MailboxPorts["exchange"]>;
  }

  return {
    exchangeApi: exchange.kind,
    async open(user) {
      return { crm: await crmFor(user), exchange: await exchangeFor(user) };
    },
    async close() {
      for (const port of crmPorts.values()) await port.then((p) => p.close()).catch(() => undefined);
      crmPorts.clear();
    },
  };
}
