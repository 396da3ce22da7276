/**
 * The planner: a pure function from what each side reported, the status table and the settings to the actions that
 * make both sides agree. It does no I/O; `engine.ts` applies its output.
 *
 * Algorithm (after vdirsyncer's status table and GenSync's relations):
 * 1. Classify each side of every relation: `changed` iff the item was reported AND its version moved AND its content
 *    hash moved (our own writes, whose version and hash the relation recorded, never echo); `deleted` iff reported as a
 *    tombstone or missing from a listing that completed; otherwise `unchanged` (a delta that does not mention an item
 *    says nothing about it). Items reported without a relation are `added`.
 * 2. Pair `added` items that already exist on both sides by the module's match keys (first-sync matching: no
 *    duplicates after a first sync, a re-install or a reconnect). Items the module filter rejects are never copied
 *    and pair only with an admitted item.
 * 3. Decide each pair once in `decide`, the exhaustive table over (added/changed/unchanged/deleted/absent)².
 *
 * Directions: one-way never writes to its source. A target-side edit or deletion is RESTORED from the source on the
 * next run (the target mirrors the source on every field the source can hold; fields only the target holds stay the
 * target's). Exception, so that nothing is lost: a source deletion while the target was edited unlinks the pair under
 * modification-beats-deletion, keeping the target's item. Items that exist only on the target are left alone.
 */

import type { RemoteItem, Side } from "../connectors/port.js";
import { contentKey, equalOnSide, sideHash } from "./compare.js";
import { type ConflictRule, type Direction, mergePair, otherSide, sourceSide } from "./merge.js";
import type { SyncModule } from "./module.js";
import type { ConflictEntry, RelationRow } from "./state.js";

/** What one side reported in this run. */
export interface SideObservation<T> {
  /** Items reported as present: created or changed since the cursor, or every item of a full listing. */
  readonly present: readonly RemoteItem<T>[];
  /** Ids reported deleted (tombstones). */
  readonly deleted: readonly string[];
  /** True when `present` is a full listing that completed: a related id missing from it is a deletion. */
  readonly completeListing: boolean;
}

/** Per-module settings (persisted by the service, edited in the admin console). */
export interface ModuleSettings<T> {
  readonly enabled: boolean;
  readonly direction: Direction;
  readonly conflictRule: ConflictRule;
  /** "Changed here, deleted there": true (default) re-creates / keeps the edited item; false propagates the delete. */
  readonly modificationBeatsDeletion: boolean;
  /**
   * Which items are in the user's scope (e.g. only CRM records the user owns, only events from N days ago). Items it
   * rejects are never copied to the other side; one may still be linked with an admitted item of the other side that
   * matches it (an Outlook contact a colleague owns in the CRM links to that record instead of duplicating it). Pairs
   * that already exist keep syncing: leaving the scope is no deletion signal.
   */
  readonly filter?: (item: RemoteItem<T>, side: Side) => boolean;
  /**
   * Whether Exchange writes of events with attendees send invitations/updates (`SyncModule.invitesAttendees`).
   * Default false: the bridge files meetings into the calendar without mailing the attendees on the user's behalf.
   */
  readonly sendInvitations?: boolean;
}

/** A relation with its merge base parsed by `SyncModule.parse`. */
export interface PlanRelation<T> {
  readonly row: RelationRow;
  readonly base: T;
}

export type SideState = "absent" | "added" | "unchanged" | "changed" | "deleted";
export type Cell = `${SideState}/${SideState}`;

export type WriteOp<T> =
  | { readonly op: "create"; readonly value: T; readonly notifyAttendees?: boolean }
  | {
      readonly op: "update";
      readonly id: string;
      readonly expectedVersion: string;
      readonly value: T;
      readonly notifyAttendees?: boolean;
    }
  | { readonly op: "delete"; readonly id: string; readonly expectedVersion: string };

export interface SyncAction<T> {
  /** The decision-table cell, "exchangeState/crmState". */
  readonly cell: Cell;
  /**
   * sync: do `writes`, then save the relation (new or updated) with `value` as the new merge base.
   * forget: do `writes` (deletions), then delete the relation. unlink: delete the relation, write nothing.
   * conflict: park in the manual queue. skip: nothing, reported with `reason`.
   */
  readonly kind: "sync" | "forget" | "unlink" | "conflict" | "skip";
  readonly relation?: RelationRow;
  /** Items as observed this run (absent when not reported or deleted). */
  readonly exchange?: RemoteItem<T>;
  readonly crm?: RemoteItem<T>;
  readonly writes: { readonly exchange?: WriteOp<T>; readonly crm?: WriteOp<T> };
  /** The new merge base (sync) or, for a conflict, the value the rule would have produced. */
  readonly value?: T;
  readonly conflictFields?: readonly string[];
  /** Id of the conflict entry this pair has / would have in the manual queue. */
  readonly conflictId: string;
  readonly reason: string;
}

export interface PlanContext<T> {
  readonly module: SyncModule<T>;
  readonly settings: ModuleSettings<T>;
  /** Open conflict entries of the scope; resolved ones whose versions still match are applied. */
  readonly conflicts?: readonly ConflictEntry[];
}

/** One pair to decide: a relation with what each side reported of it, or items with no relation yet. */
export interface PlanPair<T> {
  readonly relation?: PlanRelation<T>;
  readonly exchange?: RemoteItem<T>;
  readonly crm?: RemoteItem<T>;
  readonly exchangeState: SideState;
  readonly crmState: SideState;
}

/** The conflict-queue id of a pair: per relation, or per matched item pair before a relation exists. */
export function conflictIdOf(relation: RelationRow | undefined, exchangeId?: string, crmId?: string): string {
  return relation ? `relation:${relation.id}` : `match:${exchangeId ?? ""}:${crmId ?? ""}`;
}

function lastById<T>(items: readonly RemoteItem<T>[]): Map<string, RemoteItem<T>> {
  return new Map(items.map((item) => [item.id, item]));
}

function classify<T>(
  module: SyncModule<T>,
  side: Side,
  row: RelationRow,
  item: RemoteItem<T> | undefined,
  observation: SideObservation<T>,
  deleted: ReadonlySet<string>,
): SideState {
  const id = side === "exchange" ? row.exchangeId : row.crmId;
  if (item) {
    const [version, hash] =
      side === "exchange" ? [row.exchangeVersion, row.exchangeHash] : [row.crmVersion, row.crmHash];
    if (item.version === version || sideHash(module, side, item.value) === hash) return "unchanged";
    return "changed";
  }
  if (deleted.has(id) || observation.completeListing) return "deleted";
  return "unchanged";
}

/**
 * Pairs added items on both sides by the module's ordered match keys, then identical content as a last resort
 * (greedy, deterministic by id).
 */
export function matchAdded<T>(
  module: SyncModule<T>,
  exchangeItems: readonly RemoteItem<T>[],
  crmItems: readonly RemoteItem<T>[],
): { pairs: [RemoteItem<T>, RemoteItem<T>][]; exchangeOnly: RemoteItem<T>[]; crmOnly: RemoteItem<T>[] } {
  const byId = (a: RemoteItem<T>, b: RemoteItem<T>) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  // A first sync into an empty side (the common case) has nothing to pair: skip computing every item's keys.
  if (exchangeItems.length === 0 || crmItems.length === 0) {
    return { pairs: [], exchangeOnly: [...exchangeItems].sort(byId), crmOnly: [...crmItems] };
  }
  const keysOf = (value: T) => [...module.matchKeys(value), contentKey(module, value)];
  const index = new Map<string, RemoteItem<T>[]>();
  for (const item of [...crmItems].sort(byId)) {
    for (const key of keysOf(item.value)) {
      const bucket = index.get(key);
      if (bucket) bucket.push(item);
      else index.set(key, [item]);
    }
  }
  const taken = new Set<string>();
  const pairs: [RemoteItem<T>, RemoteItem<T>][] = [];
  const exchangeOnly: RemoteItem<T>[] = [];
  for (const item of [...exchangeItems].sort(byId)) {
    let partner: RemoteItem<T> | undefined;
    for (const key of keysOf(item.value)) {
      partner = index
        .get(key)
        ?.find((candidate) => !taken.has(candidate.id) && (module.mayPair?.(item.value, candidate.value) ?? true));
      if (partner) break;
    }
    if (partner) {
      taken.add(partner.id);
      pairs.push([item, partner]);
    } else {
      exchangeOnly.push(item);
    }
  }
  return { pairs, exchangeOnly, crmOnly: crmItems.filter((item) => !taken.has(item.id)) };
}

export function plan<T>(
  exchange: SideObservation<T>,
  crm: SideObservation<T>,
  relations: readonly PlanRelation<T>[],
  context: PlanContext<T>,
): SyncAction<T>[] {
  return pairUp(exchange, crm, relations, context).flatMap((pair) => decide(pair, context) ?? []);
}

/**
 * Steps 1 and 2 of the algorithm: every pair to decide, in the order `plan` decides them. Each pair is decided on its
 * own by `decide`, so a caller may decide and apply them a slice at a time (the engine does, to bound its memory).
 */
export function pairUp<T>(
  exchange: SideObservation<T>,
  crm: SideObservation<T>,
  relations: readonly PlanRelation<T>[],
  context: PlanContext<T>,
): PlanPair<T>[] {
  const { module, settings } = context;
  if (!settings.enabled) return [];
  const exchangeById = lastById(exchange.present);
  const crmById = lastById(crm.present);
  const exchangeDeleted = new Set(exchange.deleted);
  const crmDeleted = new Set(crm.deleted);
  const pairs: PlanPair<T>[] = [];
  const relatedExchange = new Set<string>();
  const relatedCrm = new Set<string>();
  for (const relation of relations) {
    const { row } = relation;
    relatedExchange.add(row.exchangeId);
    relatedCrm.add(row.crmId);
    const exchangeItem = exchangeById.get(row.exchangeId);
    const crmItem = crmById.get(row.crmId);
    const exchangeState = classify(module, "exchange", row, exchangeItem, exchange, exchangeDeleted);
    const crmState = classify(module, "crm", row, crmItem, crm, crmDeleted);
    // Reported by neither change feed: deciding it would merge the base with itself and do nothing, so it is not a
    // pair to decide (and its base need not be read: a quiet run of a big mailbox touches few of its relations).
    if (!exchangeItem && !crmItem && exchangeState === "unchanged" && crmState === "unchanged") continue;
    pairs.push({ relation, exchange: exchangeItem, crm: crmItem, exchangeState, crmState });
  }
  const admitted = (side: Side) => (item: RemoteItem<T>) => settings.filter?.(item, side) ?? true;
  const unrelated = (items: Map<string, RemoteItem<T>>, related: Set<string>) =>
    [...items.values()].filter((item) => !related.has(item.id));
  const matched = matchAdded(module, unrelated(exchangeById, relatedExchange), unrelated(crmById, relatedCrm));
  for (const [exchangeItem, crmItem] of matched.pairs) {
    if (!admitted("exchange")(exchangeItem) && !admitted("crm")(crmItem)) continue;
    pairs.push({ exchange: exchangeItem, crm: crmItem, exchangeState: "added", crmState: "added" });
  }
  for (const item of matched.exchangeOnly.filter(admitted("exchange"))) {
    pairs.push({ exchange: item, exchangeState: "added", crmState: "absent" });
  }
  for (const item of matched.crmOnly.filter(admitted("crm"))) {
    pairs.push({ crm: item, exchangeState: "absent", crmState: "added" });
  }

  return pairs;
}

/**
 * True when deciding the pair can delete an item: only a side already classified deleted leads to a delete write.
 * The circuit breaker needs the run's deletions before any write; these are the only pairs it has to decide for that.
 */
export function mayDelete<T>(pair: PlanPair<T>): boolean {
  return pair.exchangeState === "deleted" || pair.crmState === "deleted";
}

/** The decision table. Returns undefined when the pair needs nothing at all. */
export function decide<T>(pair: PlanPair<T>, context: PlanContext<T>): SyncAction<T> | undefined {
  const cell: Cell = `${pair.exchangeState}/${pair.crmState}`;
  const decision = new Decision(pair, context, cell);
  switch (cell) {
    case "added/absent":
      // A new Exchange item with no counterpart: copy it to the CRM (unless the CRM is the one-way source).
      return decision.copyNew("exchange");
    case "absent/added":
      // A new CRM item with no counterpart: copy it to Exchange (unless Exchange is the one-way source).
      return decision.copyNew("crm");
    case "added/added":
      // The same thing already exists on both sides (first sync, re-install, reconnect): link, merge without a base.
      return decision.merge("first-sync match");
    case "unchanged/unchanged":
      // Nothing happened in the world; at most a version moved without content (our echo, a cosmetic touch).
      return decision.merge("versions refreshed");
    case "changed/unchanged":
      // Edited in Exchange: carry the edit to the CRM (one-way CRM→Exchange: restore Exchange from the CRM).
      return decision.merge("changed in Exchange");
    case "unchanged/changed":
      // Edited in the CRM: carry the edit to Exchange (one-way Exchange→CRM: restore the CRM from Exchange).
      return decision.merge("changed in CRM");
    case "changed/changed":
      // Edited on both sides: three-way merge per field; overlapping edits follow the conflict rule.
      return decision.merge("changed on both sides");
    case "deleted/unchanged":
      // Deleted in Exchange, untouched in the CRM: delete it there too (restored if Exchange is a one-way target).
      return decision.deletion("exchange");
    case "unchanged/deleted":
      // Deleted in the CRM, untouched in Exchange: delete it there too (restored if the CRM is a one-way target).
      return decision.deletion("crm");
    case "deleted/changed":
      // Deleted in Exchange but edited in the CRM: modification-beats-deletion decides.
      return decision.deletion("exchange");
    case "changed/deleted":
      // Edited in Exchange but deleted in the CRM: modification-beats-deletion decides.
      return decision.deletion("crm");
    case "deleted/deleted":
      // Gone on both sides: only the relation is left to drop.
      return decision.forget({}, "deleted on both sides");
    case "absent/absent":
    case "absent/unchanged":
    case "absent/changed":
    case "absent/deleted":
    case "unchanged/absent":
    case "changed/absent":
    case "deleted/absent":
    case "added/unchanged":
    case "added/changed":
    case "added/deleted":
    case "unchanged/added":
    case "changed/added":
    case "deleted/added":
      // Impossible: "absent" and "added" mean "no relation", the other states mean "has a relation".
      throw new Error(`sync planner: impossible cell ${cell}`);
  }
}

/** The per-pair operations the decision table is written in. */
class Decision<T> {
  private readonly module: SyncModule<T>;
  private readonly settings: ModuleSettings<T>;
  private readonly source: Side | undefined;
  private readonly row: RelationRow | undefined;
  private readonly conflictId: string;

  constructor(
    private readonly pair: PlanPair<T>,
    private readonly context: PlanContext<T>,
    private readonly cell: Cell,
  ) {
    this.module = context.module;
    this.settings = context.settings;
    this.source = sourceSide(context.settings.direction);
    this.row = pair.relation?.row;
    this.conflictId = conflictIdOf(this.row, pair.exchange?.id, pair.crm?.id);
  }

  private action(
    kind: SyncAction<T>["kind"],
    writes: SyncAction<T>["writes"],
    reason: string,
    extra: Partial<SyncAction<T>> = {},
  ): SyncAction<T> {
    const { exchange, crm } = this.pair;
    return {
      cell: this.cell,
      kind,
      relation: this.row,
      exchange,
      crm,
      writes,
      conflictId: this.conflictId,
      reason,
      ...extra,
    };
  }

  /** The side's current value: as reported, or (not reported, so unchanged) the merge base. */
  private current(side: Side): T | undefined {
    return this.pair[side]?.value ?? this.pair.relation?.base;
  }

  private version(side: Side): string {
    const item = this.pair[side];
    if (item) return item.version;
    if (!this.row) throw new Error("sync planner: version of a side with neither item nor relation");
    return side === "exchange" ? this.row.exchangeVersion : this.row.crmVersion;
  }

  private id(side: Side): string {
    const item = this.pair[side];
    if (item) return item.id;
    if (!this.row) throw new Error("sync planner: id of a side with neither item nor relation");
    return side === "exchange" ? this.row.exchangeId : this.row.crmId;
  }

  /** Whether writing `value` to `side` mails the attendees (Exchange events, when the settings allow it). */
  private notify(side: Side, value: T): { notifyAttendees?: true } {
    const invites = side === "exchange" && this.settings.sendInvitations && this.module.invitesAttendees?.(value);
    return invites ? { notifyAttendees: true } : {};
  }

  copyNew(from: Side): SyncAction<T> {
    const to = otherSide(from);
    const item = this.pair[from];
    if (!item) throw new Error("sync planner: copyNew without an item");
    if (this.source === to) {
      return this.action("skip", {}, `one-way from ${to}: an item only on the target is not copied to the source`);
    }
    return this.action(
      "sync",
      { [to]: { op: "create", value: item.value, ...this.notify(to, item.value) } },
      `new in ${from}`,
      { value: item.value },
    );
  }

  /** Merges both sides (with the relation's base, if any) and writes each side that differs from the result. */
  merge(reason: string): SyncAction<T> | undefined {
    const exchange = this.current("exchange");
    const crm = this.current("crm");
    if (exchange === undefined || crm === undefined) throw new Error("sync planner: merge without both values");
    const base = this.pair.relation?.base;
    const input = { base, exchange, crm };
    const { direction, conflictRule } = this.settings;
    let result = mergePair(this.module, input, direction, conflictRule);
    if (conflictRule === "manual" && result.conflicts.length > 0) {
      const resolved = this.resolution();
      if (!resolved) {
        return this.action("conflict", {}, `conflict on ${result.conflicts.join(", ")}`, {
          value: result.value,
          conflictFields: result.conflicts,
        });
      }
      result =
        resolved.keep === "merged"
          ? { value: this.module.parse(resolved.value), conflicts: [] }
          : mergePair(this.module, input, direction, resolved.keep === "crm" ? "crm-wins" : "exchange-wins");
      reason = `${reason}; conflict resolved by admin (${resolved.keep})`;
    }
    const writes: { exchange?: WriteOp<T>; crm?: WriteOp<T> } = {};
    for (const side of ["exchange", "crm"] as const) {
      const sideValue = side === "exchange" ? exchange : crm;
      if (side === this.source || equalOnSide(this.module, side, result.value, sideValue)) continue;
      writes[side] = {
        op: "update",
        id: this.id(side),
        expectedVersion: this.version(side),
        value: result.value,
        ...this.notify(side, result.value),
      };
    }
    const versionsMoved =
      !this.row ||
      (this.pair.exchange !== undefined && this.pair.exchange.version !== this.row.exchangeVersion) ||
      (this.pair.crm !== undefined && this.pair.crm.version !== this.row.crmVersion);
    if (!writes.exchange && !writes.crm && !versionsMoved) return undefined;
    return this.action("sync", writes, reason, { value: result.value });
  }

  private resolution() {
    const entry = this.context.conflicts?.find((candidate) => candidate.id === this.conflictId);
    const matches =
      entry?.resolution !== undefined &&
      entry.exchange.version === this.version("exchange") &&
      entry.crm.version === this.version("crm");
    return matches ? entry.resolution : undefined;
  }

  /** One side deleted the item; the other (`kept`) has it unchanged, changed, or also deleted. */
  deletion(deletedOn: Side): SyncAction<T> {
    const kept = otherSide(deletedOn);
    const keptState = kept === "exchange" ? this.pair.exchangeState : this.pair.crmState;
    const edited = keptState === "changed";
    if (this.source === deletedOn) {
      // The one-way source deleted it. An edited target copy is kept (unlinked) when modifications beat deletions.
      if (edited && this.settings.modificationBeatsDeletion) {
        return this.action("unlink", {}, `deleted in the source ${deletedOn}; the edited ${kept} copy is kept`);
      }
      return this.deleteOn(kept, `deleted in the source ${deletedOn}`);
    }
    if (this.source === kept) {
      // The one-way target lost it: restore it from the source.
      return this.recreate(deletedOn, `restored on the one-way target ${deletedOn}`);
    }
    if (edited && this.settings.modificationBeatsDeletion) {
      return this.recreate(deletedOn, `edited in ${kept} after its deletion in ${deletedOn}: re-created`);
    }
    return this.deleteOn(kept, `deleted in ${deletedOn}`);
  }

  private deleteOn(side: Side, reason: string): SyncAction<T> {
    return this.forget({ [side]: { op: "delete", id: this.id(side), expectedVersion: this.version(side) } }, reason);
  }

  forget(writes: SyncAction<T>["writes"], reason: string): SyncAction<T> {
    return this.action("forget", writes, reason);
  }

  /** Creates the item again on `side` from the other side's current value merged over the base. */
  private recreate(side: Side, reason: string): SyncAction<T> {
    const base = this.pair.relation?.base;
    const kept = this.current(otherSide(side));
    if (base === undefined || kept === undefined) throw new Error("sync planner: re-create without base and value");
    const input = side === "exchange" ? { base, exchange: base, crm: kept } : { base, exchange: kept, crm: base };
    const { value } = mergePair(this.module, input, "two-way", "exchange-wins");
    return this.action("sync", { [side]: { op: "create", value, ...this.notify(side, value) } }, reason, { value });
  }
}
