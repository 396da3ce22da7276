/**
 * The simulated Zoho org: metadata, users and the record operations every entry point (REST handlers, the control
 * API's "act as a user", the demo seed) goes through, so that validation, Modified_Time, the recycle bin, the search
 * index lag and instant notifications behave the same whoever writes.
 *
 * Write operations take a batch and return one result per input, in input order (zoho-crm-api.md §0 envelope b),
 * and emit one change event per batch and operation — which is what Zoho's callbacks carry (`ids` may hold several).
 */
import { randomBytes } from "node:crypto";
import { buildModules, findModule, type ModuleDef } from "./modules.js";
import {
  type ChangeEvent,
  type ChangeOperation,
  type DeletedEntry,
  IdGenerator,
  ModuleRecords,
  type SimProfile,
  type SimRole,
  type SimUser,
  type StoredEmail,
  type StoredRecord,
} from "./store.js";
import { type LayoutRule, type LookupResolver, normalizeRecord, type RecordError } from "./validate.js";
import { formatZohoDateTime, type Json, type JsonObject } from "./wire.js";

export interface OrgOptions {
  /** Leading digits of every id (an org's ids share a prefix in real Zoho). */
  idPrefix?: string;
  /** Time zone of API users created without one; Zoho answers DateTimes in the API user's zone. */
  defaultTimeZone?: string;
  /** How long a write stays invisible to `/search` (ms). */
  searchIndexLagMs?: number;
  /** Fields that reject duplicates on insert/update ("Do not allow duplicate values"), per module. */
  uniqueFields?: Record<string, string[]>;
  /** Clock in ms; tests move it to expire tokens and page tokens. */
  now?: () => number;
}

export type WriteResult =
  | { ok: true; record: StoredRecord; action: "insert" | "update"; duplicateField?: string | null }
  | { ok: false; error: RecordError; status?: number };

export const ORG_ID = "10234695";

export class ZohoOrg {
  readonly modules: Map<string, ModuleDef>;
  readonly records = new Map<string, ModuleRecords>();
  readonly deleted = new Map<string, DeletedEntry[]>();
  readonly users = new Map<string, SimUser>();
  readonly profiles = new Map<string, SimProfile>();
  readonly roles = new Map<string, SimRole>();
  readonly emails = new Map<string, StoredEmail[]>();
  /** Profile id → modules its users may not view (403 NO_PERMISSION). */
  readonly deniedModules = new Map<string, Set<string>>();
  readonly ids: IdGenerator;
  readonly defaultTimeZone: string;
  searchIndexLagMs: number;
  uniqueFields: Record<string, string[]>;
  /** Layout rules per module that make fields mandatory for API writes too. */
  layoutRules: Record<string, LayoutRule[]> = {};
  private readonly clock: () => number;
  private clockOffsetMs = 0;
  private readonly listeners = new Set<(event: ChangeEvent) => void>();
  readonly resolver: LookupResolver = {
    recordExists: (module, id) => this.records.get(module)?.records.has(id) ?? false,
    userExists: (id) => this.users.get(id)?.status === "active",
  };

  constructor(options: OrgOptions = {}) {
    const prefix = options.idPrefix ?? "5725767";
    this.ids = new IdGenerator(prefix);
    this.modules = buildModules(`${prefix}999`);
    this.defaultTimeZone = options.defaultTimeZone ?? "Asia/Kolkata";
    this.searchIndexLagMs = options.searchIndexLagMs ?? 1_500;
    this.uniqueFields = options.uniqueFields ?? {};
    this.clock = options.now ?? Date.now;
    this.reset();
  }

  nowMs(): number {
    return this.clock() + this.clockOffsetMs;
  }

  nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  advanceClock(ms: number): void {
    this.clockOffsetMs += ms;
  }

  onChange(listener: (event: ChangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  reset(): void {
    this.ids.reset();
    for (const module of this.modules.values()) {
      const existing = this.records.get(module.apiName);
      if (existing) existing.clear();
      else this.records.set(module.apiName, new ModuleRecords());
      this.deleted.set(module.apiName, []);
    }
    this.users.clear();
    this.profiles.clear();
    this.roles.clear();
    this.emails.clear();
    this.deniedModules.clear();
    for (const name of ["Administrator", "Standard"]) {
      const id = this.ids.next();
      this.profiles.set(id, { id, name, custom: false });
    }
    const ceo = this.ids.next();
    this.roles.set(ceo, { id: ceo, name: "CEO" });
    const manager = this.ids.next();
    this.roles.set(manager, { id: manager, name: "Manager" });
    this.addUser({ firstName: "Patricia", lastName: "Boyle", email: "patricia.boyle@zylker.example", admin: true });
  }

  profileByName(name: string): SimProfile {
    for (const profile of this.profiles.values()) if (profile.name === name) return profile;
    throw new Error(`no profile ${name}`);
  }

  addUser(spec: {
    firstName: string;
    lastName: string;
    email: string;
    admin?: boolean;
    status?: SimUser["status"];
    timeZone?: string;
  }): SimUser {
    const id = this.ids.next();
    const [ceo, manager] = [...this.roles.keys()];
    const user: SimUser = {
      id,
      zuid: String(70_000_000 + this.users.size),
      email: spec.email,
      firstName: spec.firstName,
      lastName: spec.lastName,
      status: spec.status ?? "active",
      confirm: true,
      profileId: this.profileByName(spec.admin ? "Administrator" : "Standard").id,
      roleId: spec.admin ? ceo : manager,
      timeZone: spec.timeZone ?? this.defaultTimeZone,
      locale: "en_US",
      createdTime: this.nowSeconds(),
      modifiedTime: this.nowSeconds(),
    };
    this.users.set(id, user);
    return user;
  }

  /** The org's first administrator: the default API user and record owner. */
  get primaryUser(): SimUser {
    return this.users.values().next().value as SimUser;
  }

  module(name: string): ModuleDef | undefined {
    return findModule(this.modules, name);
  }

  moduleRecords(module: string): ModuleRecords {
    const records = this.records.get(module);
    if (!records) throw new Error(`unknown module ${module}`);
    return records;
  }

  findRecord(module: string, id: string): StoredRecord | undefined {
    return this.records.get(module)?.records.get(id);
  }

  userRef(id: string, withEmail = false): JsonObject | null {
    const user = this.users.get(id);
    if (!user) return null;
    const ref: JsonObject = { name: `${user.firstName} ${user.lastName}`.trim(), id };
    if (withEmail) ref.email = user.email;
    return ref;
  }

  displayName(module: string, id: string): string {
    const def = this.modules.get(module);
    const record = this.findRecord(module, id);
    const value = def && record ? record.values[def.displayField] : undefined;
    return typeof value === "string" ? value : "";
  }

  private emit(module: string, operation: ChangeOperation, changes: Array<{ id: string; fields: string[] }>): void {
    if (changes.length === 0) return;
    const related = changes.flatMap(({ id }) => this.relatedParents(module, id));
    const event: ChangeEvent = {
      module,
      operation,
      ids: changes.map((change) => change.id),
      affectedFields: Object.fromEntries(changes.map((change) => [change.id, change.fields])),
      related,
    };
    for (const listener of this.listeners) listener(event);
  }

  /** Records whose related lists include this one (activities under their Who/What, contacts under accounts). */
  private relatedParents(module: string, id: string): Array<{ module: string; id: string }> {
    const values = this.findRecord(module, id)?.values;
    if (!values) return [];
    const parents: Array<{ module: string; id: string }> = [];
    if (typeof values.Who_Id === "string") parents.push({ module: "Contacts", id: values.Who_Id });
    if (typeof values.What_Id === "string" && typeof values.$se_module === "string") {
      parents.push({ module: values.$se_module, id: values.What_Id });
    }
    if (module === "Contacts" && typeof values.Account_Name === "string") {
      parents.push({ module: "Accounts", id: values.Account_Name });
    }
    return parents;
  }

  /** Unique-field clashes of a record: none, one DUPLICATE_DATA, or MULTIPLE_OR_MULTI_ERRORS wrapping several. */
  private duplicateError(module: ModuleDef, values: Record<string, Json>, index: number, selfId?: string) {
    const clashes: RecordError[] = [];
    for (const field of this.uniqueFields[module.apiName] ?? []) {
      const value = values[field];
      if (value === undefined || value === null || value === "") continue;
      const match = this.findByField(module.apiName, field, value, selfId);
      if (match) clashes.push(this.duplicateDataError(module, field, match.id, index));
    }
    if (clashes.length <= 1) return clashes[0];
    return {
      code: "MULTIPLE_OR_MULTI_ERRORS",
      message: "Multiple errors in the request",
      details: { errors: clashes.map((clash) => ({ ...clash, status: "error" })) },
    } satisfies RecordError;
  }

  /** The oldest record whose field equals the value (e-mails case-insensitively, through the index). */
  findByField(module: string, field: string, value: Json, excludeId?: string): StoredRecord | undefined {
    const records = this.moduleRecords(module);
    if (field === "Email" && typeof value === "string") {
      for (const id of records.byEmail.get(value.toLowerCase()) ?? []) {
        if (id !== excludeId) return records.records.get(id);
      }
      return undefined;
    }
    for (const record of records.records.values()) {
      if (record.id !== excludeId && record.values[field] === value) return record;
    }
    return undefined;
  }

  private duplicateDataError(module: ModuleDef, field: string, existingId: string, index: number): RecordError {
    const existing = this.findRecord(module.apiName, existingId);
    const owner = existing ? this.users.get(existing.ownerId) : undefined;
    return {
      code: "DUPLICATE_DATA",
      message: "duplicate data",
      details: {
        api_name: field,
        json_path: `$.data[${index}].${field}`,
        duplicate_record: {
          Owner: owner ? { name: `${owner.firstName} ${owner.lastName}`, id: owner.id, zuid: owner.zuid } : null,
          module: { api_name: module.apiName, id: module.id },
          id: existingId,
        },
        id: existingId,
        more_records: false,
      },
    };
  }

  private store(module: ModuleDef, record: StoredRecord, previousEmail: Json | undefined): void {
    const records = this.moduleRecords(module.apiName);
    records.records.set(record.id, record);
    records.indexEmail(record, previousEmail);
    records.touch();
  }

  /** Inserts a batch as `actorId`; one result per input. */
  insert(module: ModuleDef, inputs: JsonObject[], actorId: string): WriteResult[] {
    const results = inputs.map((input, index) => this.insertOne(module, input, index, actorId));
    this.emit(module.apiName, "insert", okChanges(results, "insert"));
    return results;
  }

  private insertOne(module: ModuleDef, input: JsonObject, index: number, actorId: string): WriteResult {
    const normalized = normalizeRecord(
      module,
      input,
      index,
      this.resolver,
      undefined,
      this.layoutRules[module.apiName],
    );
    if ("code" in normalized) return { ok: false, error: normalized };
    const duplicate = this.duplicateError(module, normalized.values, index);
    if (duplicate) return { ok: false, error: duplicate };
    const now = this.nowSeconds();
    const record: StoredRecord = {
      id: this.ids.next(),
      module: module.apiName,
      values: normalized.values,
      ownerId: normalized.ownerId ?? actorId,
      createdBy: actorId,
      modifiedBy: actorId,
      createdTime: now,
      modifiedTime: now,
      // Creating a record is no activity: Zoho answers Last_Activity_Time null until the first edit or mail
      // (conformance/zoho/records-get-event-real-response.json, a real capture read right after its insert, and the
      // v7 sample records-search-criteria-response.json, whose never-edited Lead has Created_Time = Modified_Time).
      lastActivityTime: null,
      searchableFrom: this.nowMs() + this.searchIndexLagMs,
    };
    this.store(module, record, undefined);
    return { ok: true, record, action: "insert" };
  }

  /**
   * Updates a batch; each input carries `id` (or `ids[i]` from the path). `unmodifiedSince` (epoch s) is the
   * If-Unmodified-Since precondition: a record modified after it fails with ALREADY_MODIFIED (HTTP 412).
   */
  update(
    module: ModuleDef,
    inputs: JsonObject[],
    actorId: string,
    options: { pathId?: string; unmodifiedSince?: number } = {},
  ): WriteResult[] {
    const changed: Array<{ id: string; fields: string[] }> = [];
    const results = inputs.map((input, index): WriteResult => {
      const id = options.pathId ?? (typeof input.id === "string" ? input.id : undefined);
      const existing = id ? this.findRecord(module.apiName, id) : undefined;
      if (!existing) {
        return {
          ok: false,
          error: {
            code: "INVALID_DATA",
            message: "the id given seems to be invalid",
            details: { api_name: "id", json_path: `$.data[${index}].id` },
          },
        };
      }
      const result = this.updateOne(module, existing, input, index, actorId, options.unmodifiedSince);
      if (result.ok) changed.push({ id: existing.id, fields: result.fields });
      return result.result;
    });
    this.emit(module.apiName, "update", changed);
    return results;
  }

  private updateOne(
    module: ModuleDef,
    existing: StoredRecord,
    input: JsonObject,
    index: number,
    actorId: string,
    unmodifiedSince: number | undefined,
  ): { ok: true; result: WriteResult; fields: string[] } | { ok: false; result: WriteResult } {
    if (unmodifiedSince !== undefined && existing.modifiedTime > unmodifiedSince) {
      return {
        ok: false,
        result: {
          ok: false,
          status: 412,
          error: {
            code: "ALREADY_MODIFIED",
            message: "record updated time has already passed if-unmodified-since time",
            details: this.recordStamp(existing, this.users.get(actorId)?.timeZone ?? this.defaultTimeZone),
          },
        },
      };
    }
    const normalized = normalizeRecord(module, input, index, this.resolver, existing, this.layoutRules[module.apiName]);
    if ("code" in normalized) return { ok: false, result: { ok: false, error: normalized } };
    const duplicate = this.duplicateError(module, normalized.values, index, existing.id);
    if (duplicate) return { ok: false, result: { ok: false, error: duplicate } };
    const previousEmail = existing.values.Email;
    const ownerChanged = normalized.ownerId !== undefined && normalized.ownerId !== existing.ownerId;
    const fields = ownerChanged ? [...normalized.changedFields, "Owner"] : normalized.changedFields;
    // Zoho bumps Modified_Time on every successful update call, even one that changes nothing; an edit is an activity,
    // so Last_Activity_Time becomes the same instant (records-search-email-response.json: both 2019-03-22T11:10:55).
    const updated: StoredRecord = {
      ...existing,
      values: normalized.values,
      ownerId: normalized.ownerId ?? existing.ownerId,
      modifiedBy: actorId,
      modifiedTime: this.nowSeconds(),
      lastActivityTime: this.nowSeconds(),
      searchableFrom: this.nowMs() + this.searchIndexLagMs,
    };
    this.store(module, updated, previousEmail);
    return { ok: true, result: { ok: true, record: updated, action: "update" }, fields };
  }

  /**
   * Upsert: for each input, the first duplicate-check field (in `checkFields` order) with a value that matches an
   * existing record turns the input into an update of it; otherwise it is inserted.
   */
  upsert(
    module: ModuleDef,
    inputs: JsonObject[],
    actorId: string,
    checkFields: string[],
    unmodifiedSince?: number,
  ): WriteResult[] {
    const inserted: Array<{ id: string; fields: string[] }> = [];
    const updated: Array<{ id: string; fields: string[] }> = [];
    const results = inputs.map((input, index): WriteResult => {
      let match: StoredRecord | undefined;
      let matchedField: string | null = null;
      for (const field of checkFields) {
        const value = input[field];
        if (value === undefined || value === null || value === "") continue;
        match = this.findByField(module.apiName, field, value);
        if (match) {
          matchedField = field;
          break;
        }
      }
      if (!match && typeof input.id === "string") match = this.findRecord(module.apiName, input.id);
      if (match) {
        const outcome = this.updateOne(module, match, input, index, actorId, unmodifiedSince);
        if (outcome.ok) updated.push({ id: match.id, fields: outcome.fields });
        return outcome.result.ok ? { ...outcome.result, duplicateField: matchedField } : outcome.result;
      }
      const result = this.insertOne(module, input, index, actorId);
      if (result.ok) inserted.push({ id: result.record.id, fields: [] });
      return result.ok ? { ...result, duplicateField: null } : result;
    });
    this.emit(module.apiName, "insert", inserted);
    this.emit(module.apiName, "update", updated);
    return results;
  }

  /** Deletes ids into the recycle bin; returns per-id success. */
  delete(module: ModuleDef, ids: string[], actorId: string): Array<{ id: string; ok: boolean }> {
    const records = this.moduleRecords(module.apiName);
    const removed: Array<{ id: string; fields: string[] }> = [];
    const results = ids.map((id) => {
      const record = records.records.get(id);
      if (!record) return { id, ok: false };
      // Notify before removal so related parents can still be resolved, then drop it.
      removed.push({ id, fields: [] });
      return { id, ok: true };
    });
    this.emit(module.apiName, "delete", removed);
    for (const { id } of removed) {
      const record = records.records.get(id);
      if (!record) continue;
      this.deleted.get(module.apiName)?.push({
        id,
        module: module.apiName,
        displayName: this.displayName(module.apiName, id),
        deletedBy: actorId,
        createdBy: record.createdBy,
        deletedTime: this.nowSeconds(),
        type: "recycle",
      });
      records.unindexEmail(record);
      records.records.delete(id);
      this.emails.delete(`${module.apiName}/${id}`);
    }
    if (removed.length > 0) records.touch();
    return results;
  }

  /** Records an activity (a mail filed or sent) on a record: Last_Activity_Time moves, Modified_Time does not. */
  touchActivity(module: string, id: string): void {
    const record = this.findRecord(module, id);
    if (!record) return;
    record.lastActivityTime = this.nowSeconds();
    this.moduleRecords(module).touch();
  }

  /** Empties the recycle bin: entries become `permanent`, losing their user and name fields (zoho-crm-api.md §2.3). */
  purgeRecycleBin(): void {
    for (const entries of this.deleted.values()) for (const entry of entries) entry.type = "permanent";
  }

  /** The `details` of a write result: who and when, in the given zone. */
  recordStamp(record: StoredRecord, zone: string): JsonObject {
    return {
      Modified_Time: formatZohoDateTime(record.modifiedTime, zone),
      Modified_By: this.userRef(record.modifiedBy),
      Created_Time: formatZohoDateTime(record.createdTime, zone),
      id: record.id,
      Created_By: this.userRef(record.createdBy),
    };
  }

  /** A fresh opaque hex id (page tokens, Zoho e-mail message ids). */
  static hexId(bytes = 16): string {
    return randomBytes(bytes).toString("hex");
  }
}

function okChanges(results: WriteResult[], action: "insert" | "update"): Array<{ id: string; fields: string[] }> {
  return results.flatMap((result) =>
    result.ok && result.action === action ? [{ id: result.record.id, fields: [] }] : [],
  );
}
