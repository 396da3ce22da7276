import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Conflict } from "../../src/api/admin.js";
import { DashboardPage } from "../src/pages/DashboardPage.js";
import { conflict, dashboard, hold, runs } from "./support/fixtures.js";
import { renderWithClient } from "./support/render.js";

describe("dashboard", () => {
  it("shows counts per module and direction, initial-sync progress, the chart and throttling", async () => {
    renderWithClient(<DashboardPage />, {
      dashboard: () => dashboard,
      conflicts: () => ({ conflicts: [] }),
      holds: () => ({ holds: [] }),
      runs: () => runs,
    });
    const totals = await screen.findByRole("table", { name: "Synced items per module and direction" });
    expect(totals.querySelector('[data-row="contacts:zoho-to-exchange"] [data-count="creates"]')?.textContent).toBe(
      "42",
    );
    expect(document.querySelector('[data-figure="Items synced"]')?.textContent).toBe("57");
    expect(screen.getByText("Contacts: 30 of 120 items")).toBeTruthy();
    const progress = screen.getByRole("progressbar", { name: "ada@contoso.com Contacts initial sync" });
    expect(progress.getAttribute("aria-valuenow")).toBe("0.25");
    // A module whose first run has not finished has no counts yet: an empty bar, not a full "0 of 0".
    expect(screen.getByText("Calendar: waiting for its first run")).toBeTruthy();
    const waiting = screen.getByRole("progressbar", { name: "ada@contoso.com Calendar initial sync" });
    expect(waiting.getAttribute("aria-valuenow")).toBe("0");
    expect(screen.getByRole("img", { name: /50 synced, 2 errors/ })).toBeTruthy();
    expect(screen.getByText(/Throttled by Exchange until/)).toBeTruthy();
    expect(screen.getByText(/ErrorServerBusy/)).toBeTruthy();
    expect(screen.getByText("No conflicts wait for a decision.")).toBeTruthy();
    expect(screen.getByText("No deletions are on hold.")).toBeTruthy();
    const history = await screen.findByRole("table", { name: "Recent sync runs" });
    expect(history.textContent).toContain("Ada Admin");
    expect(history.textContent).toContain("partially-failed 1 failed");
    expect(history.textContent).toContain("48");
  });

  it("says per mailbox what its last run changed, once the initial sync is done", async () => {
    const row = (module: "contacts" | "events", creates: number, updates: number) => ({
      module,
      direction: "zoho-to-exchange" as const,
      counts: { creates, updates, deletes: 0, conflicts: 0 },
    });
    const base = dashboard.users[0];
    if (!base) throw new Error("fixture without a user");
    renderWithClient(<DashboardPage />, {
      dashboard: () => ({
        ...dashboard,
        users: [
          { ...base, initialSync: null, rows: [row("contacts", 2, 1), row("events", 0, 0)] },
          { ...base, zohoUserId: "2", mailbox: "bo@contoso.com", initialSync: null, rows: [row("contacts", 0, 0)] },
        ],
      }),
      conflicts: () => ({ conflicts: [] }),
      holds: () => ({ holds: [] }),
      runs: () => runs,
    });
    const mailboxes = await screen.findByRole("table", { name: "Mailboxes" });
    expect(within(mailboxes).getByText("Last run: Contacts Zoho → Exchange 3")).toBeTruthy();
    expect(within(mailboxes).getByText("Last run: nothing to change")).toBeTruthy();
  });

  it("lists the runs that changed something or failed, and the idle ones on request", async () => {
    const [busy] = runs.runs;
    if (!busy) throw new Error("fixture without a run");
    const idle = { ...busy, trigger: "schedule" as const, status: "succeeded" as const, failures: 0, rows: [] };
    const { client } = renderWithClient(<DashboardPage />, {
      dashboard: () => dashboard,
      conflicts: () => ({ conflicts: [] }),
      holds: () => ({ holds: [] }),
      runs: () => ({ runs: [{ ...idle, runId: "idle-1" }, busy, { ...idle, runId: "idle-2" }] }),
    });
    const history = await screen.findByRole("table", { name: "Recent sync runs" });
    expect(within(history).getAllByRole("row")).toHaveLength(2);
    expect(history.textContent).toContain("initial");
    fireEvent.click(screen.getByRole("switch", { name: "Also show runs that changed nothing (2 of the last 3)" }));
    expect(within(history).getAllByRole("row")).toHaveLength(4);
    expect(client.callsTo("runs")[0]?.request).toEqual({ limit: 100 });
  });

  it("explains a failure per item", async () => {
    const { client } = renderWithClient(<DashboardPage />, {
      dashboard: () => dashboard,
      conflicts: () => ({ conflicts: [] }),
      holds: () => ({ holds: [] }),
      explainItem: (request) => ({
        item: { ...request, title: "Dana Null" },
        counterpart: null,
        summary: "Zoho requires Last_Name; the Exchange contact has none.",
        events: [{ at: dashboard.generatedAt, action: "create in Zoho", outcome: "failed" }],
      }),
    });
    const failures = await screen.findByRole("table", { name: "Recent failures" });
    expect(within(failures).getByText(/MANDATORY_NOT_FOUND \(field Last_Name\)/)).toBeTruthy();
    fireEvent.click(within(failures).getByRole("button", { name: "Why?" }));
    expect(await screen.findByText("Zoho requires Last_Name; the Exchange contact has none.")).toBeTruthy();
    expect(client.callsTo("explainItem")[0]?.request).toEqual({ side: "exchange", module: "contacts", id: "AAMk1" });
  });

  it("resolves a conflict by merging the picked fields, shown side by side", async () => {
    let open = [conflict];
    const { client } = renderWithClient(<DashboardPage />, {
      dashboard: () => dashboard,
      conflicts: () => ({ conflicts: open }),
      holds: () => ({ holds: [] }),
      resolveConflict: (_request, params) => {
        open = [];
        return { id: params?.id ?? "", status: "resolved", runId: "r9" };
      },
    });
    const table = await screen.findByRole("table", { name: "Conflict: Erin Example" });
    const phone = within(table).getByText("Phone").closest("tr");
    expect(phone?.textContent).toContain("+49 2");
    expect(phone?.textContent).toContain("+49 3");
    const merge = screen.getByRole("button", { name: "Merge picked fields" }) as HTMLButtonElement;
    expect(merge.disabled).toBe(true);
    fireEvent.click(within(table).getByRole("radio", { name: "Exchange" }));
    fireEvent.click(merge);
    expect(await screen.findByText("No conflicts wait for a decision.")).toBeTruthy();
    expect(client.callsTo("resolveConflict")[0]).toMatchObject({
      request: { resolution: "merge", fields: { phone: "exchange" } },
      params: { id: "c1" },
    });
  });

  it("shows an event conflict as an admin reads it: dates, people and the repeat rule, not JSON", async () => {
    const series = JSON.stringify({
      frequency: "weekly",
      interval: 1,
      end: { type: "count", count: 10 },
      byWeekday: ["MO"],
    });
    const monday = JSON.stringify({ kind: "timed", start: "2026-12-07T09:00:00Z", end: "2026-12-07T10:00:00Z" });
    const event: Conflict = {
      ...conflict,
      id: "c2",
      module: "events",
      title: "Weekly sync 2",
      base: null,
      zoho: {
        id: "3652397000000000174",
        modifiedAt: conflict.detectedAt,
        fields: {
          subject: "Weekly sync 2",
          span: monday,
          attendees: JSON.stringify([
            { address: "leeg@contoso.com", name: "Lee Gu", type: "required", response: "unknown" },
          ]),
          recurrence: series,
          cancelledOccurrences: "[]",
        },
      },
      exchange: {
        id: "AAkALg3",
        modifiedAt: conflict.detectedAt,
        fields: {
          subject: "Weekly sync 2",
          span: monday,
          attendees: JSON.stringify([
            { address: "diegos@contoso.com", name: "Diego Siciliani", type: "required", response: "unknown" },
            { address: "room@contoso.com", type: "optional", response: "unknown" },
          ]),
          recurrence: series,
          cancelledOccurrences: JSON.stringify(["2026-12-21"]),
          uid: "040000008200E00074C5B7101A82E008",
        },
      },
      conflictingFields: ["attendees"],
      labels: { attendees: "attendees" },
    };
    renderWithClient(<DashboardPage />, {
      dashboard: () => dashboard,
      conflicts: () => ({ conflicts: [event] }),
      holds: () => ({ holds: [] }),
    });
    const table = await screen.findByRole("table", { name: "Conflict: Weekly sync 2" });
    const attendees = within(table).getByText("Attendees").closest("tr");
    expect(attendees?.textContent).toContain("Lee Gu <leeg@contoso.com>");
    expect(attendees?.textContent).toContain("Diego Siciliani <diegos@contoso.com>\nroom@contoso.com (optional)");
    expect(table.textContent).not.toContain("{");
    // Only the field changed on both sides is up for a pick; the rest is one click away.
    expect(screen.queryByRole("table", { name: "Other fields: Weekly sync 2" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Show the other 5 fields" }));
    const others = screen.getByRole("table", { name: "Other fields: Weekly sync 2" });
    const row = (label: string) => within(others).getByText(label).closest("tr")?.textContent ?? "";
    expect(row("Repeats")).toContain("Every week on Monday, 10 times");
    expect(row("When")).toMatch(/Dec 7, 2026/);
    expect(row("Cancelled occurrences")).toContain("—");
    expect(row("Cancelled occurrences")).toContain("Dec 21, 2026");
    expect(row("Meeting ID (iCalendar UID)")).toContain("—");
    expect(others.textContent).not.toContain("{");
    expect(within(others).queryAllByRole("radio")).toEqual([]);
  });

  it("lists the first five conflicts with their mailbox, and all of them on request", async () => {
    const queued = Array.from({ length: 7 }, (_, n) => ({ ...conflict, id: `c${n}`, title: `Person ${n}` }));
    renderWithClient(<DashboardPage />, {
      dashboard: () => dashboard,
      conflicts: () => ({ conflicts: queued }),
      holds: () => ({ holds: [] }),
    });
    expect(await screen.findByText(/7 items were changed on both sides/)).toBeTruthy();
    expect(await screen.findAllByText(/Contacts · Ada Admin · detected/, {}, { timeout: 5000 })).toHaveLength(5);
    expect(screen.getAllByRole("table", { name: /^Conflict: / })).toHaveLength(5);
    fireEvent.click(screen.getByRole("button", { name: "Show all 7 conflicts" }));
    expect(screen.getAllByRole("table", { name: /^Conflict: / })).toHaveLength(7);
  });

  it("rejects a mass-delete hold, restoring the items", async () => {
    let open = [hold];
    const { client } = renderWithClient(<DashboardPage />, {
      dashboard: () => dashboard,
      conflicts: () => ({ conflicts: [] }),
      holds: () => ({ holds: open }),
      resolveHold: (_request, params) => {
        open = [];
        return { id: params?.id ?? "", status: "queued", runId: "r10" };
      },
    });
    expect(await screen.findByText("100 of 120 contacts disappeared from Exchange")).toBeTruthy();
    expect(screen.getByText("Frank Gone")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Keep them (restore from Zoho CRM)" }));
    expect(await screen.findByText("No deletions are on hold.")).toBeTruthy();
    expect(client.callsTo("resolveHold")[0]).toMatchObject({ request: { decision: "reject" }, params: { id: "h1" } });
  });

  it("asks for a new period and says when nothing synced yet", async () => {
    const { client } = renderWithClient(<DashboardPage />, {
      dashboard: (request) => ({
        ...dashboard,
        range: request.range ?? "24h",
        totals: [],
        users: [],
        recentFailures: [],
      }),
      conflicts: () => ({ conflicts: [] }),
      holds: () => ({ holds: [] }),
      runs: () => ({ runs: [] }),
    });
    expect(await screen.findByText("Nothing synced in this period yet.")).toBeTruthy();
    expect(screen.getByText(/No users are selected for sync/)).toBeTruthy();
    expect(screen.getByText("No failures. Everything synced.")).toBeTruthy();
    expect(await screen.findByText("No sync has run yet.")).toBeTruthy();
    fireEvent.change(screen.getByRole("combobox", { name: "Period" }), { target: { value: "7d" } });
    await waitFor(() => expect(client.callsTo("dashboard").at(-1)?.request).toEqual({ range: "7d" }));
  });
});
