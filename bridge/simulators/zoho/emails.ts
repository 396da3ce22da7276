/**
 * E-mails of records (zoho-crm-api.md §4):
 * - `POST /{module}/{id}/actions/associate_email`, body key `Emails` (the v8 OAS's `data` wrapper is a known error
 *   in that source, SOURCES.md); mandatory from, to, subject, content, date_time, sent, original_message_id;
 *   201 per item, `DUPLICATE_DATA` when the same `original_message_id` is already on the record — clients use that
 *   for idempotency. One e-mail per call: the v8 OAS example rejects more (`associate-email-error-max-length.json`).
 *   `attachments` must name files uploaded to the file store (`files.ts`).
 * - `GET /{module}/{id}/Emails`: 10 per page, `index` paging; a Contact's mails also appear on its Account and on
 *   Deals whose Contact_Name is that contact.
 * - `GET /{module}/{id}/Emails/{message_id}`: one mail with its content.
 */
import type { ApiContext, ApiResult } from "./context.js";
import { filesOf, MAX_EMAIL_ATTACHMENTS_BYTES, type StoredFile } from "./files.js";
import type { ModuleDef } from "./modules.js";
import { ZohoOrg } from "./org.js";
import type { StoredEmail } from "./store.js";
import { formatZohoDateTime, type Json, type JsonObject, parseZohoDateTime, ZohoApiError } from "./wire.js";

const PAGE_SIZE = 10;
const MANDATORY = ["from", "to", "subject", "content", "date_time", "sent", "original_message_id"] as const;

function emailKey(module: string, id: string): string {
  return `${module}/${id}`;
}

function itemError(code: string, message: string, details: JsonObject): JsonObject {
  return { code, details, message, status: "error" };
}

function requireRecord(org: ZohoOrg, module: ModuleDef, id: string): void {
  if (!module.emails) throw new ZohoApiError(400, "INVALID_MODULE", "the module name given seems to be invalid", {});
  if (!org.findRecord(module.apiName, id)) {
    throw new ZohoApiError(400, "INVALID_DATA", "the related id given seems to be invalid", { id });
  }
}

export async function associateEmail(org: ZohoOrg, ctx: ApiContext, module: ModuleDef, id: string): Promise<ApiResult> {
  requireRecord(org, module, id);
  const body = await ctx.body();
  const items = body.Emails;
  if (!Array.isArray(items) || items.length === 0) {
    throw new ZohoApiError(400, "MANDATORY_NOT_FOUND", "required field not found", {
      api_name: "Emails",
      json_path: "$.Emails",
    });
  }
  if (items.length > 1) {
    throw new ZohoApiError(400, "INVALID_DATA", "invalid data", {
      maximum_length: 1,
      api_name: "Emails",
      json_path: "$.Emails",
    });
  }
  const item = items[0];
  if (!item || typeof item !== "object" || Array.isArray(item))
    throw new ZohoApiError(400, "INVALID_DATA", "invalid data");
  const missing = MANDATORY.find((key) => item[key] === undefined || item[key] === null || item[key] === "");
  if (missing) {
    return {
      status: 400,
      body: {
        Emails: [
          itemError("MANDATORY_NOT_FOUND", "required field not found", {
            api_name: missing,
            json_path: `$.Emails[0].${missing}`,
          }),
        ],
      },
    };
  }
  const time = typeof item.date_time === "string" ? parseZohoDateTime(item.date_time) : undefined;
  if (time === undefined || typeof item.sent !== "boolean") {
    const field = time === undefined ? "date_time" : "sent";
    return {
      status: 400,
      body: {
        Emails: [itemError("INVALID_DATA", "invalid data", { api_name: field, json_path: `$.Emails[0].${field}` })],
      },
    };
  }
  const key = emailKey(module.apiName, id);
  const existing = org.emails.get(key) ?? [];
  const originalId = String(item.original_message_id);
  if (existing.some((email) => email.originalMessageId === originalId)) {
    return {
      status: 400,
      body: {
        Emails: [
          itemError("DUPLICATE_DATA", "duplicate data", {
            api_name: "original_message_id",
            json_path: "$.Emails[0].original_message_id",
          }),
        ],
      },
    };
  }
  const attachments = attachedFiles(org, item.attachments);
  if ("error" in attachments) return { status: 400, body: { Emails: [attachments.error] } };
  const owner = item.owner && typeof item.owner === "object" && !Array.isArray(item.owner) ? item.owner.id : undefined;
  // The owner must be a user of the org (zoho-crm-api.md §4: INVALID_DATA for a bad owner id).
  if (owner !== undefined && (typeof owner !== "string" || !org.users.has(owner))) {
    return {
      status: 400,
      body: {
        Emails: [itemError("INVALID_DATA", "invalid data", { api_name: "owner", json_path: "$.Emails[0].owner" })],
      },
    };
  }
  const email: StoredEmail = {
    messageId: ZohoOrg.hexId(32),
    originalMessageId: originalId,
    module: module.apiName,
    recordId: id,
    ownerId: typeof owner === "string" ? owner : ctx.user.id,
    from: item.from,
    to: item.to,
    cc: item.cc ?? null,
    bcc: item.bcc ?? null,
    subject: String(item.subject),
    content: String(item.content),
    mailFormat: item.mail_format === "text" ? "text" : "html",
    time,
    sent: item.sent,
    source: "associate_email",
    attachments: attachments.files.map((file) => ({ id: file.id, name: file.name, size: String(file.content.length) })),
  };
  org.emails.set(key, [...existing, email]);
  org.touchActivity(module.apiName, id);
  return {
    status: 201,
    body: {
      Emails: [
        {
          code: "SUCCESS",
          details: { message_id: email.messageId },
          message: "Your mail has been added successfully",
          status: "success",
        },
      ],
    },
  };
}

/** The uploaded files an associated mail lists (`[{id, name}]`), or the item error Zoho answers. */
function attachedFiles(org: ZohoOrg, value: Json | undefined): { files: StoredFile[] } | { error: JsonObject } {
  if (value === undefined || value === null) return { files: [] };
  const invalid = (path: string) => ({
    error: itemError("INVALID_DATA", "invalid data", { api_name: "attachments", json_path: `$.Emails[0].${path}` }),
  });
  if (!Array.isArray(value)) return invalid("attachments");
  const store = filesOf(org);
  const files: StoredFile[] = [];
  for (const [index, entry] of value.entries()) {
    const id = entry && typeof entry === "object" && !Array.isArray(entry) ? entry.id : undefined;
    const file = typeof id === "string" ? store.get(id) : undefined;
    if (!file) return invalid(`attachments[${index}].id`);
    files.push(file);
  }
  if (files.reduce((sum, file) => sum + file.content.length, 0) > MAX_EMAIL_ATTACHMENTS_BYTES) {
    return {
      error: itemError("FILE_SIZE_EXCEEDS", "the attachments exceed 10 MB", {
        api_name: "attachments",
        json_path: "$.Emails[0].attachments",
      }),
    };
  }
  return { files };
}

/** Mails shown on a record: its own, plus (Accounts, Deals) those of its contacts. */
function visibleEmails(org: ZohoOrg, module: ModuleDef, id: string): StoredEmail[] {
  const own = org.emails.get(emailKey(module.apiName, id)) ?? [];
  const contactIds: string[] = [];
  if (module.apiName === "Accounts") {
    for (const contact of org.moduleRecords("Contacts").records.values()) {
      if (contact.values.Account_Name === id) contactIds.push(contact.id);
    }
  } else if (module.apiName === "Deals") {
    const contact = org.findRecord("Deals", id)?.values.Contact_Name;
    if (typeof contact === "string") contactIds.push(contact);
  }
  const viaContacts = contactIds.flatMap((contactId) => org.emails.get(emailKey("Contacts", contactId)) ?? []);
  return [...own, ...viaContacts].sort((a, b) => b.time - a.time);
}

function summary(org: ZohoOrg, email: StoredEmail, zone: string): JsonObject {
  return {
    cc: email.cc,
    has_thread_attachment: false,
    summary: null,
    owner: org.userRef(email.ownerId),
    read: false,
    subject: email.subject,
    message_id: email.messageId,
    has_attachment: email.attachments.length > 0,
    source: email.source === "crm" ? "crm_mail" : "associated_mail",
    sent: email.sent,
    intent: null,
    sentiment_info: null,
    linked_record: null,
    related_to_record: null,
    emotion: null,
    from: email.from,
    to: email.to,
    time: formatZohoDateTime(email.time, zone),
    status: [{ type: email.sent ? "sent" : "received", first_open: null, count: "0", last_open: null }],
  };
}

export function listEmails(org: ZohoOrg, ctx: ApiContext, module: ModuleDef, id: string): ApiResult {
  requireRecord(org, module, id);
  const type = ctx.query.get("type");
  let emails = visibleEmails(org, module, id);
  if (type === "sent_from_crm") emails = emails.filter((email) => email.source === "crm");
  const index = Number(ctx.query.get("index") ?? "0");
  if (!Number.isInteger(index) || index < 0)
    throw new ZohoApiError(400, "INVALID_DATA", "invalid data", { param_name: "index" });
  const page = emails.slice(index, index + PAGE_SIZE);
  if (page.length === 0) return { status: 204 };
  const more = index + PAGE_SIZE < emails.length;
  return {
    status: 200,
    body: {
      Emails: page.map((email) => summary(org, email, ctx.zone)),
      info: {
        per_page: PAGE_SIZE,
        next_index: more ? String(index + PAGE_SIZE) : null,
        count: page.length,
        prev_index: index > 0 ? String(Math.max(0, index - PAGE_SIZE)) : null,
        more_records: more,
      },
    },
  };
}

export function getEmail(org: ZohoOrg, ctx: ApiContext, module: ModuleDef, id: string, messageId: string): ApiResult {
  requireRecord(org, module, id);
  const email = visibleEmails(org, module, id).find((candidate) => candidate.messageId === messageId);
  if (!email) return { status: 204 };
  return {
    status: 200,
    body: {
      Emails: [
        {
          ...summary(org, email, ctx.zone),
          content: email.content,
          mail_format: email.mailFormat,
          bcc: email.bcc,
          attachments: email.attachments.map((attachment) =>
            attachment && typeof attachment === "object" && !Array.isArray(attachment)
              ? { size: attachment.size ?? "0", name: attachment.name ?? null, id: attachment.id ?? null }
              : attachment,
          ),
          editable: false,
          sent_time: formatZohoDateTime(email.time, ctx.zone),
          thread_id: email.messageId,
          reply_to: null,
        },
      ],
    },
  };
}

/**
 * A mail a user sent from the CRM UI (for "CRM-sent mail appears in Sent Items" scenarios). Its owner is the sender
 * ("the email record owner (the person who sends the email)": help.zoho.com community post "New permissions for
 * accessing emails sent via Zoho CRM", 2024), whoever owns the record, and it is from the sender's address.
 */
export function recordCrmSentEmail(
  org: ZohoOrg,
  module: string,
  recordId: string,
  userId: string,
  mail: { to: string[]; subject: string; content: string },
): StoredEmail {
  const user = org.users.get(userId);
  if (!user) throw new Error(`unknown sending user ${userId}`);
  if (!org.findRecord(module, recordId)) throw new Error(`no ${module} record ${recordId}`);
  const email: StoredEmail = {
    messageId: ZohoOrg.hexId(32),
    originalMessageId: `<${ZohoOrg.hexId(8)}@crm.zoho.example>`,
    module,
    recordId,
    ownerId: userId,
    from: { user_name: `${user.firstName} ${user.lastName}`, email: user.email },
    to: mail.to.map((address) => ({ user_name: address, email: address })),
    cc: null,
    bcc: null,
    subject: mail.subject,
    content: mail.content,
    mailFormat: "html",
    time: org.nowSeconds(),
    sent: true,
    source: "crm",
    attachments: [],
  };
  const key = emailKey(module, recordId);
  org.emails.set(key, [...(org.emails.get(key) ?? []), email]);
  org.touchActivity(module, recordId);
  return email;
}
