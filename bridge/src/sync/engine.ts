/**
 * The sync engine: one run for one mailbox and module. It is the only part of the core that calls ports and the
 * store, and it talks to nothing else (no HTTP, database, Koa or SDK imports — enforced by a test).
 *
 * A run:
 * 1. Reads each side: from its saved cursor (all pages), or a full listing when there is no cursor, the port has no
 *    delta, the cursor expired (`cursor-invalid`), or a resync was asked for. Items of open conflicts are re-read.
 * 2. Plans (`plan.ts`), counts, and stops before any write when dry-running or when the circuit breaker trips.
 * 3. Applies writes in batches per side and operation. Each action commits its relation row only after all of its
 *    writes succeeded (with the ids, versions and hashes the writes returned); a failed action keeps the old row.
 * 4. Saves cursors only when every action succeeded, so anything that failed is read and retried next run (replays
 *    are harmless: applied items have moved their relation to the version we read or wrote).
 * A global failure (auth expired, throttled, mailbox gone) stops the run at once: later batches are not attempted.
 */

import { randomUUID } from "node:crypto";
import { ConnectorError, type ConnectorFailure, type ItemResult, isGlobalFailure } from "../connectors/errors.js";
import type { RecordPort, RemoteItem, Side } from "../connectors/port.js";
import { sideHash } from "./compare.js";
import type { SyncModule } from "./module.js";
import { ListingPacker, unpacked } from "./packed.js";
import {
  decide,
  type ModuleSettings,
  mayDelete,
  type PlanPair,
  type PlanRelation,
  pairUp,
  type SideObservation,
  type SyncAction,
} from "./plan.js";
import { type BreakerSettings, breakerVerdict, countPlan, DEFAULT_BREAKER } from "./safety.js";
import type {
  ConflictEntry,
  ItemOutcome,
  RelationRow,
  SideCounts,
  SyncRunRecord,
  SyncScope,
  SyncStateStore,
} from "./state.js";

export interface SyncRunOptions<T> {
  readonly scope: SyncScope;
  readonly module: SyncModule<T>;
  readonly exchange: RecordPort<T>;
  readonly crm: RecordPort<T>;
  readonly store: SyncStateStore;
  readonly settings: ModuleSettings<T>;
  readonly breaker?: BreakerSettings;
  /** Plan and count only; write nothing (not even cursors). */
  readonly dryRun?: boolean;
  /** An admin confirmed the deletions of a held run. */
  readonly confirmDeletions?: boolean;
  /** Ignore saved cursors and diff full listings of both sides. */
  readonly fullResync?: boolean;
  readonly now?: () => Date;
  readonly newId?: () => string;
}

export interface SyncRunResult<T> {
  readonly record: SyncRunRecord;
  /** The plan of a dry run (its preview); empty otherwise: a run that writes lets each slice's actions go. */
  readonly actions: readonly SyncAction<T>[];
}

interface Observed<T> {
  readonly observation: SideObservation<T>;
  readonly cursor: string | undefined;
  /** Ids a scoped change feed reported as changed outside its scope (`outside-scope` entries). */
  readonly outsideScope: readonly string[];
}

async function readFullListing<T>(port: RecordPort<T>): Promise<Observed<T>> {
  const present: RemoteItem<T>[] = [];
  const packer = new ListingPacker();
  let pageToken: string | undefined;
  let cursor: string | undefined;
  do {
    const page = await port.listAll(pageToken);
    present.push(...packer.pack(page.items));
    pageToken = page.nextPageToken;
    cursor = page.cursor;
  } while (pageToken !== undefined);
  return { observation: { present, deleted: [], completeListing: true }, cursor, outsideScope: [] };
}

async function readSide<T>(port: RecordPort<T>, cursor: string | undefined, full: boolean): Promise<Observed<T>> {
  if (full || cursor === undefined || !port.capabilities.delta) return readFullListing(port);
  // Later pages win: an item edited on one page and deleted on a later one is deleted, and vice versa.
  const present = new Map<string, RemoteItem<T>>();
  const deleted = new Set<string>();
  const outsideScope = new Set<string>();
  let next = cursor;
  try {
    for (;;) {
      const page = await port.listChanges(next);
      for (const change of page.changes) {
        const id = change.kind === "upsert" ? change.item.id : change.id;
        present.delete(id);
        deleted.delete(id);
        outsideScope.delete(id);
        if (change.kind === "upsert") present.set(id, change.item);
        else if (change.kind === "deleted") deleted.add(id);
        else outsideScope.add(id);
      }
      next = page.cursor;
      if (page.complete) break;
    }
  } catch (error) {
    // An expired cursor (Graph 410 syncStateNotFound, EWS invalid SyncState): full listing, then diff.
    if (error instanceof ConnectorError && error.failure.kind === "cursor-invalid") return readFullListing(port);
    throw error;
  }
  return {
    observation: { present: [...present.values()], deleted: [...deleted], completeListing: false },
    cursor: next,
    outsideScope: [...outsideScope],
  };
}

/**
 * Re-reads paired items this run's listing did not report but that must be decided: items of open conflicts (so
 * parked pairs are re-decided) and, from a scoped listing, paired items it reported as changed outside its scope or
 * left out of a full listing — leaving the scope is no deletion, so only a `not-found` read is one.
 */
async function withRereads<T>(
  port: RecordPort<T>,
  side: Side,
  { observation: observed, outsideScope }: Observed<T>,
  conflicts: readonly ConflictEntry[],
  rows: readonly RelationRow[],
): Promise<SideObservation<T>> {
  const scopedListing = observed.completeListing && port.capabilities.scopedListing === true;
  const pairedIds = () => rows.map((row) => (side === "crm" ? row.crmId : row.exchangeId));
  const outside = new Set(outsideScope);
  const wanted = [
    ...(observed.completeListing ? [] : conflicts.map((entry) => entry[side].id)),
    ...(outside.size > 0 ? pairedIds().filter((id) => outside.has(id)) : []),
    ...(scopedListing ? pairedIds() : []),
  ];
  if (wanted.length === 0) return observed;
  const known = new Set([...observed.present.map((item) => item.id), ...observed.deleted]);
  const ids = [...new Set(wanted)].filter((id) => !known.has(id));
  if (ids.length === 0) return observed;
  const results = await port.getMany(ids);
  const present = [...observed.present];
  const deleted = [...observed.deleted];
  results.forEach((result, index) => {
    const id = ids[index] as string;
    if (result.ok) present.push(result.value);
    else if (result.failure.kind === "not-found") deleted.push(id);
    else throw new ConnectorError(result.failure);
  });
  return { ...observed, present, deleted };
}

/**
 * Adds to a scoped side's observation the items outside its scope that may match the other side's unpaired items,
 * so first-sync matching links them (the planner takes items its filter rejects only as partners, never copies them).
 */
async function withMatchesOutsideScope<T>(
  port: RecordPort<T>,
  side: Side,
  observations: Partial<Record<Side, SideObservation<T>>>,
  rows: readonly RelationRow[],
): Promise<SideObservation<T> | undefined> {
  const observed = observations[side];
  const other = observations[side === "crm" ? "exchange" : "crm"];
  if (!observed || !other || !port.capabilities.scopedListing || !port.matchOutsideScope) return observed;
  const paired = new Set(rows.map((row) => (side === "crm" ? row.exchangeId : row.crmId)));
  const unpaired = other.present.filter((item) => !paired.has(item.id));
  if (unpaired.length === 0) return observed;
  const known = new Set(observed.present.map((item) => item.id));
  const found = (await port.matchOutsideScope(unpaired.map((item) => item.value))).filter(
    (item) => !known.has(item.id),
  );
  return found.length === 0 ? observed : { ...observed, present: [...observed.present, ...found] };
}

/**
 * A relation whose merge base is parsed (`SyncModule.parse`) when first read: the planner reads only the bases of the
 * pairs the listings touched, so a quiet run of a big mailbox neither parses nor holds a second copy of the others.
 */
function lazyRelation<T>(module: SyncModule<T>, row: RelationRow): PlanRelation<T> {
  let parsed: { base: T } | undefined;
  return {
    row,
    get base() {
      parsed ??= { base: module.parse(row.base) };
      return parsed.base;
    },
  };
}

/**
 * Whether the planner decides the pairs of relations (see `pairUp`): a complete listing touches them all, a change
 * feed those it reported on either side.
 */
function touchedBy<T>(observations: Partial<Record<Side, SideObservation<T>>>): (row: RelationRow) => boolean {
  const reported = (side: Side): ((id: string) => boolean) => {
    const observation = observations[side];
    if (!observation) return () => false;
    if (observation.completeListing) return () => true;
    const ids = new Set([...observation.present.map((item) => item.id), ...observation.deleted]);
    return (id) => ids.has(id);
  };
  const exchange = reported("exchange");
  const crm = reported("crm");
  return (row) => exchange(row.exchangeId) || crm(row.crmId);
}

/** Executes the actions' writes, batched per side and operation; returns per-action results and any global failure. */
async function applyWrites<T>(
  ports: Record<Side, RecordPort<T>>,
  actions: readonly SyncAction<T>[],
): Promise<{
  results: Map<number, Partial<Record<Side, ItemResult<RemoteItem<T> | undefined>>>>;
  abort?: ConnectorFailure;
}> {
  const results = new Map<number, Partial<Record<Side, ItemResult<RemoteItem<T> | undefined>>>>();
  const record = (index: number, side: Side, result: ItemResult<RemoteItem<T> | undefined>) => {
    results.set(index, { ...results.get(index), [side]: result });
  };
  for (const side of ["crm", "exchange"] as const) {
    for (const op of ["create", "update", "delete"] as const) {
      const indexes = actions.flatMap((action, index) => (action.writes[side]?.op === op ? [index] : []));
      const port = ports[side];
      for (let start = 0; start < indexes.length; start += Math.max(1, port.capabilities.maxBatchSize)) {
        const chunk = indexes.slice(start, start + Math.max(1, port.capabilities.maxBatchSize));
        const writes = chunk.map((index) => actions[index]?.writes[side]);
        let chunkResults: readonly ItemResult<RemoteItem<T> | undefined>[];
        try {
          if (op === "create") {
            chunkResults = await port.create(writes.flatMap((write) => (write?.op === "create" ? [write] : [])));
          } else if (op === "update") {
            chunkResults = await port.update(writes.flatMap((write) => (write?.op === "update" ? [write] : [])));
          } else {
            const deletions = await port.delete(writes.flatMap((write) => (write?.op === "delete" ? [write] : [])));
            chunkResults = deletions.map((result) => (result.ok ? { ok: true, value: undefined } : result));
          }
        } catch (error) {
          if (!(error instanceof ConnectorError)) throw error;
          const failure = error.failure;
          chunkResults = chunk.map(() => ({ ok: false, failure }));
        }
        chunk.forEach((index, position) => {
          const result = chunkResults[position] ?? {
            ok: false,
            failure: { kind: "transient", message: "connector returned fewer results than requests" },
          };
          record(index, side, result);
        });
        const global = chunkResults.find((result) => !result.ok && isGlobalFailure(result.failure));
        if (global && !global.ok) return { results, abort: global.failure };
      }
    }
  }
  return { results };
}

function failureOf(result: ItemResult<unknown> | undefined, op: string): ConnectorFailure | undefined {
  if (!result || result.ok) return undefined;
  // Deleting what is already gone achieved what was asked.
  if (op === "delete" && result.failure.kind === "not-found") return undefined;
  return result.failure;
}

/**
 * Writes per slice of the plan. A slice's pairs are decided, written, committed and then let go, so a run holds the
 * values, write results and relation rows of one slice at a time, not of the whole mailbox (a 100k-contact first sync
 * would otherwise hold 100k of each). Small enough that a slice's short-lived objects mostly die before V8 promotes
 * them (1 000 left the synthetic 100k run's peak some 60 MB higher); a multiple of the connectors' batch sizes
 * (Zoho 100, Graph `$batch` 20, EWS 100), so a run of one kind of write still sends full batches, and a mixed run
 * sends at most one short batch per side and operation per slice.
 */
export const WRITES_PER_SLICE = 200;

export async function runSync<T>(options: SyncRunOptions<T>): Promise<SyncRunResult<T>> {
  const { scope, module, store, settings } = options;
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? randomUUID;
  const ports: Record<Side, RecordPort<T>> = { exchange: options.exchange, crm: options.crm };
  const startedAt = now().toISOString();
  const finish = async (
    status: SyncRunRecord["status"],
    planned: Record<Side, SideCounts>,
    outcomes: readonly ItemOutcome[],
    reason?: string,
    actions: readonly SyncAction<T>[] = [],
  ): Promise<SyncRunResult<T>> => {
    const record: SyncRunRecord = {
      runId: newId(),
      scope,
      startedAt,
      finishedAt: now().toISOString(),
      dryRun: options.dryRun ?? false,
      status,
      ...(reason === undefined ? {} : { reason }),
      planned,
      outcomes,
    };
    await store.saveRun(record);
    return { record, actions };
  };

  if (!settings.enabled) return finish("completed", countPlan([]), [], "module disabled");

  const rows = await store.listRelations(scope);
  const conflicts = await store.listConflicts(scope);
  const cursors: Partial<Record<Side, string>> = {};
  const observations: Partial<Record<Side, SideObservation<T>>> = {};
  try {
    for (const side of ["exchange", "crm"] as const) {
      const observed = await readSide(ports[side], await store.getCursor(scope, side), options.fullResync ?? false);
      observations[side] = await withRereads(ports[side], side, observed, conflicts, rows);
      cursors[side] = observed.cursor;
    }
    for (const side of ["exchange", "crm"] as const) {
      observations[side] = await withMatchesOutsideScope(ports[side], side, observations, rows);
    }
  } catch (error) {
    if (!(error instanceof ConnectorError)) throw error;
    return finish("aborted", countPlan([]), [], `reading failed: ${error.message}`);
  }
  const relations = rows.map((row) => lazyRelation(module, row));
  const touched = touchedBy(observations);
  for (const relation of relations) {
    if (!touched(relation.row)) continue;
    try {
      relation.base;
    } catch (error) {
      // Planning without this pair's base could re-create or mis-merge it: stop, and say which row is bad.
      const reason = `stored merge base of relation ${relation.row.id} is invalid: ${String(error)}`;
      return finish("aborted", countPlan([]), [], reason);
    }
  }
  const context = { module, settings, conflicts };
  // The listings are referenced from here on only by the pairs, which are let go slice by slice below.
  const pairs: (PlanPair<T> | undefined)[] = pairUp(
    observations.exchange as SideObservation<T>,
    observations.crm as SideObservation<T>,
    relations,
    context,
  );
  delete observations.exchange;
  delete observations.crm;
  // A pair's items are unpacked once, just before it is decided, so its actions carry plain items.
  const decidePair = (pair: PlanPair<T>) =>
    decide({ ...pair, exchange: unpacked(pair.exchange), crm: unpacked(pair.crm) }, context);
  const decideAll = (selected: readonly (PlanPair<T> | undefined)[]) =>
    selected.flatMap((pair) => (pair ? (decidePair(pair) ?? []) : []));

  if (options.dryRun) {
    const actions = decideAll(pairs);
    return finish("completed", countPlan(actions), [], "dry run: nothing written", actions);
  }
  // Only pairs with a deleted side can delete (`mayDelete`), so the breaker sees every deletion of the run before
  // anything is written without deciding (and holding) the whole plan.
  const deletions = countPlan(decideAll(pairs.filter((pair) => pair !== undefined && mayDelete(pair))));
  const held = breakerVerdict(deletions, rows.length, options.breaker ?? DEFAULT_BREAKER);
  if (held !== undefined && !options.confirmDeletions) {
    const planned = countPlan([]);
    for (const pair of pairs) countPlan(decideAll([pair]), planned);
    return finish("held", planned, [], held);
  }

  const planned = countPlan([]);
  const outcomes: ItemOutcome[] = [];
  const parked = new Set<string>();
  let failures = 0;
  let abort: ConnectorFailure | undefined;
  let next = 0;
  while (next < pairs.length) {
    const actions: SyncAction<T>[] = [];
    let writes = 0;
    while (next < pairs.length && writes < WRITES_PER_SLICE) {
      const pair = pairs[next];
      pairs[next++] = undefined;
      const action = pair && decidePair(pair);
      if (!action) continue;
      actions.push(action);
      writes += Object.keys(action.writes).length;
    }
    countPlan(actions, planned);
    // After a global failure nothing more is written; the rest of the plan is reported as not attempted.
    const applied: Awaited<ReturnType<typeof applyWrites<T>>> = abort
      ? { results: new Map() }
      : await applyWrites(ports, actions);
    abort ??= applied.abort;
    const slice = await settleSlice({ store, scope, module, conflicts, now, newId }, actions, applied.results, parked);
    failures += slice.failures;
    outcomes.push(...slice.outcomes);
  }
  if (abort) return finish("aborted", planned, outcomes, `${abort.kind}: ${abort.message}`);
  if (failures === 0) {
    // Only a clean run proves that every pair of a conflict that was not parked again has been settled; after a
    // failure the entry is kept, so its items are re-read next run even though the cursors may have moved past them.
    for (const entry of conflicts) {
      if (!parked.has(entry.id)) await store.deleteConflict(scope, entry.id);
    }
    await store.saveCursor(scope, "exchange", cursors.exchange);
    await store.saveCursor(scope, "crm", cursors.crm);
  }
  return finish("completed", planned, outcomes);
}

interface SliceContext<T> {
  readonly store: SyncStateStore;
  readonly scope: SyncScope;
  readonly module: SyncModule<T>;
  readonly conflicts: readonly ConflictEntry[];
  readonly now: () => Date;
  readonly newId: () => string;
}

/**
 * Records what became of a slice's actions once their writes are done: parks conflicts, drops unlinked and forgotten
 * relations, and commits the relation rows of the actions whose writes all succeeded. Returns the outcomes in action
 * order and the number of failed actions; adds the conflicts parked again to `parked`.
 */
async function settleSlice<T>(
  { store, scope, module, conflicts, now, newId }: SliceContext<T>,
  actions: readonly SyncAction<T>[],
  results: ReadonlyMap<number, Partial<Record<Side, ItemResult<RemoteItem<T> | undefined>>>>,
  parked: Set<string>,
): Promise<{ outcomes: ItemOutcome[]; failures: number }> {
  // Outcomes per action, in action order; the relation rows of succeeded actions are committed together below.
  const outcomesOf: ItemOutcome[][] = [];
  const committed: { index: number; row: RelationRow; reason: string }[] = [];
  let failures = 0;
  for (const [index, action] of actions.entries()) {
    const ids = {
      exchangeId: action.exchange?.id ?? action.relation?.exchangeId,
      crmId: action.crm?.id ?? action.relation?.crmId,
    };
    if (action.kind === "skip") {
      outcomesOf.push([{ status: "skipped", ...ids, reason: action.reason }]);
      continue;
    }
    if (action.kind === "conflict") {
      parked.add(action.conflictId);
      const entry = conflictEntry(action, scope, conflicts, now);
      await store.saveConflict(entry);
      // A conflict found again unchanged is not a new one: run totals (the dashboard's conflict counts) count each
      // conflict once, and the item's outcome says it is still waiting for a decision.
      const waiting = conflicts.some((open) => open.id === entry.id && open.detectedAt === entry.detectedAt);
      outcomesOf.push([
        waiting
          ? { status: "skipped", ...ids, reason: `waiting in the conflict queue since ${entry.detectedAt}` }
          : { status: "conflict", ...ids, reason: action.reason },
      ]);
      continue;
    }
    if (action.kind === "unlink") {
      if (action.relation) await store.deleteRelation(scope, action.relation.id);
      outcomesOf.push([{ status: "skipped", ...ids, reason: action.reason }]);
      continue;
    }
    const actionResults = results.get(index) ?? {};
    const failedSide = (["exchange", "crm"] as const).find((side) => {
      const write = action.writes[side];
      return write !== undefined && (actionResults[side] === undefined || failureOf(actionResults[side], write.op));
    });
    if (failedSide) {
      failures++;
      const failure = failureOf(actionResults[failedSide], action.writes[failedSide]?.op ?? "");
      outcomesOf.push([
        failure
          ? {
              status: "error",
              side: failedSide,
              ...ids,
              reason: `${action.reason}: ${failure.message}`,
              failureKind: failure.kind,
            }
          : { status: "skipped", side: failedSide, ...ids, reason: `${action.reason}: not attempted, run aborted` },
      ]);
      continue;
    }
    outcomesOf.push(writeOutcomes(action, actionResults));
    try {
      if (action.kind === "forget") {
        if (action.relation) await store.deleteRelation(scope, action.relation.id);
      } else {
        committed.push({ index, row: relationAfter(module, action, actionResults, newId, now), reason: action.reason });
      }
    } catch (error) {
      failures++;
      outcomesOf[index] = [
        { status: "error", ...ids, reason: `${action.reason}: saving the relation failed: ${String(error)}` },
      ];
    }
  }
  failures += await commitRelations(store, scope, committed, outcomesOf);
  return { outcomes: outcomesOf.flat(), failures };
}

/**
 * Saves the relation rows of the run's succeeded actions in one transaction. If the store refuses the batch (a row
 * would duplicate another pair's id), the rows are saved one by one so that only the refused actions fail, each with
 * its reason. Returns the number of refused rows.
 */
async function commitRelations(
  store: SyncStateStore,
  scope: SyncScope,
  committed: readonly { index: number; row: RelationRow; reason: string }[],
  outcomesOf: ItemOutcome[][],
): Promise<number> {
  try {
    await store.saveRelations(
      scope,
      committed.map((entry) => entry.row),
    );
    return 0;
  } catch {
    let refused = 0;
    for (const { index, row, reason } of committed) {
      try {
        await store.saveRelation(scope, row);
      } catch (error) {
        refused++;
        outcomesOf[index] = [
          {
            status: "error",
            exchangeId: row.exchangeId,
            crmId: row.crmId,
            reason: `${reason}: saving the relation failed: ${String(error)}`,
          },
        ];
      }
    }
    return refused;
  }
}

function relationAfter<T>(
  module: SyncModule<T>,
  action: SyncAction<T>,
  results: Partial<Record<Side, ItemResult<RemoteItem<T> | undefined>>>,
  newId: () => string,
  now: () => Date,
): RelationRow {
  const sideState = (side: Side): { id: string; version: string; hash: string } => {
    const written = results[side];
    const item = written?.ok && written.value ? written.value : action[side];
    if (item) return { id: item.id, version: item.version, hash: sideHash(module, side, item.value) };
    const row = action.relation;
    if (!row) throw new Error("sync engine: a new relation without an item on one side");
    return side === "exchange"
      ? { id: row.exchangeId, version: row.exchangeVersion, hash: row.exchangeHash }
      : { id: row.crmId, version: row.crmVersion, hash: row.crmHash };
  };
  const exchange = sideState("exchange");
  const crm = sideState("crm");
  return {
    id: action.relation?.id ?? newId(),
    exchangeId: exchange.id,
    exchangeVersion: exchange.version,
    exchangeHash: exchange.hash,
    crmId: crm.id,
    crmVersion: crm.version,
    crmHash: crm.hash,
    base: action.value,
    schemaVersion: module.schemaVersion,
    syncedAt: now().toISOString(),
  };
}

function writeOutcomes<T>(
  action: SyncAction<T>,
  results: Partial<Record<Side, ItemResult<RemoteItem<T> | undefined>>>,
): ItemOutcome[] {
  const outcomes: ItemOutcome[] = [];
  const statusOf = { create: "created", update: "updated", delete: "deleted" } as const;
  for (const side of ["exchange", "crm"] as const) {
    const write = action.writes[side];
    if (!write) continue;
    const result = results[side];
    const writtenId = result?.ok ? result.value?.id : undefined;
    const exchangeId =
      side === "exchange"
        ? (writtenId ?? action.relation?.exchangeId)
        : (action.exchange?.id ?? action.relation?.exchangeId);
    const crmId = side === "crm" ? (writtenId ?? action.relation?.crmId) : (action.crm?.id ?? action.relation?.crmId);
    outcomes.push({ status: statusOf[write.op], side, exchangeId, crmId, reason: action.reason });
  }
  if (outcomes.length === 0) {
    outcomes.push({
      status: "unchanged",
      exchangeId: action.exchange?.id,
      crmId: action.crm?.id,
      reason: action.reason,
    });
  }
  return outcomes;
}

function conflictEntry<T>(
  action: SyncAction<T>,
  scope: SyncScope,
  existing: readonly ConflictEntry[],
  now: () => Date,
): ConflictEntry {
  const side = (name: Side) => {
    const item = action[name];
    const row = action.relation;
    if (item) return { id: item.id, version: item.version, value: item.value };
    if (!row) throw new Error("sync engine: conflict without an item or relation");
    const [id, version] = name === "exchange" ? [row.exchangeId, row.exchangeVersion] : [row.crmId, row.crmVersion];
    return { id, version, value: row.base };
  };
  const exchange = side("exchange");
  const crm = side("crm");
  const previous = existing.find((entry) => entry.id === action.conflictId);
  const same = previous?.exchange.version === exchange.version && previous?.crm.version === crm.version;
  return {
    id: action.conflictId,
    scope,
    ...(action.relation ? { relationId: action.relation.id } : {}),
    exchange,
    crm,
    ...(action.relation ? { base: action.relation.base } : {}),
    fields: action.conflictFields ?? [],
    detectedAt: same && previous ? previous.detectedAt : now().toISOString(),
    ...(same && previous?.resolution ? { resolution: previous.resolution } : {}),
  };
}
