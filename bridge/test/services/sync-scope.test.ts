/**
 * The admin's module filters as the engine's scope test: owner (CRM side), Exchange category, and the age of events
 * (a series counts until its last day) and tasks.
 */
import { describe, expect, it } from "vitest";
import type { RemoteItem, Side, SyncModuleName } from "../../src/connectors/port.js";
import type { CalendarEvent } from "../../src/model/event.js";
import { DEFAULT_SYNC_SETTINGS, engineSettings } from "../../src/services/sync-settings.js";

const scope = { zohoUserId: "ann", now: new Date("2026-11-25T12:00:00Z") };

function admits(module: SyncModuleName, item: Partial<RemoteItem<unknown>>, side: Side, pastDays: number | null = 30) {
  const chosen = DEFAULT_SYNC_SETTINGS.modules[module];
  const settings = {
    ...DEFAULT_SYNC_SETTINGS,
    modules: {
      ...DEFAULT_SYNC_SETTINGS.modules,
      [module]: { ...chosen, filters: { ...chosen.filters, pastDays, exchangeCategory: "CRM" } },
    },
  };
  const filter = engineSettings<unknown>(settings, module, scope).filter;
  if (!filter) throw new Error("no scope filter");
  return filter({ id: "1", version: "v", value: { categories: ["crm"] }, ...item }, side);
}

const event = (span: CalendarEvent["span"], recurrence?: CalendarEvent["recurrence"]) => ({
  categories: ["CRM"],
  span,
  ...(recurrence ? { recurrence } : {}),
});

describe("sync scope", () => {
  it("admits CRM records of the mailbox's Zoho user (or without an owner), not a colleague's", () => {
    expect(admits("contacts", { owner: "ann" }, "crm")).toBe(true);
    expect(admits("contacts", {}, "crm")).toBe(true);
    expect(admits("contacts", { owner: "ben" }, "crm")).toBe(false);
    expect(admits("contacts", { owner: "ben" }, "exchange")).toBe(true);
  });

  it("admits Exchange items tagged with the chosen category in any case", () => {
    expect(admits("contacts", { value: { categories: ["Crm", "VIP"] } }, "exchange")).toBe(true);
    expect(admits("contacts", { value: { categories: [] } }, "exchange")).toBe(false);
    expect(admits("contacts", { value: { categories: [] } }, "crm")).toBe(true);
  });

  it("leaves out events and tasks that ended before the window; a series counts until its last day", () => {
    const old = { kind: "timed" as const, start: "2026-09-01T09:00:00Z", end: "2026-09-01T10:00:00Z" };
    expect(admits("events", { value: event(old) }, "exchange")).toBe(false);
    expect(admits("events", { value: event(old) }, "exchange", null)).toBe(true);
    expect(
      admits("events", { value: event({ kind: "allDay", startDate: "2026-11-01", endDate: "2026-11-02" }) }, "crm"),
    ).toBe(true);
    const weekly = { frequency: "weekly" as const, interval: 1, byWeekday: ["MO" as const] };
    expect(admits("events", { value: event(old, { ...weekly, end: { type: "never" } }) }, "crm")).toBe(true);
    expect(
      admits("events", { value: event(old, { ...weekly, end: { type: "until", date: "2026-10-01" } }) }, "crm"),
    ).toBe(false);
    expect(admits("tasks", { value: { categories: ["CRM"], dueDate: "2026-10-01" } }, "crm")).toBe(false);
    expect(admits("tasks", { value: { categories: ["CRM"], dueDate: "2026-11-20" } }, "crm")).toBe(true);
    expect(admits("tasks", { value: { categories: ["CRM"] } }, "crm")).toBe(true);
  });
});
