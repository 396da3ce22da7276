/**
 * The add-in's CRM look-ups and actions for ONE signed-in user, straight against Zoho CRM (Records API v8, COQL) and
 * the user's own mailbox.
 *
 * Invariants:
 * - Zoho and the mailbox are reached through the process's connectors (`AppContext.connectors`), exactly as sync
 *   jobs reach them: the user's own refresh token when they authorised one, else the org's, one port per refresh
 *   token (Zoho caps live access tokens per refresh token, zoho-crm-api.md §1).
 * - Look-ups are exact COQL queries (no search-index lag, zoho-crm-api.md §2.5); full records come from GET by id so
 *   lookups carry their display names.
 * - Sending an e-mail is keyed by its RFC internetMessageId: Zoho answers DUPLICATE_DATA for a repeated
 *   `original_message_id` (§4), and the bridge keeps which records it filed a message on, so "already in CRM" is the
 *   server's answer on every device and survives the message being moved to another folder.
 */
import { ConnectorError, type ExchangeMailPort, type MailFile, type MailItem } from "../connectors/port.js";
import { requestError, type ZohoJson } from "../connectors/zoho/client.js";
import type { ZohoCrmPort } from "../connectors/zoho/index.js";
import { coqlString } from "../connectors/zoho/mail.js";
import { zohoTime } from "../connectors/zoho/time.js";
import type { Email } from "../model/index.js";
import { EmailAssociationStore, type FiledRecord } from "../storage/email-association-store.js";
import type { Storage } from "../storage/index.js";
import type { BridgeUser } from "../storage/user-repository.js";
import type { BridgeConnectors, MailboxPort } from "./service-connectors.js";

export type PersonModule = "Contacts" | "Leads";
export type RecordModule = PersonModule | "Accounts" | "Deals";

/** Stages after which a Deal no longer shows as open (Zoho's standard closing stages). */
const CLOSED_STAGES = ["Closed Won", "Closed Lost", "Closed Lost to Competition"];
const ACTIVITY_PAGE = 5;

const text = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);
const lookup = (value: unknown) => value as { id?: string; name?: string; email?: string } | null | undefined;

export function notConnected(error: unknown): boolean {
  return error instanceof ConnectorError && error.failure.kind === "mailbox-unavailable";
}

export class AddinCrm {
  private readonly currencies = new WeakMap<ZohoCrmPort, Promise<string | null>>();
  private readonly associations: EmailAssociationStore;

  constructor(
    storage: Storage,
    /** The process's connectors (`AppContext.connectors`), shared with the sync jobs. */
    readonly connectors: BridgeConnectors,
  ) {
    this.associations = new EmailAssociationStore(storage.db);
  }

  /** The user's Zoho port (shared per refresh token by the connectors; not closed). */
  zoho(user: BridgeUser): Promise<ZohoCrmPort> {
    return this.connectors.crm(user);
  }

  /** The user's mailbox; the caller closes it. */
  mailbox(user: BridgeUser): Promise<MailboxPort> {
    return this.connectors.exchange(user);
  }

  /** Rows of a COQL query; Zoho answers 204 for none. */
  async coql(port: ZohoCrmPort, query: string): Promise<ZohoJson[]> {
    const answer = await port.client.request({
      method: "POST",
      path: "coql",
      heavy: true,
      body: { select_query: query },
    });
    if (answer.status === 204) return [];
    if (answer.status !== 200) throw requestError(answer, "COQL query");
    return (answer.json?.data as ZohoJson[] | undefined) ?? [];
  }

  /** The org's ISO 4217 currency (`GET /org` → `iso_code`, zoho-crm-api.md §8), for formatting Deal amounts. */
  orgCurrency(port: ZohoCrmPort): Promise<string | null> {
    let currency = this.currencies.get(port);
    if (!currency) {
      currency = port.client.request({ method: "GET", path: "org" }).then((answer) => {
        const org = (answer.json?.org as ZohoJson[] | undefined)?.[0];
        return answer.status === 200 ? text(org?.iso_code) : null;
      });
      this.currencies.set(port, currency);
    }
    return currency;
  }

  /** One record by id, or undefined when Zoho has none (204, or 400 INVALID_DATA for an unknown id). */
  async record(port: ZohoCrmPort, module: RecordModule, id: string): Promise<ZohoJson | undefined> {
    const answer = await port.client.request({ method: "GET", path: `${module}/${encodeURIComponent(id)}` });
    if (answer.status === 204 || (answer.status === 400 && answer.json?.code === "INVALID_DATA")) return undefined;
    if (answer.status !== 200) throw requestError(answer, `read ${module}`);
    return (answer.json?.data as ZohoJson[] | undefined)?.[0];
  }

  /** Ids of Contacts and Leads whose e-mail is one of `emails` (case-insensitive), grouped by lower-cased address. */
  async peopleByEmail(port: ZohoCrmPort, emails: readonly string[]) {
    const found = await port.mail.findPeopleByEmail(emails);
    const byEmail = new Map<string, Array<{ module: PersonModule; id: string }>>();
    for (const person of found) {
      const key = person.email.toLowerCase();
      byEmail.set(key, [...(byEmail.get(key) ?? []), { module: person.module, id: person.id }]);
    }
    return byEmail;
  }

  /** The full add-in view of one Contact or Lead. */
  async person(port: ZohoCrmPort, module: PersonModule, id: string) {
    const record = await this.record(port, module, id);
    if (!record) return undefined;
    const owner = lookup(record.Owner);
    const accountRef = module === "Contacts" ? lookup(record.Account_Name) : undefined;
    const account = accountRef?.id ? await this.record(port, "Accounts", accountRef.id) : undefined;
    const accountOwner = lookup(account?.Owner);
    const dealFilter =
      module === "Contacts"
        ? `(Contact_Name = ${coqlString(id)}${accountRef?.id ? ` or Account_Name = ${coqlString(accountRef.id)}` : ""})`
        : undefined;
    const deals = dealFilter
      ? await this.coql(
          port,
          `select Deal_Name, Stage, Amount, Closing_Date, Account_Name from Deals where (${dealFilter} and Stage not in (${CLOSED_STAGES.map(coqlString).join(", ")})) limit 50`,
        )
      : [];
    // Tasks point at a Contact through Who_Id; a Lead can only be their What_Id (zoho-crm-api.md §3).
    const taskLink = module === "Contacts" ? "Who_Id" : "What_Id";
    const tasks = await this.coql(
      port,
      `select Subject, Due_Date, Status, Priority from Tasks where (${taskLink} = ${coqlString(id)} and Status != 'Completed') limit 50`,
    );
    const currency = deals.length > 0 ? await this.orgCurrency(port) : null;
    const name = [record.First_Name, record.Last_Name].filter((part) => typeof part === "string").join(" ");
    return {
      module,
      id,
      name: text(record.Full_Name) ?? name,
      email: String(record.Email ?? ""),
      title: text(record.Title) ?? text(record.Designation),
      phone: text(record.Phone) ?? text(record.Mobile),
      company: module === "Leads" ? text(record.Company) : null,
      owner: owner?.id ? { id: owner.id, name: owner.name ?? "", email: owner.email ?? null } : null,
      account:
        account && accountRef?.id
          ? {
              id: accountRef.id,
              name: String(account.Account_Name ?? accountRef.name ?? ""),
              website: text(account.Website),
              owner: accountOwner?.id
                ? { id: accountOwner.id, name: accountOwner.name ?? "", email: accountOwner.email ?? null }
                : null,
            }
          : null,
      openDeals: deals.map((deal) => ({
        id: String(deal.id),
        name: String(deal.Deal_Name ?? ""),
        stage: String(deal.Stage ?? ""),
        amount: typeof deal.Amount === "number" ? deal.Amount : null,
        currency,
        closingDate: text(deal.Closing_Date),
        accountId: lookup(deal.Account_Name)?.id ?? null,
      })),
      recentActivities: await this.recentEmails(port, module, id),
      openTasks: tasks.map((task) => ({
        id: String(task.id),
        subject: String(task.Subject ?? ""),
        dueDate: text(task.Due_Date),
        status: String(task.Status ?? ""),
        priority: text(task.Priority),
      })),
      crmUrl: null,
    };
  }

  /** The first page of a record's Emails related list (newest first in Zoho), as activities. */
  private async recentEmails(port: ZohoCrmPort, module: PersonModule, id: string) {
    const answer = await port.client.request({ method: "GET", path: `${module}/${id}/Emails` });
    if (answer.status === 204) return [];
    if (answer.status !== 200) throw requestError(answer, "e-mails of a record");
    return ((answer.json?.Emails as ZohoJson[] | undefined) ?? []).slice(0, ACTIVITY_PAGE).map((mail) => ({
      module: "Emails" as const,
      id: String(mail.message_id),
      subject: String(mail.subject ?? ""),
      at: String(mail.time),
    }));
  }

  /** Creates one record; returns its id, or throws a ConnectorError carrying Zoho's item-level code. */
  async insert(port: ZohoCrmPort, module: string, values: ZohoJson): Promise<string> {
    const answer = await port.client.request({ method: "POST", path: module, body: { data: [values] } });
    const item = (answer.json?.data as ZohoJson[] | undefined)?.[0];
    const details = item?.details as ZohoJson | undefined;
    if (item?.status === "success" && details?.id) return String(details.id);
    if (item) {
      throw new ConnectorError({
        kind: "invalid-record",
        message: `${String(item.code)}: ${String(item.message)}${details?.api_name ? ` (${String(details.api_name)})` : ""}`,
      });
    }
    throw requestError(answer, `create ${module}`);
  }

  /**
   * The message with this internetMessageId in any folder of the user's mailbox, read by the bridge itself so the
   * client cannot file content the mailbox does not hold; with its file attachments when `withFiles`.
   */
  async message(
    user: BridgeUser,
    internetMessageId: string,
    withFiles: boolean,
  ): Promise<{ item: MailItem<Email>; files: readonly MailFile[] } | undefined> {
    const mailbox = await this.mailbox(user);
    try {
      const mail = mailbox.mail as ExchangeMailPort<Email> | undefined;
      const item = await mail?.findByMessageId(internetMessageId);
      if (!mail || !item) return undefined;
      return { item, files: withFiles ? await mail.attachmentFiles(item.id) : [] };
    } finally {
      await mailbox.close();
    }
  }

  /** The newest messages of the user's mailbox as preview items for the sandbox's stubbed Office host. */
  async previewMessages(user: BridgeUser, limit: number) {
    const mailbox = await this.mailbox(user);
    const found: Array<{ id: string; value: Email }> = [];
    let newest: Array<{ id: string; value: Email; files: Array<{ name: string; size: number }> }> = [];
    try {
      let cursor: string | undefined;
      while (mailbox.mail) {
        const page = await mailbox.mail.listMessages(cursor);
        found.push(...page.messages.map((message) => ({ id: message.id, value: message.value as Email })));
        if (page.complete) break;
        cursor = page.cursor;
      }
      found.sort((a, b) => Date.parse(b.value.date) - Date.parse(a.value.date));
      // The Graph connector's message listing asks for no attachment metadata, so the few previewed messages are
      // asked for their files: the stubbed host must list them as Outlook's item.attachments would.
      const mail = mailbox.mail;
      newest = await Promise.all(
        found.slice(0, limit).map(async (entry) => ({
          ...entry,
          files:
            entry.value.attachments.length > 0 || !mail
              ? entry.value.attachments.map((attachment) => ({ name: attachment.name, size: attachment.size ?? 0 }))
              : (await mail.attachmentFiles(entry.id))
                  .filter((file) => !file.isInline)
                  .map((file) => ({ name: file.name, size: file.content.length })),
        })),
      );
    } finally {
      await mailbox.close();
    }
    const person = (entry: Email["from"]) => ({ email: entry.address, name: entry.name ?? null });
    return newest.map(({ id, value, files }) => ({
      itemType: "message" as const,
      // The sandbox mailboxes are Office 365 ones, so the Graph id serves as both ids.
      ewsItemId: id,
      restItemId: id,
      internetMessageId: value.messageId,
      subject: value.subject,
      from: person(value.from),
      to: value.to.map(person),
      cc: value.cc.map(person),
      start: null,
      end: null,
      location: null,
      dateTimeCreated: value.date,
      bodyText:
        value.body.format === "html"
          ? value.body.content
              .replace(/<[^>]*>/g, " ")
              .replace(/\s+/g, " ")
              .trim()
          : value.body.content,
      attachments: files.map((file, index) => ({ id: `${id}:${index}`, ...file })),
    }));
  }

  filedRecords(user: BridgeUser, internetMessageId: string): Promise<FiledRecord[]> {
    return this.associations.recordsFor(user.id, internetMessageId);
  }

  rememberFiled(user: BridgeUser, internetMessageId: string, record: FiledRecord): Promise<void> {
    return this.associations.remember(user.id, user.mailbox, internetMessageId, record);
  }
}

/** A Zoho DateTime for an ISO instant (one-second precision, offset), as Zoho requires on write. */
export function zohoDateTime(iso: string): string {
  return zohoTime(Math.floor(Date.parse(iso) / 1000));
}
