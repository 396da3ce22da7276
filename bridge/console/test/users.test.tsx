import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { UsersPage } from "../src/pages/UsersPage.js";
import { users } from "./support/fixtures.js";
import { renderWithClient } from "./support/render.js";

describe("users", () => {
  it("selects in bulk only active users and saves one change set", async () => {
    const { client } = renderWithClient(<UsersPage />, {
      users: () => ({ users }),
      selectUsers: (request) => ({
        users: users.map((user) => ({ ...user, selected: user.selected || request.select.includes(user.zohoUserId) })),
        rejected: [],
      }),
      // One run per module for the one selected user.
      syncNow: () => ({
        queued: ["contacts", "events", "tasks"].map((module) => ({
          runId: `r-${module}`,
          zohoUserId: users[0]?.zohoUserId ?? "",
        })),
        skipped: [],
      }),
    });
    const inactive = (await screen.findByRole("checkbox", { name: "Sync Cleo Former" })) as HTMLInputElement;
    expect(inactive.disabled).toBe(true);
    expect(screen.getByText("1 of 3 users selected for sync. Only active Zoho users can be selected.")).toBeTruthy();

    fireEvent.click(screen.getByRole("checkbox", { name: "Select all active users shown" }));
    expect((screen.getByRole("checkbox", { name: "Sync Ben Sales" }) as HTMLInputElement).checked).toBe(true);
    expect(inactive.checked).toBe(false);
    fireEvent.click(screen.getByRole("button", { name: "Save selection (1 changes)" }));
    expect(
      await screen.findByText("2 of 3 users selected for sync. Only active Zoho users can be selected."),
    ).toBeTruthy();
    expect(client.callsTo("selectUsers")[0]?.request).toEqual({ select: ["1000000000000000002"], deselect: [] });

    fireEvent.click(screen.getByRole("button", { name: "Sync selected users now" }));
    expect(await screen.findByText(/Sync queued for 1 users/)).toBeTruthy();
  });

  it("shows status chips, filters by search and says when nothing matches", async () => {
    renderWithClient(<UsersPage />, { users: () => ({ users }) });
    await screen.findByRole("table", { name: "Zoho CRM users" });
    expect(screen.getByText("In sync")).toBeTruthy();
    expect(screen.getByText("Disabled")).toBeTruthy();
    fireEvent.change(screen.getByRole("textbox", { name: "Search users" }), { target: { value: "ben" } });
    expect(screen.queryByText("Ada Admin")).toBeNull();
    expect(screen.getByText("Ben Sales")).toBeTruthy();
    fireEvent.change(screen.getByRole("textbox", { name: "Search users" }), { target: { value: "nobody" } });
    expect(screen.getByText("No user matches “nobody”.")).toBeTruthy();
  });

  it("says what to do when Zoho has no users", async () => {
    renderWithClient(<UsersPage />, { users: () => ({ users: [] }) });
    expect(await screen.findByText(/Zoho CRM returned no users/)).toBeTruthy();
  });

  it("resets a user's sync state after confirmation", async () => {
    const { client } = renderWithClient(<UsersPage />, {
      users: () => ({ users }),
      resetUser: (_request, params) => ({ ...users[0], zohoUserId: params?.zohoUserId ?? "", syncState: "queued" }),
    });
    fireEvent.click(await screen.findByRole("button", { name: "Actions for Ada Admin" }));
    fireEvent.click(await screen.findByRole("menuitem", { name: "Reset sync state…" }));
    expect(await screen.findByText(/Nothing is deleted in Zoho or Exchange/)).toBeTruthy();
    fireEvent.click(screen.getByText("Reset", { selector: "button" }));
    await waitFor(() => expect(client.callsTo("resetUser")).toHaveLength(1));
    expect(client.callsTo("resetUser")[0]?.params).toEqual({ zohoUserId: "1000000000000000001" });
    await waitFor(() => expect(client.callsTo("users")).toHaveLength(2));
  });

  it("syncs one user now and re-authorizes one, saying what the mailbox answered", async () => {
    const { client } = renderWithClient(<UsersPage />, {
      users: () => ({ users }),
      syncNow: (request) => ({
        queued: (request.zohoUserIds ?? []).map((zohoUserId) => ({ runId: "r1", zohoUserId })),
        skipped: [],
      }),
      reauthorizeUser: () => ({
        ok: false,
        testedAt: "2026-11-25T12:00:00+00:00",
        steps: [{ step: "authentication", status: "failed", detail: "401 from EWS", reason: "invalid-credentials" }],
        failure: {
          step: "authentication",
          code: "invalid-credentials",
          message: "Exchange refused the password",
          hint: "Enter the user's new password on the Account page.",
        },
      }),
    });
    fireEvent.click(await screen.findByRole("button", { name: "Actions for Ada Admin" }));
    fireEvent.click(await screen.findByRole("menuitem", { name: "Sync now" }));
    expect(await screen.findByText("Sync queued")).toBeTruthy();
    expect(client.callsTo("syncNow")[0]?.request).toEqual({ zohoUserIds: ["1000000000000000001"] });
    fireEvent.click(screen.getByRole("button", { name: "Actions for Ben Sales" }));
    fireEvent.click(await screen.findByRole("menuitem", { name: "Re-authorize" }));
    expect(await screen.findByText(/Exchange refused the password — Enter the user's new password/)).toBeTruthy();
    expect(client.callsTo("reauthorizeUser")[0]?.params).toEqual({ zohoUserId: "1000000000000000002" });
  });

  it("changes a user's mailbox, validating the address first", async () => {
    const { client } = renderWithClient(<UsersPage />, {
      users: () => ({ users }),
      updateUser: (request, params) => ({
        ...users[0],
        zohoUserId: params?.zohoUserId ?? "",
        mailbox: request.mailbox ?? "",
      }),
    });
    fireEvent.click(await screen.findByRole("button", { name: "Actions for Ben Sales" }));
    fireEvent.click(await screen.findByRole("menuitem", { name: "Change mailbox…" }));
    const input = await screen.findByLabelText(/Exchange mailbox/);
    fireEvent.change(input, { target: { value: "not-an-address" } });
    fireEvent.click(screen.getByText("Save mailbox", { selector: "button" }));
    expect(await screen.findByText(/Invalid email/)).toBeTruthy();
    fireEvent.change(input, { target: { value: "ben.sales@exchange.contoso.com" } });
    fireEvent.click(screen.getByText("Save mailbox", { selector: "button" }));
    await waitFor(() => expect(client.callsTo("updateUser")).toHaveLength(1));
    expect(client.callsTo("updateUser")[0]).toMatchObject({
      request: { mailbox: "ben.sales@exchange.contoso.com" },
      params: { zohoUserId: "1000000000000000002" },
    });
    await waitFor(() => expect(client.callsTo("users")).toHaveLength(2));
  });
});
