import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { AccountPage } from "../src/pages/AccountPage.js";
import { ewsConnection, health, users } from "./support/fixtures.js";
import { renderWithClient } from "./support/render.js";

const type = (label: RegExp, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });

describe("account", () => {
  it("shows credential health and updates the service account password", async () => {
    const { client } = renderWithClient(<AccountPage />, {
      credentialHealth: () => health,
      exchangeConnection: () => ewsConnection,
      users: () => ({ users }),
      updatePassword: () => ({
        ...health,
        credentials: health.credentials.map((credential) => ({ ...credential, status: "ok" as const })),
      }),
    });
    expect(await screen.findByText("Failing")).toBeTruthy();
    type(/^New password/, "N3w-pass");
    type(/Repeat the new password/, "N3w-pas");
    expect(screen.getByText("The passwords differ.")).toBeTruthy();
    const update = screen.getByRole("button", { name: "Update password" }) as HTMLButtonElement;
    expect(update.disabled).toBe(true);
    type(/Repeat the new password/, "N3w-pass");
    fireEvent.click(update);
    expect(await screen.findByText("Password updated and checked.")).toBeTruthy();
    await waitFor(() => expect(screen.queryByText("Failing")).toBeNull());
    expect(client.callsTo("updatePassword")[0]?.request).toEqual({ password: "N3w-pass" });
    expect((screen.getByLabelText(/^New password/) as HTMLInputElement).value).toBe("");
  });

  it("offers no password form for Office 365, which signs in with the app's secret or certificate", async () => {
    const { client } = renderWithClient(<AccountPage />, {
      credentialHealth: () => health,
      exchangeConnection: () => ({
        kind: "graph",
        tenantId: "contoso.onmicrosoft.com",
        clientId: "11111111-2222-3333-4444-555555555555",
        credentialType: "secret",
        clientSecret: "set",
        privateKey: "not-set",
        certificate: null,
      }),
      users: () => ({ users }),
    });
    expect(await screen.findByText("No password to update")).toBeTruthy();
    expect(screen.getByText(/enter the new one in Setup → Exchange/)).toBeTruthy();
    expect(screen.getByRole("link", { name: "Open Setup" }).getAttribute("href")).toBe("#/setup");
    expect(screen.queryByLabelText(/^New password/)).toBeNull();
    expect(client.callsTo("updatePassword")).toEqual([]);
  });

  it("uninstalls only after UNINSTALL is typed, and says the synced data is kept", async () => {
    const { client } = renderWithClient(<AccountPage />, {
      credentialHealth: () => health,
      exchangeConnection: () => ({ kind: "none" }),
      users: () => ({ users }),
      uninstall: () => ({
        removed: ["stored credentials", "change subscriptions", "sync state"],
        kept: "Contacts, events, tasks and e-mails already synced stay in Zoho CRM and Exchange.",
      }),
    });
    expect(await screen.findByText(/already synced are kept in Zoho CRM and in Exchange/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Uninstall…" }));
    const confirm = screen.getByText("Uninstall", { selector: "button" }) as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    type(/Type UNINSTALL to confirm/, "UNINSTALL");
    expect(confirm.disabled).toBe(false);
    fireEvent.click(confirm);
    expect(await screen.findByText("The bridge is uninstalled")).toBeTruthy();
    expect(screen.getByText(/stay in Zoho CRM and Exchange/)).toBeTruthy();
    expect(client.callsTo("uninstall")[0]?.request).toEqual({ confirm: "UNINSTALL", revokeZohoToken: true });
  });
});
