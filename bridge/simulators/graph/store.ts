/**
 * The simulated directory and mailboxes.
 *
 * Invariants:
 * - One global change sequence orders every write; an item's `seq` is the sequence of its last change.
 * - Each folder keeps `entries` (keyed by immutable id) in ascending `seq` order: a change deletes and re-inserts
 *   the key, so iteration order is change order. An entry is either a live item or a tombstone (`removed`) left by
 *   a delete or a move out of the folder; tombstones are what delta reports as `@removed`.
 * - An item is reachable by its current REST id and by its immutable id; a move gives it a new REST id (the old one
 *   stops resolving), the immutable id never changes (outlook-immutable-id.md).
 */
import { newChangeKey, newFolderId, newImmutableId, newRestId } from "./ids.js";

export type ItemKind = "contact" | "event" | "task" | "message";
export type FolderKind = "contactFolder" | "calendar" | "todoList" | "mailFolder";
export type ChangeType = "created" | "updated" | "deleted";
export type Json = Record<string, unknown>;

export interface User {
  id: string;
  tenantId: string;
  userPrincipalName: string;
  mail: string;
  displayName: string;
  /** Windows time zone name used for working hours. */
  timeZone: string;
}

export interface AppRegistration {
  clientId: string;
  clientSecret: string;
  displayName: string;
  /** Application permissions granted with admin consent (`roles` claim of app-only tokens). */
  roles: string[];
  redirectUris: string[];
  /** Application access policy / RBAC for Applications scope: when set, app-only tokens reach only these users. */
  allowedMailboxes?: Set<string>;
  /** The app's own API (`api://{clientId}`) scopes, as the add-in obtains through nested app authentication. */
  exposedScopes: string[];
  /** Certificates uploaded to the registration (keyCredentials, PEM): client assertions signed with their keys count. */
  certificates?: string[];
}

export interface Tenant {
  id: string;
  domain: string;
  users: Map<string, User>;
  mailboxes: Map<string, Mailbox>;
  apps: Map<string, AppRegistration>;
}

export interface FolderEntry {
  seq: number;
  item?: Item;
  /** A tombstone: the ids the item had in this folder, and (for events) the item as it was, to list occurrences. */
  removed?: { restId: string; immutableId: string; kind: ItemKind; snapshot: Item };
}

export interface Folder {
  id: string;
  kind: FolderKind;
  displayName: string;
  wellKnownName?: string;
  parentFolderId?: string;
  isDefault?: boolean;
  entries: Map<string, FolderEntry>;
}

export interface EventException {
  /** Overrides of the occurrence's properties (start/end in UTC like the master). */
  props: Json;
  seq: number;
  changeKey: string;
}

export interface Item {
  kind: ItemKind;
  restId: string;
  immutableId: string;
  folderId: string;
  props: Json;
  changeKey: string;
  seq: number;
  /** Seq of the last change to the item itself (for a series: not counting changes to single occurrences). */
  ownSeq: number;
  createdDateTime: string;
  lastModifiedDateTime: string;
  extensions: Map<string, Json>;
  extendedProperties: Map<string, string>;
  /** Series masters: modified occurrences by original start date (yyyy-mm-dd, in the series' time zone). */
  exceptions: Map<string, EventException>;
  /** Series masters: deleted occurrences by original start date, with the seq of the deletion. */
  cancelledOccurrences: Map<string, number>;
}

export interface Mailbox {
  user: User;
  folders: Map<string, Folder>;
  items: Map<string, Item>;
  transactionIds: Map<string, string>;
  /** Bumped to evict every delta token of this mailbox (the service's token cache eviction). */
  deltaGeneration: number;
}

export interface ChangeEvent {
  mailbox: Mailbox;
  item: Item;
  changeType: ChangeType;
  folderId: string;
}

const DEFAULT_FOLDERS: Array<{ kind: FolderKind; displayName: string; wellKnownName?: string }> = [
  { kind: "contactFolder", displayName: "Contacts", wellKnownName: "contacts" },
  { kind: "calendar", displayName: "Calendar", wellKnownName: "calendar" },
  { kind: "todoList", displayName: "Tasks", wellKnownName: "defaultList" },
  { kind: "mailFolder", displayName: "Inbox", wellKnownName: "inbox" },
  { kind: "mailFolder", displayName: "Sent Items", wellKnownName: "sentitems" },
  { kind: "mailFolder", displayName: "Drafts", wellKnownName: "drafts" },
  { kind: "mailFolder", displayName: "Deleted Items", wellKnownName: "deleteditems" },
  { kind: "mailFolder", displayName: "Archive", wellKnownName: "archive" },
];

export class Directory {
  readonly tenants = new Map<string, Tenant>();
  private sequence = 0;
  private readonly listeners = new Set<(change: ChangeEvent) => void>();

  nextSeq(): number {
    this.sequence += 1;
    return this.sequence;
  }

  get currentSeq(): number {
    return this.sequence;
  }

  onChange(listener: (change: ChangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clear(): void {
    this.tenants.clear();
  }

  addTenant(id: string, domain: string): Tenant {
    const tenant: Tenant = { id, domain, users: new Map(), mailboxes: new Map(), apps: new Map() };
    this.tenants.set(id, tenant);
    return tenant;
  }

  tenantByIdOrDomain(idOrDomain: string): Tenant | undefined {
    const lower = idOrDomain.toLowerCase();
    for (const tenant of this.tenants.values()) if (tenant.id === lower || tenant.domain === lower) return tenant;
    return undefined;
  }

  addUser(tenant: Tenant, user: Omit<User, "tenantId">): Mailbox {
    const full: User = { ...user, tenantId: tenant.id };
    tenant.users.set(full.id, full);
    const mailbox: Mailbox = {
      user: full,
      folders: new Map(),
      items: new Map(),
      transactionIds: new Map(),
      deltaGeneration: 0,
    };
    for (const folder of DEFAULT_FOLDERS)
      this.addFolder(mailbox, folder.kind, folder.displayName, folder.wellKnownName, true);
    tenant.mailboxes.set(full.id, mailbox);
    return mailbox;
  }

  addFolder(
    mailbox: Mailbox,
    kind: FolderKind,
    displayName: string,
    wellKnownName?: string,
    isDefault = false,
  ): Folder {
    const folder: Folder = { id: newFolderId(), kind, displayName, entries: new Map(), isDefault };
    if (wellKnownName) folder.wellKnownName = wellKnownName;
    mailbox.folders.set(folder.id, folder);
    return folder;
  }

  /** Resolves a user by object id, UPN or primary SMTP address (case-insensitive), as `/users/{id|upn}` does. */
  findUser(tenant: Tenant, idOrAddress: string): Mailbox | undefined {
    const direct = tenant.mailboxes.get(idOrAddress);
    if (direct) return direct;
    const lower = idOrAddress.toLowerCase();
    for (const mailbox of tenant.mailboxes.values()) {
      if (mailbox.user.userPrincipalName.toLowerCase() === lower || mailbox.user.mail.toLowerCase() === lower)
        return mailbox;
    }
    return undefined;
  }

  findUserAnywhere(address: string): Mailbox | undefined {
    for (const tenant of this.tenants.values()) {
      const mailbox = this.findUser(tenant, address);
      if (mailbox) return mailbox;
    }
    return undefined;
  }

  defaultFolder(mailbox: Mailbox, kind: FolderKind): Folder {
    for (const folder of mailbox.folders.values()) if (folder.kind === kind && folder.isDefault) return folder;
    throw new Error(`mailbox ${mailbox.user.userPrincipalName} has no default ${kind}`);
  }

  wellKnownFolder(mailbox: Mailbox, name: string): Folder | undefined {
    const lower = name.toLowerCase();
    for (const folder of mailbox.folders.values()) if (folder.wellKnownName?.toLowerCase() === lower) return folder;
    return undefined;
  }

  createItem(mailbox: Mailbox, folder: Folder, kind: ItemKind, props: Json, at = new Date()): Item {
    const now = at.toISOString();
    const item: Item = {
      kind,
      restId: newRestId(),
      immutableId: newImmutableId(),
      folderId: folder.id,
      props,
      changeKey: newChangeKey(),
      seq: this.nextSeq(),
      ownSeq: 0,
      createdDateTime: now,
      lastModifiedDateTime: now,
      extensions: new Map(),
      extendedProperties: new Map(),
      exceptions: new Map(),
      cancelledOccurrences: new Map(),
    };
    item.ownSeq = item.seq;
    mailbox.items.set(item.restId, item);
    mailbox.items.set(item.immutableId, item);
    folder.entries.set(item.immutableId, { seq: item.seq, item });
    this.emit({ mailbox, item, changeType: "created", folderId: folder.id });
    return item;
  }

  /**
   * Records that `item` changed: new seq and change key, moved to the end of its folder's change order.
   * `occurrenceOnly` marks a change to one occurrence of a series, which leaves the other occurrences unchanged.
   */
  touch(mailbox: Mailbox, item: Item, occurrenceOnly = false): void {
    item.seq = this.nextSeq();
    if (!occurrenceOnly) item.ownSeq = item.seq;
    item.changeKey = newChangeKey();
    item.lastModifiedDateTime = new Date().toISOString();
    const folder = mailbox.folders.get(item.folderId);
    if (folder) {
      folder.entries.delete(item.immutableId);
      folder.entries.set(item.immutableId, { seq: item.seq, item });
    }
    this.emit({ mailbox, item, changeType: "updated", folderId: item.folderId });
  }

  deleteItem(mailbox: Mailbox, item: Item): void {
    this.leaveFolder(mailbox, item);
    mailbox.items.delete(item.restId);
    mailbox.items.delete(item.immutableId);
    this.emit({ mailbox, item, changeType: "deleted", folderId: item.folderId });
  }

  /** Moves an item: a tombstone stays in the source folder and the item gets a new REST id. */
  moveItem(mailbox: Mailbox, item: Item, target: Folder): void {
    if (target.id === item.folderId) return;
    this.leaveFolder(mailbox, item);
    this.emit({ mailbox, item, changeType: "deleted", folderId: item.folderId });
    mailbox.items.delete(item.restId);
    item.restId = newRestId();
    item.folderId = target.id;
    mailbox.items.set(item.restId, item);
    item.seq = this.nextSeq();
    item.ownSeq = item.seq;
    item.changeKey = newChangeKey();
    target.entries.set(item.immutableId, { seq: item.seq, item });
    this.emit({ mailbox, item, changeType: "created", folderId: target.id });
  }

  private leaveFolder(mailbox: Mailbox, item: Item): void {
    const folder = mailbox.folders.get(item.folderId);
    if (!folder) return;
    folder.entries.delete(item.immutableId);
    folder.entries.set(item.immutableId, {
      seq: this.nextSeq(),
      removed: { restId: item.restId, immutableId: item.immutableId, kind: item.kind, snapshot: item },
    });
  }

  private emit(change: ChangeEvent): void {
    for (const listener of this.listeners) listener(change);
  }
}
