/**
 * The core with the model's real `SyncModule`s (Contact, CalendarEvent, Task; Graph and EWS field sets, Zoho
 * Contacts and Leads) over in-memory sides that keep only the fields each side holds. Random records: one sync copies
 * them across (equal on the shared fields, in the module's own comparison), a second sync writes nothing, and a
 * re-install with the state lost matches everything instead of creating duplicates.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MemoryRecordPort } from "../../src/connectors/memory/index.js";
import type { Side } from "../../src/connectors/port.js";
import type { CalendarEvent } from "../../src/model/index.js";
import { contactSyncModule, eventSyncModule, taskSyncModule } from "../../src/model/sync-modules.js";
import { equalOnSide, sharedFields } from "../../src/sync/compare.js";
import { runSync } from "../../src/sync/engine.js";
import { MemorySyncStateStore } from "../../src/sync/memory-state.js";
import type { SyncModule } from "../../src/sync/module.js";
import { contact, event, task } from "../mapping/arbitraries.js";
import { settingsOf } from "./world.js";

/** What a side's mapping puts into the canonical value for required fields it cannot hold. */
const EMPTY: Record<string, object> = {
  contacts: { categories: [] },
  events: { attendees: [], movedOccurrences: [], cancelledOccurrences: [], categories: [], sensitivity: "normal" },
  tasks: { categories: [], status: "notStarted", priority: "normal" },
};

function sideOf<T>(module: SyncModule<T>, side: Side): MemoryRecordPort<T> {
  return new MemoryRecordPort<T>({
    module: module.name,
    idPrefix: side === "exchange" ? "ex-" : "crm-",
    holds: module.sideFields[side],
    fill: (kept) => ({ ...EMPTY[module.name], ...kept }) as T,
  });
}

async function copiesAcrossWithoutDuplicates<T>(
  module: SyncModule<T>,
  values: readonly T[],
  from: Side,
): Promise<void> {
  const ports = { exchange: sideOf(module, "exchange"), crm: sideOf(module, "crm") };
  for (const value of values) ports[from].userCreate(value);
  const run = (store: MemorySyncStateStore, exchange = ports.exchange, crm = ports.crm) =>
    runSync({
      scope: { mailboxId: "m", module: module.name },
      module,
      exchange,
      crm,
      store,
      settings: settingsOf<T>(),
    });
  const store = new MemorySyncStateStore();
  const first = await run(store);
  expect(first.record.outcomes.filter((outcome) => outcome.status === "error")).toEqual([]);
  const to = from === "exchange" ? "crm" : "exchange";
  // Equal records may legitimately match each other, so count pairs rather than items.
  const relations = await store.listRelations({ mailboxId: "m", module: module.name });
  expect(ports[to].snapshot()).toHaveLength(relations.length);
  for (const row of relations) {
    const exchangeItem = ports.exchange.get(row.exchangeId);
    const crmItem = ports.crm.get(row.crmId);
    if (!exchangeItem || !crmItem) throw new Error(`relation ${row.id} points at a missing item`);
    const shared = sharedFields(module);
    const sharedModule = { ...module, sideFields: { exchange: shared, crm: shared } };
    expect(equalOnSide(sharedModule, "exchange", exchangeItem.value, crmItem.value)).toBe(true);
  }
  const writes = ports.exchange.writeCalls() + ports.crm.writeCalls();
  await run(store);
  expect(ports.exchange.writeCalls() + ports.crm.writeCalls()).toBe(writes);

  // Re-install: both sides as they are, no state: everything is matched, nothing created.
  const reinstalled = { exchange: sideOf(module, "exchange"), crm: sideOf(module, "crm") };
  for (const side of ["exchange", "crm"] as const) {
    for (const item of ports[side].snapshot()) reinstalled[side].userCreate(item.value);
  }
  const again = await run(new MemorySyncStateStore(), reinstalled.exchange, reinstalled.crm);
  expect(again.record.outcomes.filter((outcome) => outcome.status === "created")).toEqual([]);
}

const records = <T>(arbitrary: fc.Arbitrary<T>) => fc.array(arbitrary, { minLength: 1, maxLength: 4 });
const sides = fc.constantFrom<Side>("exchange", "crm");

describe("sync core with the model's modules", () => {
  for (const api of ["graph", "ews"] as const) {
    for (const zoho of ["Contacts", "Leads"] as const) {
      it(`contacts (${api}, Zoho ${zoho})`, async () => {
        const module = contactSyncModule(api, zoho);
        await fc.assert(
          fc.asyncProperty(records(contact), sides, (values, from) =>
            copiesAcrossWithoutDuplicates(module, values, from),
          ),
          { numRuns: 25 },
        );
      });
    }
    it(`events (${api})`, async () => {
      const module = eventSyncModule(api);
      await fc.assert(
        fc.asyncProperty(records(event()), sides, (values, from) =>
          copiesAcrossWithoutDuplicates(module, values, from),
        ),
        { numRuns: 25 },
      );
    });
  }
  it("tasks", async () => {
    const module = taskSyncModule();
    await fc.assert(
      fc.asyncProperty(records(task), sides, (values, from) => copiesAcrossWithoutDuplicates(module, values, from)),
      { numRuns: 25 },
    );
  });

  it("keeps namesakes and same-titled meetings apart when their e-mails or attendees differ, pairs them otherwise", async () => {
    const pairsAfterFirstSync = async <T>(module: SyncModule<T>, exchange: readonly T[], crm: readonly T[]) => {
      const ports = { exchange: sideOf(module, "exchange"), crm: sideOf(module, "crm") };
      for (const value of exchange) ports.exchange.userCreate(value);
      for (const value of crm) ports.crm.userCreate(value);
      const store = new MemorySyncStateStore();
      const scope = { mailboxId: "m", module: module.name };
      await runSync({ scope, module, exchange: ports.exchange, crm: ports.crm, store, settings: settingsOf<T>() });
      const conflicts = await store.listConflicts(scope);
      return { pairs: (await store.listRelations(scope)).length, conflicts: conflicts.length };
    };
    const johanna = { givenName: "Johanna", surname: "Holloway", companyName: "Woodgrove Bank", categories: [] };
    const contacts = contactSyncModule("graph", "Contacts");
    // Two people: each side's copy goes across, nothing is merged.
    expect(
      await pairsAfterFirstSync(
        contacts,
        [{ ...johanna, email1: "johanna.holloway9@woodgrove.example", jobTitle: "Engineer" }],
        [{ ...johanna, email1: "johanna.holloway2@woodgrove.example", jobTitle: "CFO" }],
      ),
    ).toEqual({ pairs: 2, conflicts: 0 });
    // One person: an address in common, or none to tell them apart.
    expect(
      await pairsAfterFirstSync(
        contacts,
        [{ ...johanna, email1: "jh@woodgrove.example" }],
        [{ ...johanna, email1: "other@woodgrove.example", email2: "JH@woodgrove.example" }],
      ),
    ).toMatchObject({ pairs: 1 });
    expect(await pairsAfterFirstSync(contacts, [johanna], [{ ...johanna, email1: "jh@woodgrove.example" }])).toEqual({
      pairs: 1,
      conflicts: 0,
    });

    const events = eventSyncModule("graph");
    const weeklySync: Omit<CalendarEvent, "attendees"> = {
      subject: "Weekly sync",
      span: { kind: "timed", start: "2026-12-07T08:00:00Z", end: "2026-12-07T09:00:00Z" },
      movedOccurrences: [],
      cancelledOccurrences: [],
      categories: [],
      sensitivity: "normal",
    };
    const attendee = (address: string): CalendarEvent["attendees"][number] => ({
      address,
      type: "required",
      response: "unknown",
    });
    expect(
      await pairsAfterFirstSync(
        events,
        [{ ...weeklySync, attendees: [attendee("diegos@contoso.example")] }],
        [{ ...weeklySync, attendees: [attendee("leeg@contoso.example")] }],
      ),
    ).toEqual({ pairs: 2, conflicts: 0 });
    expect(
      await pairsAfterFirstSync(
        events,
        [{ ...weeklySync, attendees: [attendee("diegos@contoso.example")] }],
        [{ ...weeklySync, attendees: [attendee("Diegos@contoso.example")] }],
      ),
    ).toEqual({ pairs: 1, conflicts: 0 });
  });
});
