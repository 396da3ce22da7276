/**
 * One EWS folder (contacts, calendar, tasks) as a RecordPort.
 *
 * Reads: SyncFolderItems with the IdOnly shape and up to 512 changes per call, then the created/updated items in
 * GetItem batches of `batchSize` (docs mailbox-synchronization-and-ews-in-exchange.md: "use IdOnly, then GetItem").
 * Both are idempotent and go through `EwsSession.read`, which retries a transient or throttled failure in the run.
 * The SyncState is the cursor; the caller saves it after applying the page. A full listing is the same feed from
 * no state, so its last page carries the cursor to continue from.
 * Writes carry the ChangeKey the caller last saw: updates send it with AutoResolve, so Exchange answers
 * ErrorIrresolvableConflict when the item moved on (→ precondition-failed, never a blind overwrite, ews.md §8);
 * deletes compare it first because DeleteItem ignores ChangeKeys. Per-item failures are results, in order.
 * Module specifics (property set, item ⇄ canonical value) come from an `ItemCodec`.
 */
import {
  type AffectedTaskOccurrence,
  BasePropertySet,
  ChangeType,
  ConflictResolutionMode,
  DeleteMode,
  type ExchangeService,
  FolderId,
  type Item,
  type ItemChange,
  ItemId,
  PropertySet,
  type SendCancellationsMode,
  type SendInvitationsMode,
  type SendInvitationsOrCancellationsMode,
  ServiceError,
  ServiceResult,
  SyncFolderItemsScope,
  type WellKnownFolderName,
} from "ews-javascript-api";
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
import { failureForCode } from "./errors.js";
import { openPushChannel } from "./push.js";
import type { EwsSession } from "./session.js";

/** Module-specific knowledge the port needs. */
export interface ItemCodec<T, I extends Item> {
  readonly module: SyncModuleName;
  readonly folder: WellKnownFolderName;
  /** What GetItem loads: IdOnly plus exactly the properties `read` and `apply` use. */
  propertySet(): PropertySet;
  /** A new, empty item bound to the service. */
  create(service: ExchangeService): I;
  /** Writes the canonical value into a new or loaded item (only the properties that differ are sent). */
  apply(item: I, value: T, session: EwsSession): void;
  read(item: I): T;
  /** Reads several loaded items when a value needs more than the item itself (a series' exception items). */
  readMany?(items: readonly I[]): Promise<T[]>;
  /**
   * Writes what the item's own CreateItem/UpdateItem cannot carry (a series' moved and cancelled occurrences), after
   * it; returns per write the item's ChangeKey afterwards (undefined: unchanged) and the value as now stored.
   */
  writeDependents?(writes: readonly DependentWrite<T, I>[]): Promise<{ version: string | undefined; value: T }[]>;
  /** The value as this side stores it (the mapping's round trip), returned after writes without a re-read. */
  stored(value: T): T;
  /**
   * Calendar items need SendMeetingInvitations / SendMeetingInvitationsOrCancellations, chosen per request from its
   * `notifyAttendees` (the plan decides; absent or false sends nothing).
   */
  sendInvitations?(notify: boolean): SendInvitationsMode;
  sendUpdates?(notify: boolean): SendInvitationsOrCancellationsMode;
  readonly sendCancellations?: SendCancellationsMode;
  readonly affectedTaskOccurrences?: AffectedTaskOccurrence;
}

/** An item just created or updated, for `ItemCodec.writeDependents`. */
export interface DependentWrite<T, I extends Item> {
  readonly item: I;
  readonly value: T;
  /** The value before an update (undefined for a create). */
  readonly previous: T | undefined;
  readonly notifyAttendees: boolean;
}

export interface EwsPortOptions {
  /** GetItem/CreateItem/UpdateItem batch size (≥ 50 keeps 1 000 records within ~20 calls). */
  batchSize?: number;
  /** Changes per SyncFolderItems call (1..512). */
  maxChanges?: number;
  /** Poll interval of the pull subscriptions that carry push notices. */
  pullIntervalMs?: number;
  /** IANA zone of the mailbox owner (task dates are midnights in it). */
  mailboxTimeZone?: string;
  /**
   * Calendar deletes send cancellations to attendees (default: never). Creates and updates follow each request's
   * `notifyAttendees` instead.
   */
  sendInvitations?: boolean;
}

function chunks<V>(values: readonly V[], size: number): V[][] {
  const out: V[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

/**
 * Write batches: at most `size` requests, each a run of consecutive requests with the same `notifyAttendees`, because
 * EWS takes the invitation mode once per CreateItem/UpdateItem call; runs keep the results in input order.
 */
function writeBatches<R extends { readonly notifyAttendees?: boolean }>(requests: readonly R[], size: number): R[][] {
  const out: R[][] = [];
  for (const request of requests) {
    const last = out.at(-1);
    const sameMode = (last?.[0]?.notifyAttendees === true) === (request.notifyAttendees === true);
    if (last && last.length < size && sameMode) last.push(request);
    else out.push([request]);
  }
  return out;
}

const notifies = (batch: readonly { readonly notifyAttendees?: boolean }[]) => batch[0]?.notifyAttendees === true;

function codeFailure(code: ServiceError, message: string): ConnectorFailure {
  return failureForCode(ServiceError[code] ?? String(code), message);
}

export class EwsRecordPort<T, I extends Item> implements RecordPort<T> {
  readonly module: SyncModuleName;
  readonly capabilities: PortCapabilities;
  private readonly batchSize: number;
  private readonly maxChanges: number;

  constructor(
    private readonly session: EwsSession,
    private readonly codec: ItemCodec<T, I>,
    private readonly options: EwsPortOptions = {},
  ) {
    this.module = codec.module;
    this.batchSize = options.batchSize ?? 100;
    this.maxChanges = options.maxChanges ?? 512;
    this.capabilities = {
      delta: true,
      deltaReportsDeletions: true,
      maxBatchSize: this.batchSize,
      conditionalWrites: true,
      push: true,
    };
  }

  private get folderId(): FolderId {
    return new FolderId(this.codec.folder);
  }

  /** Canonical values of loaded items, in order. */
  private async values(items: readonly I[]): Promise<T[]> {
    return this.codec.readMany ? this.codec.readMany(items) : items.map((item) => this.codec.read(item));
  }

  /**
   * After writes: the new ids and ChangeKeys from the responses and the values as stored, with no extra GetItem —
   * unless the codec writes dependents (occurrences), which move the ChangeKey on.
   */
  private async written(writes: readonly DependentWrite<T, I>[]): Promise<RemoteItem<T>[]> {
    const dependents = this.codec.writeDependents && writes.length > 0 ? await this.codec.writeDependents(writes) : [];
    return writes.map(({ item, value }, index) => {
      const after = dependents[index];
      return {
        id: item.Id.UniqueId,
        version: after?.version ?? item.Id.ChangeKey,
        value: this.codec.stored(after?.value ?? value),
      };
    });
  }

  async listChanges(cursor: string | undefined): Promise<ChangePage<T>> {
    const page = await this.session.read((service) =>
      service.SyncFolderItems(
        this.folderId,
        new PropertySet(BasePropertySet.IdOnly),
        [],
        this.maxChanges,
        SyncFolderItemsScope.NormalItems,
        cursor ?? "",
      ),
    );
    const changed: string[] = [];
    const deleted: string[] = [];
    for (const change of page.GetEnumerator() as ItemChange[]) {
      if (change.ChangeType === ChangeType.Delete) deleted.push(change.ItemId.UniqueId);
      else if (change.ChangeType === ChangeType.Create || change.ChangeType === ChangeType.Update) {
        changed.push(change.ItemId.UniqueId);
      }
    }
    const changes: ChangeEntry<T>[] = deleted.map((id) => ({ kind: "deleted", id }));
    for (const result of await this.getMany(changed)) {
      // An item deleted between the two calls shows up as a Delete in the next page: skip it here.
      if (result.ok) changes.push({ kind: "upsert", item: result.value });
      else if (result.failure.kind !== "not-found") throw new ConnectorError(result.failure);
    }
    return { changes, cursor: page.SyncState, complete: !page.MoreChangesAvailable };
  }

  async listAll(pageToken: string | undefined): Promise<ListingPage<T>> {
    const page = await this.listChanges(pageToken);
    const items = page.changes.flatMap((c) => (c.kind === "upsert" ? [c.item] : []));
    return page.complete ? { items, cursor: page.cursor } : { items, nextPageToken: page.cursor };
  }

  async getMany(ids: readonly string[]): Promise<readonly ItemResult<RemoteItem<T>>[]> {
    const results: ItemResult<RemoteItem<T>>[] = [];
    for (const batch of chunks(ids, this.batchSize)) {
      const responses = await this.session.read((service) =>
        service.BindToItems(
          batch.map((id) => new ItemId(id)),
          this.codec.propertySet(),
        ),
      );
      const items = responses.Responses.flatMap((response) =>
        response.Result === ServiceResult.Error ? [] : [response.Item as I],
      );
      const values = await this.values(items);
      let next = 0;
      for (const response of responses.Responses) {
        if (response.Result === ServiceResult.Error) {
          results.push(failed(codeFailure(response.ErrorCode, response.ErrorMessage)));
          continue;
        }
        const item = response.Item as I;
        results.push(succeeded({ id: item.Id.UniqueId, version: item.Id.ChangeKey, value: values[next++] as T }));
      }
    }
    return results;
  }

  async create(requests: readonly CreateRequest<T>[]): Promise<readonly ItemResult<RemoteItem<T>>[]> {
    const results: ItemResult<RemoteItem<T>>[] = [];
    for (const batch of writeBatches(requests, this.batchSize)) {
      const items = batch.map((request) => {
        const item = this.codec.create(this.session.service);
        this.codec.apply(item, request.value, this.session);
        return item;
      });
      const responses = await this.session.call((service) =>
        service.CreateItems(
          items,
          this.folderId,
          null as never,
          this.codec.sendInvitations?.(notifies(batch)) ?? (null as never),
        ),
      );
      const done = new Map<number, DependentWrite<T, I>>();
      responses.Responses.forEach((response, index) => {
        const item = items[index];
        const request = batch[index];
        if (response.Result === ServiceResult.Error || !item || !request) return;
        done.set(index, { item, value: request.value, previous: undefined, notifyAttendees: notifies([request]) });
      });
      const stored = await this.written([...done.values()]);
      const positions = [...done.keys()];
      responses.Responses.forEach((response, index) => {
        const remote = stored[positions.indexOf(index)];
        results.push(remote ? succeeded(remote) : failed(codeFailure(response.ErrorCode, response.ErrorMessage)));
      });
    }
    return results;
  }

  /** Loads the current items of a batch; a missing one becomes its failure. */
  private async load(ids: readonly string[]): Promise<(I | ItemResult<never>)[]> {
    const responses = await this.session.read((service) =>
      service.BindToItems(
        ids.map((id) => new ItemId(id)),
        this.codec.propertySet(),
      ),
    );
    return responses.Responses.map((response) =>
      response.Result === ServiceResult.Error
        ? failed(codeFailure(response.ErrorCode, response.ErrorMessage))
        : (response.Item as I),
    );
  }

  async update(requests: readonly UpdateRequest<T>[]): Promise<readonly ItemResult<RemoteItem<T>>[]> {
    const results: ItemResult<RemoteItem<T>>[] = [];
    for (const batch of writeBatches(requests, this.batchSize)) {
      const loaded = await this.load(batch.map((r) => r.id));
      const current = loaded.filter((entry): entry is I => "Id" in entry);
      // The values before the write, for codecs that bring dependents (occurrences) in line afterwards.
      const before = this.codec.writeDependents ? await this.values(current) : [];
      const writes: DependentWrite<T, I>[] = [];
      const outcome: (ItemResult<RemoteItem<T>> | DependentWrite<T, I>)[] = loaded.map((entry, index) => {
        const request = batch[index];
        if (!request || !("Id" in entry)) return entry as ItemResult<never>;
        const previous = before[current.indexOf(entry)];
        // Send the caller's ChangeKey, not the one just read: Exchange then refuses a stale write itself.
        if (request.expectedVersion !== undefined) entry.Id.ChangeKey = request.expectedVersion;
        this.codec.apply(entry, request.value, this.session);
        const write = { item: entry, value: request.value, previous, notifyAttendees: notifies([request]) };
        writes.push(write);
        return write;
      });
      const conflict = batch.some((r) => r.expectedVersion === undefined)
        ? ConflictResolutionMode.AlwaysOverwrite
        : ConflictResolutionMode.AutoResolve;
      const responses =
        writes.length === 0
          ? []
          : (
              await this.session.call((service) =>
                service.UpdateItems(
                  writes.map((write) => write.item),
                  null as never,
                  conflict,
                  null as never,
                  this.codec.sendUpdates?.(notifies(batch)) ?? (null as never),
                ),
              )
            ).Responses;
      const succeededWrites = writes.filter((_, index) => responses[index]?.Result === ServiceResult.Success);
      const stored = await this.written(succeededWrites);
      for (const entry of outcome) {
        if (!("item" in entry)) {
          results.push(entry);
          continue;
        }
        const response = responses[writes.indexOf(entry)];
        const remote = stored[succeededWrites.indexOf(entry)];
        if (remote) results.push(succeeded(remote));
        else
          results.push(
            failed(
              response
                ? codeFailure(response.ErrorCode, response.ErrorMessage)
                : { kind: "transient", message: "no response" },
            ),
          );
      }
    }
    return results;
  }

  async delete(requests: readonly DeleteRequest[]): Promise<readonly ItemResult<void>[]> {
    const results: ItemResult<void>[] = [];
    for (const batch of chunks(requests, this.batchSize)) {
      const loaded = await this.load(batch.map((r) => r.id));
      const verdicts: (ItemResult<void> | string)[] = loaded.map((entry, index) => {
        const request = batch[index];
        if (!request || !("Id" in entry)) return entry as ItemResult<never>;
        if (request.expectedVersion !== undefined && entry.Id.ChangeKey !== request.expectedVersion) {
          return failed({
            kind: "precondition-failed",
            message: "the item changed since it was read",
            currentVersion: entry.Id.ChangeKey,
          });
        }
        return entry.Id.UniqueId;
      });
      const ids = verdicts.filter((v): v is string => typeof v === "string");
      const responses =
        ids.length === 0
          ? []
          : (
              await this.session.call((service) =>
                service.DeleteItems(
                  ids.map((id) => new ItemId(id)),
                  DeleteMode.MoveToDeletedItems,
                  this.codec.sendCancellations ?? (null as never),
                  this.codec.affectedTaskOccurrences ?? (null as never),
                ),
              )
            ).Responses;
      let next = 0;
      for (const verdict of verdicts) {
        if (typeof verdict !== "string") {
          results.push(verdict);
          continue;
        }
        const response = responses[next++];
        results.push(
          !response || response.Result === ServiceResult.Error
            ? failed(
                response
                  ? codeFailure(response.ErrorCode, response.ErrorMessage)
                  : { kind: "transient", message: "no response" },
              )
            : succeeded(undefined),
        );
      }
    }
    return results;
  }

  subscribe(options: PushOptions): Promise<PushSubscription> {
    return openPushChannel(
      this.session,
      this.codec.module,
      this.codec.folder,
      options,
      this.options.pullIntervalMs ?? 2_000,
    );
  }
}
