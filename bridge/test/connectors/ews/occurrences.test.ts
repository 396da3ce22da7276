/**
 * Recurring series with exceptions written and read through the EWS connector, ews-javascript-api and the
 * simulator's SOAP stack on 2007 SP1 (MeetingTimeZone), 2010 SP2 and 2016 (responses validated against the release's XSD): moved occurrences (time, subject,
 * location) and cancelled ones travel as OccurrenceItemId writes, and the returned ChangeKey is the master's current
 * one, so the next conditional write is not refused as stale.
 */
import { Appointment, ItemId, ServiceError, ServiceResponseException } from "ews-javascript-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ServerRelease } from "../../../simulators/ews/index.js";
import type { EwsVersionName } from "../../../src/connectors/ews/index.js";
import { EwsSession } from "../../../src/connectors/ews/session.js";
import type { RecordPort } from "../../../src/connectors/port.js";
import type { CalendarEvent } from "../../../src/model/index.js";
import { type Alice2016, connectAlice } from "./alice-2016.js";

const SERVERS: [ServerRelease, EwsVersionName][] = [
  ["2007SP1", "Exchange2007_SP1"],
  ["2010SP2", "Exchange2010_SP2"],
  ["2016", "Exchange2016"],
];

/** Monday 1 June 2026, 09:00 Berlin, then weekly: week n's start as a UTC instant (CEST all along). */
const week = (n: number, hour = 9) =>
  `2026-06-${String(1 + 7 * n).padStart(2, "0")}T${String(hour - 2).padStart(2, "0")}:00:00Z`;

function series(): CalendarEvent {
  return {
    subject: "Weekly review",
    span: { kind: "timed", start: week(0), end: week(0, 10) },
    timeZone: "Europe/Berlin",
    location: "Room 1",
    attendees: [],
    recurrence: { frequency: "weekly", interval: 1, byWeekday: ["MO"], end: { type: "count", count: 4 } },
    movedOccurrences: [
      {
        originalStart: week(1),
        span: { kind: "timed", start: week(1, 14), end: week(1, 15) },
        subject: "Review (afternoon)",
        location: "Room 9",
      },
    ],
    cancelledOccurrences: [week(2)],
    categories: [],
    sensitivity: "normal",
  };
}

const exceptions = (event: CalendarEvent) => ({
  moved: event.movedOccurrences,
  cancelled: event.cancelledOccurrences,
  recurrence: event.recurrence,
});

for (const [release, version] of SERVERS) {
  describe(`EWS series exceptions on ${release}`, () => {
    let alice: Alice2016;
    let events: RecordPort<CalendarEvent>;

    beforeEach(async () => {
      alice = await connectAlice({ release, version, portOptions: { mailboxTimeZone: "UTC" } });
      if (!alice.exchange.modules.events) throw new Error("no events port");
      events = alice.exchange.modules.events;
    });

    afterEach(async () => {
      expect(alice.sim.control.responseViolations()).toEqual([]);
      await alice.close();
    });

    const read = async (id: string) => {
      const [result] = await events.getMany([id]);
      if (!result?.ok) throw new Error("read failed");
      return result.value;
    };

    it("creates a series with a moved and a cancelled occurrence and reads them back, subject and location included", async () => {
      const [created] = await events.create([{ value: series() }]);
      if (!created?.ok) throw new Error(created?.failure.message);
      const stored = await read(created.value.id);
      expect(stored.version).toBe(created.value.version);
      expect(stored.value.movedOccurrences).toEqual(series().movedOccurrences);
      expect(stored.value.cancelledOccurrences).toEqual([week(2)]);
      expect(exceptions(created.value.value)).toEqual(exceptions(stored.value));
    });

    it("moves, reverts and cancels occurrences of an existing series with the ChangeKey it returned", async () => {
      const [created] = await events.create([{ value: series() }]);
      if (!created?.ok) throw new Error(created?.failure.message);
      const next: CalendarEvent = {
        ...created.value.value,
        subject: "Weekly review (new)",
        // Week 1 goes back to the pattern; week 3 moves to 11:00 with the series' subject and location.
        movedOccurrences: [{ originalStart: week(3), span: { kind: "timed", start: week(3, 11), end: week(3, 12) } }],
        cancelledOccurrences: [week(0), week(2)],
      };
      const [updated] = await events.update([
        { id: created.value.id, expectedVersion: created.value.version, value: next },
      ]);
      if (!updated?.ok) throw new Error(updated?.failure.message);
      const stored = await read(created.value.id);
      expect(stored.version).toBe(updated.value.version);
      expect(exceptions(stored.value)).toEqual(exceptions(updated.value.value));
      expect(stored.value).toMatchObject({
        subject: "Weekly review (new)",
        movedOccurrences: next.movedOccurrences,
        cancelledOccurrences: [week(0), week(2)],
      });
      // The returned ChangeKey is current: a further conditional write goes through.
      const [again] = await events.update([
        { id: stored.id, expectedVersion: updated.value.version, value: { ...stored.value, body: "Agenda" } },
      ]);
      expect(again?.ok).toBe(true);
      expect((await read(stored.id)).value.movedOccurrences).toEqual(next.movedOccurrences);
    });

    it("rewrites the exceptions when the pattern changes (Exchange discards them with the old pattern)", async () => {
      const [created] = await events.create([{ value: series() }]);
      if (!created?.ok) throw new Error(created?.failure.message);
      const longer: CalendarEvent = {
        ...created.value.value,
        recurrence: { frequency: "weekly", interval: 1, byWeekday: ["MO"], end: { type: "count", count: 5 } },
      };
      const [updated] = await events.update([
        { id: created.value.id, expectedVersion: created.value.version, value: longer },
      ]);
      if (!updated?.ok) throw new Error(updated?.failure.message);
      const stored = await read(created.value.id);
      expect(stored.value.recurrence?.end).toEqual({ type: "count", count: 5 });
      expect(stored.value.movedOccurrences).toEqual(series().movedOccurrences);
      expect(stored.value.cancelledOccurrences).toEqual([week(2)]);
    });

    it("leaves out an occurrence the pattern does not have, and the simulator refuses an index beyond the series", async () => {
      const outside = { ...series(), cancelledOccurrences: [week(2), week(9)] };
      const [created] = await events.create([{ value: outside }]);
      if (!created?.ok) throw new Error(created?.failure.message);
      expect(created.value.value.cancelledOccurrences).toEqual([week(2)]);

      const session = await EwsSession.open(alice.connection);
      const refused = await Appointment.BindToOccurrence(session.service, new ItemId(created.value.id), 5).catch(
        (e) => e,
      );
      expect(refused).toBeInstanceOf(ServiceResponseException);
      expect((refused as ServiceResponseException).ErrorCode).toBe(
        ServiceError.ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange,
      );
      const cancelled = await Appointment.BindToOccurrence(session.service, new ItemId(created.value.id), 3).catch(
        (e) => e,
      );
      expect((cancelled as ServiceResponseException).ErrorCode).toBe(
        ServiceError.ErrorCalendarOccurrenceIsDeletedFromRecurrence,
      );
      session.service.XHRApi.disconnect();
    });
  });
}
