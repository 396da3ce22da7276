/**
 * The `emails` job: runs the engine's e-mail association (`sync/mail.ts`) for one user with the connectors' mail
 * ports — mailbox messages associated to the CRM Contacts/Leads they mention, CRM-sent mail filed into Sent Items.
 * Idempotency and cursors are the engine's (by Message-ID, one cursor per direction in the sync state store).
 */
import { randomUUID } from "node:crypto";
import type { SyncSettings } from "../api/admin.js";
import type { CrmMailPort, ExchangeMailPort } from "../connectors/port.js";
import type { Email } from "../model/index.js";
import type { BridgeUser } from "../storage/user-repository.js";
import { type MailSyncResult, runMailSync } from "../sync/mail.js";
import type { SyncStateStore } from "../sync/state.js";
import type { MailboxPorts } from "./connectors.js";

const DAY_MS = 24 * 60 * 60 * 1000;

/** E-mail runs for this user: the module is on for the org and the user's own override does not switch it off. */
export function mailEnabledFor(settings: SyncSettings, user: BridgeUser): boolean {
  return settings.modules.emails.enabled && user.moduleOverrides.emails !== false;
}

/**
 * The run, recorded in the run history like any module's (creates: CRM associations / Sent Items filings). The
 * module's direction picks what runs: exchange-to-zoho associates mailbox messages, zoho-to-exchange files CRM-sent
 * mail into Sent Items, two-way both; `filters.includeAttachments` files attachments with the mail, and
 * `filters.pastDays` leaves older mailbox messages out of the CRM.
 */
export async function runMailJob(
  user: BridgeUser,
  ports: MailboxPorts,
  store: SyncStateStore,
  settings: SyncSettings,
): Promise<(MailSyncResult & { runId: string }) | undefined> {
  const emails = settings.modules.emails;
  const exchange = ports.exchange.mail;
  const crm = ports.crm.mail;
  // Both connectors' mail ports carry the canonical `Email` (Graph, EWS, Zoho); a side without one cannot do mail.
  if (!exchange || !crm) return undefined;
  const startedMs = Date.now();
  const { pastDays } = emails.filters;
  const startedAt = new Date(startedMs).toISOString();
  const result = await runMailSync<Email>({
    mailboxId: user.id,
    exchange: exchange as ExchangeMailPort<Email>,
    crm: crm as CrmMailPort<Email>,
    store,
    addressesOf: (mail) => [mail.from, ...mail.to, ...mail.cc].map((person) => person.address),
    ownAddresses: [ports.exchange.mailbox, user.email],
    directions: {
      toCrm: emails.direction !== "zoho-to-exchange",
      toMailbox: emails.direction !== "exchange-to-zoho",
    },
    includeAttachments: emails.filters.includeAttachments === true,
    ...(pastDays === null ? {} : { isWanted: (mail: Email) => Date.parse(mail.date) >= startedMs - pastDays * DAY_MS }),
  });
  const counts = (creates: number) => ({ creates, updates: 0, deletes: 0, invitations: 0 });
  const runId = randomUUID();
  await store.saveRun({
    runId,
    scope: { mailboxId: user.id, module: "emails" },
    startedAt,
    finishedAt: new Date().toISOString(),
    dryRun: false,
    status: result.status,
    ...(result.reason ? { reason: result.reason } : {}),
    planned: { crm: counts(result.associated), exchange: counts(result.filed) },
    outcomes: result.outcomes,
  });
  return { ...result, runId };
}
