/**
 * Transport failures (issue #10: "Graph events sync once aborted with 'fetch failed' under load"): a request whose
 * connection is reset or whose body is cut off is repeated with back-off when repeating it is safe (reads, and
 * `$batch`es of reads), and is not repeated when it may have created an item (a `$batch` carrying a POST).
 * Faults are drawn by the simulator from a fixed seed, so every run sees the same sequence.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { contact, event, task } from "../../faults/support.js";
import { connect, mailboxOf, type RunningSimulator, recordingFront, startEmptySimulator } from "./harness.js";

describe("Graph transport: transient network failures", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startEmptySimulator();
  });
  afterAll(() => sim?.close());
  beforeEach(() => sim.control.setFaults(undefined));

  it("reads again after a reset connection or a cut-off body, until the answer arrives", async () => {
    const events = connect(sim, mailboxOf(sim)).modules.events;
    if (!events) throw new Error("no events port");
    const [created] = await events.create([{ value: event("resets", 1) }]);
    if (!created?.ok) throw new Error("create failed");
    sim.control.resetCallCounts();
    // Seed 19 at rate 0.5: the first read is reset, the second cut off, the third answered.
    sim.control.setFaults({ rate: 0.5, kinds: ["reset", "truncated"], seed: 19, endpoints: /calendarView\/delta$/ });
    const page = await events.listChanges(undefined);
    expect(page.changes.map((change) => change.kind === "upsert" && change.item.value.subject)).toEqual([
      "Meeting resets1",
    ]);
    expect(sim.control.callCounts()["graph.GET /users/{id}/calendarView/delta"]).toBe(3);

    sim.control.resetCallCounts();
    // Seed 7: the first batch is reset, the second answered.
    sim.control.setFaults({ rate: 0.5, kinds: ["reset"], seed: 7, endpoints: /\$batch$/ });
    const [read] = await events.getMany([created.value.id]);
    expect(read?.ok && read.value.value.subject).toBe("Meeting resets1");
    expect(sim.control.callCounts()["graph.POST /$batch"]).toBe(2);
  });

  it("does not repeat a $batch that may have created items: the write fails as transient, once", async () => {
    // Contacts: an event create carries Graph's idempotency key (transactionId) and is repeated (faults/connections).
    const contacts = connect(sim, mailboxOf(sim)).modules.contacts;
    if (!contacts) throw new Error("no contacts port");
    sim.control.resetCallCounts();
    sim.control.setFaults({ rate: 1, kinds: ["reset"], seed: 1, endpoints: /\$batch$/ });
    await expect(contacts.create([{ value: contact("maybe", 1) }])).rejects.toMatchObject({
      failure: { kind: "transient" },
    });
    expect(sim.control.callCounts()["graph.POST /$batch"]).toBe(1);
  });
});

describe("Graph transport: the mailbox's concurrency limit", () => {
  let sim: RunningSimulator;
  let front: Awaited<ReturnType<typeof recordingFront>>;
  beforeAll(async () => {
    sim = await startEmptySimulator();
    front = await recordingFront(sim, 20);
  });
  afterAll(async () => {
    await front?.close();
    await sim?.close();
  });

  it("keeps a mailbox's modules, writing at the same time, within 4 requests in flight", async () => {
    const { contacts, events, tasks } = connect(sim, mailboxOf(sim), { baseUrl: front.url }).modules;
    if (!contacts || !events || !tasks) throw new Error("a module is missing");
    const many = <T>(make: (side: string, n: number) => T) =>
      Array.from({ length: 100 }, (_, n) => ({ value: make("limit", n) }));
    const results = await Promise.all([
      contacts.create(many(contact)),
      events.create(many(event)),
      tasks.create(many(task)),
    ]);
    expect(results.flat().filter((result) => !result.ok)).toEqual([]);
    // 300 writes in 15 chained batches of 20, never more than Outlook's 4 concurrent requests per mailbox.
    expect(front.seen.filter((request) => request.url.endsWith("/$batch"))).toHaveLength(15);
    expect(front.mostInFlight()).toBe(4);
  });
});
