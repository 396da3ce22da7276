/**
 * What the Graph connector asks Outlook for, observed on the wire through a recording HTTPS front of the simulator:
 * synced records (events, tasks, contacts) read bodies as plain text, inner `$batch` requests included, while the
 * mail port keeps Outlook's HTML bodies; every request asks for immutable ids, so an id the bridge stored survives the
 * user moving the item to another folder.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CalendarEvent } from "../../../src/model/index.js";
import { connect, mailboxOf, type RunningSimulator, recordingFront, startEmptySimulator } from "./harness.js";

const event: CalendarEvent = {
  subject: "Plain body",
  span: { kind: "timed", start: "2026-12-01T09:00:00Z", end: "2026-12-01T10:00:00Z" },
  timeZone: "UTC",
  body: "line one\nline two",
  attendees: [],
  movedOccurrences: [],
  cancelledOccurrences: [],
  categories: [],
  sensitivity: "normal",
};

describe("Graph connector: body content type", () => {
  let sim: RunningSimulator;
  let front: Awaited<ReturnType<typeof recordingFront>>;
  beforeAll(async () => {
    sim = await startEmptySimulator();
    front = await recordingFront(sim);
  });
  afterAll(async () => {
    await front?.close();
    await sim?.close();
  });

  it("asks for text bodies on every record request and not on mail", async () => {
    const exchange = connect(sim, mailboxOf(sim), { baseUrl: front.url });
    const events = exchange.modules.events;
    if (!events) throw new Error("no events port");
    const [created] = await events.create([{ value: event }]);
    if (!created?.ok) throw new Error("create failed");
    await events.getMany([created.value.id]);
    await events.listChanges(undefined);
    const records = front.seen.filter((request) => /\/(events|calendarView)/.test(request.url));
    expect(records.length).toBeGreaterThan(2);
    for (const request of records) {
      expect(request.prefer).toContain('outlook.body-content-type="text"');
      expect(request.prefer).toContain('IdType="ImmutableId"');
    }

    front.seen.length = 0;
    await exchange.mail?.listMessages(undefined);
    const mail = front.seen.filter((request) => request.url.includes("messages"));
    expect(mail.length).toBeGreaterThan(0);
    for (const request of mail) {
      expect(request.prefer).not.toContain("outlook.body-content-type");
      expect(request.prefer).toContain('IdType="ImmutableId"');
    }
  });

  it("selects cancelledOccurrences (returned only on $select) whenever it reads a series master", async () => {
    const events = connect(sim, mailboxOf(sim), { baseUrl: front.url }).modules.events;
    if (!events) throw new Error("no events port");
    const start = "2026-12-07T09:00:00Z";
    const [created] = await events.create([
      {
        value: {
          ...event,
          subject: "Weekly",
          span: { kind: "timed", start, end: "2026-12-07T10:00:00Z" },
          recurrence: { frequency: "weekly", interval: 1, byWeekday: ["MO"], end: { type: "count", count: 4 } },
          cancelledOccurrences: ["2026-12-14T09:00:00Z"],
        },
      },
    ]);
    if (!created?.ok) throw new Error("create failed");
    expect(created.value.value.cancelledOccurrences).toEqual(["2026-12-14T09:00:00Z"]);
    front.seen.length = 0;
    const [read] = await events.getMany([created.value.id]);
    expect(read?.ok && read.value.value).toMatchObject({
      subject: "Weekly",
      cancelledOccurrences: ["2026-12-14T09:00:00Z"],
    });
    const masterReads = front.seen.filter((request) => request.url.includes(encodeURIComponent(created.value.id)));
    expect(masterReads.length).toBeGreaterThan(0);
    for (const request of masterReads.filter((r) => !r.url.includes("/instances"))) {
      expect(decodeURIComponent(request.url)).toContain("cancelledOccurrences");
    }
  });
});
