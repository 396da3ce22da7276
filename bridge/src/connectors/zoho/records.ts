/**
 * A `RecordPort` over one Zoho CRM module (Records API v8).
 *
 * - Listings send `fields` (v8 requires it) and follow `page_token` past the 2000-record `page` limit.
 * - Change feed: `If-Modified-Since` with an overlap window, sorted by Modified_Time; Modified_Time has one-second
 *   precision and the header is inclusive, so a window of `overlapSeconds` before the watermark is re-read and the
 *   records already seen there (id + Modified_Time) are dropped. Deletions come from `/deleted` the same way.
 *   The cursor (JSON) = watermark, the id@version pairs inside the overlap window, and a page token while a pass
 *   is still paging. 304/204 mean "nothing new".
 * - Writes: batches of 100; every per-record result (201/200/207/400/412) is checked and mapped to an ItemResult.
 *   A successful result carries the record's id and new Modified_Time (insert-records.md "details"), which is all
 *   the caller needs: the written item is the value it asked to write, at that Modified_Time — no read-back call.
 *   Its version has no content hash (the answer carries no content), so it is matched by Modified_Time alone; the
 *   next listing shows the same content under a full version, which the engine takes as "versions refreshed".
 * - Conditional updates: Zoho's `If-Unmodified-Since` is request-wide, so the batch is first re-read (one call per
 *   100) to refuse stale versions per item, then written with `If-Unmodified-Since` = the newest expected version —
 *   a record changed in between still fails with 412 ALREADY_MODIFIED instead of being overwritten.
 * - Version = `Modified_Time|content hash`. Modified_Time alone does not move when a record is written twice in the
 *   same second (1-s precision), so the hash of the record's fields makes every content change a new version; the
 *   Modified_Time part drives If-Modified-Since / If-Unmodified-Since.
 */
import { createHash } from "node:crypto";
import { MappingError } from "../../mapping/errors.js";
import { ConnectorError, failed, type ItemResult, succeeded } from "../errors.js";
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
import { requestError, type ZohoAnswer, type ZohoClient, type ZohoJson } from "./client.js";
import { coqlJoin, coqlString } from "./mail.js";
import { epochSeconds, zohoTime } from "./time.js";
import { openWatchChannel, watchChannelHandle } from "./watch.js";

export const MAX_BATCH = 100;
const PER_PAGE = 200;
const HEAVY_BATCH = 10;
/**
 * COQL rows per call: 200 on the first call of a listing, 2000 on the calls after it. v8 takes up to 2000 per call
 * (COQL-Limitations v7/v8; the other COQL calls here ask for 2000 too), but a LIMIT above 200 costs 2–3 credits
 * instead of 1 (COQL-Overview v4), and most owner listings and change polls fit in one 200-row answer.
 */
const COQL_FIRST = 200;
const COQL_MORE = 2000;
/** Values per COQL `in (…)` (COQL-Limitations: up to 50). */
const IN_VALUES = 50;

export interface ZohoModuleMapping<T> {
  module: SyncModuleName;
  /** Zoho module API name. */
  zohoModule: string;
  /** Fields to request (≤ 50); Modified_Time is added. */
  fields: readonly string[];
  fromZoho(record: ZohoJson): T;
  /**
   * COQL-searchable `[fields, value]` pairs: a record that first-sync matches `value` (the module's `matchKeys`) holds
   * one of these values in one of the fields; a superset is fine, the planner matches exactly. An owner-scoped port
   * looks them up among other users' records, which its listing does not show.
   */
  matchFields?(value: T): ReadonlyArray<readonly [fields: readonly string[], value: string]>;
  /** Called once per write batch before `toZoho`, to resolve look-ups in bulk (e.g. companies → Account ids). */
  prepare?(values: readonly T[]): Promise<void>;
  /** Zoho record for a write; `current` is the record as Zoho holds it (updates only). */
  toZoho(value: T, current: ZohoJson | undefined): ZohoJson | Promise<ZohoJson>;
}

interface ChangeCursor {
  /** Epoch seconds: everything modified at/after this has been, or is being, delivered. */
  since: number;
  /** id@version of records delivered whose Modified_Time is inside the overlap window. */
  seen: string[];
  /** Deleted ids delivered inside the overlap window. */
  seenDeleted: string[];
  /**
   * Mid-pass: the page token of the records listing (owner-scoped: the Modified_Time and id of the last row read)
   * and the pass's highest Modified_Time so far.
   */
  pageToken?: string;
  passMax?: number;
  /**
   * Zoho's clock when the pass's first page was served: nothing modified before it can still appear, so the
   * watermark moves up to it even when nothing changed (else the records of the last burst of writes, all inside the
   * overlap window of a watermark no later edit moves, would be listed again every cycle).
   */
  passStart?: number;
  deletedPage?: number;
  /** The owner an owner-scoped feed lists; a cursor of another scope is refused, so the new scope starts afresh. */
  owner?: string;
}

export interface ZohoRecordPortOptions {
  /** Seconds re-read before the watermark (Modified_Time is 1-s precise and writes land in the same second). */
  overlapSeconds?: number;
  /**
   * The Zoho user new records are assigned to (`Owner`): the CRM user of the mailbox being synced. Absent: Zoho makes
   * the API user (the admin who connected the bridge) the owner.
   */
  owner?: string;
  /**
   * List only `owner`'s records, on Zoho's side (COQL `Owner = …`): a mailbox's listing then costs what its user
   * owns, not what the org holds.
   */
  ownedOnly?: boolean;
}

const CAPABILITIES: PortCapabilities = {
  delta: true,
  deltaReportsDeletions: true,
  maxBatchSize: MAX_BATCH,
  conditionalWrites: true,
  push: true,
};

interface FeedEntry<T> {
  /** id@version, to drop what the overlap window delivers again. */
  key: string;
  /** Epoch seconds of the record's Modified_Time. */
  modified: number;
  change: ChangeEntry<T>;
}

/** One page of a records change feed; `next` is the page token while the pass goes on. */
interface FeedPage<T> {
  entries: FeedEntry<T>[];
  next: string | undefined;
  /** Zoho's clock when it served the page (`ZohoAnswer.serverTime`). */
  servedAt: number | undefined;
}

function chunks<V>(values: readonly V[], size: number): V[][] {
  const out: V[][] = [];
  for (let start = 0; start < values.length; start += size) out.push(values.slice(start, start + size));
  return out;
}

/** Hash of a record's fields (system `$` keys left out: they are not content). */
function contentHash(record: ZohoJson): string {
  const content = Object.entries(record)
    .filter(([key]) => !key.startsWith("$"))
    .sort(([a], [b]) => a.localeCompare(b));
  return createHash("sha256").update(JSON.stringify(content)).digest("hex").slice(0, 16);
}

/** `Modified_Time|hash of the fields`. */
export function versionOf(record: ZohoJson): string {
  return `${String(record.Modified_Time)}|${contentHash(record)}`;
}

/** Epoch seconds of the Modified_Time inside a version. */
function versionSeconds(version: string): number {
  return epochSeconds(version.split("|")[0] ?? "");
}

/**
 * Marks the hash part of a version minted from a write answer (Modified_Time from the answer, hash of the record as
 * sent, so two writes in one second still differ). Zoho renders a record more fully than it is sent, so such a
 * version is matched against a stored record by Modified_Time alone — as precise as Zoho's own If-Unmodified-Since.
 */
const WRITTEN = "w:";

/** True while `record` is still at `version`. */
function isAt(record: ZohoJson, version: string): boolean {
  if (!version.split("|")[1]?.startsWith(WRITTEN)) return versionOf(record) === version;
  return epochSeconds(String(record.Modified_Time)) === versionSeconds(version);
}

/** A per-record write error (`data[i]`) as a connector failure. */
export function recordFailure(item: ZohoJson | undefined) {
  const code = String(item?.code ?? "UNKNOWN");
  const details = (item?.details ?? {}) as ZohoJson;
  if (code === "ALREADY_MODIFIED") {
    return { kind: "precondition-failed" as const, message: "record changed in Zoho since it was read" };
  }
  if (code === "INVALID_DATA" && details.api_name === "id") {
    return { kind: "not-found" as const, message: "record no longer exists in Zoho" };
  }
  const field = typeof details.api_name === "string" ? details.api_name : undefined;
  return { kind: "invalid-record" as const, message: `${code}: ${String(item?.message ?? "")}`, field };
}

export class ZohoRecordPort<T> implements RecordPort<T> {
  readonly capabilities: PortCapabilities;
  readonly module: SyncModuleName;
  private readonly overlap: number;
  private readonly fieldList: string;
  /** The owner whose records alone are listed (`ownedOnly`). */
  private readonly scopeOwner: string | undefined;

  constructor(
    private readonly client: ZohoClient,
    readonly mapping: ZohoModuleMapping<T>,
    private readonly options: ZohoRecordPortOptions = {},
  ) {
    this.module = mapping.module;
    this.overlap = options.overlapSeconds ?? 2;
    this.fieldList = [...new Set([...mapping.fields, "Modified_Time", "Owner"])].join(",");
    this.scopeOwner = options.ownedOnly ? options.owner : undefined;
    this.capabilities = this.scopeOwner === undefined ? CAPABILITIES : { ...CAPABILITIES, scopedListing: true };
  }

  /** The same module seen by one CRM user's mailbox: its new records are that user's. */
  ownedBy(owner: string): ZohoRecordPort<T> {
    return new ZohoRecordPort(this.client, this.mapping, { ...this.options, owner });
  }

  /** As `ownedBy`, and listing only that user's records. */
  ownedOnly(owner: string): ZohoRecordPort<T> {
    return new ZohoRecordPort(this.client, this.mapping, { ...this.options, owner, ownedOnly: true });
  }

  /** Instant notifications for this module (`actions/watch`, see watch.ts). */
  subscribe(options: PushOptions): Promise<PushSubscription> {
    return openWatchChannel(this.client, this.mapping.zohoModule, this.module, options);
  }

  resumeSubscription(channel: { id: string; expiresAt: string }): PushSubscription {
    return watchChannelHandle(this.client, this.mapping.zohoModule, channel);
  }

  private item(record: ZohoJson): RemoteItem<T> {
    const owner = (record.Owner as ZohoJson | null | undefined)?.id;
    return {
      id: String(record.id),
      version: versionOf(record),
      value: this.mapping.fromZoho(record),
      ...(owner === undefined ? {} : { owner: String(owner) }),
    };
  }

  private data(answer: ZohoAnswer): ZohoJson[] {
    const data = answer.json?.data;
    return Array.isArray(data) ? (data as ZohoJson[]) : [];
  }

  private list(query: Record<string, string | number | undefined>, headers?: Record<string, string>) {
    return this.client.request({
      method: "GET",
      path: this.mapping.zohoModule,
      query: { fields: this.fieldList, per_page: PER_PAGE, ...query },
      headers,
    });
  }

  /**
   * One COQL call (heavy: it counts against Zoho's sub-concurrency of 10) for the ids, owners and Modified_Times of
   * the records matching `where`; 204 is no rows.
   */
  private async coqlRows(where: string, orderBy: string, more: boolean) {
    const answer = await this.client.request({
      method: "POST",
      path: "coql",
      heavy: true,
      body: {
        select_query: `select Owner, Modified_Time from ${this.mapping.zohoModule} where ${where} order by ${orderBy} limit ${more ? COQL_MORE : COQL_FIRST}`,
      },
    });
    if (answer.status !== 200 && answer.status !== 204) throw requestError(answer, `query ${this.mapping.zohoModule}`);
    const info = (answer.json?.info ?? {}) as ZohoJson;
    return { rows: this.data(answer), more: info.more_records === true, servedAt: answer.serverTime };
  }

  /**
   * The full records of `ids` in the given order, leaving out those deleted since. COQL cannot give them itself:
   * lookups come back as `{id}` only (Account_Name needs its name) and multi-select lookups such as Events'
   * Participants are not selectable (COQL-Limitations), so the ids are read with `GET ?ids=` (100 per call).
   */
  private async records(ids: readonly string[]): Promise<ZohoJson[]> {
    const found = await this.readMany(ids);
    return ids.flatMap((id) => {
      const record = found.get(id);
      return record ? [record] : [];
    });
  }

  /**
   * Owner-scoped full listing: COQL `Owner = …` in id order, paged by `id > last` (no 10 000-row offset limit). The
   * page token carries the listing's start, the watermark of the cursor it ends with, so that edits made while it
   * pages are read again by the change feed.
   */
  private async listOwned(owner: string, pageToken: string | undefined): Promise<ListingPage<T>> {
    const [start, after] = pageToken === undefined ? [] : pageToken.split(":");
    const startedAt = start === undefined ? Math.floor(Date.now() / 1000) : Number(start);
    const mine = `Owner = ${coqlString(owner)}`;
    const { rows, more } = await this.coqlRows(
      after === undefined ? mine : `(${mine} and id > ${coqlString(after)})`,
      "id asc",
      after !== undefined,
    );
    const items = (await this.records(rows.map((row) => String(row.id)))).map((record) => this.item(record));
    const last = rows.at(-1);
    if (more && last) return { items, nextPageToken: `${startedAt}:${String(last.id)}` };
    return { items, cursor: this.initialCursor(startedAt) };
  }

  async listAll(pageToken: string | undefined): Promise<ListingPage<T>> {
    if (this.scopeOwner !== undefined) return this.listOwned(this.scopeOwner, pageToken);
    const startedAt = Math.floor(Date.now() / 1000);
    const answer = await this.list({ sort_by: "id", sort_order: "asc", page_token: pageToken });
    if (answer.status === 204) return { items: [], cursor: this.initialCursor(startedAt) };
    if (answer.status !== 200) throw requestError(answer, `list ${this.mapping.zohoModule}`);
    const info = (answer.json?.info ?? {}) as ZohoJson;
    const items = this.data(answer).map((record) => this.item(record));
    if (info.more_records === true && typeof info.next_page_token === "string") {
      return { items, nextPageToken: info.next_page_token };
    }
    return { items, cursor: this.initialCursor(startedAt) };
  }

  /** A cursor positioned at the start of a full listing (overlap makes edits made during the listing reappear). */
  private initialCursor(startedAt: number): string {
    const cursor: ChangeCursor = { since: startedAt, seen: [], seenDeleted: [], owner: this.scopeOwner };
    return JSON.stringify(cursor);
  }

  private parseCursor(raw: string | undefined): ChangeCursor {
    if (raw === undefined) return { since: 0, seen: [], seenDeleted: [], owner: this.scopeOwner };
    let cursor: ChangeCursor | undefined;
    try {
      cursor = JSON.parse(raw) as ChangeCursor;
    } catch {
      // refused below
    }
    if (typeof cursor?.since !== "number" || !Array.isArray(cursor.seen)) {
      throw new ConnectorError({ kind: "cursor-invalid", message: "unreadable Zoho change cursor" });
    }
    if (cursor.owner !== this.scopeOwner) {
      // The owner filter was switched: records the old scope skipped are only found by a full listing.
      throw new ConnectorError({ kind: "cursor-invalid", message: "the Zoho change cursor lists another scope" });
    }
    return cursor;
  }

  /** One page of the org-wide change feed: `If-Modified-Since`, sorted by Modified_Time, paged by page token. */
  private async changedRecords(cursor: ChangeCursor, windowStart: number): Promise<FeedPage<T>> {
    const headers = windowStart > 0 ? { "If-Modified-Since": zohoTime(windowStart) } : undefined;
    const answer = await this.list(
      { sort_by: "Modified_Time", sort_order: "asc", page_token: cursor.pageToken },
      headers,
    );
    if (answer.status !== 200 && answer.status !== 204 && answer.status !== 304) {
      throw requestError(answer, `changes of ${this.mapping.zohoModule}`);
    }
    const entries = this.data(answer).map((record) => this.upsertEntry(record));
    const info = (answer.json?.info ?? {}) as ZohoJson;
    const more = info.more_records === true && typeof info.next_page_token === "string";
    return { entries, next: more ? String(info.next_page_token) : undefined, servedAt: answer.serverTime };
  }

  /**
   * One page of the owner-scoped change feed. `/{module}` with If-Modified-Since cannot filter by owner, so every
   * mailbox would page through all its colleagues' edits (200 full records a call); instead one COQL call gives the
   * ids, owners and Modified_Times of up to 2000 changed records of the org, only the owner's are read in full, and
   * the others are `outside-scope` entries, so a paired record that passed to a colleague is still re-read by the
   * engine (it keeps syncing, as when the whole org was listed). Paged by (Modified_Time, id) after the last row.
   */
  private async changedOwnRecords(owner: string, cursor: ChangeCursor, windowStart: number): Promise<FeedPage<T>> {
    const after = cursor.pageToken?.split("|");
    const where = after
      ? `(Modified_Time > ${coqlString(after[0] ?? "")} or (Modified_Time = ${coqlString(after[0] ?? "")} and id > ${coqlString(after[1] ?? "")}))`
      : `Modified_Time >= ${coqlString(zohoTime(windowStart))}`;
    const { rows, more, servedAt } = await this.coqlRows(where, "Modified_Time asc, id asc", after !== undefined);
    const ownerOf = (row: ZohoJson) => String((row.Owner as ZohoJson | null | undefined)?.id);
    const own = await this.records(rows.filter((row) => ownerOf(row) === owner).map((row) => String(row.id)));
    const entries = [
      ...own.map((record) => this.upsertEntry(record)),
      ...rows
        .filter((row) => ownerOf(row) !== owner)
        .map((row) => ({
          key: `${String(row.id)}@${String(row.Modified_Time)}`,
          modified: epochSeconds(String(row.Modified_Time)),
          change: { kind: "outside-scope" as const, id: String(row.id) },
        })),
    ];
    const last = rows.at(-1);
    return {
      entries,
      next: more && last ? `${String(last.Modified_Time)}|${String(last.id)}` : undefined,
      servedAt,
    };
  }

  private upsertEntry(record: ZohoJson): FeedEntry<T> {
    const item = this.item(record);
    return {
      key: `${item.id}@${item.version}`,
      modified: versionSeconds(item.version),
      change: { kind: "upsert", item },
    };
  }

  async listChanges(raw: string | undefined): Promise<ChangePage<T>> {
    const cursor = this.parseCursor(raw);
    const windowStart = Math.max(0, cursor.since - this.overlap);
    const seen = new Set(cursor.seen);
    const changes: ChangeEntry<T>[] = [];
    let passMax = cursor.passMax ?? cursor.since;
    let passStart = cursor.passStart;
    const delivered: Array<{ key: string; modified: number }> = [];

    if (cursor.deletedPage === undefined) {
      const page =
        this.scopeOwner === undefined
          ? await this.changedRecords(cursor, windowStart)
          : await this.changedOwnRecords(this.scopeOwner, cursor, windowStart);
      if (cursor.pageToken === undefined) passStart = page.servedAt;
      for (const { key, modified, change } of page.entries) {
        passMax = Math.max(passMax, modified);
        if (seen.has(key)) continue;
        delivered.push({ key, modified });
        changes.push(change);
      }
      if (page.next !== undefined) {
        const next: ChangeCursor = {
          ...cursor,
          seen: [...cursor.seen, ...delivered.map((entry) => entry.key)],
          pageToken: page.next,
          passMax,
          ...(passStart === undefined ? {} : { passStart }),
        };
        return { changes, cursor: JSON.stringify(next), complete: false };
      }
    }
    const deleted = await this.deletedSince(windowStart, cursor.deletedPage ?? 1, new Set(cursor.seenDeleted ?? []));
    changes.push(...deleted.entries);
    passMax = Math.max(passMax, deleted.max);
    const newSince = Math.max(cursor.since, passMax, passStart ?? 0);
    const keepFrom = newSince - this.overlap;
    const keptSeen = [
      ...cursor.seen.map((key) => ({ key, modified: versionSeconds(key.split("@")[1] ?? "") })),
      ...delivered,
    ]
      .filter((entry) => entry.modified >= keepFrom)
      .map((entry) => entry.key);
    if (deleted.more) {
      const next: ChangeCursor = {
        ...cursor,
        seen: [...cursor.seen, ...delivered.map((entry) => entry.key)],
        seenDeleted: [...(cursor.seenDeleted ?? []), ...deleted.ids],
        pageToken: undefined,
        passMax,
        ...(passStart === undefined ? {} : { passStart }),
        deletedPage: (cursor.deletedPage ?? 1) + 1,
      };
      return { changes, cursor: JSON.stringify(next), complete: false };
    }
    const next: ChangeCursor = {
      since: newSince,
      owner: this.scopeOwner,
      seen: [...new Set(keptSeen)],
      seenDeleted: [...(cursor.seenDeleted ?? []), ...deleted.ids].filter(
        (entry) => Number(entry.split("@")[1]) >= keepFrom,
      ),
    };
    return { changes, cursor: JSON.stringify(next), complete: true };
  }

  private async deletedSince(windowStart: number, page: number, seen: Set<string>) {
    const answer = await this.client.request({
      method: "GET",
      path: `${this.mapping.zohoModule}/deleted`,
      query: { type: "all", page, per_page: PER_PAGE },
      headers: windowStart > 0 ? { "If-Modified-Since": zohoTime(windowStart) } : undefined,
    });
    if (answer.status !== 200 && answer.status !== 204 && answer.status !== 304) {
      throw requestError(answer, `deleted ${this.mapping.zohoModule}`);
    }
    const entries: ChangeEntry<T>[] = [];
    const ids: string[] = [];
    let max = 0;
    for (const entry of this.data(answer)) {
      const when = epochSeconds(String(entry.deleted_time));
      max = Math.max(max, when);
      const key = `${String(entry.id)}@${when}`;
      if (seen.has(key)) continue;
      ids.push(key);
      entries.push({ kind: "deleted", id: String(entry.id) });
    }
    const info = (answer.json?.info ?? {}) as ZohoJson;
    return { entries, ids, max, more: info.more_records === true };
  }

  /**
   * Records of other owners that may first-sync match `values` (`mapping.matchFields`), which an owner-scoped listing
   * does not show: COQL `(F in (…) or G in (…)) and Owner not in (me)`, 50 values a call, then read in full.
   */
  async matchOutsideScope(values: readonly T[]): Promise<readonly RemoteItem<T>[]> {
    const owner = this.scopeOwner;
    if (owner === undefined || !this.mapping.matchFields) return [];
    const byFields = new Map<string, Set<string>>();
    for (const value of values) {
      for (const [fields, text] of this.mapping.matchFields(value)) {
        const key = fields.join(",");
        if (text.trim() !== "") byFields.set(key, (byFields.get(key) ?? new Set()).add(text));
      }
    }
    const ids = new Set<string>();
    for (const [fields, texts] of byFields) {
      for (const slice of chunks([...texts], IN_VALUES)) {
        const list = slice.map(coqlString).join(", ");
        const anyField = coqlJoin(
          "or",
          fields.split(",").map((field) => `${field} in (${list})`),
        );
        const theirs = `(${anyField} and Owner not in (${coqlString(owner)}))`;
        let after: string | undefined;
        let more = true;
        while (more) {
          const page = await this.coqlRows(
            after === undefined ? theirs : `(${theirs} and id > ${coqlString(after)})`,
            "id asc",
            after !== undefined,
          );
          for (const row of page.rows) ids.add(String(row.id));
          after = page.rows.length > 0 ? String(page.rows.at(-1)?.id) : undefined;
          more = page.more && after !== undefined;
        }
      }
    }
    return (await this.records([...ids])).map((record) => this.item(record));
  }

  /** Reads up to 100 ids per call (`GET /{module}?ids=`); the map holds what exists. */
  private async readMany(ids: readonly string[]): Promise<Map<string, ZohoJson>> {
    const found = new Map<string, ZohoJson>();
    for (const batch of chunks([...new Set(ids)], MAX_BATCH)) {
      const answer = await this.list({ ids: batch.join(",") });
      if (answer.status !== 200 && answer.status !== 204) throw requestError(answer, `read ${this.mapping.zohoModule}`);
      for (const record of this.data(answer)) found.set(String(record.id), record);
    }
    return found;
  }

  async getMany(ids: readonly string[]): Promise<readonly ItemResult<RemoteItem<T>>[]> {
    const found = await this.readMany(ids);
    return ids.map((id) => {
      const record = found.get(id);
      return record
        ? succeeded(this.item(record))
        : failed({ kind: "not-found", message: `no ${this.mapping.zohoModule} ${id}` });
    });
  }

  /** Sends one write batch and maps every per-record result; a success is the value written, at its new version. */
  private async write(
    method: "POST" | "PUT",
    sent: ReadonlyArray<{ record: ZohoJson; value: T }>,
    headers?: Record<string, string>,
  ): Promise<ItemResult<RemoteItem<T>>[]> {
    const records = sent.map((entry) => entry.record);
    const answer = await this.client.request({
      method,
      path: this.mapping.zohoModule,
      body: { data: records, trigger: [] },
      headers,
      heavy: records.length > HEAVY_BATCH,
    });
    const results = this.data(answer);
    if (results.length !== records.length) {
      if (answer.status === 412) {
        return records.map(() => failed({ kind: "precondition-failed", message: "record changed in Zoho" }));
      }
      throw requestError(answer, `write ${this.mapping.zohoModule}`);
    }
    return results.map((item, position) => {
      if (item.status !== "success") return failed(recordFailure(item));
      const details = (item.details ?? {}) as ZohoJson;
      const { record, value } = sent[position] as { record: ZohoJson; value: T };
      if (details.id === undefined || details.Modified_Time === undefined) {
        return failed({
          kind: "transient",
          message: "Zoho reported the write without the record's id and Modified_Time",
        });
      }
      const version = `${String(details.Modified_Time)}|${WRITTEN}${contentHash(record)}`;
      return succeeded({ id: String(details.id), version, value });
    });
  }

  private withOwner(record: ZohoJson): ZohoJson {
    return this.options.owner ? { ...record, Owner: { id: this.options.owner } } : record;
  }

  /** Maps a value for writing; a value Zoho cannot hold is that item's `invalid-record`, not a batch failure. */
  private async toZoho(value: T, current: ZohoJson | undefined): Promise<ZohoJson | ItemResult<RemoteItem<T>>> {
    try {
      return await this.mapping.toZoho(value, current);
    } catch (error) {
      if (error instanceof MappingError) {
        return failed({ kind: "invalid-record", message: error.message, field: error.field });
      }
      if (error instanceof ConnectorError && error.failure.kind === "invalid-record") return failed(error.failure);
      throw error;
    }
  }

  async create(requests: readonly CreateRequest<T>[]): Promise<readonly ItemResult<RemoteItem<T>>[]> {
    const results: ItemResult<RemoteItem<T>>[] = [];
    for (const batch of chunks(requests, MAX_BATCH)) {
      await this.mapping.prepare?.(batch.map((request) => request.value));
      const outcome = new Map<number, ItemResult<RemoteItem<T>>>();
      const send: Array<{ index: number; record: ZohoJson; value: T }> = [];
      for (const [index, request] of batch.entries()) {
        const record = await this.toZoho(request.value, undefined);
        if ("ok" in record) outcome.set(index, record as ItemResult<RemoteItem<T>>);
        else send.push({ index, record: this.withOwner(record), value: request.value });
      }
      if (send.length > 0) {
        const written = await this.write("POST", send);
        for (const [position, result] of written.entries()) outcome.set(send[position].index, result);
      }
      results.push(...batch.map((_, index) => outcome.get(index) as ItemResult<RemoteItem<T>>));
    }
    return results;
  }

  /** Why a write of `request` must not be sent: the record is gone, or moved past the expected version. */
  private refusal(
    request: { id: string; expectedVersion: string | undefined },
    existing: ZohoJson | undefined,
  ): ItemResult<never> | undefined {
    if (!existing) return failed({ kind: "not-found", message: `no ${this.mapping.zohoModule} ${request.id}` });
    if (request.expectedVersion !== undefined && !isAt(existing, request.expectedVersion)) {
      return failed({
        kind: "precondition-failed",
        message: "record changed in Zoho since it was read",
        currentVersion: versionOf(existing),
      });
    }
    return undefined;
  }

  async update(requests: readonly UpdateRequest<T>[]): Promise<readonly ItemResult<RemoteItem<T>>[]> {
    const results: ItemResult<RemoteItem<T>>[] = [];
    for (const batch of chunks(requests, MAX_BATCH)) {
      await this.mapping.prepare?.(batch.map((request) => request.value));
      const current = await this.readMany(batch.map((request) => request.id));
      const outcome = new Map<number, ItemResult<RemoteItem<T>>>();
      const send: Array<{ index: number; record: ZohoJson; value: T; expected?: string }> = [];
      for (const [index, request] of batch.entries()) {
        const existing = current.get(request.id);
        const refusal = this.refusal(request, existing);
        if (refusal || !existing) outcome.set(index, refusal ?? failed({ kind: "not-found", message: "gone" }));
        else {
          const record = await this.toZoho(request.value, existing);
          if ("ok" in record) outcome.set(index, record as ItemResult<RemoteItem<T>>);
          else
            send.push({
              index,
              record: { ...record, id: request.id },
              value: request.value,
              expected: request.expectedVersion,
            });
        }
      }
      if (send.length > 0) {
        const expected = send.flatMap((entry) => (entry.expected ? [versionSeconds(entry.expected)] : []));
        // Request-wide precondition: the newest expected version; older-but-unchanged records pass it too.
        const headers =
          expected.length === send.length ? { "If-Unmodified-Since": zohoTime(Math.max(...expected)) } : undefined;
        const written = await this.write("PUT", send, headers);
        for (const [position, result] of written.entries()) outcome.set(send[position].index, result);
      }
      results.push(...batch.map((_, index) => outcome.get(index) as ItemResult<RemoteItem<T>>));
    }
    return results;
  }

  async delete(requests: readonly DeleteRequest[]): Promise<readonly ItemResult<void>[]> {
    const results: ItemResult<void>[] = [];
    for (const batch of chunks(requests, MAX_BATCH)) {
      const current = await this.readMany(batch.map((request) => request.id));
      const outcome = new Map<number, ItemResult<void>>();
      const ids: Array<{ index: number; id: string }> = [];
      for (const [index, request] of batch.entries()) {
        const refusal = this.refusal(request, current.get(request.id));
        if (refusal) outcome.set(index, refusal);
        else ids.push({ index, id: request.id });
      }
      if (ids.length > 0) {
        const answer = await this.client.request({
          method: "DELETE",
          path: this.mapping.zohoModule,
          query: { ids: ids.map((entry) => entry.id).join(","), wf_trigger: "false" },
        });
        const data = this.data(answer);
        if (data.length !== ids.length) throw requestError(answer, `delete ${this.mapping.zohoModule}`);
        data.forEach((item, position) => {
          outcome.set(
            ids[position].index,
            item.status === "success"
              ? succeeded(undefined)
              : failed({ kind: "not-found", message: `${String(item.code)}: record not deleted` }),
          );
        });
      }
      results.push(...batch.map((_, index) => outcome.get(index) as ItemResult<void>));
    }
    return results;
  }
}
