/**
 * The `emails` job: runs the engine's e-mail association (`sync/mail.ts`) for one user with the connectors' mail
 * ports — mailbox messages associated to the CRM Contacts/Leads they mention, CRM-sent mail filed into Sent Items.
 * Idempotency and cursors are the engine's (by Message-ID, one cursor per direction in the sync state store).
 */
import type { CrmMailPort, ExchangeMailPort } from "../connectors/port.js";
import type { Email } from "../model/index.js";
import type { BridgeUser } from "../storage/user-repository.js";
import { type MailSyncResult, runMailSync } from "../sync/mail.js";
import type { SyncStateStore } from "../sync/state.js";
import type { MailboxPorts } from "./connectors.js";

export async function runMailJob(
  user: BridgeUser,
  ports: MailboxPorts,
  store: SyncStateStore,
): Promise<MailSyncResult | undefined> {
  const exchange = ports.exchange.mail;
  const crm = ports.crm.mail;
  // Both connectors' mail ports carry the canonical `Email` (Graph, EWS, Zoho); a side without one cannot do mail.
  if (!exchange || !crm) return undefined;
  return runMailSync<Email>({
    mailboxId: user.id,
    exchange: exchange as ExchangeMailPort<Email>,
    crm: crm as CrmMailPort<Email>,
    store,
    addressesOf: (mail) => [mail.from, ...mail.to, ...mail.cc].map((person) => person.address),
    ownAddresses: [ports.exchange.mailbox, user.email],
  });
}
