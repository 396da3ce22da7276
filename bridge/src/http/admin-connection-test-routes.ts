/**
 * Admin API "test connection" routes (testZoho, testExchange): thin handlers over `services/connection-tests.ts`.
 * A failed test is a normal 200 answer with `ok: false` and the failing step; only a missing configuration is an
 * HTTP error (409), since there is nothing to test.
 */
import { ConnectionNotConfigured, testExchangeConnection, testZohoConnection } from "../services/connection-tests.js";
import type { ServiceConnectorOptions } from "../services/service-connectors.js";
import { adminRouteAdder } from "./admin-meeting-routes.js";
import type { AppContext } from "./context.js";
import { HttpError } from "./errors.js";
import type { RouteTable } from "./routes.js";

/** Where Graph and the identity platform live: the sandbox serves both from one simulator (as meetingService). */
function exchangeEndpoints(context: AppContext): ServiceConnectorOptions {
  const authorityHost = context.settings.entra?.authorityHost ?? "https://login.microsoftonline.com";
  return context.settings.sandbox && context.settings.entra
    ? { authorityHost, graphBaseUrl: authorityHost, knownAuthorities: [new URL(authorityHost).host] }
    : { authorityHost };
}

async function unlessUnconfigured<T>(test: () => Promise<T>): Promise<T> {
  try {
    return await test();
  } catch (error) {
    if (error instanceof ConnectionNotConfigured) throw new HttpError(409, "not-connected", error.message);
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
        exchangeEndpoints(context),
        { connection: request.connection, mailbox: request.mailbox },
        context.now(),
      ),
    ),
  );
}
