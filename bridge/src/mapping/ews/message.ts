/**
 * EWS Message → canonical e-mail (read only). Same rules as the Graph message mapping: the sender decides the
 * direction and which timestamp dates the mail.
 */
import type { Email } from "../../model/index.js";
import { emailFromGraph, type MessageMappingOptions } from "../graph/message.js";
import type { GraphRecipient } from "../graph/wire.js";
import type { EwsMailbox, EwsMessage } from "./wire.js";

const recipient = (mailbox: EwsMailbox | undefined): GraphRecipient | undefined =>
  mailbox === undefined
    ? undefined
    : { emailAddress: { address: mailbox.EmailAddress ?? null, name: mailbox.Name ?? null } };

/** Reuses the Graph rules by renaming EWS elements to the Graph properties they correspond to. */
export function emailFromEws(message: EwsMessage, options: MessageMappingOptions): Email {
  return emailFromGraph(
    {
      internetMessageId: message.InternetMessageId ?? null,
      from: recipient(message.From?.Mailbox) ?? null,
      sender: recipient(message.Sender?.Mailbox) ?? null,
      toRecipients: (message.ToRecipients ?? []).map((mailbox) => recipient(mailbox) ?? {}),
      ccRecipients: (message.CcRecipients ?? []).map((mailbox) => recipient(mailbox) ?? {}),
      sentDateTime: message.DateTimeSent ?? null,
      receivedDateTime: message.DateTimeReceived ?? null,
      subject: message.Subject ?? null,
      body: message.Body
        ? { contentType: message.Body.BodyType === "HTML" ? "html" : "text", content: message.Body.value }
        : null,
      attachments: (message.Attachments ?? []).map((attachment) => ({
        name: attachment.Name ?? null,
        contentType: attachment.ContentType ?? null,
        size: attachment.Size ?? null,
        isInline: attachment.IsInline ?? null,
        contentId: attachment.ContentId ?? null,
      })),
    },
    options,
  );
}
