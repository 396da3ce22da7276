/**
 * E-mail on the EWS side: read Inbox and Sent Items incrementally, file CRM-sent mail into Sent Items.
 *
 * Reading: per folder, SyncFolderItems with the IdOnly shape, then the created/updated messages in GetItem batches
 * (ews.md §7). The cursor is JSON `{ folder, states }`: one page per call, first of the Inbox round, then of Sent
 * Items; the round ends (`complete: true`) when both folders are up to date, and the next call starts the next Inbox
 * round from its saved SyncState. Deletions and read-flag changes are irrelevant to mail association and skipped,
 * as are drafts and items the mapping cannot represent (meeting requests without a sender, …).
 * Get by Message-ID: FindFolder (Deep) under the message folder root for the mail folders (FolderClass IPF.Note…),
 * then FindItem in each, restricted with IsEqualTo on PR_INTERNET_MESSAGE_ID as an extended property
 * (`ExtendedFieldURI PropertyTag="0x1035" PropertyType="String"`), until one answers: FindItem searches one folder's
 * contents (Traversal Deep is for folders only), and Exchange 2007 SP1 has no `message:InternetMessageId` restriction.
 * Attachments: the message's Attachments, then GetAttachment for the FileAttachments' content (item attachments are
 * not files).
 * Filing: idempotent by Message-ID (FindItem in Sent Items restricted to `message:InternetMessageId` first), then
 * CreateItem `MessageDisposition="SaveOnly"` into `sentitems`. A saved message is an unsent draft unless
 * PR_MESSAGE_FLAGS (0x0E07) drops MSGFLAG_UNSENT (0x8); it is written as MSGFLAG_READ (0x1) only
 * ([MS-OXCMSG] 2.2.1.6; learn.microsoft.com/archive/blogs/stephen_griffin/did-i-send-that). The Message-ID is
 * written as PR_INTERNET_MESSAGE_ID (0x1035) because EWS exposes `InternetMessageId` read-only, and the CRM's send
 * time as PR_CLIENT_SUBMIT_TIME / PR_MESSAGE_DELIVERY_TIME (DateTimeSent / DateTimeReceived, also read-only).
 */
import {
  BasePropertySet,
  BodyType,
  ChangeType,
  DateTime,
  EmailAddress,
  EmailMessage,
  EmailMessageSchema,
  ExtendedPropertyDefinition,
  FileAttachment,
  FolderId,
  FolderTraversal,
  FolderView,
  type Item,
  type ItemChange,
  ItemId,
  ItemSchema,
  ItemView,
  MapiPropertyType,
  MessageBody,
  PropertySet,
  SearchFilter,
  ServiceResult,
  SyncFolderItemsScope,
  WellKnownFolderName,
} from "ews-javascript-api";
import { MappingError } from "../../mapping/errors.js";
import { emailFromEws } from "../../mapping/ews/message.js";
import type { EwsMailbox, EwsMessage } from "../../mapping/ews/wire.js";
import type { Email } from "../../model/index.js";
import { ConnectorError, failed, type ItemResult, succeeded } from "../errors.js";
import type { ExchangeMailPort, MailFile, MailItem } from "../port.js";
import { failureForCode } from "./errors.js";
import { xmlEscaped } from "./escape.js";
import { optionalProperty } from "./properties.js";
import type { EwsSession } from "./session.js";

const FOLDERS = ["inbox", "sentitems"] as const;
type Folder = (typeof FOLDERS)[number];
const WELL_KNOWN: Record<Folder, WellKnownFolderName> = {
  inbox: WellKnownFolderName.Inbox,
  sentitems: WellKnownFolderName.SentItems,
};

interface MailCursor {
  folder: Folder;
  states: Partial<Record<Folder, string>>;
}

const MESSAGE_FLAGS = new ExtendedPropertyDefinition(0x0e07, MapiPropertyType.Integer);
/** Folders one FindFolder page brings; mailboxes with more mail folders are searched in the first ones only. */
const MAX_FOLDERS = 1000;
const MSGFLAG_READ = 0x1;
const INTERNET_MESSAGE_ID = new ExtendedPropertyDefinition(0x1035, MapiPropertyType.String);
/** PR_CLIENT_SUBMIT_TIME and PR_MESSAGE_DELIVERY_TIME: what EWS shows as DateTimeSent / DateTimeReceived. */
const CLIENT_SUBMIT_TIME = new ExtendedPropertyDefinition(0x0039, MapiPropertyType.SystemTime);
const MESSAGE_DELIVERY_TIME = new ExtendedPropertyDefinition(0x0e06, MapiPropertyType.SystemTime);
/** What GetItem loads: exactly what wireFromMessage and toItem read (the first-class set parses everything else too). */
const MESSAGE_PROPERTIES = [
  EmailMessageSchema.InternetMessageId,
  EmailMessageSchema.From,
  EmailMessageSchema.Sender,
  EmailMessageSchema.ToRecipients,
  EmailMessageSchema.CcRecipients,
  EmailMessageSchema.DateTimeSent,
  EmailMessageSchema.DateTimeReceived,
  ItemSchema.Subject,
  ItemSchema.Body,
  ItemSchema.Attachments,
  EmailMessageSchema.IsDraft,
];

/**
 * ews-javascript-api 0.15.3 writes element text and attribute values verbatim (EwsServiceXmlWriter.WriteValue /
 * WriteAttributeString never encode), so a `<` or `&` in a subject, an HTML body or a Message-ID would make the
 * request malformed XML (Exchange answers ErrorSchemaValidation). Every string this port writes goes through this.
 */

function readCursor(cursor: string | undefined): MailCursor {
  if (!cursor) return { folder: "inbox", states: {} };
  try {
    const parsed = JSON.parse(cursor) as MailCursor;
    if (FOLDERS.includes(parsed.folder) && typeof parsed.states === "object") return parsed;
  } catch {
    // falls through to the cursor-invalid failure below
  }
  throw new ConnectorError({ kind: "cursor-invalid", message: "unreadable EWS mail cursor" });
}

function mailbox(address: EmailAddress | null | undefined): EwsMailbox | undefined {
  if (!address) return undefined;
  return {
    ...(address.Address ? { EmailAddress: address.Address } : {}),
    ...(address.Name ? { Name: address.Name } : {}),
  };
}

function wireFromMessage(message: EmailMessage): EwsMessage {
  const from = mailbox(optionalProperty<EmailAddress>(message, EmailMessageSchema.From));
  const sender = mailbox(optionalProperty<EmailAddress>(message, EmailMessageSchema.Sender));
  const sent = optionalProperty<{ ToISOString(): string }>(message, EmailMessageSchema.DateTimeSent);
  const received = optionalProperty<{ ToISOString(): string }>(message, EmailMessageSchema.DateTimeReceived);
  const recipients = (list: { GetEnumerator(): EmailAddress[] } | undefined) =>
    (list?.GetEnumerator() ?? []).flatMap((entry) => mailbox(entry) ?? []);
  return {
    ...(message.InternetMessageId ? { InternetMessageId: message.InternetMessageId } : {}),
    ...(from ? { From: { Mailbox: from } } : {}),
    ...(sender ? { Sender: { Mailbox: sender } } : {}),
    ToRecipients: recipients(message.ToRecipients),
    CcRecipients: recipients(message.CcRecipients),
    ...(sent ? { DateTimeSent: sent.ToISOString() } : {}),
    ...(received ? { DateTimeReceived: received.ToISOString() } : {}),
    ...(message.Subject ? { Subject: message.Subject } : {}),
    ...(message.Body?.Text
      ? { Body: { BodyType: message.Body.BodyType === BodyType.HTML ? "HTML" : "Text", value: message.Body.Text } }
      : {}),
    Attachments: (message.Attachments?.GetEnumerator() ?? []).map((attachment) => ({
      ...(attachment.Name ? { Name: attachment.Name } : {}),
      ...(attachment.ContentType ? { ContentType: attachment.ContentType } : {}),
      Size: attachment.Size,
      IsInline: attachment.IsInline,
      ...(attachment.ContentId ? { ContentId: attachment.ContentId } : {}),
    })),
  };
}

export function ewsMailPort(session: EwsSession, batchSize: number, maxChanges: number): ExchangeMailPort<Email> {
  const mailboxAddress = session.options.mailbox;

  const toItem = (item: Item): MailItem<Email> | undefined => {
    if (!(item instanceof EmailMessage) || optionalProperty<boolean>(item, EmailMessageSchema.IsDraft))
      return undefined;
    try {
      const value = emailFromEws(wireFromMessage(item), { mailboxAddress });
      return { id: item.Id.UniqueId, messageId: value.messageId, value };
    } catch (error) {
      if (error instanceof MappingError) return undefined;
      throw error;
    }
  };

  const readMessages = async (ids: readonly string[]): Promise<MailItem<Email>[]> => {
    const messages: MailItem<Email>[] = [];
    for (let start = 0; start < ids.length; start += batchSize) {
      const batch = ids.slice(start, start + batchSize).map((id) => new ItemId(id));
      const responses = await session.call((service) =>
        service.BindToItems(batch, new PropertySet(BasePropertySet.IdOnly, MESSAGE_PROPERTIES)),
      );
      for (const response of responses.Responses) {
        if (response.Result !== ServiceResult.Error) {
          const item = toItem(response.Item);
          if (item) messages.push(item);
          continue;
        }
        const failure = failureForCode(String(response.ErrorCode), response.ErrorMessage);
        // Deleted between the two calls: irrelevant for mail, which is only ever added to the CRM.
        if (failure.kind !== "not-found") throw new ConnectorError(failure);
      }
    }
    return messages;
  };

  /** Every mail folder of the mailbox (Inbox, Sent Items, Deleted Items, Archive, user folders, …). */
  const mailFolders = async (): Promise<FolderId[]> => {
    const view = new FolderView(MAX_FOLDERS);
    view.Traversal = FolderTraversal.Deep;
    // The default shape carries FolderClass (and a few counts); it is what every Exchange release answers alike.
    view.PropertySet = new PropertySet(BasePropertySet.FirstClassProperties);
    const found = await session.call((service) => service.FindFolders(WellKnownFolderName.MsgFolderRoot, view));
    return found.Folders.filter((folder) => /^IPF\.Note(\.|$)/i.test(folder.FolderClass ?? "")).map(
      (folder) => folder.Id,
    );
  };

  return {
    async findByMessageId(messageId) {
      const filter = new SearchFilter.IsEqualTo(INTERNET_MESSAGE_ID, xmlEscaped(messageId));
      for (const folder of await mailFolders()) {
        const found = await session.call((service) => service.FindItems(folder, filter, new ItemView(1)));
        const id = found.Items[0]?.Id.UniqueId;
        if (id) return (await readMessages([id]))[0];
      }
      return undefined;
    },

    async attachmentFiles(id): Promise<readonly MailFile[]> {
      const [response] = (
        await session.call((service) =>
          service.BindToItems([new ItemId(id)], new PropertySet(BasePropertySet.IdOnly, [ItemSchema.Attachments])),
        )
      ).Responses;
      if (!response || response.Result === ServiceResult.Error) {
        throw new ConnectorError(failureForCode(String(response?.ErrorCode), response?.ErrorMessage ?? "no answer"));
      }
      const files = (response.Item.Attachments?.GetEnumerator() ?? []).filter(
        (attachment): attachment is FileAttachment => attachment instanceof FileAttachment,
      );
      if (files.length === 0) return [];
      // No AttachmentShape: `bodyType` is optional (`BodyType?` in the managed API), the 0.15 typings say otherwise.
      await session.call((service) => service.GetAttachments(files, null as unknown as BodyType, []));
      return files.map((file) => ({
        name: file.Name ?? "attachment",
        ...(file.ContentType ? { contentType: file.ContentType } : {}),
        isInline: file.IsInline === true,
        content: Buffer.from(file.Base64Content ?? "", "base64"),
      }));
    },

    async listMessages(cursor) {
      const state = readCursor(cursor);
      const page = await session.call((service) =>
        service.SyncFolderItems(
          new FolderId(WELL_KNOWN[state.folder]),
          new PropertySet(BasePropertySet.IdOnly),
          [],
          maxChanges,
          SyncFolderItemsScope.NormalItems,
          state.states[state.folder] ?? "",
        ),
      );
      const changed = (page.GetEnumerator() as ItemChange[])
        .filter((change) => change.ChangeType === ChangeType.Create || change.ChangeType === ChangeType.Update)
        .map((change) => change.ItemId.UniqueId);
      const messages = await readMessages(changed);
      const next: MailCursor = { folder: state.folder, states: { ...state.states, [state.folder]: page.SyncState } };
      let complete = false;
      if (!page.MoreChangesAvailable) {
        complete = state.folder === "sentitems";
        next.folder = complete ? "inbox" : "sentitems";
      }
      return { messages, cursor: JSON.stringify(next), complete };
    },

    async saveToSentItems(message, messageId): Promise<ItemResult<MailItem<Email>>> {
      try {
        const existing = await session.call((service) =>
          service.FindItems(
            WellKnownFolderName.SentItems,
            new SearchFilter.IsEqualTo(EmailMessageSchema.InternetMessageId, xmlEscaped(messageId)),
            new ItemView(1),
          ),
        );
        const found = existing.Items[0];
        if (found) return succeeded({ id: found.Id.UniqueId, messageId, value: message });
        const created = new EmailMessage(session.service);
        const recipient = (entry: Email["from"]) =>
          new EmailAddress(xmlEscaped(entry.name ?? entry.address), xmlEscaped(entry.address));
        created.Subject = xmlEscaped(message.subject);
        created.Body = new MessageBody(
          message.body.format === "html" ? BodyType.HTML : BodyType.Text,
          xmlEscaped(message.body.content),
        );
        created.From = recipient(message.from);
        for (const entry of message.to) created.ToRecipients.Add(recipient(entry));
        for (const entry of message.cc) created.CcRecipients.Add(recipient(entry));
        created.SetExtendedProperty(MESSAGE_FLAGS, MSGFLAG_READ);
        created.SetExtendedProperty(INTERNET_MESSAGE_ID, xmlEscaped(messageId));
        const sentAt = new DateTime(Date.parse(message.date));
        created.SetExtendedProperty(CLIENT_SUBMIT_TIME, sentAt);
        created.SetExtendedProperty(MESSAGE_DELIVERY_TIME, sentAt);
        await session.call(() => created.Save(WellKnownFolderName.SentItems));
        return succeeded({ id: created.Id.UniqueId, messageId, value: message });
      } catch (error) {
        if (error instanceof ConnectorError) return failed(error.failure);
        throw error;
      }
    },
  };
}
