/**
 * Small helpers the end-to-end suites share: write-counting ports, unwrapping item results, and one module paired
 * between a mailbox and Zoho under each sync rule.
 */
import { DateTime } from "luxon";
import { expect } from "vitest";
import type { RunningZohoSimulator } from "../../simulators/zoho/index.js";
import type { RecordPort, Side } from "../../src/connectors/port.js";
import type { CalendarEvent } from "../../src/model/index.js";
import { runSync } from "../../src/sync/engine.js";
import { MemorySyncStateStore } from "../../src/sync/memory-state.js";
import type { SyncModule } from "../../src/sync/module.js";
import type { ModuleSettings } from "../../src/sync/plan.js";
import { observeWrites } from "../support/ports.js";

/** A record port whose write calls are counted, so "a repeated sync writes nothing" is measured, not assumed. */
export function counted<T>(port: RecordPort<T>): RecordPort<T> & { writes: () => number } {
  let writes = 0;
  return {
    ...observeWrites(port, () => {
      writes++;
    }),
    writes: () => writes,
  };
}

/** The value of a successful item result; throws with the failure message otherwise. */
export function must<V>(result: { ok: true; value: V } | { ok: false; failure: { message: string } } | undefined): V {
  if (!result?.ok) throw new Error(`write failed: ${result ? result.failure.message : "no result"}`);
  return result.value;
}

/** The conflict rules and directions every end-to-end module test runs under. */
export interface SyncRule {
  readonly name: string;
  readonly settings: Pick<ModuleSettings<unknown>, "direction" | "conflictRule">;
}

export const SYNC_RULES: readonly SyncRule[] = [
  { name: "two-way, CRM wins", settings: { direction: "two-way", conflictRule: "crm-wins" } },
  { name: "two-way, Exchange wins", settings: { direction: "two-way", conflictRule: "exchange-wins" } },
  { name: "Exchange → CRM only", settings: { direction: "exchange-to-crm", conflictRule: "crm-wins" } },
  { name: "CRM → Exchange only", settings: { direction: "crm-to-exchange", conflictRule: "crm-wins" } },
];

/** Write calls answered by an EWS simulator (`control.callCounts()`), the way the simulator counted them. */
const EWS_WRITES = new Set(["ews.CreateItem", "ews.UpdateItem", "ews.DeleteItem"]);
export function ewsWireWrites(sim: { control: { callCounts(): Record<string, number> } }): number {
  return Object.entries(sim.control.callCounts())
    .filter(([endpoint]) => EWS_WRITES.has(endpoint))
    .reduce((sum, [, count]) => sum + count, 0);
}

/** Write calls answered by the Zoho simulator. */
const ZOHO_WRITES = new Set(["records.insert", "records.update", "records.delete", "records.upsert"]);
export function zohoWireWrites(zoho: RunningZohoSimulator): number {
  return zoho.control.totalCalls((endpoint) => ZOHO_WRITES.has(endpoint));
}

/**
 * One module synced between one mailbox and Zoho under a rule, with its own state store and counted writes.
 * `wireWrites` counts the write calls the simulators answered, so `quietSync` proves "nothing written" on the wire
 * as well as at the ports.
 */
export function pairing<T>(
  module: SyncModule<T>,
  exchangePort: RecordPort<T>,
  crmPort: RecordPort<T>,
  rule: SyncRule,
  wireWrites?: () => number,
) {
  const exchange = counted(exchangePort);
  const crm = counted(crmPort);
  const store = new MemorySyncStateStore();
  const scope = { mailboxId: "mailbox-1", module: module.name };
  const pair = {
    store,
    scope,
    writes: () => exchange.writes() + crm.writes(),
    /** A sync that must write nothing: counted at both ports and, with `wireWrites`, by the simulators. */
    async quietSync() {
      const before = [pair.writes(), wireWrites?.()];
      await pair.sync();
      expect([pair.writes(), wireWrites?.()]).toEqual(before);
    },
    async sync() {
      const run = await runSync({
        scope,
        module,
        exchange,
        crm,
        store,
        settings: { enabled: true, modificationBeatsDeletion: true, ...rule.settings },
      });
      expect(run.record.outcomes.filter((outcome) => outcome.status === "error")).toEqual([]);
      expect(run.record.status).toBe("completed");
      return run;
    },
    async partnerOf(side: "exchange" | "crm", id: string): Promise<string> {
      const rows = await store.listRelations(scope);
      const row = rows.find((candidate) => (side === "exchange" ? candidate.exchangeId : candidate.crmId) === id);
      if (!row) throw new Error(`no relation for ${id}`);
      return side === "exchange" ? row.crmId : row.exchangeId;
    },
  };
  return pair;
}

export async function readValue<T>(port: RecordPort<T>, id: string): Promise<T> {
  const [item] = await port.getMany([id]);
  return must(item).value;
}

/** Reads the item and writes `change` of it back, conditional on the version read. */
export async function edit<T>(port: RecordPort<T>, id: string, change: (value: T) => T): Promise<void> {
  const [item] = await port.getMany([id]);
  const current = must(item);
  must((await port.update([{ id, expectedVersion: current.version, value: change(current.value) }]))[0]);
}

/** Every value of a full listing. */
export async function all<T>(port: RecordPort<T>): Promise<T[]> {
  const values: T[] = [];
  let token: string | undefined;
  do {
    const page = await port.listAll(token);
    values.push(...page.items.map((item) => item.value));
    token = page.nextPageToken;
  } while (token);
  return values;
}

/** Monday 09:00 UTC about two weeks ahead, so a whole series lies in any connector's calendar window. */
const SERIES_START = DateTime.utc().plus({ weeks: 2 }).startOf("week").set({ hour: 9 });
const isoOf = (time: DateTime) => time.toISO({ suppressMilliseconds: true }) ?? "";
/** The start of the series' occurrence in week `week`, shifted by `hours`. */
export const occurrence = (week: number, hours = 0) => isoOf(SERIES_START.plus({ weeks: week, hours }));

/** A weekly series of six, its second occurrence moved to the afternoon under its own subject, its third cancelled. */
export const series = (subject: string): CalendarEvent => ({
  subject,
  span: { kind: "timed", start: occurrence(0), end: occurrence(0, 1) },
  timeZone: "UTC",
  location: "Room 1",
  attendees: [],
  recurrence: { frequency: "weekly", interval: 1, byWeekday: ["MO"], end: { type: "count", count: 6 } },
  movedOccurrences: [
    {
      originalStart: occurrence(1),
      span: { kind: "timed", start: occurrence(1, 5), end: occurrence(1, 6) },
      subject: `${subject} (afternoon)`,
    },
  ],
  cancelledOccurrences: [occurrence(2)],
  categories: [],
  sensitivity: "normal",
});

export const meeting = (subject: string): CalendarEvent => ({
  subject,
  span: { kind: "timed", start: occurrence(0, 3), end: occurrence(0, 4) },
  location: "Room 2",
  attendees: [{ address: "ann@example.com", type: "required", response: "unknown" }],
  movedOccurrences: [],
  cancelledOccurrences: [],
  categories: [],
  sensitivity: "normal",
});

/** What a module journey needs to know of its values. */
export interface JourneyValues<T> {
  /** The value of the item that starts on `side`, named `name`. */
  make(side: Side, name: string): T;
  nameOf(value: T): string;
  /** The target's own edit under a one-way rule, which must never travel back. */
  rename(value: T, suffix: string): T;
  /** One field edited differently on each side at once; a field edited on one side only rides along. */
  readonly conflict: { readonly exchange: Partial<T>; readonly crm: Partial<T> };
  /** What both sides hold once the rule settled the conflict in favour of `winner`. */
  settled(winner: Side): Partial<T>;
  /** The source's edit under a one-way rule, which must reach the target. */
  readonly sourceEdit: Partial<T>;
}

/**
 * The journey every module runs on every mailbox backend under one rule: an item from the mailbox and one from Zoho
 * are copied as the direction allows; edits are resolved by the rule (two-way: the same field edited on both sides
 * goes to the winner, a field edited on one side only is kept) or travel from source to target only (one way).
 * After each step a repeated sync writes nothing: counted at the ports, and in the simulators' call logs when
 * `wireWrites` is given. `afterCopy` and `afterConflict` add a module's own checks.
 */
export async function moduleJourney<T>(options: {
  module: SyncModule<T>;
  exchange: RecordPort<T>;
  crm: RecordPort<T>;
  rule: SyncRule;
  tag: string;
  values: JourneyValues<T>;
  wireWrites?: () => number;
  /** `created`: the mailbox item as its create returned it; `crm`/`exchange`: the copies made, where the rule allows. */
  afterCopy?(copies: { created: T; crm?: T; exchange?: T }): void;
  afterConflict?(inMailbox: T): void;
}): Promise<void> {
  const { exchange, crm, rule, tag, values } = options;
  const pair = pairing(options.module, exchange, crm, rule, options.wireWrites);
  const inMailbox = must((await exchange.create([{ value: values.make("exchange", `Mailbox ${tag}`) }]))[0]);
  const inCrm = must((await crm.create([{ value: values.make("crm", `CRM ${tag}`) }]))[0]);
  await pair.sync();
  const names = async (port: RecordPort<T>) =>
    (await all(port))
      .map((value) => values.nameOf(value))
      .filter((name) => name.endsWith(tag))
      .sort();
  const toCrm = rule.settings.direction !== "crm-to-exchange";
  const toMailbox = rule.settings.direction !== "exchange-to-crm";
  expect(await names(crm)).toEqual(toCrm ? [`CRM ${tag}`, `Mailbox ${tag}`] : [`CRM ${tag}`]);
  expect(await names(exchange)).toEqual(toMailbox ? [`CRM ${tag}`, `Mailbox ${tag}`] : [`Mailbox ${tag}`]);
  options.afterCopy?.({
    created: inMailbox.value,
    crm: toCrm ? await readValue(crm, await pair.partnerOf("exchange", inMailbox.id)) : undefined,
    exchange: toMailbox ? await readValue(exchange, await pair.partnerOf("crm", inCrm.id)) : undefined,
  });
  await pair.quietSync();

  if (rule.settings.direction === "two-way") {
    const crmId = await pair.partnerOf("exchange", inMailbox.id);
    await edit(exchange, inMailbox.id, (value) => ({ ...value, ...values.conflict.exchange }));
    await edit(crm, crmId, (value) => ({ ...value, ...values.conflict.crm }));
    await pair.sync();
    const settled = values.settled(rule.settings.conflictRule === "crm-wins" ? "crm" : "exchange");
    const mailboxValue = await readValue(exchange, inMailbox.id);
    expect(mailboxValue).toMatchObject(settled);
    expect(await readValue(crm, crmId)).toMatchObject(settled);
    options.afterConflict?.(mailboxValue);
  } else {
    const [source, target, sourceId] =
      rule.settings.direction === "exchange-to-crm"
        ? ([exchange, crm, inMailbox.id] as const)
        : ([crm, exchange, inCrm.id] as const);
    const targetId = await pair.partnerOf(source === exchange ? "exchange" : "crm", sourceId);
    await edit(source, sourceId, (value) => ({ ...value, ...values.sourceEdit }));
    await pair.sync();
    expect(await readValue(target, targetId)).toMatchObject(values.sourceEdit);
    await edit(target, targetId, (value) => values.rename(value, " (target edit)"));
    await pair.sync();
    expect(values.nameOf(await readValue(source, sourceId))).not.toContain("target edit");
  }
  await pair.quietSync();
}

/**
 * The events journey every mailbox backend runs under one rule (`moduleJourney`): a series with a moved and a
 * cancelled occurrence starts in the mailbox, a single meeting in Zoho. Zoho holds no occurrence exceptions, so
 * writing its side back to the series must keep them.
 */
export function eventsJourney(options: {
  module: SyncModule<CalendarEvent>;
  events: RecordPort<CalendarEvent>;
  crmEvents: RecordPort<CalendarEvent>;
  rule: SyncRule;
  tag: string;
  wireWrites?: () => number;
}): Promise<void> {
  const { tag } = options;
  return moduleJourney({
    ...options,
    exchange: options.events,
    crm: options.crmEvents,
    values: {
      make: (side, name) => (side === "exchange" ? series(name) : meeting(name)),
      nameOf: (value) => value.subject,
      rename: (value, suffix) => ({ ...value, subject: `${value.subject}${suffix}` }),
      conflict: { exchange: { location: "Exchange room" }, crm: { location: "CRM room", body: "agenda" } },
      settled: (winner) => ({ location: winner === "crm" ? "CRM room" : "Exchange room", body: "agenda" }),
      sourceEdit: { location: "moved at the source" },
    },
    afterCopy: (copied) => {
      expect(copied.created.movedOccurrences).toHaveLength(1);
      expect(copied.created.cancelledOccurrences).toEqual([occurrence(2)]);
      if (copied.crm) expect(copied.crm.recurrence).toMatchObject({ frequency: "weekly", byWeekday: ["MO"] });
      if (copied.exchange) expect(copied.exchange).toMatchObject({ location: "Room 2", span: meeting("").span });
    },
    afterConflict: (inMailbox) => {
      expect(inMailbox.movedOccurrences).toEqual(series(`Mailbox ${tag}`).movedOccurrences);
      expect(inMailbox.cancelledOccurrences).toEqual([occurrence(2)]);
    },
  });
}
