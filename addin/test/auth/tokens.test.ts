import { BrowserAuthError, InteractionRequiredAuthError, type IPublicClientApplication } from "@azure/msal-browser";
import { describe, expect, it, vi } from "vitest";
import type { BridgeClient } from "../../src/api/client.js";
import { type AddinConfig, chooseAuthPlan, createTokenSource, NoSignInMethodError } from "../../src/auth/tokens.js";
import type { HostCapabilities, OfficeHost } from "../../src/office/host.js";

const naa = {
  clientId: "11111111-2222-3333-4444-555555555555",
  authority: "https://login.example/common",
  scopes: ["api://bridge/CRM.Access"],
};
const baseConfig: AddinConfig = {
  bridgeVersion: "0.1.0",
  naa,
  exchangeIdentity: true,
  sandbox: false,
  zohoWebUrl: null,
};
const caps = (over: Partial<HostCapabilities> = {}): HostCapabilities => ({
  mailbox13: true,
  mailbox15: true,
  nestedAppAuth: false,
  dialogApi: false,
  ...over,
});

function fakeHost(capabilities: HostCapabilities, over: Partial<OfficeHost> = {}): OfficeHost {
  const unused = () => Promise.reject(new Error("not used"));
  return {
    capabilities,
    user: { email: "me@fabrikam.com", displayName: "Me", timeZone: null },
    displayLanguage: "en-US",
    currentItem: () => null,
    bodyText: unused,
    onItemChanged: () => Promise.resolve(() => {}),
    userIdentityToken: () => Promise.resolve("identity-jwt"),
    exchangeCallbackToken: () => Promise.resolve("callback-jwt"),
    meetingDetails: unused,
    requiredAttendees: unused,
    addRequiredAttendees: unused,
    dialogMessage: unused,
    ...over,
  };
}

const unusedClient: BridgeClient = () => Promise.reject(new Error("client not used"));
const defaults = { client: unusedClient, dialogUrl: "https://bridge.example/addin/auth-dialog.html" };
const inOneHour = () => new Date(Date.now() + 3_600_000);

/** Only the methods a test expects to be called; anything else would fail loudly as "not a function". */
function fakeMsal(app: object) {
  return vi.fn((_configuration: object) => Promise.resolve(app as unknown as IPublicClientApplication));
}

describe("auth plan", () => {
  it("prefers NAA when the host supports it, else the identity token on-prem, else the dialog", () => {
    expect(chooseAuthPlan(baseConfig, caps({ nestedAppAuth: true }))).toBe("naa");
    expect(chooseAuthPlan(baseConfig, caps())).toBe("exchange-identity");
    expect(chooseAuthPlan({ ...baseConfig, exchangeIdentity: false }, caps({ dialogApi: true }))).toBe("dialog");
    expect(chooseAuthPlan({ ...baseConfig, exchangeIdentity: false }, caps())).toBeNull();
    expect(chooseAuthPlan({ ...baseConfig, sandbox: true }, caps({ nestedAppAuth: true }))).toBe("sandbox");
  });
});

describe("token source", () => {
  it("uses MSAL NAA silently, with an in-memory cache only, and reuses the token until it nears expiry", async () => {
    const acquireTokenSilent = vi.fn(() => Promise.resolve({ accessToken: "naa-token", expiresOn: inOneHour() }));
    const createNaaApp = fakeMsal({ acquireTokenSilent });
    const source = createTokenSource({
      config: baseConfig,
      host: fakeHost(caps({ nestedAppAuth: true })),
      ...defaults,
      createNaaApp,
    });
    await expect(source()).resolves.toEqual({ tokenType: "aad", token: "naa-token" });
    await source();
    expect(acquireTokenSilent).toHaveBeenCalledTimes(1);
    expect(createNaaApp.mock.calls[0]).toEqual([
      { auth: { clientId: naa.clientId, authority: naa.authority }, cache: { cacheLocation: "memoryStorage" } },
    ]);
  });

  it("falls back to a popup when interaction is required", async () => {
    const source = createTokenSource({
      config: baseConfig,
      host: fakeHost(caps({ nestedAppAuth: true })),
      ...defaults,
      createNaaApp: fakeMsal({
        acquireTokenSilent: () =>
          Promise.reject(new InteractionRequiredAuthError("interaction_required", "consent needed")),
        acquireTokenPopup: () => Promise.resolve({ accessToken: "popup-token", expiresOn: inOneHour() }),
      }),
    });
    await expect(source()).resolves.toEqual({ tokenType: "aad", token: "popup-token" });
  });

  it("falls back to the Office dialog when the popup is blocked", async () => {
    const dialogMessage = vi.fn((_url: string, _size: object) =>
      Promise.resolve(JSON.stringify({ accessToken: "dialog-token", expiresOn: inOneHour().toISOString() })),
    );
    const source = createTokenSource({
      config: baseConfig,
      host: fakeHost(caps({ nestedAppAuth: true, dialogApi: true }), { dialogMessage }),
      ...defaults,
      createNaaApp: fakeMsal({
        acquireTokenSilent: () =>
          Promise.reject(new InteractionRequiredAuthError("interaction_required", "consent needed")),
        acquireTokenPopup: () => Promise.reject(new BrowserAuthError("popup_window_error", "blocked")),
      }),
    });
    await expect(source()).resolves.toEqual({ tokenType: "aad", token: "dialog-token" });
    const url = new URL(dialogMessage.mock.calls[0]?.[0] ?? "");
    expect(url.pathname).toBe("/addin/auth-dialog.html");
    expect(url.searchParams.get("scopes")).toBe("api://bridge/CRM.Access");
  });

  it("reports a failed dialog sign-in as an error, not as a token", async () => {
    const source = createTokenSource({
      config: { ...baseConfig, exchangeIdentity: false },
      host: fakeHost(caps({ dialogApi: true }), {
        dialogMessage: () => Promise.resolve(JSON.stringify({ error: "access_denied" })),
      }),
      ...defaults,
    });
    await expect(source()).rejects.toThrow("access_denied");
  });

  it("sends the Exchange identity token on-prem", async () => {
    const source = createTokenSource({
      config: baseConfig,
      host: fakeHost(caps()),
      ...defaults,
    });
    await expect(source()).resolves.toEqual({ tokenType: "exchange-identity", token: "identity-jwt" });
    await expect(source({ linkMailbox: true })).resolves.toEqual({
      tokenType: "exchange-identity",
      token: "identity-jwt",
      exchangeCallbackToken: "callback-jwt",
    });
  });

  it("asks the sandbox bridge for a simulator token for the host's mailbox", async () => {
    const client = vi.fn(() =>
      Promise.resolve({ tokenType: "aad", accessToken: "sim-token", expiresOn: inOneHour().toISOString() }),
    );
    const source = createTokenSource({
      config: { ...baseConfig, sandbox: true },
      host: fakeHost(caps()),
      ...defaults,
      client: client as unknown as BridgeClient,
    });
    await expect(source()).resolves.toEqual({ tokenType: "aad", token: "sim-token" });
    expect(client).toHaveBeenCalledWith("sandboxToken", { mailbox: "me@fabrikam.com" });
  });

  it("fails clearly when no method is available", async () => {
    const source = createTokenSource({
      config: { ...baseConfig, naa: null, exchangeIdentity: false },
      host: fakeHost(caps()),
      ...defaults,
    });
    await expect(source()).rejects.toBeInstanceOf(NoSignInMethodError);
  });

  it("never writes tokens to localStorage", async () => {
    localStorage.clear();
    const source = createTokenSource({
      config: baseConfig,
      host: fakeHost(caps({ nestedAppAuth: true })),
      ...defaults,
      createNaaApp: fakeMsal({
        acquireTokenSilent: () => Promise.resolve({ accessToken: "naa-token", expiresOn: inOneHour() }),
      }),
    });
    await source();
    expect(localStorage.length).toBe(0);
  });
});
