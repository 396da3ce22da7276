/**
 * How the bridge reaches a user's mailbox and CRM view. One factory per deployment, chosen by configuration
 * (Graph or EWS for Exchange, Zoho for the CRM; the memory pair in tests), so the sync service never asks which
 * service it talks to.
 */
import type { CrmPort, ExchangePort } from "../connectors/port.js";
import type { ExchangeApi } from "../model/sync-modules.js";
import type { BridgeUser } from "../storage/user-repository.js";

export interface MailboxPorts {
  exchange: ExchangePort;
  crm: CrmPort;
}

export interface ConnectorFactory {
  /** Opens both sides for one user. Throws `ConnectorError` (auth-expired, mailbox-unavailable…) when it cannot. */
  open(user: BridgeUser): Promise<MailboxPorts>;
}

/** The Exchange API a mailbox port speaks (decides a module's side fields); the memory port stands in for Graph. */
export function exchangeApiOf(port: ExchangePort): ExchangeApi {
  return port.implementation === "ews" ? "ews" : "graph";
}
