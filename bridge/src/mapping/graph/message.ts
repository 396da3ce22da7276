/**
 * Graph message → canonical e-mail (read only: mail is filed into the CRM, never written to the mailbox).
 * Direction is decided by the sender: mail from the mailbox owner is "sent" and dated by `sentDateTime`, anything
 * else is "received" and dated by `receivedDateTime`. Attachment metadata needs `$expand=attachments($select=name,
 * contentType,size,isInline)` (contentId is only on fileAttachment).
 */
import { type Email, emailSchema, type Mailbox } from "../../model/index.js";
import { MappingError } from "../errors.js";
import { instantFromOffsetDateTime } from "../time.js";
import { compact, present } from "../values.js";
import type { GraphMessage, GraphRecipient } from "./wire.js";

function mailbox(recipient: GraphRecipient | null | undefined): Mailbox[] {
  const address = present(recipient?.emailAddress?.address);
  return address === undefined ? [] : [compact({ address, name: present(recipient?.emailAddress?.name) })];
}

export interface MessageMappingOptions {
  /** SMTP address of the mailbox the message was read from. */
  mailboxAddress: string;
}

export function emailFromGraph(message: GraphMessage, options: MessageMappingOptions): Email {
  const messageId = present(message.internetMessageId);
  if (messageId === undefined)
    throw new MappingError("internetMessageId", message.internetMessageId, "missing (draft?)");
  const [from] = mailbox(message.from ?? message.sender);
  if (from === undefined) throw new MappingError("from", message.from, "message has no sender address");
  const sent = from.address.toLowerCase() === options.mailboxAddress.toLowerCase();
  const date = sent ? message.sentDateTime : (message.receivedDateTime ?? message.sentDateTime);
  if (!date) throw new MappingError(sent ? "sentDateTime" : "receivedDateTime", date, "missing");
  const parsed = emailSchema.safeParse({
    messageId,
    from,
    to: (message.toRecipients ?? []).flatMap(mailbox),
    cc: (message.ccRecipients ?? []).flatMap(mailbox),
    date: instantFromOffsetDateTime("date", date),
    subject: message.subject ?? "",
    body: { format: message.body?.contentType === "html" ? "html" : "text", content: message.body?.content ?? "" },
    direction: sent ? "sent" : "received",
    attachments: (message.attachments ?? []).map((attachment) =>
      compact({
        name: attachment.name ?? "",
        contentType: present(attachment.contentType),
        size: attachment.size ?? undefined,
        isInline: attachment.isInline === true,
        contentId: present(attachment.contentId),
      }),
    ),
  });
  // A value the model refuses (a Message-ID with spaces or brackets inside, …) is unmappable, not a crash.
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    throw new MappingError(String(issue?.path[0] ?? "message"), message.internetMessageId, issue?.message ?? "invalid");
  }
  return parsed.data;
}
