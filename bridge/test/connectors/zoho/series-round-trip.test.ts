/**
 * Recurring events Graph → Zoho → read back (issue #10): a series with attendees, a moved and a cancelled
 * occurrence, in zones whose local date differs from the UTC date at the series' start time, an all-day series, and
 * the sandbox's own seeded "Weekly sync" series; and the Zoho simulator's seeded events (some recurring) the other
 * way. Synced under the manual conflict rule (the product's default "field-merge"), the pair must settle: nothing
 * parked in the conflict queue, and a second sync makes no write on either side.
 */
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGraphSimulator } from "../../../simulators/graph/index.js";
import { type RunningZohoSimulator, startZohoSimulator } from "../../../simulators/zoho/index.js";
import type { RecordPort } from "../../../src/connectors/port.js";
import type { CalendarEvent } from "../../../src/model/index.js";
import { eventSyncModule } from "../../../src/model/sync-modules.js";
import { runSync } from "../../../src/sync/engine.js";
import { MemorySyncStateStore } from "../../../src/sync/memory-state.js";
import { testPki } from "../../support/pki.js";
import { observeWrites } from "../../support/ports.js";
import { connect, mailboxOf } from "../graph/harness.js";
import { connectZoho } from "./support.js";

type GraphSimulator = Awaited<ReturnType<typeof startGraphSimulator>>;

/** A weekly series of six in `zone` at `localTime`, two attendees, its 2nd occurrence moved, its 3rd cancelled. */
function series(subject: string, zone: string, hour: number, minute: number): CalendarEvent {
  const first = DateTime.now().setZone(zone).plus({ weeks: 2 }).startOf("week").set({ hour, minute });
  const at = (weeks: number, hours = 0) =>
    first.plus({ weeks, hours }).toUTC().toISO({ suppressMilliseconds: true }) ?? "";
  return {
    subject,
    span: { kind: "timed", start: at(0), end: at(0, 1) },
    timeZone: zone,
    location: "Room 1",
    body: "agenda",
    attendees: [
      { address: "ann@example.com", name: "Ann", type: "required", response: "unknown" },
      { address: "bob@example.com", type: "optional", response: "unknown" },
    ],
    reminderMinutesBefore: 15,
    recurrence: { frequency: "weekly", interval: 1, byWeekday: ["MO"], end: { type: "count", count: 6 } },
    movedOccurrences: [{ originalStart: at(1), span: { kind: "timed", start: at(1, 2), end: at(1, 3) } }],
    cancelledOccurrences: [at(2)],
    categories: [],
    sensitivity: "normal",
  };
}

/** A weekly two-day all-day series of four, its second occurrence cancelled. */
function allDaySeries(subject: string, zone: string): CalendarEvent {
  const first = DateTime.now().setZone(zone).plus({ weeks: 3 }).startOf("week");
  const date = (weeks: number, days = 0) => first.plus({ weeks, days }).toISODate() ?? "";
  return {
    subject,
    span: { kind: "allDay", startDate: date(0), endDate: date(0, 2) },
    timeZone: zone,
    attendees: [{ address: "ann@example.com", type: "required", response: "unknown" }],
    recurrence: { frequency: "weekly", interval: 1, byWeekday: ["MO"], end: { type: "count", count: 4 } },
    movedOccurrences: [],
    cancelledOccurrences: [date(1)],
    categories: [],
    sensitivity: "normal",
  };
}

describe("recurring events Graph → Zoho → read back", () => {
  let zoho: RunningZohoSimulator;
  let graph: GraphSimulator;
  beforeAll(async () => {
    const pki = await testPki();
    [zoho, graph] = await Promise.all([
      startZohoSimulator({
        pki,
        seed: { users: 1, accounts: 2, contacts: 4, leads: 2, deals: 0, events: 10, tasks: 0 },
      }),
      startGraphSimulator({
        pki,
        seed: {
          users: 2,
          contactsPerUser: 0,
          eventsPerUser: 2,
          recurringPerUser: 2,
          tasksPerUser: 0,
          messagesPerUser: 0,
        },
      }),
    ]);
  });
  afterAll(async () => {
    await graph?.close();
    await zoho?.close();
  });

  it("settles with no conflict, and a second sync writes nothing", async () => {
    const address = mailboxOf(graph);
    const events = connect(graph, address).modules.events as RecordPort<CalendarEvent>;
    for (const value of [
      series("Late evening in Los Angeles", "America/Los_Angeles", 22, 30),
      series("Early morning in Tokyo", "Asia/Tokyo", 7, 0),
      allDaySeries("Offsite in Sydney", "Australia/Sydney"),
    ]) {
      const [created] = await events.create([{ value }]);
      expect(created?.ok).toBe(true);
    }
    const { crm } = await connectZoho(zoho);
    let writes = 0;
    const count = () => {
      writes += 1;
    };
    const store = new MemorySyncStateStore();
    const scope = { mailboxId: address, module: "events" } as const;
    const sync = async () => {
      const run = await runSync({
        scope,
        module: eventSyncModule("graph"),
        exchange: observeWrites(events, count),
        crm: observeWrites(crm.modules.events, count),
        store,
        settings: { enabled: true, modificationBeatsDeletion: true, direction: "two-way", conflictRule: "manual" },
      });
      expect(run.record.status).toBe("completed");
      return run.record.outcomes;
    };

    const first = await sync();
    const created = (side: "exchange" | "crm") =>
      first.filter((outcome) => outcome.status === "created" && outcome.side === side).length;
    // Mailbox: two seeded "Weekly sync" series and the two above; CRM: its ten seeded events, some recurring.
    expect([created("crm"), created("exchange"), first.length]).toEqual([5, 10, 15]);
    const again = await sync();
    expect(again.filter((outcome) => outcome.status !== "unchanged")).toEqual([]);
    expect(await store.listConflicts(scope)).toEqual([]);
    const written = writes;
    await sync();
    expect(writes).toBe(written);
  });
});
