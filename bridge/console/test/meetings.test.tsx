import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { AdminRequest } from "../../src/api/admin.js";
import { MeetingsPage } from "../src/pages/MeetingsPage.js";
import { users } from "./support/fixtures.js";
import { renderWithClient } from "./support/render.js";

const type = (label: RegExp, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });

describe("meetings", () => {
  it("picks attendees from the CRM, shows their free/busy and creates the meeting", async () => {
    const { client } = renderWithClient(<MeetingsPage />, {
      users: () => ({ users }),
      searchAttendees: () => ({
        candidates: [{ kind: "contact", id: "c1", name: "Bob Buyer", email: "bob@fabrikam.com" }],
      }),
      availability: (request) => ({
        start: request.start,
        intervalMinutes: request.intervalMinutes,
        schedules: request.emails.map((email, index) => ({
          email,
          slots: Array.from({ length: 20 }, (_, slot) => (index === 1 && slot === 4 ? "busy" : "free")),
          error: null,
        })),
      }),
      createMeeting: () => ({ exchangeId: "AAMkEv", zohoEventId: "3652397000009852001", invitationsSent: 1 }),
    });
    type(await screen.findByLabelText(/Subject/).then(() => /Subject/), "Quarterly review");
    type(/Attendees/, "bob");
    fireEvent.click(await screen.findByRole("button", { name: /Add Bob Buyer/ }));
    expect(screen.getByText("Bob Buyer")).toBeTruthy();
    type(/Date/, "2026-12-01");

    fireEvent.click(screen.getByRole("button", { name: "See availability" }));
    const grid = await screen.findByRole("table", { name: "Attendee availability" });
    expect(grid.querySelectorAll("tbody tr")).toHaveLength(2);
    expect(grid.querySelectorAll('[data-status="busy"]')).toHaveLength(1);
    const asked = client.callsTo("availability")[0]?.request as AdminRequest<"availability">;
    expect(asked.emails).toEqual(["ada@contoso.com", "bob@fabrikam.com"]);
    expect(asked.intervalMinutes).toBe(30);

    // Picking the 11:00 column moves the meeting there, keeping its 30 minutes.
    const slotButtons = screen.getAllByRole("button", { name: /^Start at / });
    fireEvent.click(slotButtons[6] as HTMLElement);
    expect((screen.getByLabelText(/^Start \(/) as HTMLInputElement).value).toBe("11:00");
    expect((screen.getByLabelText(/^End\s*\*?$/) as HTMLInputElement).value).toBe("11:30");

    fireEvent.change(screen.getByRole("combobox", { name: "Reminder lead time" }), { target: { value: "30" } });
    fireEvent.click(screen.getByRole("button", { name: "Create meeting and send invitations" }));
    expect(await screen.findByText("1 invitations sent.")).toBeTruthy();
    const created = client.callsTo("createMeeting")[0]?.request as AdminRequest<"createMeeting">;
    expect(created).toMatchObject({
      organizerZohoUserId: "1000000000000000001",
      kind: "meeting",
      subject: "Quarterly review",
      attendees: [{ kind: "contact", id: "c1", email: "bob@fabrikam.com" }],
      reminder: { enabled: true, minutesBefore: 30 },
    });
    expect(Date.parse(created.end) - Date.parse(created.start)).toBe(30 * 60_000);
  });

  it("refuses a meeting that ends before it starts, and one without attendees", async () => {
    const { client } = renderWithClient(<MeetingsPage />, { users: () => ({ users }) });
    type(await screen.findByLabelText(/Subject/).then(() => /Subject/), "Bad times");
    type(/^End\s*\*?$/, "09:00");
    fireEvent.click(screen.getByRole("button", { name: "Create meeting and send invitations" }));
    expect(await screen.findByText("The end must be after the start.")).toBeTruthy();
    type(/^End\s*\*?$/, "11:00");
    fireEvent.click(screen.getByRole("button", { name: "Create meeting and send invitations" }));
    expect(await screen.findByText("A meeting needs at least one attendee.")).toBeTruthy();
    expect(client.callsTo("createMeeting")).toHaveLength(0);
  });

  it("asks to select users first when nobody is synced", async () => {
    renderWithClient(<MeetingsPage />, {
      users: () => ({ users: users.map((user) => ({ ...user, selected: false })) }),
    });
    expect(await screen.findByText(/Select users to sync first/)).toBeTruthy();
  });

  it("shows an attendee search with no match", async () => {
    renderWithClient(<MeetingsPage />, { users: () => ({ users }), searchAttendees: () => ({ candidates: [] }) });
    type(await screen.findByLabelText(/Attendees/).then(() => /Attendees/), "zz");
    expect(await screen.findByText("No contact, lead or user matches “zz”.")).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole("button", { name: /^Add / })).toBeNull());
  });
});
