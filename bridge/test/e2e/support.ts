/**
 * Small helpers the end-to-end suites share: write-counting ports, unwrapping item results, and one module paired
 * between a mailbox and Zoho under each sync rule.
 */
import { DateTime } from "luxon";
import { expect } from "vitest";
import type { RecordPort } from "../../src/connectors/port.js";
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

/** One module synced between one mailbox and Zoho under a rule, with its own state store and counted writes. */
export function pairing<T>(module: SyncModule<T>, exchangePort: RecordPort<T>, crmPort: RecordPort<T>, rule: SyncRule) {
  const exchange = counted(exchangePort);
  const crm = counted(crmPort);
  const store = new MemorySyncStateStore();
  const scope = { mailboxId: "mailbox-1", module: module.name };
  return {
    store,
    scope,
    writes: () => exchange.writes() + crm.writes(),
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

/**
 * The events journey every mailbox backend runs under one rule: a series with a moved and a cancelled occurrence
 * from the mailbox and a single meeting from Zoho are copied as the direction allows; edits are resolved by the rule
 * (two-way) or travel from source to target only (one way); Zoho holds no occurrence exceptions, so writing its side
 * back to the series must keep them. After each sync a repeated sync writes nothing: counted at the ports, and in
 * the simulators' call logs when `wireWrites` is given.
 */
export async function eventsJourney(options: {
  module: SyncModule<CalendarEvent>;
  events: RecordPort<CalendarEvent>;
  crmEvents: RecordPort<CalendarEvent>;
  rule: SyncRule;
  tag: string;
  wireWrites?: () => number;
}): Promise<void> {
  const { events, crmEvents, rule, tag } = options;
  const pair = pairing(options.module, events, crmEvents, rule);
  const quietSync = async () => {
    const before = [pair.writes(), options.wireWrites?.()];
    await pair.sync();
    expect([pair.writes(), options.wireWrites?.()]).toEqual(before);
  };
  const inMailbox = must((await events.create([{ value: series(`Series ${tag}`) }]))[0]);
  const inCrm = must((await crmEvents.create([{ value: meeting(`Meeting ${tag}`) }]))[0]);
  expect(inMailbox.value.movedOccurrences).toHaveLength(1);
  expect(inMailbox.value.cancelledOccurrences).toEqual([occurrence(2)]);
  await pair.sync();
  const subjects = async (port: RecordPort<CalendarEvent>) =>
    (await all(port)).map((value) => value.subject).filter((subject) => subject.endsWith(tag));
  const toCrm = rule.settings.direction !== "crm-to-exchange";
  const toMailbox = rule.settings.direction !== "exchange-to-crm";
  expect((await subjects(crmEvents)).sort()).toEqual(toCrm ? [`Meeting ${tag}`, `Series ${tag}`] : [`Meeting ${tag}`]);
  expect((await subjects(events)).sort()).toEqual(toMailbox ? [`Meeting ${tag}`, `Series ${tag}`] : [`Series ${tag}`]);
  if (toCrm) {
    const crmSeries = await readValue(crmEvents, await pair.partnerOf("exchange", inMailbox.id));
    expect(crmSeries.recurrence).toMatchObject({ frequency: "weekly", byWeekday: ["MO"] });
  }
  if (toMailbox) {
    const copied = await readValue(events, await pair.partnerOf("crm", inCrm.id));
    expect(copied).toMatchObject({ location: "Room 2", span: meeting("").span });
  }
  await quietSync();

  if (rule.settings.direction === "two-way") {
    const crmId = await pair.partnerOf("exchange", inMailbox.id);
    await edit(events, inMailbox.id, (value) => ({ ...value, location: "Exchange room" }));
    await edit(crmEvents, crmId, (value) => ({ ...value, location: "CRM room", body: "agenda" }));
    await pair.sync();
    const winner = rule.settings.conflictRule === "crm-wins" ? "CRM room" : "Exchange room";
    const mailboxSeries = await readValue(events, inMailbox.id);
    expect(mailboxSeries).toMatchObject({ location: winner, body: "agenda" });
    expect(await readValue(crmEvents, crmId)).toMatchObject({ location: winner, body: "agenda" });
    expect(mailboxSeries.movedOccurrences).toEqual(series(`Series ${tag}`).movedOccurrences);
    expect(mailboxSeries.cancelledOccurrences).toEqual([occurrence(2)]);
  } else {
    const [source, target, sourceId] =
      rule.settings.direction === "exchange-to-crm"
        ? ([events, crmEvents, inMailbox.id] as const)
        : ([crmEvents, events, inCrm.id] as const);
    const targetId = await pair.partnerOf(source === events ? "exchange" : "crm", sourceId);
    await edit(source, sourceId, (value) => ({ ...value, location: "moved at the source" }));
    await pair.sync();
    expect(await readValue(target, targetId)).toMatchObject({ location: "moved at the source" });
    await edit(target, targetId, (value) => ({ ...value, subject: `${value.subject} (target edit)` }));
    await pair.sync();
    expect((await readValue(source, sourceId)).subject).not.toContain("target edit");
  }
  await quietSync();
}
