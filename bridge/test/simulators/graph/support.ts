/** Shared set-up for the Graph simulator tests: a running simulator, MSAL apps and Graph clients pointed at it. */
import { ConfidentialClientApplication, type ICachePlugin } from "@azure/msal-node";
import { Client } from "@microsoft/microsoft-graph-client";
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
