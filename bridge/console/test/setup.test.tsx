import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { AdminResponse } from "../../src/api/admin.js";
import { AdminApiError } from "../src/api/client.js";
import { SetupWizard } from "../src/pages/SetupWizard.js";
import { at, credentialMode, setupFresh, zohoConnected } from "./support/fixtures.js";
import { renderWithClient } from "./support/render.js";

const impersonationDenied: AdminResponse<"testExchange"> = {
  ok: false,
  testedAt: at,
  steps: [
    { step: "dns", status: "passed", detail: "mail.contoso.com resolves", reason: null },
    { step: "tls", status: "passed", detail: "certificate trusted", reason: null },
    { step: "authentication", status: "passed", detail: "svc-bridge signed in with NTLM", reason: null },
    {
      step: "impersonation",
      status: "failed",
      detail: "opening ben@contoso.com as svc-bridge",
      reason: "The account does not have permission to impersonate the requested user.",
    },
    {
      step: "mailbox",
      status: "skipped",
      detail: "The contacts of ben@contoso.com were read",
      reason: "the impersonation check failed first",
    },
  ],
  failure: {
    step: "impersonation",
    code: "impersonation-denied",
    message: "The account does not have permission to impersonate the requested user.",
    hint: "Assign the ApplicationImpersonation role to svc-bridge (command in the next step).",
  },
};

function type(label: RegExp | string, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

describe("setup wizard", () => {
  it("connects Zoho with a Self Client grant code and never shows the secret again", async () => {
    const { client } = renderWithClient(<SetupWizard onFinished={() => {}} />, {
      setupStatus: () => setupFresh,
      connectZoho: () => zohoConnected,
    });
    await screen.findByRole("heading", { name: "1. Connect Zoho CRM" });
    fireEvent.change(screen.getByRole("combobox", { name: /Data centre/ }), { target: { value: "EU" } });
    type(/Client ID/, "1000.ABC");
    type(/Client secret/, "s3cr3t-value");
    type(/Grant code/, "1000.grant");
    fireEvent.click(screen.getByRole("button", { name: "Connect Zoho CRM" }));
    expect(await screen.findByText(/Contoso GmbH \(EU, https:\/\/www.zohoapis.eu\)/)).toBeTruthy();
    expect(client.callsTo("connectZoho")[0]?.request).toEqual({
      dataCentre: "EU",
      clientId: "1000.ABC",
      clientSecret: "s3cr3t-value",
      grant: { kind: "self-client", code: "1000.grant" },
    });
    expect((screen.getByLabelText(/Client secret/) as HTMLInputElement).value).toBe("");
    expect(document.body.textContent).not.toContain("s3cr3t-value");
    expect(screen.getByText("Stored. Leave empty to keep it.")).toBeTruthy();
  });

  it("refuses an incomplete Zoho form without calling the bridge", async () => {
    const { client } = renderWithClient(<SetupWizard onFinished={() => {}} />, { setupStatus: () => setupFresh });
    await screen.findByRole("heading", { name: "1. Connect Zoho CRM" });
    fireEvent.click(screen.getByRole("button", { name: "Connect Zoho CRM" }));
    expect(await screen.findAllByText(/Too small|Invalid/)).not.toHaveLength(0);
    expect(client.callsTo("connectZoho")).toHaveLength(0);
  });

  it("tests an on-premises connection and says exactly which step failed and what to do", async () => {
    const { client } = renderWithClient(<SetupWizard onFinished={() => {}} />, {
      setupStatus: () => ({ ...setupFresh, steps: [{ step: "zoho", complete: true }], zoho: zohoConnected }),
      testExchange: () => impersonationDenied,
    });
    await screen.findByRole("heading", { name: "2. Connect Exchange" });
    fireEvent.click(screen.getByRole("radio", { name: "Enter the EWS URL" }));
    type(/^EWS URL/, "https://mail.contoso.com/EWS/Exchange.asmx");
    type(/E-mail address/, "svc-bridge@contoso.com");
    type(/^Password/, "P@ss");
    type(/Domain/, "CONTOSO");
    fireEvent.click(screen.getByRole("radio", { name: "NTLM" }));
    type(/Test against mailbox/, "ben@contoso.com");
    fireEvent.click(screen.getByRole("button", { name: "Test connection" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Impersonation role failed (impersonation-denied)");
    expect(alert.textContent).toContain("Assign the ApplicationImpersonation role");
    expect(client.callsTo("testExchange")[0]?.request).toEqual({
      connection: {
        kind: "ews",
        endpoint: { mode: "url", ewsUrl: "https://mail.contoso.com/EWS/Exchange.asmx" },
        emailAddress: "svc-bridge@contoso.com",
        password: "P@ss",
        domain: "CONTOSO",
        authScheme: "ntlm",
        serverVersion: "auto",
      },
      mailbox: "ben@contoso.com",
    });
  });

  it("saves an Autodiscover URL for on-premises, and a client secret with its expiry date for Office 365", async () => {
    const { client } = renderWithClient(<SetupWizard onFinished={() => {}} />, {
      setupStatus: () => ({ ...setupFresh, steps: [{ step: "zoho", complete: true }], zoho: zohoConnected }),
    });
    await screen.findByRole("heading", { name: "2. Connect Exchange" });
    type(/^Autodiscover URL/, "https://autodiscover.contoso.com/autodiscover/autodiscover.xml");
    type(/E-mail address/, "svc-bridge@contoso.com");
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await vi.waitFor(() => expect(client.callsTo("saveExchangeConnection")).toHaveLength(1));
    expect(client.callsTo("saveExchangeConnection")[0]?.request).toMatchObject({
      kind: "ews",
      endpoint: {
        mode: "autodiscover",
        autodiscoverUrl: "https://autodiscover.contoso.com/autodiscover/autodiscover.xml",
      },
    });

    fireEvent.click(screen.getByRole("radio", { name: /Office 365/ }));
    type(/^Tenant/, "contoso.onmicrosoft.com");
    type(/^Application \(client\) id/, "2b8d6c4e-8f0a-4b1c-9d3e-5a7f9b1c3d5e");
    expect(screen.queryByLabelText(/^Secret expires/)).toBeNull();
    fireEvent.change(screen.getByLabelText(/^Client secret/, { selector: "input[type=password]" }), {
      target: { value: "n3w-s3cret" },
    });
    type(/^Secret expires/, "2027-06-30");
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await vi.waitFor(() => expect(client.callsTo("saveExchangeConnection")).toHaveLength(2));
    expect(client.callsTo("saveExchangeConnection")[1]?.request).toEqual({
      kind: "graph",
      tenantId: "contoso.onmicrosoft.com",
      clientId: "2b8d6c4e-8f0a-4b1c-9d3e-5a7f9b1c3d5e",
      credential: { type: "secret", clientSecret: "n3w-s3cret", expiresAt: "2027-06-30T00:00:00Z" },
    });
  });

  it("rejects a plain-HTTP EWS URL before it reaches the bridge", async () => {
    const { client } = renderWithClient(<SetupWizard onFinished={() => {}} />, {
      setupStatus: () => ({ ...setupFresh, steps: [{ step: "zoho", complete: true }], zoho: zohoConnected }),
    });
    await screen.findByRole("heading", { name: "2. Connect Exchange" });
    fireEvent.click(screen.getByRole("radio", { name: "Enter the EWS URL" }));
    type(/^EWS URL/, "http://mail.contoso.com/EWS/Exchange.asmx");
    type(/E-mail address/, "svc-bridge@contoso.com");
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText(/Invalid URL/)).toBeTruthy();
    expect(client.callsTo("saveExchangeConnection")).toHaveLength(0);
  });

  it("shows the PowerShell to copy and previews the migration before switching to individual credentials", async () => {
    const migration: AdminResponse<"migrateCredentialMode"> = {
      to: "individual",
      applied: false,
      steps: [{ title: "Ask users for passwords", done: false, detail: "2 users have none" }],
      users: [{ zohoUserId: "2", mailbox: "ben@contoso.com", outcome: "needs-password", detail: "no password yet" }],
    };
    const { client } = renderWithClient(<SetupWizard onFinished={() => {}} />, {
      setupStatus: () => ({
        ...setupFresh,
        steps: [
          { step: "zoho", complete: true },
          { step: "exchange", complete: true },
        ],
        zoho: zohoConnected,
      }),
      credentialMode: () => credentialMode,
      migrateCredentialMode: (request) => ({ ...migration, applied: request.apply }),
    });
    const shell = await screen.findByText("On-premises Exchange Management Shell");
    expect(
      within(shell.closest("div")?.parentElement ?? document.body).getByText(/-Role:ApplicationImpersonation/),
    ).toBeTruthy();
    expect(screen.getByText(/Application Calendars.ReadWrite/)).toBeTruthy();
    fireEvent.click(screen.getByRole("radio", { name: /Each user's own Exchange password/ }));
    expect(await screen.findByText(/ben@contoso.com: needs-password/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Switch to individual" }));
    expect(await screen.findByText("Switched to individual")).toBeTruthy();
    expect(client.callsTo("migrateCredentialMode").map((call) => call.request)).toEqual([
      { to: "individual", apply: false },
      { to: "individual", apply: true },
    ]);
  });

  it("limits access to chosen Zoho profiles and finishes", async () => {
    let finished = false;
    const { client } = renderWithClient(<SetupWizard onFinished={() => (finished = true)} />, {
      setupStatus: () => ({
        ...setupFresh,
        steps: ["zoho", "exchange", "credentials"].map((step) => ({ step: step as "zoho", complete: true })),
        zoho: zohoConnected,
      }),
      accessPolicy: () => ({ audience: "admins", profileIds: [] }),
      zohoProfiles: () => ({
        profiles: [
          { id: "p1", name: "Administrator" },
          { id: "p2", name: "Sales" },
        ],
      }),
      saveAccessPolicy: (request) => request,
    });
    fireEvent.click(await screen.findByRole("radio", { name: "Users with these profiles" }));
    fireEvent.click(await screen.findByRole("checkbox", { name: "Sales" }));
    fireEvent.click(screen.getByRole("button", { name: /Save and continue/ }));
    await vi.waitFor(() => expect(finished).toBe(true));
    expect(client.callsTo("saveAccessPolicy")[0]?.request).toEqual({ audience: "profiles", profileIds: ["p2"] });
  });
});

describe("bridge-side validation", () => {
  it("lists the fields the bridge refused", async () => {
    renderWithClient(<SetupWizard onFinished={() => {}} />, {
      setupStatus: () => ({ ...setupFresh, steps: [{ step: "zoho", complete: true }], zoho: zohoConnected }),
      saveExchangeConnection: () => {
        throw new AdminApiError("invalid-request", "the request does not match the route's schema", 400, {
          issues: [{ path: "endpoint.ewsUrl", message: "this host is not in BRIDGE_EWS_ALLOWED_HOSTS" }],
        });
      },
    });
    await screen.findByRole("heading", { name: "2. Connect Exchange" });
    fireEvent.click(screen.getByRole("radio", { name: "Enter the EWS URL" }));
    fireEvent.change(screen.getByLabelText(/^EWS URL/), {
      target: { value: "https://evil.example.com/EWS/Exchange.asmx" },
    });
    fireEvent.change(screen.getByLabelText(/E-mail address/), { target: { value: "svc@contoso.com" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    expect((await screen.findByRole("alert")).textContent).toContain(
      "endpoint.ewsUrl: this host is not in BRIDGE_EWS_ALLOWED_HOSTS",
    );
  });
});
