/** Shared set-up for the Graph simulator tests: a running simulator, MSAL apps and Graph clients pointed at it. */
import { ConfidentialClientApplication, type ICachePlugin } from "@azure/msal-node";
import { Client, GraphError } from "@microsoft/microsoft-graph-client";
import { DEMO_TENANT, type GraphSimulatorOptions, startGraphSimulator } from "../../../simulators/graph/index.js";
import { testPki } from "../../support/pki.js";

export type RunningGraphSimulator = Awaited<ReturnType<typeof startGraphSimulator>>;

export async function startSimulator(options: GraphSimulatorOptions = {}): Promise<RunningGraphSimulator> {
  return startGraphSimulator({ pki: await testPki(), ...options });
}

export function confidentialClient(
  sim: RunningGraphSimulator,
  cachePlugin?: ICachePlugin,
  secret: string = DEMO_TENANT.bridgeApp.clientSecret,
) {
  return new ConfidentialClientApplication({
    auth: {
      clientId: DEMO_TENANT.bridgeApp.clientId,
      clientSecret: secret,
      authority: sim.authority,
      knownAuthorities: [new URL(sim.url).host],
    },
    ...(cachePlugin ? { cache: { cachePlugin } } : {}),
  });
}

/** A Graph SDK client authenticated with an app-only token from MSAL (client credentials). */
export function appOnlyGraph(sim: RunningGraphSimulator, extraHeaders: Record<string, string> = {}): Client {
  const msal = confidentialClient(sim);
  return Client.init({
    baseUrl: sim.url,
    customHosts: new Set([new URL(sim.url).hostname]),
    fetchOptions: { headers: extraHeaders },
    authProvider: (done) => {
      msal
        .acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"] })
        .then((result) => done(null, result?.accessToken ?? null))
        .catch((error: unknown) => done(error, null));
    },
  });
}

export async function appOnlyToken(sim: RunningGraphSimulator): Promise<string> {
  const result = await confidentialClient(sim).acquireTokenByClientCredential({
    scopes: ["https://graph.microsoft.com/.default"],
  });
  if (!result) throw new Error("no token");
  return result.accessToken;
}

export function firstUsers(sim: RunningGraphSimulator, count: number): string[] {
  const tenant = sim.control.directory.tenantByIdOrDomain(DEMO_TENANT.id);
  if (!tenant) throw new Error("demo tenant missing");
  return [...tenant.mailboxes.values()].slice(0, count).map((mailbox) => mailbox.user.userPrincipalName);
}

/** Awaits a Graph SDK call that must fail and returns its GraphError. */
export async function graphError(call: Promise<unknown>): Promise<GraphError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof GraphError) return error;
    throw error;
  }
  throw new Error("expected a Graph error");
}

/** A delegated access token for `user` (auth code grant without PKCE, consent decided through the control API). */
export async function delegatedToken(sim: RunningGraphSimulator, user: string, scopes: string[]): Promise<string> {
  const mailbox = sim.control.mailbox(user);
  const code = sim.control.identity.authorize({
    tenant: DEMO_TENANT.id,
    clientId: DEMO_TENANT.bridgeApp.clientId,
    userId: mailbox.user.id,
    redirectUri: DEMO_TENANT.redirectUri,
    scopes: [...scopes, "openid", "offline_access"],
  });
  const response = await fetch(`${sim.authority}/oauth2/v2.0/token`, {
    method: "POST",
    body: new URLSearchParams({
      client_id: DEMO_TENANT.bridgeApp.clientId,
      client_secret: DEMO_TENANT.bridgeApp.clientSecret,
      grant_type: "authorization_code",
      code,
      redirect_uri: DEMO_TENANT.redirectUri,
    }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no delegated token: ${JSON.stringify(body)}`);
  return body.access_token;
}
