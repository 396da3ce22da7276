import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { AdminApiError } from "../src/api/client.js";
import { SettingsPage } from "../src/pages/SettingsPage.js";
import { preview, settings } from "./support/fixtures.js";
import { renderWithClient } from "./support/render.js";

const saveButton = () => screen.getByRole("button", { name: "Save settings" }) as HTMLButtonElement;

describe("sync settings", () => {
  it("saves only after a dry-run preview of exactly the edited settings", async () => {
    const { client } = renderWithClient(<SettingsPage />, {
      syncSettings: () => settings,
      previewSync: () => preview,
      saveSyncSettings: (request) => ({ ...request, revision: request.revision + 1, updatedAt: settings.updatedAt }),
    });
    const tasks = await screen.findByRole("switch", { name: "Sync Tasks" });
    expect(saveButton().disabled).toBe(true);
    fireEvent.click(tasks);
    fireEvent.change(screen.getByRole("combobox", { name: "Contacts conflict rule" }), { target: { value: "manual" } });

    fireEvent.click(screen.getByRole("button", { name: /Preview next sync/ }));
    const table = await screen.findByRole("table", { name: "What the next sync would do" });
    // Rows without any change are left out; the others show their counts.
    expect(table.querySelectorAll("tbody tr")).toHaveLength(2);
    expect(table.querySelector('[data-row="contacts:zoho-to-exchange"] [data-count="creates"]')?.textContent).toBe(
      "12",
    );
    expect(screen.getByText("Invitations that would be sent: 1")).toBeTruthy();
    expect(screen.getByText(/Quarterly review/).textContent).toContain("bob@fabrikam.com");
    const previewed = client.callsTo("previewSync")[0]?.request as { settings: typeof settings };
    expect(previewed.settings.modules.tasks.enabled).toBe(true);
    expect(previewed.settings.modules.contacts.conflictRule).toBe("manual");

    // Any edit after the preview invalidates it.
    fireEvent.change(screen.getByRole("combobox", { name: "Calendar direction" }), {
      target: { value: "zoho-to-exchange" },
    });
    expect(saveButton().disabled).toBe(true);
    fireEvent.click(screen.getByRole("button", { name: /Preview next sync/ }));
    await waitFor(() => expect(saveButton().disabled).toBe(false));
    fireEvent.click(saveButton());
    expect(await screen.findByText("The next sync uses these settings.")).toBeTruthy();
    const saved = client.callsTo("saveSyncSettings")[0]?.request as typeof settings;
    expect(saved.revision).toBe(3);
    expect(saved.modules.events.direction).toBe("zoho-to-exchange");
  });

  it("explains a concurrent save and reloads the stored settings on request", async () => {
    let revision = 3;
    const { client } = renderWithClient(<SettingsPage />, {
      syncSettings: () => ({ ...settings, revision }),
      previewSync: () => ({ ...preview, rows: [], invitations: [] }),
      saveSyncSettings: () => {
        revision = 4;
        throw new AdminApiError("stale-revision", "settings were saved at revision 4", 409);
      },
    });
    fireEvent.click(await screen.findByRole("button", { name: /Preview next sync/ }));
    expect(await screen.findByText("The next sync would change nothing.")).toBeTruthy();
    fireEvent.click(saveButton());
    expect((await screen.findByRole("alert")).textContent).toContain("Someone else saved these settings meanwhile");
    fireEvent.click(screen.getByRole("button", { name: "Retry" }));
    await waitFor(() => expect(client.callsTo("syncSettings")).toHaveLength(2));
    await waitFor(() => expect(screen.queryByRole("alert")).toBeNull());
  });

  it("shows the field error for an out-of-range schedule instead of sending it", async () => {
    const { client } = renderWithClient(<SettingsPage />, { syncSettings: () => settings });
    fireEvent.change(await screen.findByLabelText(/Sync every/), { target: { value: "1" } });
    fireEvent.click(screen.getByRole("button", { name: /Preview next sync/ }));
    expect(await screen.findByText(/Too small/)).toBeTruthy();
    expect(client.callsTo("previewSync")).toHaveLength(0);
  });
});
