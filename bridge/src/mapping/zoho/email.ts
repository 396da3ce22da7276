/**
 * Canonical e-mail → one element of the `Emails` array of Zoho's associate_email call (one way: mail is filed into
 * the CRM, never created in the mailbox). `original_message_id` is the RFC Message-ID, which makes filing
 * idempotent (a repeat answers DUPLICATE_DATA, zoho-crm-api.md §4); `sent` is true for mail the mailbox owner sent.
 * Attachments must be uploaded to Zoho's file store first; the connector passes the resulting file ids.
 */
import type { Email, Mailbox } from "../../model/index.js";
import { MappingError } from "../errors.js";
import { offsetDateTimeFromInstant } from "../time.js";
import type { ZohoAssociateEmail, ZohoMailAddress, ZohoMappingOptions } from "./wire.js";

function address(mailbox: Mailbox): ZohoMailAddress {
  return mailbox.name === undefined ? { email: mailbox.address } : { user_name: mailbox.name, email: mailbox.address };
}

export interface EmailToZohoOptions extends ZohoMappingOptions {
  /** Zoho file-store ids of the uploaded attachments, in the order of `email.attachments`. */
  attachmentFileIds?: string[];
}

export function emailToZoho(email: Email, options: EmailToZohoOptions): ZohoAssociateEmail {
  // `to` is mandatory in the v8 docs; mail with only Bcc recipients (seen from the sender's Sent Items) has none.
  if (email.to.length === 0 && email.cc.length === 0)
    throw new MappingError("to", email.to, "Zoho requires a recipient");
  const fileIds = options.attachmentFileIds ?? [];
  const element: ZohoAssociateEmail = {
    from: address(email.from),
    to: (email.to.length > 0 ? email.to : email.cc).map(address),
    subject: email.subject,
    content: email.body.content,
    mail_format: email.body.format,
    date_time: offsetDateTimeFromInstant(email.date, options.userTimeZone),
    sent: email.direction === "sent",
    original_message_id: email.messageId,
  };
  if (email.to.length > 0 && email.cc.length > 0) element.cc = email.cc.map(address);
  const attachments = email.attachments.flatMap((attachment, index) => {
    const id = fileIds[index];
    return id === undefined ? [] : [{ id, name: attachment.name }];
  });
  if (attachments.length > 0) element.attachments = attachments;
  return element;
}
