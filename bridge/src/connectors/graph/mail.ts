/**
 * E-mail on the Graph side: read Inbox and Sent Items through their per-folder message deltas, and file CRM-sent
 * mail into Sent Items.
 *
 * The cursor is JSON `{ folder, links }`: one page per call, first of the Inbox round, then of Sent Items; a round
 * ends (`complete: true`) when both folders reached their deltaLink, and the next call starts the next Inbox round
 * from its saved deltaLink. Drafts and other messages the mapping cannot represent are skipped.
 * Get by Message-ID: `$filter=internetMessageId eq '…'` on the mailbox-wide `/messages` (every folder, so a moved
 * message is still found). Attachments: `/messages/{id}/attachments`, whose fileAttachments carry `contentBytes`
 * (base64); item and reference attachments are not files and are skipped.
 * Filing is idempotent by Message-ID (`$filter=internetMessageId eq '…'` first). The message is created with
 * PR_MESSAGE_FLAGS (`Integer 0x0E07`) = 1 (read, not unsent) so it lands as a sent message, not as a draft.
 */
import { MappingError } from "../../mapping/errors.js";
import { emailFromGraph } from "../../mapping/graph/message.js";
import type { GraphMessage } from "../../mapping/graph/wire.js";
import type { Email } from "../../model/index.js";
import { failed, type ItemResult, succeeded } from "../errors.js";
import type { ExchangeMailPort, MailItem } from "../port.js";
import type { MailboxLocation } from "./modules.js";
import { toConnectorError } from "./transport.js";

const FOLDERS = ["inbox", "sentitems"] as const;
type Folder = (typeof FOLDERS)[number];

interface MailCursor {
  folder: Folder;
  links: Partial<Record<Folder, string>>;
}

const MESSAGE_FLAGS_READ = { id: "Integer 0x0E07", value: "1" };

/** An entry of `/messages/{id}/attachments`; only fileAttachments carry content. */
interface GraphFileAttachment {
  "@odata.type"?: string;
  name?: string | null;
  contentType?: string | null;
  isInline?: boolean | null;
  contentBytes?: string | null;
}

function readCursor(cursor: string | undefined): MailCursor {
  if (!cursor) return { folder: "inbox", links: {} };
  return JSON.parse(cursor) as MailCursor;
}

export function graphMailPort(
  location: MailboxLocation,
  mailboxAddress: string,
  maxPageSize: number,
): ExchangeMailPort<Email> {
  const { transport, userPath } = location;
  const toItem = (message: GraphMessage): MailItem<Email> | undefined => {
    try {
      const value = emailFromGraph(message, { mailboxAddress });
      return { id: String(message.id), messageId: value.messageId, value };
    } catch (error) {
      if (error instanceof MappingError) return undefined;
      throw error;
    }
  };

  const byMessageId = async (folderPath: string, messageId: string) => {
    const filter = encodeURIComponent(`internetMessageId eq '${messageId.replaceAll("'", "''")}'`);
    const found = await transport.request<{ value: GraphMessage[] }>("GET", `/${folderPath}?$filter=${filter}`);
    return found.value.flatMap((message) => toItem(message) ?? [])[0];
  };

  return {
    findByMessageId: (messageId) => byMessageId(`${userPath}/messages`, messageId),

    async attachmentFiles(id) {
      const page = await transport.request<{ value: GraphFileAttachment[] }>(
        "GET",
        `/${userPath}/messages/${encodeURIComponent(id)}/attachments`,
      );
      return page.value.flatMap((attachment) =>
        attachment["@odata.type"] === "#microsoft.graph.fileAttachment" && typeof attachment.contentBytes === "string"
          ? [
              {
                name: attachment.name ?? "attachment",
                ...(attachment.contentType ? { contentType: attachment.contentType } : {}),
                isInline: attachment.isInline === true,
                content: Buffer.from(attachment.contentBytes, "base64"),
              },
            ]
          : [],
      );
    },

    async listMessages(cursor) {
      const state = readCursor(cursor);
      const url = state.links[state.folder] ?? `/${userPath}/mailFolders/${state.folder}/messages/delta`;
      const page = await transport.request<{
        value?: Array<GraphMessage & { "@removed"?: unknown }>;
        "@odata.nextLink"?: string;
        "@odata.deltaLink"?: string;
      }>("GET", url, { prefer: [`odata.maxpagesize=${maxPageSize}`] });
      const messages = (page.value ?? []).flatMap((message) => (message["@removed"] ? [] : (toItem(message) ?? [])));
      const next: MailCursor = { folder: state.folder, links: { ...state.links } };
      let complete = false;
      if (page["@odata.nextLink"]) next.links[state.folder] = page["@odata.nextLink"];
      else {
        if (page["@odata.deltaLink"]) next.links[state.folder] = page["@odata.deltaLink"];
        complete = state.folder === "sentitems";
        next.folder = complete ? "inbox" : "sentitems";
      }
      return { messages, cursor: JSON.stringify(next), complete };
    },

    async saveToSentItems(message, messageId): Promise<ItemResult<MailItem<Email>>> {
      try {
        const item = await byMessageId(`${userPath}/mailFolders/sentitems/messages`, messageId);
        if (item) return succeeded(item);
        const recipients = (list: Email["to"]) =>
          list.map((entry) => ({
            emailAddress: { address: entry.address, ...(entry.name ? { name: entry.name } : {}) },
          }));
        const created = await transport.request<GraphMessage>("POST", `/${userPath}/mailFolders/sentitems/messages`, {
          body: {
            subject: message.subject,
            body: { contentType: message.body.format, content: message.body.content },
            from: {
              emailAddress: {
                address: message.from.address,
                ...(message.from.name ? { name: message.from.name } : {}),
              },
            },
            toRecipients: recipients(message.to),
            ccRecipients: recipients(message.cc),
            internetMessageId: messageId,
            isRead: true,
            singleValueExtendedProperties: [MESSAGE_FLAGS_READ],
          },
        });
        return succeeded({ id: String(created.id), messageId, value: message });
      } catch (error) {
        return failed(toConnectorError(error).failure);
      }
    },
  };
}
