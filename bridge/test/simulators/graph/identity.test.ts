import { createHash, randomBytes } from "node:crypto";
import type { ICachePlugin, TokenCacheContext } from "@azure/msal-node";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TENANT } from "../../../simulators/graph/index.js";
import { confidentialClient, firstUsers, type RunningGraphSimulator, startSimulator } from "./support.js";

let sim: RunningGraphSimulator;

beforeAll(async () => {
  sim = await startSimulator({
    seed: { users: 3, contactsPerUser: 2, eventsPerUser: 2, tasksPerUser: 1, messagesPerUser: 1 },
  });
});
afterAll(() => sim.close());

async function tokenRequest(form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${sim.authority}/oauth2/v2.0/token`, {
    method: "POST",
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("identity platform", () => {
  it("issues app-only tokens to the unchanged MSAL confidential client, verifiable against the JWKS", async () => {
    const result = await confidentialClient(sim).acquireTokenByClientCredential({
      scopes: ["https://graph.microsoft.com/.default"],
    });
    expect(result?.accessToken).toBeTruthy();
    const openid = (await (await fetch(`${sim.authority}/v2.0/.well-known/openid-configuration`)).json()) as {
      jwks_uri: string;
      issuer: string;
    };
    const { payload } = await jwtVerify(result?.accessToken ?? "", createRemoteJWKSet(new URL(openid.jwks_uri)), {
      issuer: openid.issuer,
      audience: "https://graph.microsoft.com",
    });
    expect(payload).toMatchObject({ tid: DEMO_TENANT.id, appid: DEMO_TENANT.bridgeApp.clientId, idtyp: "app" });
    expect(payload.roles).toContain("Contacts.ReadWrite");
  });

  it("answers a wrong secret with 401 invalid_client and an AADSTS code", async () => {
    const { status, body } = await tokenRequest({
      client_id: DEMO_TENANT.bridgeApp.clientId,
      client_secret: "wrong",
      scope: "https://graph.microsoft.com/.default",
      grant_type: "client_credentials",
    });
    expect(status).toBe(401);
    expect(body).toMatchObject({ error: "invalid_client", error_codes: [7000215] });
    expect(String(body.error_description)).toMatch(/^AADSTS7000215: /);
    await expect(
      confidentialClient(sim, undefined, "wrong").acquireTokenByClientCredential({
        scopes: ["https://graph.microsoft.com/.default"],
      }),
    ).rejects.toThrow(/invalid_client/);
  });

  it("rejects client credentials without a /.default scope and unknown clients", async () => {
    const scope = await tokenRequest({
      client_id: DEMO_TENANT.bridgeApp.clientId,
      client_secret: DEMO_TENANT.bridgeApp.clientSecret,
      scope: "Mail.Read",
      grant_type: "client_credentials",
    });
    expect(scope.status).toBe(400);
    expect(scope.body.error).toBe("invalid_scope");
    const unknown = await tokenRequest({
      client_id: "00000000-0000-0000-0000-000000000001",
      client_secret: "x",
      scope: "https://graph.microsoft.com/.default",
      grant_type: "client_credentials",
    });
    expect(unknown.body.error_codes).toEqual([700016]);
  });

  it("runs auth code + PKCE with MSAL, then refreshes silently from a persisted cache", async () => {
    const [upn] = firstUsers(sim, 1);
    let persisted = "";
    const plugin: ICachePlugin = {
      beforeCacheAccess: async (context: TokenCacheContext) => {
        if (persisted) context.tokenCache.deserialize(persisted);
      },
      afterCacheAccess: async (context: TokenCacheContext) => {
        if (context.cacheHasChanged) persisted = context.tokenCache.serialize();
      },
    };
    const msal = confidentialClient(sim, plugin);
    const verifier = randomBytes(32).toString("base64url");
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const authUrl = await msal.getAuthCodeUrl({
      scopes: ["Contacts.ReadWrite", "Calendars.ReadWrite"],
      redirectUri: DEMO_TENANT.redirectUri,
      codeChallenge: challenge,
      codeChallengeMethod: "S256",
      loginHint: upn ?? "",
      state: "xyz",
    });
    expect(authUrl.startsWith(`${sim.authority}/oauth2/v2.0/authorize`)).toBe(true);
    const redirect = await fetch(authUrl, { redirect: "manual" });
    expect(redirect.status).toBe(302);
    const callback = new URL(redirect.headers.get("location") ?? "");
    expect(callback.searchParams.get("state")).toBe("xyz");
    const code = callback.searchParams.get("code") ?? "";

    const wrongVerifier = await tokenRequest({
      client_id: DEMO_TENANT.bridgeApp.clientId,
      client_secret: DEMO_TENANT.bridgeApp.clientSecret,
      grant_type: "authorization_code",
      code,
      redirect_uri: DEMO_TENANT.redirectUri,
      code_verifier: "not-the-verifier",
    });
    expect(wrongVerifier.body).toMatchObject({ error: "invalid_grant", error_codes: [501481] });

    const byCode = await msal.acquireTokenByCode({
      code,
      scopes: ["Contacts.ReadWrite", "Calendars.ReadWrite"],
      redirectUri: DEMO_TENANT.redirectUri,
      codeVerifier: verifier,
    });
    expect(byCode.account?.username).toBe(upn);
    expect(decodeJwt(byCode.accessToken).scp).toBe("Contacts.ReadWrite Calendars.ReadWrite");
    expect(JSON.parse(persisted).RefreshToken).not.toEqual({});

    const reused = await tokenRequest({
      client_id: DEMO_TENANT.bridgeApp.clientId,
      client_secret: DEMO_TENANT.bridgeApp.clientSecret,
      grant_type: "authorization_code",
      code,
      redirect_uri: DEMO_TENANT.redirectUri,
      code_verifier: verifier,
    });
    expect(reused.body.error_codes).toEqual([54005]);

    // A fresh MSAL instance reading the same persisted cache refreshes through the refresh token.
    const restarted = confidentialClient(sim, plugin);
    const account = await restarted.getTokenCache().getAccountByHomeId(byCode.account?.homeAccountId ?? "");
    if (!account) throw new Error("the persisted cache lost the account");
    const silent = await restarted.acquireTokenSilent({
      account,
      scopes: ["Contacts.ReadWrite"],
      forceRefresh: true,
    });
    expect(silent.accessToken).not.toBe(byCode.accessToken);
    expect(decodeJwt(silent.accessToken).oid).toBe(byCode.account?.localAccountId);
  });

  it("issues nested-app-auth style tokens for the bridge's own API", async () => {
    const [upn] = firstUsers(sim, 1);
    const user = sim.control.mailbox(upn ?? "").user;
    const response = await fetch(`${sim.url}/_sim/addin-token`, {
      method: "POST",
      body: JSON.stringify({
        tenantId: DEMO_TENANT.id,
        userId: user.id,
        clientId: DEMO_TENANT.addinApp.clientId,
        apiClientId: DEMO_TENANT.bridgeApp.clientId,
        scopes: ["CRM.Access"],
      }),
    });
    const { access_token: token } = (await response.json()) as { access_token: string };
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${sim.url}/common/discovery/v2.0/keys`)), {
      audience: DEMO_TENANT.bridgeApp.clientId,
      issuer: `${sim.url}/${DEMO_TENANT.id}/v2.0`,
    });
    expect(payload).toMatchObject({
      scp: "CRM.Access",
      oid: user.id,
      tid: DEMO_TENANT.id,
      azp: DEMO_TENANT.addinApp.clientId,
    });
  });
});
