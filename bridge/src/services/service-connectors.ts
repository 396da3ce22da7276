/**
 * The production connectors, one per process, on `AppContext.connectors` and shared with the sync jobs: Zoho CRM
 * through the Zoho connector, Exchange through Graph (app-only, MSAL client credentials) or EWS (service account with
 * ApplicationImpersonation, or each user's own password in individual mode), all from the stored connection
 * settings and sealed secrets, read when a port is opened (so a connection set up after start is used at once).
 *
 * Token economy: Zoho keeps at most 30 live access tokens per refresh token and throttles rapid refreshes
 * (zoho-crm-api.md §1), and MSAL caches app tokens per application object — so the CRM ports and the MSAL app are
 * built once per process (per refresh token / app credentials) and shared by every job, route and push channel;
 * only the per-mailbox Exchange port is opened per use.
 */

import { createEwsExchangePort, type EwsVersionName } from "../connectors/ews/index.js";
import {
  appOnlyTokens,
  createGraphExchangePort,
  type FreeBusy,
  msalApp,
  type TokenProvider,
} from "../connectors/graph/index.js";
import {
  ConnectorError,
  type CrmMailPort,
  type CrmPort,
  type ExchangeMailPort,
  type ExchangePort,
} from "../connectors/port.js";
import { createZohoCrmPort, type ZohoCrmPort } from "../connectors/zoho/index.js";
import type { Email } from "../model/index.js";
import type { Storage } from "../storage/index.js";
import type { BridgeUser } from "../storage/user-repository.js";
import {
  loadCredentialMode,
  loadExchangeConnection,
  loadZohoConnection,
  SECRET,
  type StoredExchangeConnection,
  storedGraphCredential,
} from "./connections.js";
import type { ConnectorFactory, MailboxPorts } from "./connectors.js";

/** Where Graph and the identity platform live (production: Microsoft's hosts; sandbox and tests: a simulator). */
export interface ServiceConnectorOptions {
  /** Graph endpoint (the sandbox points it at the simulator). */
  graphBaseUrl?: string;
  /** Identity platform host, e.g. https://login.microsoftonline.com (or the simulator). */
  authorityHost: string;
  /** Hosts MSAL may trust without instance discovery (the simulator's host:port). */
  knownAuthorities?: string[];
}

/** A mailbox's Exchange port, with free/busy when its API offers one (Graph getSchedule, EWS GetUserAvailability). */
export type MailboxPort = ExchangePort & {
  freeBusy?: (
    addresses: readonly string[],
    startUtc: string,
    endUtc: string,
    intervalMinutes: number,
  ) => Promise<FreeBusy[]>;
};

/** One user's e-mail on both sides; a side whose connector has no mail port is absent. */
export interface MailPorts {
  exchange?: ExchangeMailPort<Email>;
  crm?: CrmMailPort<Email>;
  /** Releases the mailbox. */
  close(): Promise<void>;
}

/** The process's one way to reach Zoho CRM and Exchange for a user. */
export interface BridgeConnectors extends ConnectorFactory {
  /** The Graph and identity endpoints every port uses (connection tests probe the same ones). */
  readonly endpoints: ServiceConnectorOptions;
  /** The user's Zoho CRM port (their own refresh token when they authorised one, else the org's). Shared: not closed. */
  crm(user: BridgeUser): Promise<ZohoCrmPort>;
  /** The org's Zoho CRM port (the connecting admin's refresh token). Shared: not closed. */
  orgCrm(): Promise<ZohoCrmPort>;
  /** The user's mailbox; the caller closes it. */
  exchange(user: BridgeUser): Promise<MailboxPort>;
  mail(user: BridgeUser): Promise<MailPorts>;
  /** Free/busy seen from the user's mailbox; `undefined` when its API offers none. */
  freeBusy(
    user: BridgeUser,
    addresses: readonly string[],
    startUtc: string,
    endUtc: string,
    intervalMinutes: number,
  ): Promise<FreeBusy[] | undefined>;
  /** Closes the shared CRM ports (process shutdown). */
  close(): Promise<void>;
}

/** Graph and identity endpoints; MSAL trusts an authority other than Microsoft's (a simulator) by name. */
export function serviceEndpoints(graphUrl: string, authorityHost: string): ServiceConnectorOptions {
  const authority = new URL(authorityHost);
  return {
    graphBaseUrl: graphUrl,
    authorityHost,
    ...(authority.hostname === "login.microsoftonline.com" ? {} : { knownAuthorities: [authority.host] }),
  };
}

/** A per-user Zoho refresh token (the user's own CRM view), if the user authorised one. */
export const userZohoToken = (userId: string) => `user:${userId}.zohoRefreshToken`;

function notConfigured(what: string): ConnectorError {
  return new ConnectorError({ kind: "mailbox-unavailable", message: `${what} is not configured` });
}

/** The shared Zoho port as one user's mailbox sees it: records it creates belong to that CRM user. Never closed. */
function ownedBy(port: ZohoCrmPort, user: BridgeUser): CrmPort {
  const { contacts, events, tasks } = port.modules;
  return {
    side: "crm",
    implementation: "zoho",
    modules: {
      contacts: contacts.ownedBy(user.zohoUserId),
      events: events.ownedBy(user.zohoUserId),
      tasks: tasks.ownedBy(user.zohoUserId),
    },
    // The user's own CRM-sent mail, not the connection's user's; scans are shared with the other mailboxes.
    mail: port.mail.ownedBy(user.zohoUserId),
    close: async () => {},
  };
}

export async function createServiceConnectorFactory(
  storage: Storage,
  endpoints: ServiceConnectorOptions,
): Promise<BridgeConnectors> {
  const crmPorts = new Map<string, Promise<ZohoCrmPort>>();
  // One MSAL app per application credentials, so a changed client secret or tenant gets a fresh token cache.
  const graphTokens = new Map<string, TokenProvider>();

  async function crm(user: BridgeUser): Promise<ZohoCrmPort> {
    return crmWith(await storage.secrets.get(userZohoToken(user.id)));
  }

  /** The CRM port of a refresh token: the user's own, else the org's. */
  async function crmWith(userRefreshToken: string | undefined): Promise<ZohoCrmPort> {
    const zoho = await loadZohoConnection(storage);
    const clientSecret = await storage.secrets.get(SECRET.zohoClientSecret);
    const refreshToken = userRefreshToken ?? (await storage.secrets.get(SECRET.zohoRefreshToken));
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
    return port;
  }

  async function graphTokenProvider(
    exchange: Extract<StoredExchangeConnection, { kind: "graph" }>,
  ): Promise<TokenProvider> {
    const credential = await storedGraphCredential(storage, exchange);
    if (!credential) throw notConfigured("the Graph client secret or certificate key");
    const key = JSON.stringify([exchange.tenantId, exchange.clientId, credential]);
    let tokens = graphTokens.get(key);
    if (!tokens) {
      tokens = appOnlyTokens(
        msalApp({
          ...credential,
          clientId: exchange.clientId,
          authority: `${endpoints.authorityHost}/${exchange.tenantId}`,
          ...(endpoints.knownAuthorities ? { knownAuthorities: endpoints.knownAuthorities } : {}),
        }),
      );
      graphTokens.clear();
      graphTokens.set(key, tokens);
    }
    return tokens;
  }

  async function exchange(user: BridgeUser): Promise<MailboxPort> {
    const connection = await loadExchangeConnection(storage);
    if (!connection)
      throw new ConnectorError({ kind: "mailbox-unavailable", message: "Exchange is not connected yet" });
    if (connection.kind === "graph") {
      return createGraphExchangePort({
        tokens: await graphTokenProvider(connection),
        mailbox: user.mailbox,
        // Subscriptions are opened only by the push channels, which give them the bridge's public HTTPS URL.
        push: true,
        ...(endpoints.graphBaseUrl ? { baseUrl: endpoints.graphBaseUrl } : {}),
      });
    }
    // Autodiscover ran (allow-listed) when the connection was saved; the port never discovers on its own, which would
    // send the password to whatever host a mailbox's domain or an Autodiscover answer names.
    if (!connection.resolvedEwsUrl) {
      throw new ConnectorError({
        kind: "mailbox-unavailable",
        message: "the EWS URL is not known: save the Exchange connection again so Autodiscover finds it",
      });
    }
    const individual = (await loadCredentialMode(storage)) === "individual";
    const password = await storage.secrets.get(individual ? SECRET.userPassword(user.id) : SECRET.exchangePassword);
    if (!password) throw new ConnectorError({ kind: "auth-expired", message: "no Exchange password is stored" });
    const version = (connection.detectedVersion ??
      (connection.serverVersion === "auto" ? "Exchange2010_SP2" : connection.serverVersion)) as EwsVersionName;
    const username = individual ? user.mailbox : (connection.username ?? connection.emailAddress);
    return createEwsExchangePort({
      mailbox: user.mailbox,
      url: connection.resolvedEwsUrl,
      version,
      username: connection.domain && !username.includes("@") ? `${connection.domain}\\${username}` : username,
      password,
      auth: connection.authScheme,
      impersonate: !individual,
    });
  }

  return {
    endpoints,
    crm,
    orgCrm: () => crmWith(undefined),
    exchange,
    async open(user): Promise<MailboxPorts> {
      return { crm: ownedBy(await crm(user), user), exchange: await exchange(user) };
    },
    async mail(user) {
      const [zoho, mailbox] = [await crm(user), await exchange(user)];
      return {
        ...(mailbox.mail ? { exchange: mailbox.mail as ExchangeMailPort<Email> } : {}),
        crm: zoho.mail as CrmMailPort<Email>,
        close: () => mailbox.close(),
      };
    },
    async freeBusy(user, addresses, startUtc, endUtc, intervalMinutes) {
      const mailbox = await exchange(user);
      try {
        return await mailbox.freeBusy?.(addresses, startUtc, endUtc, intervalMinutes);
      } finally {
        await mailbox.close();
      }
    },
    async close() {
      for (const port of crmPorts.values()) await port.then((p) => p.close()).catch(() => undefined);
      crmPorts.clear();
    },
  };
}
