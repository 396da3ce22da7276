/**
 * The simulated Exchange organisation: accounts, mailboxes, folders, items and their change history.
 *
 * Algorithm: every mailbox keeps one monotonically increasing change sequence. Each item remembers the sequence
 * of its creation and of its last change; a deletion leaves a tombstone with its sequence. A SyncFolderItems
 * state is "folder + high-water sequence", so the changes after a state are exactly the items and tombstones of
 * that folder with a larger sequence, in sequence order — each item appears once, at its latest change, which is
 * what Exchange's ICS reports. Every change also feeds the mailbox's notification subscriptions.
 * Items are bags of `t:` elements as the client sent them; rendering orders them by the requested schema.
 */
import { randomBytes } from "node:crypto";
import { el, type XNode } from "./xml.js";

export type ItemKind =
  | "Item"
  | "Message"
  | "Contact"
  | "CalendarItem"
  | "Task"
  | "MeetingRequest"
  | "MeetingCancellation";

export const ITEM_SCHEMA_TYPE: Record<ItemKind, string> = {
  Item: "ItemType",
  Message: "MessageType",
  Contact: "ContactItemType",
  CalendarItem: "CalendarItemType",
  Task: "TaskType",
  MeetingRequest: "MeetingRequestMessageType",
  MeetingCancellation: "MeetingCancellationMessageType",
};

export const DEFAULT_ITEM_CLASS: Record<ItemKind, string> = {
  Item: "IPM",
  Message: "IPM.Note",
  Contact: "IPM.Contact",
  CalendarItem: "IPM.Appointment",
  Task: "IPM.Task",
  MeetingRequest: "IPM.Schedule.Meeting.Request",
  MeetingCancellation: "IPM.Schedule.Meeting.Canceled",
};

export type FolderKind = "Folder" | "ContactsFolder" | "CalendarFolder" | "TasksFolder" | "SearchFolder";

export interface Folder {
  id: string;
  changeKey: string;
  distinguished?: string;
  displayName: string;
  folderClass: string;
  kind: FolderKind;
  parentId?: string;
  seq: number;
}

/** A modified or deleted occurrence of a recurring master, keyed by its 1-based instance index. */
export interface OccurrenceException {
  index: number;
  originalStart: string;
  deleted: boolean;
  /** Overridden elements (Subject, Start, End, Location, …). */
  props: XNode[];
  changeKey: string;
}

export interface StoredItem {
  id: string;
  changeKey: string;
  folderId: string;
  kind: ItemKind;
  props: XNode[];
  extended: XNode[];
  created: string;
  modified: string;
  createdSeq: number;
  seq: number;
  onlyReadChanged: boolean;
  exceptions: Map<number, OccurrenceException>;
}

export interface Tombstone {
  id: string;
  changeKey: string;
  folderId: string;
  seq: number;
  createdSeq: number;
}

export type MailboxEventKind = "CreatedEvent" | "ModifiedEvent" | "DeletedEvent" | "MovedEvent" | "NewMailEvent";

export interface MailboxEvent {
  kind: MailboxEventKind;
  itemId: string;
  changeKey?: string;
  folderId: string;
  oldItemId?: string;
  oldFolderId?: string;
  timeStamp: string;
}

export interface Mailbox {
  smtp: string;
  displayName: string;
  sid: string;
  guid: string;
  folders: Map<string, Folder>;
  items: Map<string, StoredItem>;
  tombstones: Tombstone[];
  seq: number;
  listeners: Set<(event: MailboxEvent) => void>;
}

export interface Account {
  /** `DOMAIN\user`. */
  logon: string;
  upn: string;
  password: string;
  /** The account's own mailbox, when it has one. */
  smtp?: string;
  impersonation: boolean;
  /** Management scope: the mailboxes the ApplicationImpersonation role covers (all when absent). */
  impersonationScope?: string[];
}

const WELL_KNOWN: { name: string; display: string; kind: FolderKind; folderClass: string; parent?: string }[] = [
  { name: "root", display: "", kind: "Folder", folderClass: "" },
  { name: "msgfolderroot", display: "Top of Information Store", kind: "Folder", folderClass: "IPF", parent: "root" },
  { name: "inbox", display: "Inbox", kind: "Folder", folderClass: "IPF.Note", parent: "msgfolderroot" },
  { name: "sentitems", display: "Sent Items", kind: "Folder", folderClass: "IPF.Note", parent: "msgfolderroot" },
  { name: "deleteditems", display: "Deleted Items", kind: "Folder", folderClass: "IPF.Note", parent: "msgfolderroot" },
  { name: "drafts", display: "Drafts", kind: "Folder", folderClass: "IPF.Note", parent: "msgfolderroot" },
  { name: "outbox", display: "Outbox", kind: "Folder", folderClass: "IPF.Note", parent: "msgfolderroot" },
  {
    name: "contacts",
    display: "Contacts",
    kind: "ContactsFolder",
    folderClass: "IPF.Contact",
    parent: "msgfolderroot",
  },
  {
    name: "calendar",
    display: "Calendar",
    kind: "CalendarFolder",
    folderClass: "IPF.Appointment",
    parent: "msgfolderroot",
  },
  { name: "tasks", display: "Tasks", kind: "TasksFolder", folderClass: "IPF.Task", parent: "msgfolderroot" },
];

export const DISTINGUISHED_FOLDERS = WELL_KNOWN.map((f) => f.name);

function opaqueId(prefix: string, payload: string): string {
  return prefix + Buffer.from(payload, "utf8").toString("base64");
}

export function newChangeKey(): string {
  return `CQAAABYAAA${randomBytes(9).toString("base64")}`;
}

export class Organisation {
  readonly accounts = new Map<string, Account>();
  readonly mailboxes = new Map<string, Mailbox>();
  private nextMailbox = 1;
  private nextObject = 1;

  constructor(
    readonly domain = "contoso.com",
    readonly netbios = "CONTOSO",
  ) {}

  reset(): void {
    this.accounts.clear();
    this.mailboxes.clear();
    this.nextMailbox = 1;
    this.nextObject = 1;
  }

  addAccount(account: Account): Account {
    this.accounts.set(account.logon.toLowerCase(), account);
    this.accounts.set(account.upn.toLowerCase(), account);
    return account;
  }

  /** Looks an account up by `DOMAIN\user`, `user` or UPN. */
  findAccount(name: string): Account | undefined {
    const key = name.toLowerCase();
    return this.accounts.get(key) ?? this.accounts.get(`${this.netbios.toLowerCase()}\\${key}`);
  }

  addMailbox(smtp: string, displayName: string): Mailbox {
    const index = this.nextMailbox++;
    const mailbox: Mailbox = {
      smtp: smtp.toLowerCase(),
      displayName,
      sid: `S-1-5-21-1004336348-1177238915-682003330-${1100 + index}`,
      guid: `${index.toString(16).padStart(8, "0")}-6b3c-4a4b-9c2d-5e0e2a${index.toString(16).padStart(6, "0")}`,
      folders: new Map(),
      items: new Map(),
      tombstones: [],
      seq: 0,
      listeners: new Set(),
    };
    for (const wk of WELL_KNOWN) {
      const parent = wk.parent ? this.distinguishedFolder(mailbox, wk.parent) : undefined;
      this.addFolder(mailbox, {
        displayName: wk.display,
        kind: wk.kind,
        folderClass: wk.folderClass,
        distinguished: wk.name,
        parentId: parent?.id,
      });
    }
    this.mailboxes.set(mailbox.smtp, mailbox);
    return mailbox;
  }

  findMailbox(address: string): Mailbox | undefined {
    return this.mailboxes.get(address.toLowerCase());
  }

  findMailboxBySid(sid: string): Mailbox | undefined {
    return [...this.mailboxes.values()].find((m) => m.sid === sid);
  }

  addFolder(mailbox: Mailbox, folder: Omit<Folder, "id" | "changeKey" | "seq">): Folder {
    const created: Folder = {
      ...folder,
      id: opaqueId("AAMkAGF", `${mailbox.smtp}/folder/${this.nextObject++}`),
      changeKey: "AQAAAA==",
      seq: ++mailbox.seq,
    };
    mailbox.folders.set(created.id, created);
    return created;
  }

  distinguishedFolder(mailbox: Mailbox, name: string): Folder | undefined {
    for (const folder of mailbox.folders.values()) if (folder.distinguished === name) return folder;
    return undefined;
  }

  newItemId(mailbox: Mailbox): string {
    return opaqueId("AAMkAD", `${mailbox.smtp}/item/${this.nextObject++}`);
  }

  insertItem(
    mailbox: Mailbox,
    folderId: string,
    kind: ItemKind,
    props: XNode[],
    extended: XNode[],
    now: string,
  ): StoredItem {
    const seq = ++mailbox.seq;
    if (isMessageKind(kind)) stampMessageTimes(props, now);
    const item: StoredItem = {
      id: this.newItemId(mailbox),
      changeKey: newChangeKey(),
      folderId,
      kind,
      props,
      extended,
      created: now,
      modified: now,
      createdSeq: seq,
      seq,
      onlyReadChanged: false,
      exceptions: new Map(),
    };
    mailbox.items.set(item.id, item);
    emit(mailbox, {
      kind: isMessageKind(kind) ? "NewMailEvent" : "CreatedEvent",
      itemId: item.id,
      changeKey: item.changeKey,
      folderId,
      timeStamp: now,
    });
    if (isMessageKind(kind)) {
      emit(mailbox, { kind: "CreatedEvent", itemId: item.id, changeKey: item.changeKey, folderId, timeStamp: now });
    }
    return item;
  }

  /** Records a change: new ChangeKey and sequence (every change gets a new change key, ews.md §8). */
  touchItem(mailbox: Mailbox, item: StoredItem, now: string, onlyRead = false): void {
    item.changeKey = newChangeKey();
    item.modified = now;
    item.seq = ++mailbox.seq;
    item.onlyReadChanged = onlyRead;
    emit(mailbox, {
      kind: "ModifiedEvent",
      itemId: item.id,
      changeKey: item.changeKey,
      folderId: item.folderId,
      timeStamp: now,
    });
  }

  removeItem(mailbox: Mailbox, item: StoredItem, now: string): void {
    mailbox.items.delete(item.id);
    mailbox.tombstones.push({
      id: item.id,
      changeKey: item.changeKey,
      folderId: item.folderId,
      seq: ++mailbox.seq,
      createdSeq: item.createdSeq,
    });
    emit(mailbox, { kind: "DeletedEvent", itemId: item.id, folderId: item.folderId, timeStamp: now });
  }

  /** A move is a delete in the old folder and a create (with a new id) in the new one, as in the store. */
  moveItem(mailbox: Mailbox, item: StoredItem, folderId: string, now: string): StoredItem {
    this.removeItem(mailbox, item, now);
    const moved = this.insertItem(mailbox, folderId, item.kind, item.props, item.extended, now);
    moved.exceptions = item.exceptions;
    emit(mailbox, {
      kind: "MovedEvent",
      itemId: moved.id,
      changeKey: moved.changeKey,
      folderId,
      oldItemId: item.id,
      oldFolderId: item.folderId,
      timeStamp: now,
    });
    return moved;
  }
}

/** A Message-ID in the form Exchange's transport mints (`<hex@domain>`), for messages the org itself sends. */
export function newInternetMessageId(domain: string): string {
  return `<${randomBytes(16).toString("hex")}@${domain}>`;
}

function isMessageKind(kind: ItemKind): boolean {
  return kind === "Message" || kind.startsWith("Meeting");
}

/**
 * Exchange dates every message it stores: PR_MESSAGE_DELIVERY_TIME (DateTimeReceived) and PR_CLIENT_SUBMIT_TIME
 * (DateTimeSent) are stamped on delivery and on send, and a message merely saved into a folder (CreateItem SaveOnly,
 * an import) gets both at its creation time — the recorded GetItem/FindItem of messages created that way answer
 * DateTimeReceived = DateTimeSent = DateTimeCreated (conformance/ews/samples/php-ews-recordings/ExchangeOnline-2020/
 * MailAPITest.testGetSingleMailItem.09.GetItem.xml; gsexdev.blogspot.com 2014/08 "Sent and Received Time on a
 * Message and EWS"). Times a client or the delivery already set are kept, so a moved message keeps its dates.
 */
function stampMessageTimes(props: XNode[], now: string): void {
  for (const name of ["DateTimeSent", "DateTimeReceived"]) {
    if (!props.some((p) => p.name === name)) props.push(el(name, {}, now));
  }
}

function emit(mailbox: Mailbox, event: MailboxEvent): void {
  for (const listener of mailbox.listeners) listener(event);
}

export function prop(item: { props: XNode[] }, name: string): XNode | undefined {
  return item.props.find((p) => p.name === name);
}

export function setProp(item: { props: XNode[] }, node: XNode): void {
  const index = item.props.findIndex((p) => p.name === node.name);
  if (index >= 0) item.props[index] = node;
  else item.props.push(node);
}

export function deleteProp(item: { props: XNode[] }, name: string): void {
  const index = item.props.findIndex((p) => p.name === name);
  if (index >= 0) item.props.splice(index, 1);
}
