/**
 * How many Graph calls an initial read of a calendar costs (issue #6): the calendarView delta pages, plus one
 * `$batch` per 20 recurring series for their masters (pattern, moved and cancelled occurrences in one GET each) —
 * no per-series GET or `/instances` call. Counted by the simulator (a `$batch` counts as itself and as each inner
 * request), not timed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGraphSimulator } from "../../../simulators/graph/index.js";
import { testPki } from "../../support/pki.js";
import { drainChanges } from "../contract.js";
import { connect, mailboxOf, type RunningSimulator } from "./harness.js";

const EVENTS = 400;
const SERIES = 90;

describe("Graph connector: calls of an initial calendar read", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startGraphSimulator({
      pki: await testPki(),
      seed: {
        users: 2,
        contactsPerUser: 0,
        eventsPerUser: EVENTS,
        recurringPerUser: SERIES,
        tasksPerUser: 0,
        messagesPerUser: 0,
      },
    });
  });
  afterAll(() => sim?.close());

  it("reads every series with its exceptions in delta pages plus one $batch per 20 series", async () => {
    const events = connect(sim, mailboxOf(sim)).modules.events;
    if (!events) throw new Error("no events port");
    sim.control.resetCallCounts();
    const read = await drainChanges(events, undefined);
    const calls = sim.control.callCounts();

    expect(read.upserts.size).toBe(EVENTS);
    const series = [...read.upserts.values()].filter((item) => item.value.recurrence !== undefined);
    expect(series).toHaveLength(SERIES);
    // The seed moves each series' second occurrence and cancels its third: both must come with the master.
    for (const item of series) {
      expect(item.value.movedOccurrences).toHaveLength(1);
      expect(item.value.cancelledOccurrences).toHaveLength(1);
    }
    const pages = calls["graph.GET /users/{id}/calendarView/delta"] ?? 0;
    // Each delta page's series are read in one batch run; a series seen on two pages is read once per page.
    expect(calls["graph.POST /$batch"]).toBeLessThanOrEqual(Math.ceil(SERIES / 20) + pages);
    expect(calls["graph.GET /users/{id}/events/{id}"]).toBe(SERIES);
    expect(calls["graph.GET /users/{id}/events/{id}/instances"]).toBeUndefined();
    // Nothing else reached Graph (the inner GETs of the batches are counted apart from the batches themselves).
    expect(
      Object.keys(calls)
        .filter((endpoint) => endpoint.startsWith("graph."))
        .sort(),
    ).toEqual(["graph.GET /users/{id}/calendarView/delta", "graph.GET /users/{id}/events/{id}", "graph.POST /$batch"]);
  });
});
