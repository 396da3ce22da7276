import { render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { App } from "../src/App.js";
import { AdminApiError } from "../src/api/client.js";
import { fakeClient } from "./support/fakeClient.js";
import { credentialMode, session, setupFresh, users } from "./support/fixtures.js";

describe("console shell", () => {
  it("opens the setup wizard on a fresh install", async () => {
    window.location.hash = "";
    const client = fakeClient({
      session: () => ({ ...session, installed: false }),
      setupStatus: () => setupFresh,
      credentialMode: () => credentialMode,
    });
    render(<App client={client} />);
    expect(await screen.findByRole("heading", { name: "1. Connect Zoho CRM" })).toBeTruthy();
    expect(screen.getByRole("tab", { name: "Setup" }).getAttribute("aria-selected")).toBe("true");
  });

  it("tells a user outside the access policy why the console is closed", async () => {
    const client = fakeClient({ session: () => ({ ...session, canAdminister: false }) });
    render(<App client={client} />);
    expect(await screen.findByText(/your Zoho profile is not allowed to administer the bridge/)).toBeTruthy();
  });

  it("shows the error with a retry that recovers when the bridge comes back", async () => {
    window.location.hash = "#/users";
    let reachable = false;
    const client = fakeClient({
      session: () => {
        if (!reachable) throw new AdminApiError("network", "The bridge could not be reached (fetch failed).", 0);
        return session;
      },
      users: () => ({ users }),
    });
    render(<App client={client} />);
    expect((await screen.findByRole("alert")).textContent).toContain("Bridge unreachable");
    reachable = true;
    screen.getByRole("button", { name: "Retry" }).click();
    expect(await screen.findByRole("table", { name: "Zoho CRM users" })).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole("alert")).toBeNull());
  });

  it("navigates between pages with the tabs", async () => {
    window.location.hash = "#/users";
    const client = fakeClient({
      session: () => session,
      users: () => ({ users }),
      credentialHealth: () => ({ checkedAt: "2026-11-25T12:00:00+00:00", credentials: [], usersFailing: [] }),
    });
    render(<App client={client} />);
    await screen.findByRole("table", { name: "Zoho CRM users" });
    screen.getByRole("tab", { name: "Account" }).click();
    expect(await screen.findByRole("heading", { name: "Credential health" })).toBeTruthy();
    expect(window.location.hash).toBe("#/account");
  });
});

describe("signing in", () => {
  it("offers the Zoho sign-in when the bridge has no session", async () => {
    window.location.hash = "";
    const client = fakeClient({
      session: () => {
        throw new AdminApiError("unauthenticated", "sign in with Zoho first", 401);
      },
    });
    render(<App client={client} signInUrl="https://bridge.test/auth/zoho/login" />);
    const link = await screen.findByRole("link", { name: "Sign in with Zoho CRM" });
    expect(link.getAttribute("href")).toBe("https://bridge.test/auth/zoho/login");
  });
});
