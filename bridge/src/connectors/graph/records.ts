/**
 * `RecordPort` over Graph for one mailbox and module (contacts, events, To Do tasks).
 *
 * Reads: change listings are delta rounds per container (contact folder, To Do list, primary calendar's
 * calendarView over a fixed window). The cursor IS the Graph link: a nextLink while the round has more pages
 * (`complete: false`), the deltaLink at its end — so the caller saves the link after applying each page, and a
 * crash resumes from the last applied page. A full listing is a fresh delta round, whose last page hands over the
 * deltaLink as the change cursor. 410 / syncStateNotFound / resyncRequired → `cursor-invalid` (caller lists all and
 * diffs). Ids are immutable ids.
 * Writes: `$batch` (20 chained requests a batch, ≤ 4 batches in flight per mailbox, inner 429s retried; see
 * transport.ts), `If-Match` with the item's etag for conditional update/delete; each result is checked
 * individually and the written item's new etag is returned.
 */
import { MappingError } from "../../mapping/errors.js";
import { type ConnectorFailure, failed, type ItemResult, succeeded } from "../errors.js";
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
import { openSubscription, subscriptionHandle } from "./subscriptions.js";
import { type BatchRequest, type BatchResponse, batchFailure, type GraphTransport } from "./transport.js";

export type Json = Record<string, unknown>;

/** What differs per module: where its items live and how they map. */
export interface GraphModuleAdapter<T> {
  readonly module: SyncModuleName;
  /** Collection the items are created in, relative to the version (`/users/{m}/contactFolders/{id}/contacts`). */
  collection(): Promise<string>;
  /** One item's URL. */
  item(id: string): Promise<string>;
  /** Query string (with its `?`) added when one item is read, e.g. a `$select` of properties Graph omits by default. */
  readonly readQuery?: string;
  /** The initial delta request of this module's container. */
  deltaUrl(): Promise<string>;
  /** Subscription resource (no leading slash) and its maximum lifetime in minutes. */
  subscriptionResource(): Promise<string>;
  readonly subscriptionMinutes: number;
  /** Delta page entries → changes (events fold occurrences into their series). */
  changesFrom(entries: Json[]): Promise<ChangeEntry<T>[]>;
  /** A GET answer → the canonical item (events add their exceptions). */
  itemFrom(json: Json): Promise<RemoteItem<T>>;
  toGraph(value: T): Json;
  /** Work a write leaves for separate requests (event exceptions); returns the item as it now is. */
  afterWrite?(written: RemoteItem<T>, value: T, created: boolean): Promise<RemoteItem<T>>;
}

function invalidRecord(error: unknown): ConnectorFailure {
  if (error instanceof MappingError) return { kind: "invalid-record", message: error.message, field: error.field };
  return { kind: "invalid-record", message: error instanceof Error ? error.message : String(error) };
}

export function etagOf(json: Json): string {
  return String(json["@odata.etag"] ?? json.changeKey ?? "");
}

export class GraphRecordPort<T> implements RecordPort<T> {
  readonly module: SyncModuleName;
  readonly capabilities: PortCapabilities;

  constructor(
    private readonly transport: GraphTransport,
    private readonly adapter: GraphModuleAdapter<T>,
    push: boolean,
  ) {
    this.module = adapter.module;
    this.capabilities = { delta: true, deltaReportsDeletions: true, maxBatchSize: 20, conditionalWrites: true, push };
  }

  private async deltaPage(
    link: string | undefined,
  ): Promise<{ entries: Json[]; nextLink?: string; deltaLink?: string }> {
    const url = link ?? (await this.adapter.deltaUrl());
    const page = await this.transport.request<{
      value?: Json[];
      "@odata.nextLink"?: string;
      "@odata.deltaLink"?: string;
    }>("GET", url, {
      prefer: [`odata.maxpagesize=${this.transport.maxPageSize}`],
    });
    const result: { entries: Json[]; nextLink?: string; deltaLink?: string } = { entries: page.value ?? [] };
    if (page["@odata.nextLink"]) result.nextLink = page["@odata.nextLink"];
    if (page["@odata.deltaLink"]) result.deltaLink = page["@odata.deltaLink"];
    return result;
  }

  async listChanges(cursor: string | undefined): Promise<ChangePage<T>> {
    const page = await this.deltaPage(cursor);
    const next = page.nextLink ?? page.deltaLink;
    if (!next) throw new Error("Graph delta page carried neither nextLink nor deltaLink");
    return {
      changes: await this.adapter.changesFrom(page.entries),
      cursor: next,
      complete: page.nextLink === undefined,
    };
  }

  async listAll(pageToken: string | undefined): Promise<ListingPage<T>> {
    const page = await this.deltaPage(pageToken);
    const items = (await this.adapter.changesFrom(page.entries)).flatMap((change) =>
      change.kind === "upsert" ? [change.item] : [],
    );
    if (page.nextLink) return { items, nextPageToken: page.nextLink };
    return page.deltaLink ? { items, cursor: page.deltaLink } : { items };
  }

  async getMany(ids: readonly string[]): Promise<readonly ItemResult<RemoteItem<T>>[]> {
    const requests = await Promise.all(
      ids.map(
        async (id): Promise<BatchRequest> => ({
          method: "GET",
          url: `${await this.adapter.item(id)}${this.adapter.readQuery ?? ""}`,
        }),
      ),
    );
    return this.each(await this.transport.batch(requests), (response) => this.adapter.itemFrom(response.body as Json));
  }

  async create(requests: readonly CreateRequest<T>[]): Promise<readonly ItemResult<RemoteItem<T>>[]> {
    const collection = await this.adapter.collection();
    return this.writeEach(requests, async (_request, body) => ({ method: "POST", url: collection, body }), true);
  }

  async update(requests: readonly UpdateRequest<T>[]): Promise<readonly ItemResult<RemoteItem<T>>[]> {
    return this.writeEach(
      requests,
      async (request, body) => ({
        method: "PATCH",
        url: await this.adapter.item(request.id),
        body,
        ...(request.expectedVersion ? { headers: { "If-Match": request.expectedVersion } } : {}),
      }),
      false,
    );
  }

  /**
   * Maps each value to Graph (a value the mapping rejects fails alone, as `invalid-record`), sends the rest in one
   * `$batch` run and reads every written item back from its response.
   */
  private async writeEach<R extends { value: T }>(
    requests: readonly R[],
    toRequest: (request: R, body: Json) => Promise<BatchRequest>,
    created: boolean,
  ): Promise<ItemResult<RemoteItem<T>>[]> {
    const results: Array<ItemResult<RemoteItem<T>> | undefined> = requests.map(() => undefined);
    const sendable: Array<{ index: number; request: BatchRequest }> = [];
    for (const [index, request] of requests.entries()) {
      try {
        sendable.push({ index, request: await toRequest(request, this.adapter.toGraph(request.value)) });
      } catch (error) {
        results[index] = failed(invalidRecord(error));
      }
    }
    const responses = await this.transport.batch(sendable.map((entry) => entry.request));
    const written = await this.each(responses, (response, position) => {
      const index = sendable[position]?.index ?? 0;
      return this.written(response, (requests[index] as R).value, created);
    });
    written.forEach((result, position) => {
      results[sendable[position]?.index ?? 0] = result;
    });
    return results.map((result) => result ?? failed({ kind: "transient", message: "no batch response" }));
  }

  async delete(requests: readonly DeleteRequest[]): Promise<readonly ItemResult<void>[]> {
    const batch = await Promise.all(
      requests.map(
        async (request): Promise<BatchRequest> => ({
          method: "DELETE",
          url: await this.adapter.item(request.id),
          ...(request.expectedVersion ? { headers: { "If-Match": request.expectedVersion } } : {}),
        }),
      ),
    );
    return this.each(await this.transport.batch(batch), async () => undefined);
  }

  async subscribe(options: PushOptions): Promise<PushSubscription> {
    return openSubscription(this.transport, {
      module: this.module,
      resource: await this.adapter.subscriptionResource(),
      lifetimeMinutes: this.adapter.subscriptionMinutes,
      push: options,
    });
  }

  resumeSubscription(channel: { id: string; expiresAt: string }): PushSubscription {
    return subscriptionHandle(this.transport, {
      id: channel.id,
      expirationDateTime: channel.expiresAt,
      lifetimeMinutes: this.adapter.subscriptionMinutes,
    });
  }

  private async written(response: BatchResponse, value: T, created: boolean): Promise<RemoteItem<T>> {
    const item = await this.adapter.itemFrom(response.body as Json);
    return this.adapter.afterWrite ? this.adapter.afterWrite(item, value, created) : item;
  }

  /** Maps each inner response to a result; a per-item failure (or mapping error) never fails the others. */
  private async each<V>(
    responses: BatchResponse[],
    onSuccess: (response: BatchResponse, index: number) => Promise<V>,
  ): Promise<ItemResult<V>[]> {
    return Promise.all(
      responses.map(async (response, index): Promise<ItemResult<V>> => {
        const failure = batchFailure(response);
        if (failure) return failed(failure);
        try {
          return succeeded(await onSuccess(response, index));
        } catch (error) {
          const reason: ConnectorFailure = {
            kind: "invalid-record",
            message: error instanceof Error ? error.message : String(error),
          };
          return failed(reason);
        }
      }),
    );
  }
}
