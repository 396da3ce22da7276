/**
 * Canonical e-mail, as filed from a mailbox into the CRM (one way). The RFC 5322 Message-ID (with angle brackets) is
 * the identity: Zoho's associate_email answers DUPLICATE_DATA for a repeated `original_message_id`, which makes
 * filing idempotent.
 */
import { z } from "zod";
import { instantSchema, mailboxSchema } from "./primitives.js";

export const attachmentMetaSchema = z.object({
  name: z.string(),
  contentType: z.string().optional(),
  size: z.number().int().min(0).optional(),
  isInline: z.boolean(),
  contentId: z.string().optional(),
});
export type AttachmentMeta = z.infer<typeof attachmentMetaSchema>;

export const emailBodySchema = z.object({ format: z.enum(["html", "text"]), content: z.string() });
export type EmailBody = z.infer<typeof emailBodySchema>;

export const emailSchema = z.object({
  messageId: z.string().regex(/^<[^<>\s]+>$/, "expected an RFC 5322 Message-ID in angle brackets"),
  from: mailboxSchema,
  to: z.array(mailboxSchema),
  cc: z.array(mailboxSchema),
  /** Sent time for outgoing mail, received time for incoming mail. */
  date: instantSchema,
  subject: z.string(),
  body: emailBodySchema,
  /** "sent" = the mailbox owner sent it (Zoho `sent: true`); "received" = it arrived in the mailbox. */
  direction: z.enum(["sent", "received"]),
  attachments: z.array(attachmentMetaSchema),
});
export type Email = z.infer<typeof emailSchema>;
