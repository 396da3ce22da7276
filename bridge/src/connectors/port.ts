/**
 * Connector ports: the only way the sync core reaches Exchange (EWS or Graph) and Zoho CRM.
 *
 * Shape (after Kysely's dialects): one small `RecordPort<T>` per mailbox and module (contacts, events, tasks), grouped
 * in an `ExchangePort` (implemented by EWS and Graph) and a `CrmPort` (implemented by Zoho), each with documented
 * `capabilities` so the core never asks "which service is this?". E-mail is not two-way synced, so it has its own
 * small ports (`ExchangeMailPort`, `CrmMailPort`).
 *
 * Invariants every implementation keeps (checked by `bridge/test/connectors/contract.ts`):
 * - Items carry `id`, `version` (EWS ChangeKey, Graph @odata.etag/changeKey, Zoho Modified_Time) and the canonical
 *   `value`. Every write returns the item's NEW id/version/value, so the core stores it and its own writes never
 *   come back as changes.
 * - Change listings page from an opaque cursor. The core saves `ChangePage.cursor` only after it has applied that
 *   page; a page with `complete: false` means "call again with this cursor for more now".
 * - A deletion is reported only by a change listing (tombstone) or inferred by the core from a full listing that
 *   finished (`complete: true` on its last page). A failed or partial listing throws; it never returns fewer items.
 * - Batched writes return one result per input, in input order; a per-item failure never throws.
 * - Whole-call failures throw `ConnectorError` (see `errors.ts`); they are never swallowed into empty results.
 */

import type { ItemResult } from "./errors.js";

export type { ConnectorFailure, ItemResult } from "./errors.js";
export { ConnectorError, isGlobalFailure, toConnectorFailure } from "./errors.js";

/** The modules that are two-way synced. */
export type SyncModuleName = "contacts" | "events" | "tasks";
export const SYNC_MODULES: readonly SyncModuleName[] = ["contacts", "events", "tasks"];

/** Which side of the bridge. */
export type Side = "exchange" | "crm";

/** A remote item as the core sees it. */
export interface RemoteItem<T> {
  /** Stable id on its side (EWS ItemId.Id, Graph immutable id, Zoho record id). */
  readonly id: string;
  /** Opaque version that moves on every remote change (ChangeKey / etag / Modified_Time). */
  readonly version: string;
  /** The canonical value as mapped by `bridge/src/mapping/`. */
  readonly value: T;
  /** The CRM user who owns the record (Zoho `Owner.id`); absent on Exchange, whose items belong to the mailbox. */
  readonly owner?: string;
}

/** One entry of a change listing. */
export type ChangeEntry<T> =
  /** Created or modified since the cursor; the connector cannot always tell which, the core does not need it. */
  | { readonly kind: "upsert"; readonly item: RemoteItem<T> }
  /** Deleted since the cursor (EWS Delete, Graph @removed, Zoho /deleted). */
  | { readonly kind: "deleted"; readonly id: string }
  /**
   * Changed since the cursor but outside what a scoped listing covers (`capabilities.scopedListing`: e.g. a CRM record
   * now owned by a colleague). The port does not read it; the engine re-reads it (`getMany`) only if it is paired.
   */
  | { readonly kind: "outside-scope"; readonly id: string };

/** A page of changes since a cursor. */
export interface ChangePage<T> {
  readonly changes: readonly ChangeEntry<T>[];
  /** The cursor to save once this page is applied and to pass to the next call. */
  readonly cursor: string;
  /** True when this page brought the listing up to date; false means more changes are waiting now. */
  readonly complete: boolean;
}

/** A page of a full listing. */
export interface ListingPage<T> {
  readonly items: readonly RemoteItem<T>[];
  /** Pass back to `listAll` for the next page; absent on the last page. */
  readonly nextPageToken?: string;
  /**
   * Present on the last page only: a change cursor positioned at the moment of the listing, so incremental
   * sync can continue from here (Graph deltaLink, EWS SyncState, Zoho watermark).
   */
  readonly cursor?: string;
}

/** What an implementation can do; the engine adapts instead of branching on the service. */
export interface PortCapabilities {
  /** `listChanges` is a real incremental feed (false: the engine must diff full listings). */
  readonly delta: boolean;
  /** Change feeds report deletions as tombstones (false: deletions are found only by diffing a full listing). */
  readonly deltaReportsDeletions: boolean;
  /** Largest number of items one create/update/delete call sends in one request (1 = no batching). */
  readonly maxBatchSize: number;
  /** Updates and deletes honour `expectedVersion` (ChangeKey, If-Match, If-Unmodified-Since). */
  readonly conditionalWrites: boolean;
  /** `subscribe` is available. */
  readonly push: boolean;
  /**
   * Listings cover only the mailbox's part of the service (`RecordPort.ownedOnly`), so an item missing from a full
   * listing may merely have left that part: the engine re-reads paired items a scoped listing did not report.
   */
  readonly scopedListing?: boolean;
}

/** A create request; results come back in request order. */
export interface CreateRequest<T> {
  readonly value: T;
  /**
   * Events only: send meeting invitations to the attendees (EWS `SendMeetingInvitations="SendToAllAndSaveCopy"`).
   * Absent or false: save without notifying anyone (EWS `SendToNone`), where the service allows it.
   */
  readonly notifyAttendees?: boolean;
}

/** An update request. */
export interface UpdateRequest<T> {
  readonly id: string;
  /**
   * The version the caller last saw. With `conditionalWrites` the write fails with `precondition-failed` if the item
   * moved on; `undefined` asks for an unconditional overwrite (only when the policy says so).
   */
  readonly expectedVersion: string | undefined;
  /** The full canonical value to store; fields this side cannot hold are ignored. */
  readonly value: T;
  /** Events only: send meeting updates (EWS `SendMeetingInvitationsOrCancellations`); as for `CreateRequest`. */
  readonly notifyAttendees?: boolean;
}

/** A delete request. */
export interface DeleteRequest {
  readonly id: string;
  /** As for `UpdateRequest.expectedVersion`. */
  readonly expectedVersion: string | undefined;
}

/** A push notice: "something changed, sync soon". It carries no data the core trusts; it only triggers a run. */
export interface PushNotice {
  readonly module: SyncModuleName | "emails";
  /** Ids that changed, when the channel says (Graph resource ids, Zoho ids); empty when unknown. */
  readonly ids: readonly string[];
  /**
   * `changed`: run an incremental sync. `missed`/`resync`: notifications were lost (Graph `missed`, EWS stream
   * error) — run from the cursor anyway. `reauthorize`: the subscription needs fresh credentials
   * (Graph `reauthorizationRequired`). `removed`: the subscription is gone and must be created again.
   */
  readonly reason: "changed" | "missed" | "reauthorize" | "removed";
}

/** How a push-capable connector tells the engine about remote changes. */
export interface PushOptions {
  /**
   * Public HTTPS URL the service calls back (Graph subscriptions, Zoho `actions/watch`); unused by EWS streaming.
   * Webhook deliveries reach the bridge's HTTP layer, which hands them to `PushSubscription.acceptDelivery`.
   */
  readonly callbackUrl?: string;
  /** Shared secret echoed by the service (Graph `clientState`, Zoho `token`); deliveries without it are rejected. */
  readonly secret: string;
  readonly onNotice: (notice: PushNotice) => void;
}

/** A live push channel. */
export interface PushSubscription {
  readonly id: string;
  /** When the channel expires unless renewed (ISO 8601). */
  readonly expiresAt: string;
  /** Extends the channel; resolves to its new expiry. Throws `ConnectorError` (`not-found` if it is gone). */
  renew(): Promise<string>;
  /**
   * For webhook channels: validates a delivery (secret, subscription id) and calls `onNotice` for each notice in it.
   * Returns the number of accepted notices; throws `ConnectorError` `invalid-record` for a forged or malformed body.
   */
  acceptDelivery?(body: unknown): number;
  /** Deletes the channel; idempotent. */
  close(): Promise<void>;
}

/**
 * One module of one mailbox (or of the CRM user's view of the CRM).
 * All methods may throw `ConnectorError` with a global failure (`auth-expired`, `throttled`, `mailbox-unavailable`).
 */
export interface RecordPort<T> {
  readonly module: SyncModuleName;
  readonly capabilities: PortCapabilities;

  /**
   * Changes since `cursor` (undefined: from the beginning, i.e. every current item as an upsert).
   * Returns one page; the caller applies it, saves `cursor`, and calls again while `complete` is false.
   * Throws `ConnectorError` `cursor-invalid` when the cursor expired (Graph 410 / syncStateNotFound, EWS
   * ErrorInvalidSyncStateData): the caller then does `listAll` and diffs.
   */
  listChanges(cursor: string | undefined): Promise<ChangePage<T>>;

  /**
   * One page of every current item, for a first sync or a resync. Throws on any failure: a listing that did not
   * finish must never be mistaken for a short one.
   */
  listAll(pageToken: string | undefined): Promise<ListingPage<T>>;

  /**
   * Reads items by id. Returns one result per id, in order; a missing item is a `not-found` result, not an omission.
   */
  getMany(ids: readonly string[]): Promise<readonly ItemResult<RemoteItem<T>>[]>;

  /** Creates items (batched up to `maxBatchSize` per request internally). One result per request, in order. */
  create(requests: readonly CreateRequest<T>[]): Promise<readonly ItemResult<RemoteItem<T>>[]>;

  /**
   * Updates items. Per item: `precondition-failed` when `expectedVersion` is stale (never a blind overwrite),
   * `not-found` when the item is gone, `invalid-record` when rejected. One result per request, in order.
   */
  update(requests: readonly UpdateRequest<T>[]): Promise<readonly ItemResult<RemoteItem<T>>[]>;

  /**
   * Deletes items (to the service's recoverable place where there is one). Deleting an item that is already gone is
   * reported as `not-found` (the caller treats it as done). One result per request, in order.
   */
  delete(requests: readonly DeleteRequest[]): Promise<readonly ItemResult<void>[]>;

  /**
   * The same module with listings restricted on the service's side to the records `owner` (a CRM user) owns, so a
   * listing costs what that user owns rather than what the whole CRM holds; its `capabilities.scopedListing` is true.
   * Absent: the service cannot restrict listings by owner.
   */
  ownedOnly?(owner: string): RecordPort<T>;

  /**
   * With `capabilities.scopedListing`: items outside the listing's scope that may first-sync match `values` (items of
   * the other side; `SyncModule.matchKeys`, a superset is fine), so that an item a colleague owns is linked rather
   * than duplicated although the scoped listing does not show it.
   */
  matchOutsideScope?(values: readonly T[]): Promise<readonly RemoteItem<T>[]>;

  /** Opens a push channel. Only when `capabilities.push`; otherwise throws. */
  subscribe?(options: PushOptions): Promise<PushSubscription>;
  /**
   * A handle on a channel an earlier process opened with `subscribe` (its id and expiry were stored), to renew or
   * delete it after a restart. It accepts no deliveries: the bridge verifies those against the stored secret hash.
   */
  resumeSubscription?(channel: { readonly id: string; readonly expiresAt: string }): PushSubscription;
}

/** Canonical value types per module; the model engineer's Contact/Event/Task fill these in. */
export interface ModuleValues {
  readonly contacts: unknown;
  readonly events: unknown;
  readonly tasks: unknown;
}

/** Which record ports a side offers; a module the side cannot sync is absent. */
export type ModulePorts<V extends ModuleValues> = { readonly [M in SyncModuleName]?: RecordPort<V[M]> };

/** Exchange: one mailbox, reached through EWS or Graph. */
export interface ExchangePort<V extends ModuleValues = ModuleValues, Mail = unknown> {
  readonly side: "exchange";
  readonly implementation: "ews" | "graph" | "memory";
  /** Primary SMTP address of the mailbox. */
  readonly mailbox: string;
  readonly modules: ModulePorts<V>;
  readonly mail?: ExchangeMailPort<Mail>;
  /** Releases sockets, subscriptions and timers. Idempotent. */
  close(): Promise<void>;
}

/** Zoho CRM, as seen by the CRM user paired with one mailbox. */
export interface CrmPort<V extends ModuleValues = ModuleValues, Mail = unknown> {
  readonly side: "crm";
  readonly implementation: "zoho" | "memory";
  readonly modules: ModulePorts<V>;
  readonly mail?: CrmMailPort<Mail>;
  close(): Promise<void>;
}

/** A message in the mailbox, with the id that identifies it everywhere (RFC 5322 Message-ID). */
export interface MailItem<Mail> {
  /** Id in the mailbox. */
  readonly id: string;
  /** Internet Message-ID including angle brackets, e.g. `<abc@example.com>`. */
  readonly messageId: string;
  readonly value: Mail;
}

/** A file attached to a message, with its content, as filed into the CRM. Attached messages (item attachments) are not files. */
export interface MailFile {
  readonly name: string;
  readonly contentType?: string;
  readonly isInline: boolean;
  readonly content: Buffer;
}

/** E-mail on the Exchange side: read the mailbox's messages, file CRM-sent mail into Sent Items. */
export interface ExchangeMailPort<Mail> {
  /**
   * The message with this Internet Message-ID in any folder of the mailbox (still found after it was moved), or
   * `undefined`. Exact match, as the services compare it. Drafts and messages the mapping cannot represent are absent.
   */
  findByMessageId(messageId: string): Promise<MailItem<Mail> | undefined>;
  /** The file attachments of a message (by its mailbox id), with content, in the message's order. */
  attachmentFiles(id: string): Promise<readonly MailFile[]>;
  /** Messages received or sent since `cursor` (Inbox and Sent Items), paged like `RecordPort.listChanges`. */
  listMessages(cursor: string | undefined): Promise<{
    readonly messages: readonly MailItem<Mail>[];
    readonly cursor: string;
    readonly complete: boolean;
  }>;
  /**
   * Stores a CRM-sent message in Sent Items. Idempotent by Message-ID: if a message with that Message-ID is already
   * there, returns it instead of storing a second copy.
   */
  saveToSentItems(message: Mail, messageId: string): Promise<ItemResult<MailItem<Mail>>>;
}

/** A CRM record an e-mail can be associated to. */
export interface CrmPersonRef {
  readonly module: "Contacts" | "Leads";
  readonly id: string;
  readonly email: string;
}

/** E-mail on the CRM side. */
export interface CrmMailPort<Mail> {
  /** Contacts and Leads whose e-mail fields equal (case-insensitively) one of `addresses`. Exact, not search-lagged. */
  findPeopleByEmail(addresses: readonly string[]): Promise<readonly CrmPersonRef[]>;
  /**
   * Associates a mailbox message to a record, with `files` attached. Idempotent by Message-ID: associating twice is a
   * success. Files beyond what the CRM accepts are an `invalid-record` failure, never silently dropped.
   */
  associateEmail(person: CrmPersonRef, message: MailItem<Mail>, files?: readonly MailFile[]): Promise<ItemResult<void>>;
  /**
   * E-mails the mailbox's user sent from the CRM since `cursor`, for filing into the mailbox's Sent Items: the user's
   * mail on any record, never a colleague's mail on the user's records.
   */
  listSentEmails(cursor: string | undefined): Promise<{
    readonly messages: readonly MailItem<Mail>[];
    readonly cursor: string;
    readonly complete: boolean;
  }>;
}
