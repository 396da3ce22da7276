/**
 * In-memory `RecordPort`: a fake service for one module, used by the sync-core tests and the contract suite.
 *
 * Behaves like the real services where the core depends on it:
 * - every write (ours or a simulated user's) moves the version, even when the content is the same;
 * - a side keeps only the fields it can hold (`holds`), like a mapping that cannot store the rest;
 * - the change feed is a sequence log; a cursor is `<epoch>:<seq>`, and `expireCursors()` invalidates old ones
 *   (like a Graph 410 / EWS invalid SyncState); feeds collapse several changes of one id to its latest state;
 * - conditional writes fail with `precondition-failed` on a stale version, and unknown ids with `not-found`;
 * - faults: whole-call failures queued with `failNextCalls`, per-item failures with `failItem`, auth expiry.
 */

import { ConnectorError, type ConnectorFailure, failed, type ItemResult, succeeded } from "../errors.js";
import type {
  ChangeEntry,
  ChangePage,
  CreateRequest,
  DeleteRequest,
  ListingPage,
  PortCapabilities,
  PushOptions,
  PushSubscription,
  RecordPort,
  RemoteItem,
  SyncModuleName,
  UpdateRequest,
} from "../port.js";

export type MemoryMethod = "listChanges" | "listAll" | "getMany" | "create" | "update" | "delete" | "subscribe";

export interface MemoryRecordPortOptions<T> {
  readonly module: SyncModuleName;
  /** Prefix of generated ids, so the two sides' ids never look alike. */
  readonly idPrefix: string;
  /** Fields this side can hold; others are dropped on every write. Absent: everything is kept. */
  readonly holds?: readonly (keyof T & string)[];
  /**
   * Completes what the side kept into a valid canonical value, as a real mapping does on read (defaults for fields
   * the side cannot hold, e.g. `categories: []`). Absent: the kept fields as they are.
   */
  readonly fill?: (kept: Partial<T>) => T;
  /** Page size of listings and change feeds. */
  readonly pageSize?: number;
  readonly capabilities?: Partial<PortCapabilities>;
}

interface LogEntry {
  readonly seq: number;
  readonly id: string;
}

export class MemoryRecordPort<T> implements RecordPort<T> {
  readonly module: SyncModuleName;
  readonly capabilities: PortCapabilities;
  /** Calls per method, for "a second sync makes zero writes" checks. */
  readonly calls: Record<MemoryMethod, number> = {
    listChanges: 0,
    listAll: 0,
    getMany: 0,
    create: 0,
    update: 0,
    delete: 0,
    subscribe: 0,
  };
  private readonly items = new Map<string, RemoteItem<T>>();
  private readonly log: LogEntry[] = [];
  private seq = 0;
  private epoch = 1;
  private nextId = 1;
  private readonly pageSize: number;
  private readonly callFaults: { method: MemoryMethod | "any"; failure: ConnectorFailure }[] = [];
  private readonly itemFaults = new Map<string, ConnectorFailure>();
  private authExpired = false;
  private readonly subscribers = new Set<PushOptions>();

  constructor(private readonly options: MemoryRecordPortOptions<T>) {
    this.module = options.module;
    this.pageSize = options.pageSize ?? 50;
    this.capabilities = {
      delta: true,
      deltaReportsDeletions: true,
      maxBatchSize: 100,
      conditionalWrites: true,
      push: true,
      ...options.capabilities,
    };
  }

  // ---- what a user (or another client) does on the service, bypassing faults --------------------------------

  /** Creates an item as a user would; returns it. */
  userCreate(value: T): RemoteItem<T> {
    return this.store(`${this.options.idPrefix}${this.nextId++}`, value);
  }

  /** Replaces an item's value as a user would; throws if it does not exist. */
  userUpdate(id: string, value: T): RemoteItem<T> {
    if (!this.items.has(id)) throw new Error(`no item ${id}`);
    return this.store(id, value);
  }

  /** Deletes an item as a user would; a missing id is a no-op. */
  userDelete(id: string): void {
    if (this.items.delete(id)) this.append(id);
  }

  /** Current items, sorted by id. */
  snapshot(): RemoteItem<T>[] {
    return [...this.items.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  get(id: string): RemoteItem<T> | undefined {
    return this.items.get(id);
  }

  /** Writes made through the port (create + update + delete calls). */
  writeCalls(): number {
    return this.calls.create + this.calls.update + this.calls.delete;
  }

  // ---- fault injection -------------------------------------------------------------------------------------

  /** The next call of `method` (or of any method) fails as a whole with `failure`. Queue several for several. */
  failNextCall(failure: ConnectorFailure, method: MemoryMethod | "any" = "any"): void {
    this.callFaults.push({ method, failure });
  }

  /** Every write of item `id` (or, for creates, whose id would be `id`) fails with `failure` until cleared. */
  failItem(id: string, failure: ConnectorFailure | undefined): void {
    if (failure) this.itemFaults.set(id, failure);
    else this.itemFaults.delete(id);
  }

  /** Makes every call fail with `auth-expired` (revoked token) until restored. */
  setAuthExpired(expired: boolean): void {
    this.authExpired = expired;
  }

  /** Drops every queued call fault and item fault, and restores auth. */
  clearFaults(): void {
    this.callFaults.length = 0;
    this.itemFaults.clear();
    this.authExpired = false;
  }

  /** Invalidates every cursor handed out so far. */
  expireCursors(): void {
    this.epoch++;
  }

  // ---- RecordPort ------------------------------------------------------------------------------------------

  async listChanges(cursor: string | undefined): Promise<ChangePage<T>> {
    this.enter("listChanges");
    let from = 0;
    if (cursor !== undefined) {
      const match = /^(\d+):(\d+)$/.exec(cursor);
      if (!match || Number(match[1]) !== this.epoch) {
        throw new ConnectorError({ kind: "cursor-invalid", message: `cursor ${cursor} has expired` });
      }
      from = Number(match[2]);
    }
    const pending = this.log.filter((entry) => entry.seq > from);
    const ids: string[] = [];
    let upTo = from;
    for (const entry of pending) {
      if (!ids.includes(entry.id)) {
        if (ids.length === this.pageSize) break;
        ids.push(entry.id);
      }
      upTo = entry.seq;
    }
    const changes = ids.map((id): ChangeEntry<T> => {
      const item = this.items.get(id);
      return item ? { kind: "upsert", item: structuredClone(item) } : { kind: "deleted", id };
    });
    return { changes, cursor: `${this.epoch}:${upTo}`, complete: upTo === this.seq };
  }

  async listAll(pageToken: string | undefined): Promise<ListingPage<T>> {
    this.enter("listAll");
    const all = this.snapshot();
    const start = pageToken === undefined ? 0 : Number(pageToken);
    const items = all.slice(start, start + this.pageSize).map((item) => structuredClone(item));
    const end = start + this.pageSize;
    return end < all.length ? { items, nextPageToken: String(end) } : { items, cursor: `${this.epoch}:${this.seq}` };
  }

  async getMany(ids: readonly string[]): Promise<readonly ItemResult<RemoteItem<T>>[]> {
    this.enter("getMany");
    return ids.map((id) => {
      const item = this.items.get(id);
      return item ? succeeded(structuredClone(item)) : failed({ kind: "not-found", message: `no item ${id}` });
    });
  }

  async create(requests: readonly CreateRequest<T>[]): Promise<readonly ItemResult<RemoteItem<T>>[]> {
    this.enter("create");
    return requests.map((request) => {
      const id = `${this.options.idPrefix}${this.nextId}`;
      const fault = this.itemFaults.get(id);
      if (fault) return failed(fault);
      this.nextId++;
      return succeeded(structuredClone(this.store(id, request.value)));
    });
  }

  async update(requests: readonly UpdateRequest<T>[]): Promise<readonly ItemResult<RemoteItem<T>>[]> {
    this.enter("update");
    return requests.map((request) => {
      const refused = this.refuse(request.id, request.expectedVersion);
      return refused ? failed(refused) : succeeded(structuredClone(this.store(request.id, request.value)));
    });
  }

  async delete(requests: readonly DeleteRequest[]): Promise<readonly ItemResult<void>[]> {
    this.enter("delete");
    return requests.map((request) => {
      const refused = this.refuse(request.id, request.expectedVersion);
      if (refused) return failed(refused);
      this.userDelete(request.id);
      return succeeded(undefined);
    });
  }

  async subscribe(options: PushOptions): Promise<PushSubscription> {
    this.enter("subscribe");
    this.subscribers.add(options);
    const expiry = () => new Date(Date.now() + 3_600_000).toISOString();
    return {
      id: `sub-${this.options.idPrefix}${this.subscribers.size}`,
      expiresAt: expiry(),
      renew: async () => expiry(),
      close: async () => {
        this.subscribers.delete(options);
      },
    };
  }

  // ---- internals -------------------------------------------------------------------------------------------

  private enter(method: MemoryMethod): void {
    this.calls[method]++;
    if (this.authExpired) throw new ConnectorError({ kind: "auth-expired", message: "refresh token revoked" });
    const index = this.callFaults.findIndex((fault) => fault.method === method || fault.method === "any");
    const fault = index >= 0 ? this.callFaults.splice(index, 1)[0] : undefined;
    if (fault) throw new ConnectorError(fault.failure);
  }

  private refuse(id: string, expectedVersion: string | undefined): ConnectorFailure | undefined {
    const fault = this.itemFaults.get(id);
    if (fault) return fault;
    const item = this.items.get(id);
    if (!item) return { kind: "not-found", message: `no item ${id}` };
    if (this.capabilities.conditionalWrites && expectedVersion !== undefined && expectedVersion !== item.version) {
      return { kind: "precondition-failed", message: `item ${id} changed`, currentVersion: item.version };
    }
    return undefined;
  }

  private store(id: string, value: T): RemoteItem<T> {
    const kept = this.options.holds ? this.project(value, this.options.holds) : structuredClone(value);
    const item: RemoteItem<T> = { id, version: `${id}@${this.seq + 1}`, value: kept };
    this.items.set(id, item);
    this.append(id);
    return item;
  }

  private project(value: T, fields: readonly (keyof T & string)[]): T {
    const kept: Partial<T> = {};
    for (const field of fields) {
      if (value[field] !== undefined) kept[field] = structuredClone(value[field]);
    }
    return this.options.fill ? this.options.fill(kept) : (kept as T);
  }

  private append(id: string): void {
    this.seq++;
    this.log.push({ seq: this.seq, id });
    for (const subscriber of this.subscribers) {
      queueMicrotask(() => subscriber.onNotice({ module: this.module, ids: [id], reason: "changed" }));
    }
  }
}
