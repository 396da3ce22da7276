/**
 * The simulated org's in-memory state: users, profiles, roles, records per module, the recycle bin and e-mails.
 *
 * Invariants:
 * - Record ids are 19-digit decimal strings issued in increasing order, so a module's `Map` insertion order is its
 *   id order and id-sorted listings need no sort. Other sort orders are computed once per module version and cached.
 * - `Modified_Time` has one-second precision (epoch seconds), as Zoho's does.
 * - Stored values are normalized: DateTimes as epoch seconds, lookups and owners as ids, everything else as the JSON
 *   the client sent (after validation). Rendering to the wire happens in `render.ts`.
 * - Every mutation goes through `applyChange`, which notifies the listeners (instant notifications) once per call.
 */
import type { Json } from "./wire.js";

export interface SimUser {
  id: string;
  zuid: string;
  email: string;
  firstName: string;
  lastName: string;
  status: "active" | "disabled" | "deleted";
  confirm: boolean;
  profileId: string;
  roleId: string;
  timeZone: string;
  locale: string;
  createdTime: number;
  modifiedTime: number;
}

export interface SimProfile {
  id: string;
  name: string;
  custom: boolean;
}

export interface SimRole {
  id: string;
  name: string;
}

export type StoredValues = Record<string, Json>;

export interface StoredRecord {
  id: string;
  module: string;
  values: StoredValues;
  ownerId: string;
  createdBy: string;
  modifiedBy: string;
  createdTime: number;
  modifiedTime: number;
  /** Null until the record's first activity after its creation (an edit, a mail): `org.ts` `insertOne`. */
  lastActivityTime: number | null;
  /** Wall-clock ms from which search can find this version (search index lag). */
  searchableFrom: number;
}

export interface DeletedEntry {
  id: string;
  module: string;
  displayName: string;
  deletedBy: string;
  createdBy: string;
  deletedTime: number;
  type: "recycle" | "permanent";
}

export interface StoredEmail {
  /** Zoho's own id of the mail (hex), not the RFC Message-ID. */
  messageId: string;
  originalMessageId: string;
  module: string;
  recordId: string;
  ownerId: string;
  from: Json;
  to: Json;
  cc: Json;
  bcc: Json;
  subject: string;
  content: string;
  mailFormat: string;
  time: number;
  sent: boolean;
  source: "associate_email" | "crm";
  /** `{id, name}` of ZFS files as the client sent them (the file store itself is not simulated). */
  attachments: Json[];
}

export type ChangeOperation = "insert" | "update" | "delete";

export interface ChangeEvent {
  module: string;
  operation: ChangeOperation;
  ids: string[];
  /** Field API names changed per record id (updates only). */
  affectedFields: Record<string, string[]>;
  /** Records whose related lists changed (for `notify_on_related_action`): module → ids. */
  related: Array<{ module: string; id: string }>;
}

export class IdGenerator {
  private sequence = 0;
  constructor(private readonly prefix: string) {}

  next(): string {
    this.sequence += 1;
    return `${this.prefix}${String(this.sequence).padStart(19 - this.prefix.length, "0")}`;
  }

  reset(): void {
    this.sequence = 0;
  }
}

export class ModuleRecords {
  readonly records = new Map<string, StoredRecord>();
  private version = 0;
  private modifiedOrder: { version: number; records: StoredRecord[] } | undefined;
  private createdOrder: { version: number; records: StoredRecord[] } | undefined;
  /** Lower-cased e-mail → ids; exact e-mail look-ups (COQL, search email=, upsert) are the hot path at 100k. */
  readonly byEmail = new Map<string, Set<string>>();

  touch(): void {
    this.version += 1;
  }

  /** Records in ascending order of the given sort key (id order is insertion order). */
  ascending(sortBy: "id" | "Modified_Time" | "Created_Time"): StoredRecord[] {
    if (sortBy === "id") return [...this.records.values()];
    const key = sortBy === "Modified_Time" ? "modifiedTime" : "createdTime";
    const cached = sortBy === "Modified_Time" ? this.modifiedOrder : this.createdOrder;
    if (cached && cached.version === this.version) return cached.records;
    const sorted = [...this.records.values()].sort((a, b) => a[key] - b[key] || (a.id < b.id ? -1 : 1));
    const entry = { version: this.version, records: sorted };
    if (sortBy === "Modified_Time") this.modifiedOrder = entry;
    else this.createdOrder = entry;
    return sorted;
  }

  indexEmail(record: StoredRecord, previous: Json | undefined): void {
    const email = record.values.Email;
    if (previous === email) return;
    if (typeof previous === "string") this.byEmail.get(previous.toLowerCase())?.delete(record.id);
    if (typeof email === "string" && email) {
      const key = email.toLowerCase();
      let ids = this.byEmail.get(key);
      if (!ids) {
        ids = new Set();
        this.byEmail.set(key, ids);
      }
      ids.add(record.id);
    }
  }

  unindexEmail(record: StoredRecord): void {
    const email = record.values.Email;
    if (typeof email === "string") this.byEmail.get(email.toLowerCase())?.delete(record.id);
  }

  clear(): void {
    this.records.clear();
    this.byEmail.clear();
    this.touch();
  }
}
