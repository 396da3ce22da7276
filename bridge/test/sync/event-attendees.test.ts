/**
 * The event module's attendee rules inside the core: a CRM win on the attendees field keeps the types and responses
 * Exchange knew (Zoho holds only addresses), and with `sendInvitations` an Exchange write of an event with
 * attendees asks for invitations (and is counted), one without attendees does not.
 */

import { describe, expect, it } from "vitest";
import { MemoryRecordPort } from "../../src/connectors/memory/index.js";
import type { CalendarEvent } from "../../src/model/index.js";
import { eventSyncModule } from "../../src/model/sync-modules.js";
import { runSync } from "../../src/sync/engine.js";
import { MemorySyncStateStore } from "../../src/sync/memory-state.js";
import { mergePair } from "../../src/sync/merge.js";
import { settingsOf } from "./world.js";

const module = eventSyncModule("graph");

const meeting = (attendees: CalendarEvent["attendees"], subject = "Review"): CalendarEvent => ({
  subject,
  span: { kind: "timed", start: "2026-06-01T09:00:00Z", end: "2026-06-01T10:00:00Z" },
  timeZone: "Europe/Berlin",
  attendees,
  movedOccurrences: [],
  cancelledOccurrences: [],
  categories: [],
  sensitivity: "normal",
});

describe("event attendees in the core", () => {
  it("keeps Exchange's attendee types and responses when the CRM wins the attendees field", () => {
    const base = meeting([{ address: "ann@example.com", name: "Ann", type: "optional", response: "accepted" }]);
    const exchange = meeting([
      { address: "ann@example.com", name: "Ann", type: "optional", response: "declined" },
      { address: "bob@example.com", type: "resource", response: "accepted" },
    ]);
    // Zoho knows addresses only; its mapping fills in required/unknown.
    const crm = meeting([
      { address: "ANN@example.com", type: "required", response: "unknown" },
      { address: "cy@example.com", type: "required", response: "unknown" },
    ]);
    const { value, conflicts } = mergePair(module, { base, exchange, crm }, "two-way", "crm-wins");
    expect(conflicts).toEqual(["attendees"]);
    expect(value.attendees).toEqual([
      { address: "ANN@example.com", name: "Ann", type: "optional", response: "declined" },
      { address: "cy@example.com", type: "required", response: "unknown" },
    ]);
  });

  it("asks Exchange to send invitations only for events with attendees, and counts them", async () => {
    const exchange = new MemoryRecordPort<CalendarEvent>({ module: "events", idPrefix: "ex-" });
    const crm = new MemoryRecordPort<CalendarEvent>({ module: "events", idPrefix: "crm-" });
    crm.userCreate(meeting([{ address: "ann@example.com", type: "required", response: "unknown" }]));
    crm.userCreate(meeting([], "Focus time"));
    const result = await runSync({
      scope: { mailboxId: "m", module: "events" },
      module,
      exchange,
      crm,
      store: new MemorySyncStateStore(),
      settings: { ...settingsOf<CalendarEvent>(), sendInvitations: true },
    });
    expect(result.record.planned.exchange).toMatchObject({ creates: 2, invitations: 1 });
  });
});
