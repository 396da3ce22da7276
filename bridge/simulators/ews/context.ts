/** What every operation handler gets: the server, the requested version, the resolved mailbox and services. */
import type { SchemaSet } from "./schema.js";
import type { Account, Mailbox, Organisation } from "./store.js";
import type { RequestedVersion, ServerVersion } from "./versions.js";
import type { XNode } from "./xml.js";

export interface OperationContext {
  server: ServerVersion;
  requested: RequestedVersion;
  org: Organisation;
  account: Account;
  /** The mailbox the request acts on: the impersonated one, or the caller's own. */
  mailbox: Mailbox;
  schema: SchemaSet;
  /** Windows time-zone id from the TimeZoneContext header, if any. */
  timeZone?: string;
  now(): Date;
  baseUrl: string;
}

export type OperationHandler = (ctx: OperationContext, body: XNode) => string | Promise<string>;
