/**
 * In-memory e-mail ports: a mailbox's messages (with Sent Items) and a CRM's people, associations and sent e-mails.
 * Both are idempotent by Message-ID, like the real ones; `failNext` injects one whole-call failure.
 */

import { ConnectorError, type ConnectorFailure, failed, type ItemResult, succeeded } from "../errors.js";
import type { CrmMailPort, CrmPersonRef, ExchangeMailPort, MailFile, MailItem } from "../port.js";

interface MailPage<Mail> {
  readonly messages: readonly MailItem<Mail>[];
  readonly cursor: string;
  readonly complete: boolean;
}

/** An append-only message log read in pages from a numeric cursor. */
class MessageLog<Mail> {
  readonly items: MailItem<Mail>[] = [];
  private pendingFailure: ConnectorFailure | undefined;

  constructor(private readonly pageSize: number) {}

  failNext(failure: ConnectorFailure): void {
    this.pendingFailure = failure;
  }

  throwIfFailing(): void {
    const failure = this.pendingFailure;
    this.pendingFailure = undefined;
    if (failure) throw new ConnectorError(failure);
  }

  page(cursor: string | undefined): MailPage<Mail> {
    this.throwIfFailing();
    const from = cursor === undefined ? 0 : Number(cursor);
    const to = Math.min(from + this.pageSize, this.items.length);
    return { messages: this.items.slice(from, to), cursor: String(to), complete: to === this.items.length };
  }
}

export class MemoryExchangeMail<Mail> implements ExchangeMailPort<Mail> {
  /** Inbox and Sent Items together, in arrival order. */
  readonly log: MessageLog<Mail>;
  /** Ids of the messages in Sent Items. */
  readonly sentItems = new Set<string>();
  /** File attachments per message id. */
  readonly files = new Map<string, MailFile[]>();

  constructor(pageSize = 50) {
    this.log = new MessageLog(pageSize);
  }

  /** A message arrives in (or is sent from) the mailbox. */
  receive(messageId: string, value: Mail): MailItem<Mail> {
    const item = { id: `msg-${this.log.items.length + 1}`, messageId, value };
    this.log.items.push(item);
    return item;
  }

  async listMessages(cursor: string | undefined): Promise<MailPage<Mail>> {
    return this.log.page(cursor);
  }

  async findByMessageId(messageId: string): Promise<MailItem<Mail> | undefined> {
    this.log.throwIfFailing();
    return this.log.items.find((item) => item.messageId === messageId);
  }

  async attachmentFiles(id: string): Promise<readonly MailFile[]> {
    this.log.throwIfFailing();
    return this.files.get(id) ?? [];
  }

  async saveToSentItems(message: Mail, messageId: string): Promise<ItemResult<MailItem<Mail>>> {
    this.log.throwIfFailing();
    const existing = this.log.items.find((item) => item.messageId === messageId);
    if (existing) return succeeded(existing);
    const item = this.receive(messageId, message);
    this.sentItems.add(item.id);
    return succeeded(item);
  }
}

export class MemoryCrmMail<Mail> implements CrmMailPort<Mail> {
  readonly people: CrmPersonRef[] = [];
  /** `personId messageId` pairs. */
  readonly associations = new Set<string>();
  /** Names of the files filed with each `personId messageId` pair. */
  readonly attachedFiles = new Map<string, string[]>();
  readonly sent: MessageLog<Mail>;
  /** Message-IDs whose association fails (per item). */
  readonly rejected = new Map<string, ConnectorFailure>();

  constructor(pageSize = 50) {
    this.sent = new MessageLog(pageSize);
  }

  async findPeopleByEmail(addresses: readonly string[]): Promise<readonly CrmPersonRef[]> {
    this.sent.throwIfFailing();
    const wanted = new Set(addresses.map((address) => address.toLowerCase()));
    return this.people.filter((person) => wanted.has(person.email.toLowerCase()));
  }

  async associateEmail(
    person: CrmPersonRef,
    message: MailItem<Mail>,
    files: readonly MailFile[] = [],
  ): Promise<ItemResult<void>> {
    const rejection = this.rejected.get(message.messageId);
    if (rejection) return failed(rejection);
    if (!this.people.some((candidate) => candidate.id === person.id)) {
      return failed({ kind: "not-found", message: `no ${person.module} ${person.id}` });
    }
    const key = `${person.id} ${message.messageId}`;
    if (!this.associations.has(key))
      this.attachedFiles.set(
        key,
        files.map((file) => file.name),
      );
    this.associations.add(key);
    return succeeded(undefined);
  }

  async listSentEmails(cursor: string | undefined): Promise<MailPage<Mail>> {
    return this.sent.page(cursor);
  }
}
