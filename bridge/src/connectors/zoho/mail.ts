/**
 * E-mail on the Zoho side (zoho-crm-api.md §4):
 * - people by e-mail: COQL on Contacts and Leads (`Email in (…)` / `Secondary_Email in (…)`), exact and without the
 *   search index lag, 50 addresses per query;
 * - filing: `associate_email` with the RFC Message-ID as `original_message_id`; Zoho's DUPLICATE_DATA for a
 *   repeated Message-ID on the record means "already filed" and is reported as success (idempotent retries).
 * - CRM-sent mail: Zoho has no org-wide mail listing (the per-record `Emails` related list, View Email and
 *   `email_available` by Message-ID only; Emails are neither a COQL module nor one notifications can watch:
 *   zoho.com/crm/developer/docs/api/v7/notifications/enable.html "Supported modules"). The related list's own filters
 *   do not help either: `owner_id` applies to `type=user_emails` only (IMAP/POP-synced mail; v6–v8
 *   get-email-rel-list), not to `sent_from_crm`. So a scan finds the Contacts and Leads of every owner whose
 *   `Last_Activity_Time` moved since the cursor (COQL, with an overlap window), reads their `Emails` related list
 *   (`type=sent_from_crm`, 10 per page, newest first) down to the window, and each mailbox takes the entries that are
 *   its user's mail. "The user's mail" is the entry's `owner.id`: Zoho makes the sender the owner of a mail sent
 *   from the CRM ("the email record owner (the person who sends the email)": help.zoho.com community post "New
 *   permissions for accessing emails sent via Zoho CRM", 2024), whoever owns the record, whereas `from` can be an
 *   organization address several users send from, or an alias; so a colleague's mail to this user's record never
 *   reaches this user's Sent Items, and this user's mail to a colleague's record does (an entry without an owner is
 *   nobody's). Cost: a scan of the user's own records misses that mail, and an org-wide scan per mailbox would
 *   multiply by the mailboxes, so one scan is shared by the mail ports of every mailbox over one Zoho connection in a
 *   process (`ownedBy`): a mailbox takes the latest scan when it covers its window, has not been taken by it yet and
 *   is fresh, else starts the next, so a cycle over N mailboxes costs one scan (2 COQL calls, one `emails.list` per
 *   record with activity, one read per new mail), not N (200 mailboxes: 2 COQL calls a cycle where the owner-scoped
 *   feed made 400). The cursor moves to that scan's start, so mail sent while it ran is the next scan's.
 *   What moves `Last_Activity_Time` decides the scan's cost: a record's creation does not (it is null until the first
 *   activity), an edit does (to its Modified_Time), and so do a mail sent from or associated to the record
 *   (simulators/zoho/README.md). A move the bridge caused itself (its edits and associations) cannot be told apart
 *   from a CRM-sent mail just before it: the time is the latest activity's, so it hides any earlier one, and those
 *   records are read like any other. Zoho's related list carries its own `message_id`, not the RFC Message-ID (nor
 *   does View Email: v6–v8 docs, `emails-related-*.json`), so the message is identified as `<{message_id}@crm.zoho>`
 *   — stable, which keeps filing into Sent Items idempotent, and the engine remembers it so the filed copy is never
 *   associated back. Cursor: JSON `{since, seen}` (seen = message ids in the overlap window).
 * - attachments: uploaded to Zoho's file store first (`POST /files`, multipart, at most 10 files per call, each at most
 *   20 MB: zoho.com/crm/developer/docs/api/v8/upload-files-to-zfs.html), then listed by their encrypted ids on the
 *   associated mail, whose attachments may total 10 MB (§4, FILE_SIZE_EXCEEDS). Mail over that total is refused here
 *   as `invalid-record` before anything is uploaded, never filed without its files.
 */
import { MappingError } from "../../mapping/errors.js";
import { emailToZoho } from "../../mapping/zoho/email.js";
import type { Email } from "../../model/index.js";
import { ConnectorError, failed, type ItemResult, isGlobalFailure, succeeded } from "../errors.js";
import type { CrmMailPort, CrmPersonRef, MailFile, MailItem } from "../port.js";
import { requestError, type ZohoClient, type ZohoJson } from "./client.js";
import { epochSeconds, zohoTime } from "./time.js";

const ADDRESSES_PER_QUERY = 50;
/** COQL rows per call (zoho-crm-api.md §2.5). */
const COQL_ROWS = 2000;
/**
 * Records whose Emails are read at once. The client's limiter keeps the calls within Zoho's concurrency anyway;
 * chunks keep one failed read from leaving a long tail of others running.
 */
const RECORDS_AT_ONCE = 10;
const FILES_PER_UPLOAD = 10;
/** Zoho's limit on the attachments of one associated e-mail (zoho-crm-api.md §4). */
const MAX_EMAIL_ATTACHMENT_BYTES = 10 * 1024 * 1024;
const OVERLAP_SECONDS = 2;

interface SentCursor {
  since: number;
  seen: Array<{ id: string; at: number }>;
}

type ZohoMailAddressJson = { user_name?: string | null; email?: string | null };

function mailbox(value: unknown): { address: string; name?: string } | undefined {
  const entry = value as ZohoMailAddressJson | null;
  if (!entry?.email) return undefined;
  return entry.user_name ? { address: entry.email, name: entry.user_name } : { address: entry.email };
}

function mailboxes(value: unknown): Array<{ address: string; name?: string }> {
  return Array.isArray(value) ? value.flatMap((entry) => mailbox(entry) ?? []) : [];
}

/** COQL string literal: quotes doubled (zoho-crm-api.md §2.5). */
export function coqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * COQL criteria joined by `operator`, paired by parentheses as Zoho requires beyond two: `((A or B) or C)`
 * (zoho-crm-api.md §2.5; `A or B or C` is a 400 SYNTAX_ERROR).
 */
export function coqlJoin(operator: "and" | "or", criteria: readonly string[]): string {
  return criteria.reduce((left, right) => `(${left} ${operator} ${right})`);
}

/** COQL criteria for Contacts/Leads whose last name, first name or e-mail contains `search` (a typed look-up). */
export function personLike(search: string): string {
  const pattern = coqlString(`%${search.replaceAll("%", "")}%`);
  return coqlJoin("or", [`Last_Name like ${pattern}`, `First_Name like ${pattern}`, `Email like ${pattern}`]);
}

/** A CRM-sent mail on a record's Emails related list, as a scan found it. */
interface SentEntry {
  readonly module: "Contacts" | "Leads";
  readonly recordId: string;
  readonly messageId: string;
  /** Sent at (epoch seconds). */
  readonly at: number;
  /** The sending user's CRM id. */
  readonly ownerId: string | undefined;
}

/** One scan of the CRM-sent mail on every Contact and Lead with activity at or after `from`. */
interface SentScan {
  readonly from: number;
  /** Epoch seconds, taken before the first query: mail sent later may be missing from the scan. */
  readonly startedAt: number;
  readonly entries: Promise<readonly SentEntry[]>;
  /** Epoch seconds; unset while the scan runs. */
  finishedAt?: number;
}

/**
 * A finished scan is shared only this long: a mailbox whose run comes later scans anew rather than file mail up to a
 * minute late. A running scan is always shared (a second one would only add load while the first is slow).
 */
const SCAN_SHARED_SECONDS = 60;

/** The scans of one Zoho connection in this process, shared by the mail ports of its mailboxes (header: cost). */
class SentMailScans {
  private latest: SentScan | undefined;

  constructor(private readonly client: ZohoClient) {}

  /**
   * The scan a mailbox whose window starts at `from` and whose cursor is at `since` reads: the latest one when it
   * covers the window, started after the cursor (the mailbox has not taken it yet) and is fresh, else a new one.
   */
  scanFor(from: number, since: number): SentScan {
    const now = Math.floor(Date.now() / 1000);
    const latest = this.latest;
    if (
      latest &&
      latest.from <= from &&
      since < latest.startedAt - OVERLAP_SECONDS &&
      (latest.finishedAt === undefined || now - latest.finishedAt <= SCAN_SHARED_SECONDS)
    ) {
      return latest;
    }
    const scan: SentScan = { from, startedAt: now, entries: this.scan(from) };
    this.latest = scan;
    scan.entries.then(
      () => {
        scan.finishedAt = Math.floor(Date.now() / 1000);
      },
      // A failed scan is not shared: the next mailbox tries again.
      () => {
        if (this.latest === scan) this.latest = undefined;
      },
    );
    return scan;
  }

  private async scan(from: number): Promise<SentEntry[]> {
    const entries: SentEntry[] = [];
    for (const module of ["Contacts", "Leads"] as const) {
      const ids = await this.recentlyActive(module, from);
      for (let start = 0; start < ids.length; start += RECORDS_AT_ONCE) {
        const chunk = ids.slice(start, start + RECORDS_AT_ONCE);
        const lists = await Promise.all(chunk.map((id) => this.sentFromCrm(module, id, from)));
        for (const [index, recordId] of chunk.entries()) {
          for (const summary of lists[index] ?? []) {
            const at = epochSeconds(String(summary.time));
            if (at < from) continue;
            const owner = (summary.owner as ZohoJson | null | undefined)?.id;
            entries.push({
              module,
              recordId,
              messageId: String(summary.message_id),
              at,
              ownerId: owner === undefined || owner === null ? undefined : String(owner),
            });
          }
        }
      }
    }
    return entries;
  }

  /**
   * The ids of the records of `module` (every owner's) whose Last_Activity_Time is at or after `from`, oldest
   * activity first, 2 000 per COQL call, paged by (Last_Activity_Time, id) after the last row: COQL's offset stops at
   * 10 000 rows (zoho-crm-api.md §2.5), and a record whose activity moves meanwhile is met again later (ids are kept
   * once).
   */
  private async recentlyActive(module: string, from: number): Promise<string[]> {
    const ids = new Set<string>();
    let where = `Last_Activity_Time >= ${coqlString(zohoTime(from))}`;
    for (;;) {
      const answer = await this.client.request({
        method: "POST",
        path: "coql",
        heavy: true,
        body: {
          select_query: `select Last_Activity_Time from ${module} where ${where} order by Last_Activity_Time asc, id asc limit ${COQL_ROWS}`,
        },
      });
      if (answer.status === 204) return [...ids];
      if (answer.status !== 200) throw requestError(answer, `${module} with recent activity`);
      const rows = (answer.json?.data as ZohoJson[] | undefined) ?? [];
      for (const row of rows) ids.add(String(row.id));
      const last = rows.at(-1);
      if ((answer.json?.info as ZohoJson | undefined)?.more_records !== true || !last) return [...ids];
      const at = coqlString(String(last.Last_Activity_Time));
      where = `(Last_Activity_Time > ${at} or (Last_Activity_Time = ${at} and id > ${coqlString(String(last.id))}))`;
    }
  }

  /**
   * The `sent_from_crm` entries of a record's Emails related list (10 per page, `index` paging) down to the first
   * page that reaches back before `from`: the list comes newest first (the v7 doc sample,
   * emails-related-list-response.json, 2023-12-06 before 2023-10-30), so older pages hold nothing new.
   */
  private async sentFromCrm(module: string, id: string, from: number): Promise<ZohoJson[]> {
    const entries: ZohoJson[] = [];
    let index: string | undefined;
    for (;;) {
      const answer = await this.client.request({
        method: "GET",
        path: `${module}/${id}/Emails`,
        query: { type: "sent_from_crm", index },
      });
      if (answer.status === 204) return entries;
      if (answer.status !== 200) throw requestError(answer, "e-mails of a record");
      const page = (answer.json?.Emails as ZohoJson[] | undefined) ?? [];
      entries.push(...page);
      const info = (answer.json?.info ?? {}) as ZohoJson;
      const oldest = page.at(-1);
      if (oldest === undefined || epochSeconds(String(oldest.time)) < from) return entries;
      if (info.more_records !== true || typeof info.next_index !== "string") return entries;
      index = info.next_index;
    }
  }
}

export class ZohoMailPort implements CrmMailPort<Email> {
  constructor(
    private readonly client: ZohoClient,
    private readonly userTimeZone: string,
    /** The CRM user whose CRM-sent mail is listed (the mail's owner, its sender). */
    private readonly userId: string,
    private readonly scans = new SentMailScans(client),
  ) {}

  /** The port for another CRM user's mailbox over the same connection, sharing its scans of CRM-sent mail. */
  ownedBy(userId: string): ZohoMailPort {
    return new ZohoMailPort(this.client, this.userTimeZone, userId, this.scans);
  }

  async listSentEmails(raw: string | undefined): Promise<{
    readonly messages: readonly MailItem<Email>[];
    readonly cursor: string;
    readonly complete: boolean;
  }> {
    const cursor = parseSentCursor(raw);
    const windowStart = Math.max(0, cursor.since - OVERLAP_SECONDS);
    const seen = new Set(cursor.seen.map((entry) => entry.id));
    const scan = this.scans.scanFor(windowStart, cursor.since);
    const messages: MailItem<Email>[] = [];
    const delivered: Array<{ id: string; at: number }> = [];
    for (const entry of await scan.entries) {
      if (entry.ownerId !== this.userId || entry.at < windowStart || seen.has(entry.messageId)) continue;
      seen.add(entry.messageId);
      delivered.push({ id: entry.messageId, at: entry.at });
      messages.push(await this.readMail(entry.module, entry.recordId, entry.messageId));
    }
    const since = Math.max(cursor.since, scan.startedAt - OVERLAP_SECONDS);
    const next: SentCursor = {
      since,
      seen: [...cursor.seen, ...delivered].filter((entry) => entry.at >= since - OVERLAP_SECONDS),
    };
    return { messages, cursor: JSON.stringify(next), complete: true };
  }

  private async readMail(module: string, recordId: string, messageId: string): Promise<MailItem<Email>> {
    const answer = await this.client.request({ method: "GET", path: `${module}/${recordId}/Emails/${messageId}` });
    const mail = (answer.json?.Emails as ZohoJson[] | undefined)?.[0];
    const from = mailbox(mail?.from);
    if (answer.status !== 200 || !mail || !from) throw requestError(answer, "read a CRM e-mail");
    const rfcId = `<${messageId}@crm.zoho>`;
    return {
      id: messageId,
      messageId: rfcId,
      value: {
        messageId: rfcId,
        from,
        to: mailboxes(mail.to),
        cc: mailboxes(mail.cc),
        date: new Date(epochSeconds(String(mail.time)) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"),
        subject: String(mail.subject ?? ""),
        body: { format: mail.mail_format === "text" ? "text" : "html", content: String(mail.content ?? "") },
        direction: "sent",
        attachments: [],
      },
    };
  }

  async findPeopleByEmail(addresses: readonly string[]): Promise<readonly CrmPersonRef[]> {
    const wanted = [...new Set(addresses.map((address) => address.toLowerCase()))];
    const people: CrmPersonRef[] = [];
    for (let start = 0; start < wanted.length; start += ADDRESSES_PER_QUERY) {
      const list = wanted
        .slice(start, start + ADDRESSES_PER_QUERY)
        .map(coqlString)
        .join(", ");
      for (const module of ["Contacts", "Leads"] as const) {
        const answer = await this.client.request({
          method: "POST",
          path: "coql",
          heavy: true,
          body: {
            select_query: `select Email, Secondary_Email from ${module} where (Email in (${list}) or Secondary_Email in (${list})) limit 2000`,
          },
        });
        if (answer.status === 204) continue;
        if (answer.status !== 200) throw requestError(answer, `find ${module} by e-mail`);
        for (const row of (answer.json?.data as ZohoJson[] | undefined) ?? []) {
          const email = [row.Email, row.Secondary_Email].find(
            (value) => typeof value === "string" && wanted.includes(value.toLowerCase()),
          );
          if (typeof email === "string") people.push({ module, id: String(row.id), email });
        }
      }
    }
    return people;
  }

  async associateEmail(
    person: CrmPersonRef,
    message: MailItem<Email>,
    files: readonly MailFile[] = [],
  ): Promise<ItemResult<void>> {
    const total = files.reduce((sum, file) => sum + file.content.length, 0);
    if (total > MAX_EMAIL_ATTACHMENT_BYTES) {
      return failed({
        kind: "invalid-record",
        message: `the attachments total ${(total / 1024 / 1024).toFixed(1)} MB; Zoho takes at most 10 MB per e-mail`,
        field: "attachments",
      });
    }
    const value: Email = {
      ...message.value,
      attachments: files.map((file) => ({
        name: file.name,
        isInline: file.isInline,
        size: file.content.length,
        ...(file.contentType ? { contentType: file.contentType } : {}),
      })),
    };
    let element: ZohoJson;
    try {
      // Mapped before uploading, so mail Zoho cannot take leaves no orphan files behind.
      emailToZoho(value, { userTimeZone: this.userTimeZone });
      const attachmentFileIds = await this.upload(files);
      element = { ...emailToZoho(value, { userTimeZone: this.userTimeZone, attachmentFileIds }) };
    } catch (error) {
      if (error instanceof MappingError)
        return failed({ kind: "invalid-record", message: error.message, field: error.field });
      // A file Zoho refused fails this mail only; a global failure (auth, throttling) stops the caller.
      if (error instanceof ConnectorError && !isGlobalFailure(error.failure)) return failed(error.failure);
      throw error;
    }
    element.original_message_id = message.messageId;
    const answer = await this.client.request({
      method: "POST",
      path: `${person.module}/${person.id}/actions/associate_email`,
      // A repeat answers DUPLICATE_DATA, which counts as success.
      idempotent: true,
      body: { Emails: [element] },
    });
    const item = (answer.json?.Emails as ZohoJson[] | undefined)?.[0];
    if (item?.status === "success" || item?.code === "DUPLICATE_DATA") return succeeded(undefined);
    if (item) return failed({ kind: "invalid-record", message: `${String(item.code)}: ${String(item.message)}` });
    if (answer.json?.code === "INVALID_DATA" && answer.status === 400) {
      return failed({ kind: "not-found", message: `${person.module} ${person.id} is gone` });
    }
    throw requestError(answer, "associate e-mail");
  }

  /** Uploads files to Zoho's file store; returns their encrypted ids in order. */
  private async upload(files: readonly MailFile[]): Promise<string[]> {
    const ids: string[] = [];
    for (let start = 0; start < files.length; start += FILES_PER_UPLOAD) {
      const batch = files.slice(start, start + FILES_PER_UPLOAD);
      const form = new FormData();
      for (const file of batch) {
        const bytes = new Uint8Array(file.content);
        form.append("file", new Blob([bytes], file.contentType ? { type: file.contentType } : {}), file.name);
      }
      const answer = await this.client.request({ method: "POST", path: "files", body: form });
      const items = (answer.json?.data as ZohoJson[] | undefined) ?? [];
      if (answer.status !== 200 || items.length !== batch.length) throw requestError(answer, "upload attachments");
      for (const item of items) {
        const id = (item.details as ZohoJson | undefined)?.id;
        if (item.status !== "success" || typeof id !== "string") {
          throw new ConnectorError({
            kind: "invalid-record",
            message: `upload attachments: ${String(item.code)} ${String(item.message)}`,
          });
        }
        ids.push(id);
      }
    }
    return ids;
  }
}

function parseSentCursor(raw: string | undefined): SentCursor {
  if (raw === undefined) return { since: 0, seen: [] };
  try {
    const cursor = JSON.parse(raw) as SentCursor;
    if (typeof cursor.since === "number" && Array.isArray(cursor.seen)) return cursor;
  } catch {
    // fall through
  }
  throw new ConnectorError({ kind: "cursor-invalid", message: "unreadable Zoho sent-mail cursor" });
}
