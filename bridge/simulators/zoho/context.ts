/** What every CRM API handler receives and returns; the router in `index.ts` builds the one and renders the other. */
import type { IncomingHttpHeaders } from "node:http";
import type { AccessTokenInfo } from "./auth.js";
import type { ZohoOrg } from "./org.js";
import type { SimUser } from "./store.js";
import type { Json, JsonObject } from "./wire.js";

export interface ApiContext {
  org: ZohoOrg;
  token: AccessTokenInfo;
  user: SimUser;
  /** The API user's time zone: every DateTime in a response is rendered in it. */
  zone: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  method: string;
  body(): Promise<JsonObject>;
  /** The request body as sent (multipart uploads). */
  raw: Buffer;
  /** `{base}/{dc}`: the API domain, for absolute URLs in responses. */
  apiDomain: string;
}

export interface ApiResult {
  status: number;
  body?: Json;
  headers?: Record<string, string>;
}

/** Zoho's batch status: all succeeded → `success`, none → 400, some → 207 (zoho-crm-api.md §2). */
export function batchStatus(results: ReadonlyArray<{ ok: boolean }>, success: number): number {
  const okCount = results.filter((result) => result.ok).length;
  if (okCount === results.length) return success;
  return okCount === 0 ? 400 : 207;
}
