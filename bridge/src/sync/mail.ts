/**
 * E-mail is associated, not two-way synced:
 * - Exchange → CRM: each new mailbox message is associated to every CRM Contact/Lead whose address appears in its
 *   from/to/cc (Zoho then shows it on their Accounts and Deals too);
 * - CRM → Exchange: e-mails the mailbox's user sent from the CRM (the mail's owner, whoever owns the record it was sent
 *   from: the CRM port decides, e.g. zoho/mail.ts) are filed into the mailbox's Sent Items; a colleague's never are.
 * Which directions run, whether attachments go along and which messages are wanted are the caller's settings
 * (`services/mail-job.ts` reads them from the e-mail module's settings).
 *
 * Invariants: both directions are idempotent by the RFC 5322 Message-ID (the ports guarantee it), so replaying a page
 * is harmless; each direction's cursor is saved only after every message of its page succeeded, and a page with a
 * failure stops that direction for this run (the page is replayed next run); a global failure stops the whole run.
 * The mailbox's own address is never looked up (it would match the user's own CRM contact on every message).
 * A message this sync filed from the CRM is remembered (a relation row keyed by its Message-ID) and never associated
 * back: Zoho already shows it on the record, and associating it would add a second copy there.
 */

import { ConnectorError, isGlobalFailure, type toConnectorFailure } from "../connectors/errors.js";
import type { CrmMailPort, ExchangeMailPort, MailFile, MailItem } from "../connectors/port.js";
import type { ItemOutcome, RelationRow, SyncScope, SyncStateStore } from "./state.js";

export interface MailSyncOptions<Mail> {
  /** The mailbox; the module is always "emails". */
  readonly mailboxId: string;
  readonly exchange: ExchangeMailPort<Mail>;
  readonly crm: CrmMailPort<Mail>;
  readonly store: SyncStateStore;
  /** The from/to/cc addresses of a message. */
  addressesOf(mail: Mail): readonly string[];
  /** The mailbox's own address(es), excluded from look-ups. */
  readonly ownAddresses: readonly string[];
  /**
   * Which directions run (the e-mail module's direction setting; both when absent): `toCrm` associates mailbox
   * messages to CRM people, `toMailbox` files CRM-sent mail into Sent Items. A direction that does not run leaves
   * its cursor where it was.
   */
  readonly directions?: { readonly toCrm: boolean; readonly toMailbox: boolean };
  /** File a message's attachments with it (read once per message that has someone to be associated with). */
  readonly includeAttachments?: boolean;
  /** Mailbox messages this returns false for are not associated (the module's `pastDays`); all when absent. */
  isWanted?(mail: Mail): boolean;
}

export interface MailSyncResult {
  readonly status: "completed" | "aborted";
  readonly reason?: string;
  /** Associations made (message × person). */
  readonly associated: number;
  /** CRM-sent messages filed into Sent Items. */
  readonly filed: number;
  /** Mailbox messages read (each one mapped; a message that did not map fails its page instead). */
  readonly read: number;
  readonly outcomes: readonly ItemOutcome[];
}

interface MailPage<Mail> {
  readonly messages: readonly MailItem<Mail>[];
  readonly cursor: string;
  readonly complete: boolean;
}

const lower = (address: string) => address.trim().toLowerCase();

export async function runMailSync<Mail>(options: MailSyncOptions<Mail>): Promise<MailSyncResult> {
  const scope: SyncScope = { mailboxId: options.mailboxId, module: "emails" };
  const own = new Set(options.ownAddresses.map(lower));
  const outcomes: ItemOutcome[] = [];
  let associated = 0;
  let filed = 0;
  let read = 0;

  const filedFromCrm = new Set((await options.store.listRelations(scope)).map((row) => row.crmId));

  /** Drives one direction page by page; `handle` returns false when an item of the page failed. */
  const drive = async (
    side: "exchange" | "crm",
    list: (cursor: string | undefined) => Promise<MailPage<Mail>>,
    handle: (page: MailPage<Mail>) => Promise<boolean>,
  ): Promise<void> => {
    let cursor = await options.store.getCursor(scope, side);
    for (;;) {
      const page = await list(cursor);
      if (!(await handle(page))) return;
      cursor = page.cursor;
      await options.store.saveCursor(scope, side, cursor);
      if (page.complete) return;
    }
  };

  const fail = (messageId: string, side: "exchange" | "crm", failure: ReturnType<typeof toConnectorFailure>) => {
    if (isGlobalFailure(failure)) throw new ConnectorError(failure);
    outcomes.push({ status: "error", side, reason: `${messageId}: ${failure.message}`, failureKind: failure.kind });
  };

  /** The files to send with a message: read only when asked, and only once per message. */
  const filesOf = async (message: MailItem<Mail>): Promise<readonly MailFile[]> =>
    options.includeAttachments ? options.exchange.attachmentFiles(message.id) : [];
  const directions = options.directions ?? { toCrm: true, toMailbox: true };

  try {
    // CRM → mailbox first: a record this run then associates mail to has its Last_Activity_Time moved after the
    // feed's start, so the next run's feed reads it once; associated before, it would fall in the overlap window and
    // be read by this run's feed and again by the next one's (zoho/mail.ts).
    if (directions.toMailbox)
      await drive(
        "crm",
        (cursor) => options.crm.listSentEmails(cursor),
        async (page) => {
          let clean = true;
          for (const message of page.messages) {
            const result = await options.exchange.saveToSentItems(message.value, message.messageId);
            if (result.ok) {
              filed++;
              filedFromCrm.add(message.messageId);
              await options.store.saveRelation(scope, filedRelation(message.messageId, result.value.id));
              outcomes.push({
                status: "created",
                side: "exchange",
                exchangeId: result.value.id,
                reason: "filed in Sent Items",
              });
            } else {
              clean = false;
              fail(message.messageId, "exchange", result.failure);
            }
          }
          return clean;
        },
      );
    if (directions.toCrm)
      await drive(
        "exchange",
        (cursor) => options.exchange.listMessages(cursor),
        async (page) => {
          read += page.messages.length;
          const fromMailbox = page.messages.filter(
            (message) => !filedFromCrm.has(message.messageId) && (options.isWanted?.(message.value) ?? true),
          );
          const addresses = new Set(
            fromMailbox.flatMap((message) => options.addressesOf(message.value).map(lower)).filter((a) => !own.has(a)),
          );
          if (addresses.size === 0) return true;
          const people = await options.crm.findPeopleByEmail([...addresses]);
          let clean = true;
          for (const message of fromMailbox) {
            const mentioned = new Set(options.addressesOf(message.value).map(lower));
            const matches = people.filter((candidate) => mentioned.has(lower(candidate.email)));
            if (matches.length === 0) continue;
            let files: readonly MailFile[];
            try {
              files = await filesOf(message);
            } catch (error) {
              if (!(error instanceof ConnectorError)) throw error;
              clean = false;
              fail(message.messageId, "exchange", error.failure);
              continue;
            }
            for (const person of matches) {
              const result = await options.crm.associateEmail(person, message, files);
              if (result.ok) {
                associated++;
                outcomes.push({
                  status: "created",
                  side: "crm",
                  crmId: person.id,
                  reason: `associated ${message.messageId}`,
                });
              } else {
                clean = false;
                fail(message.messageId, "crm", result.failure);
              }
            }
          }
          return clean;
        },
      );
  } catch (error) {
    if (!(error instanceof ConnectorError)) throw error;
    return { status: "aborted", reason: error.message, associated, filed, read, outcomes };
  }
  return { status: "completed", associated, filed, read, outcomes };
}

/** The record of a CRM-sent message filed into Sent Items; only the ids matter (mail has no merge base). */
function filedRelation(messageId: string, exchangeId: string): RelationRow {
  return {
    id: messageId,
    exchangeId,
    exchangeVersion: "",
    exchangeHash: "",
    crmId: messageId,
    crmVersion: "",
    crmHash: "",
    base: null,
    schemaVersion: 1,
    syncedAt: new Date().toISOString(),
  };
}
