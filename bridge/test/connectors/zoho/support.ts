/** Connects the Zoho connector to a running simulator with a fresh refresh token (fast retries for tests). */

import { DEFAULT_CLIENT, type RunningZohoSimulator } from "../../../simulators/zoho/index.js";
import { createZohoCrmPort, type ZohoCrmPort } from "../../../src/connectors/zoho/index.js";

export async function connectZoho(
  simulator: RunningZohoSimulator,
): Promise<{ crm: ZohoCrmPort; refreshToken: string }> {
  const refreshToken = simulator.control.issueRefreshToken();
  const crm = await createZohoCrmPort({
    oauth: {
      clientId: DEFAULT_CLIENT.clientId,
      clientSecret: DEFAULT_CLIENT.clientSecret,
      accountsServer: simulator.control.urls().accountsUrl,
      refreshToken,
    },
    client: { maxRetries: 1, backoffMs: 5 },
  });
  return { crm, refreshToken };
}
