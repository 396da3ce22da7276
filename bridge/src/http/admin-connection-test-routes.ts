/**
 * Admin API "test connection" routes (testZoho, testExchange): thin handlers over `services/connection-tests.ts`.
 * A failed test is a normal 200 answer with `ok: false` and the failing step; only a missing configuration is an
 * HTTP error (409), since there is nothing to test, and so is a host off the EWS allow-list (400, as saving it).
 */
import {
  ConnectionNotAllowed,
  ConnectionNotConfigured,
  testExchangeConnection,
  testZohoConnection,
} from "../services/connection-tests.js";
import { InvalidAppCertificate } from "../services/connections.js";
import { adminRouteAdder } from "./admin-meeting-routes.js";
import type { AppContext } from "./context.js";
import { HttpError, httpErrors } from "./errors.js";
import type { RouteTable } from "./routes.js";

/** Runs a connection test; nothing to test (ConnectionNotConfigured) is the contract's 409 not-configured. */
export async function unlessUnconfigured<T>(test: () => Promise<T>): Promise<T> {
  try {
    return await test();
  } catch (error) {
    if (error instanceof ConnectionNotConfigured) throw new HttpError(409, "not-configured", error.message);
    if (error instanceof ConnectionNotAllowed) {
      throw httpErrors.invalid("admin", [{ path: "connection.endpoint.ewsUrl", message: error.message }]);
    }
    if (error instanceof InvalidAppCertificate) {
      throw httpErrors.invalid("admin", [{ path: "connection.credential", message: error.message }]);
    }
    throw error;
  }
}

export function addAdminConnectionTestRoutes(table: RouteTable, context: AppContext): void {
  const add = adminRouteAdder(table);
  add("testZoho", async () => unlessUnconfigured(() => testZohoConnection(context.storage, context.now())));
  add("testExchange", async ({ request }) =>
    unlessUnconfigured(() =>
      testExchangeConnection(
        context.storage,
        // The endpoints the process's connector factory uses, so the test probes what the sync will reach.
        context.connectors.endpoints,
        {
          connection: request.connection,
          mailbox: request.mailbox,
          allowedHosts: context.settings.ewsAllowedHosts,
        },
        context.now(),
      ),
    ),
  );
}
