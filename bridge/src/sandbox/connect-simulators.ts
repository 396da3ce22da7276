/**
 * Connects a bridge database to running simulators exactly as an admin would through the console: the Zoho
 * connection with its (sealed) refresh token, the Exchange connection — by default the Graph app registration with
 * its (sealed) secret; for on-premises the EWS URL and the service account holding ApplicationImpersonation — and
 * the Zoho users with their mailboxes, selected for sync. Used by the sandbox and by the multi-process tests.
 *
 * A bridge deployment reaches Exchange through ONE connection (Graph or EWS), so a sandbox that shows both an
 * Office 365 tenant and an on-premises server runs two bridges against the same Zoho org, each with its own users.
 */
import { DEMO_TENANT } from "../../simulators/graph/index.js";
import type { RunningZohoSimulator } from "../../simulators/zoho/index.js";
import { DEFAULT_CLIENT } from "../../simulators/zoho/index.js";
import type { AccessPolicy, ExchangeConnectionInput } from "../api/admin.js";
import { ACCESS_POLICY_KEY } from "../http/admin-routes.js";
import { saveExchangeConnection, saveZohoConnection } from "../services/connections.js";
import { DEFAULT_SYNC_SETTINGS, SYNC_SETTINGS_KEY } from "../services/sync-settings.js";
import type { Storage } from "../storage/index.js";

export interface SimulatorConnection {
  zoho: Pick<RunningZohoSimulator, "control" | "org">;
  /** Mailboxes (Graph simulator addresses) to pair with Zoho users, one each, in order. */
  mailboxes: readonly string[];
  /** Modules to enable (default: contacts, events, tasks). */
  modules?: readonly ("contacts" | "events" | "tasks")[];
  /** How the bridge reaches the mailboxes (default: the Graph simulator's demo tenant, app-only). */
  exchange?: ExchangeConnectionInput;
  /** Pair the first mailbox with the Zoho org's primary user (default); false: every mailbox gets a new Zoho user,
   * so a second bridge on the same Zoho org does not share a CRM user with the first. */
  pairPrimaryUser?: boolean;
}

const GRAPH_DEMO_CONNECTION: ExchangeConnectionInput = {
  kind: "graph",
  tenantId: DEMO_TENANT.id,
  clientId: DEMO_TENANT.bridgeApp.clientId,
  credential: { type: "secret", clientSecret: DEMO_TENANT.bridgeApp.clientSecret },
};

export async function connectToSimulators(storage: Storage, connection: SimulatorConnection): Promise<void> {
  const { control } = connection.zoho;
  const urls = control.urls();
  await saveZohoConnection(
    storage,
    {
      status: "connected",
      dataCentre: "US",
      clientId: DEFAULT_CLIENT.clientId,
      accountsUrl: urls.accountsUrl,
      apiDomain: urls.apiDomain,
      organization: { id: "sandbox", name: "Sandbox org" },
      connectedAs: { zohoUserId: control.primaryUser().id, email: control.primaryUser().email },
      authorizeUrl: null,
      lastError: null,
    },
    { clientSecret: DEFAULT_CLIENT.clientSecret, refreshToken: control.issueRefreshToken() },
  );
  await saveExchangeConnection(storage, connection.exchange ?? GRAPH_DEMO_CONNECTION);
  const enabled = new Set(connection.modules ?? ["contacts", "events", "tasks"]);
  const modules = Object.fromEntries(
    Object.entries(DEFAULT_SYNC_SETTINGS.modules).map(([name, settings]) => [
      name,
      { ...settings, enabled: enabled.has(name as "contacts") },
    ]),
  );
  await storage.settings.put(SYNC_SETTINGS_KEY, { ...DEFAULT_SYNC_SETTINGS, modules, revision: 1 });
  // Every demo user may use the bridge (the add-in preview signs any of them in); saved as the wizard's last step.
  await storage.settings.put(ACCESS_POLICY_KEY, { audience: "all-users", profileIds: [] } satisfies AccessPolicy);
  const zohoUsers = connection.pairPrimaryUser === false ? [] : [control.primaryUser()];
  for (const mailbox of connection.mailboxes.slice(zohoUsers.length)) {
    const [local = "user"] = mailbox.split("@");
    zohoUsers.push(control.addUser({ firstName: local, lastName: "Sandbox", email: mailbox }));
  }
  await storage.users.syncFromZoho(
    zohoUsers.map((user, index) => ({
      zohoUserId: user.id,
      email: connection.mailboxes[index] ?? user.email,
      fullName: `${user.firstName} ${user.lastName}`.trim(),
      profileId: user.profileId,
      profile: connection.zoho.org.profiles.get(user.profileId)?.name ?? "Standard",
      active: user.status === "active",
    })),
  );
  const users = await storage.users.list();
  await storage.users.setSelected(
    users.map((user) => user.id),
    true,
  );
}
