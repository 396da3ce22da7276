/**
 * Zoho's wire conventions shared by every handler: the two error envelopes, the response headers, and the
 * date/time rendering rules.
 *
 * - Request-level errors are a bare `{code, details, message, status:"error"}` (zoho-crm-api.md §0); handlers throw
 *   `ZohoApiError` and the router renders it. Per-record errors live inside `data[]` and are built by the handlers.
 * - JSON answers carry `content-type: application/json;charset=UTF-8`, `content-disposition` and `server: ZGS`;
 *   204/304 carry no body and no content-type (§0, real captures).
 * - DateTimes leave the API in the API user's time zone with one-second precision, whatever offset came in; all-day
 *   events leave as `+00:00` (§3 "Events details", real capture `records-get-event-real-response.json`).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { DateTime } from "luxon";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export class ZohoApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: JsonObject = {},
  ) {
    super(message);
  }

  body(): JsonObject {
    return { code: this.code, details: this.details, message: this.message, status: "error" };
  }
}

export const errors = {
  invalidToken: () => new ZohoApiError(401, "INVALID_TOKEN", "invalid oauth token"),
  authenticationFailure: () => new ZohoApiError(401, "AUTHENTICATION_FAILURE", "Authentication failed"),
  scopeMismatch: () => new ZohoApiError(401, "OAUTH_SCOPE_MISMATCH", "Unauthorized"),
  invalidUrl: () =>
    new ZohoApiError(404, "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one"),
  invalidModule: () =>
    new ZohoApiError(400, "INVALID_MODULE", "the module name given seems to be invalid", { resource_path_index: 0 }),
  notSupported: (message: string) => new ZohoApiError(400, "NOT_SUPPORTED", message),
  requiredParam: (param: string) =>
    new ZohoApiError(400, "REQUIRED_PARAM_MISSING", "required param is missing", { param_name: param }),
  invalidParam: (param: string, message = "the given param is invalid") =>
    new ZohoApiError(400, "INVALID_DATA", message, { param_name: param }),
  limitExceeded: (param: string, limit: number) =>
    new ZohoApiError(400, "LIMIT_EXCEEDED", "limit exceeded", { limit, param_name: param }),
  invalidBody: () => new ZohoApiError(400, "INVALID_DATA", "the input data is invalid", {}),
  mandatoryBodyKey: (key: string) =>
    new ZohoApiError(400, "MANDATORY_NOT_FOUND", "required field not found", { api_name: key, json_path: `$.${key}` }),
  tooManyRequests: () =>
    // The exact 429 body is undocumented (zoho-crm-api.md §7 [?]); this follows the shared envelope and the
    // status-codes page's wording.
    new ZohoApiError(
      429,
      "TOO_MANY_REQUESTS",
      "Number of API requests for the 24 hour period is exceeded or the concurrency limit of the user for the app is exceeded",
    ),
  internal: () => new ZohoApiError(500, "INTERNAL_ERROR", "Internal Server Error"),
};

const ZOHO_HEADERS = {
  "content-type": "application/json;charset=UTF-8",
  "content-disposition": "attachment; filename=response.json",
  server: "ZGS",
};

export function sendJson(res: ServerResponse, status: number, body: Json, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...ZOHO_HEADERS, "content-length": String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: 204 | 304, headers: Record<string, string> = {}): void {
  res.writeHead(status, { server: "ZGS", ...headers });
  res.end();
}

export const ZOHO_JSON_CONTENT_TYPE = ZOHO_HEADERS["content-type"];

const MAX_BODY_BYTES = 20 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new ZohoApiError(413, "REQUEST_ENTITY_TOO_LARGE", "request entity too large");
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

export function parseJsonBody(raw: Buffer): JsonObject {
  try {
    const parsed = JSON.parse(raw.toString("utf8")) as Json;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed;
  } catch {
    // fall through to Zoho's answer for an unreadable body
  }
  throw errors.invalidBody();
}

/**
 * Zoho's DateTime input: `yyyy-MM-ddTHH:mm:ss±HH:mm`. A `Z` designator is accepted as +00:00; fractional seconds are
 * rejected (zoho-crm-api.md §8.5 leaves both [?]; Zoho never returns milliseconds, so rejecting them stops a client
 * from depending on a precision the server does not keep).
 */
const DATETIME_INPUT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[+-]\d{2}:\d{2}|Z)$/;
const DATE_INPUT = /^\d{4}-\d{2}-\d{2}$/;

/** Epoch seconds of a Zoho DateTime string, or undefined when it is not one. */
export function parseZohoDateTime(value: string): number | undefined {
  if (!DATETIME_INPUT.test(value)) return undefined;
  const parsed = DateTime.fromISO(value, { setZone: true });
  return parsed.isValid ? Math.floor(parsed.toSeconds()) : undefined;
}

export function isZohoDate(value: string): boolean {
  return DATE_INPUT.test(value) && DateTime.fromISO(value).isValid;
}

const offsetCache = new Map<string, number>();

/** UTC offset (minutes) of a zone at an instant; zone rules change at most hourly, so it is cached per hour. */
function zoneOffsetMinutes(epochSeconds: number, zone: string): number {
  const key = `${zone}|${Math.floor(epochSeconds / 3600)}`;
  let offset = offsetCache.get(key);
  if (offset === undefined) {
    offset = DateTime.fromSeconds(epochSeconds, { zone }).offset;
    if (offsetCache.size > 100_000) offsetCache.clear();
    offsetCache.set(key, offset);
  }
  return offset;
}

/** Renders epoch seconds in a zone, Zoho style (no milliseconds, `+00:00` rather than `Z`). Hot path of listings. */
export function formatZohoDateTime(epochSeconds: number, zone: string): string {
  const offset = zoneOffsetMinutes(epochSeconds, zone);
  const local = new Date((epochSeconds + offset * 60) * 1000).toISOString().slice(0, 19);
  const sign = offset < 0 ? "-" : "+";
  const absolute = Math.abs(offset);
  return `${local}${sign}${String(Math.floor(absolute / 60)).padStart(2, "0")}:${String(absolute % 60).padStart(2, "0")}`;
}

/** Parses an HTTP `If-Modified-Since` / `If-Unmodified-Since` value: ISO 8601 as Zoho documents, or an RFC 1123 date. */
export function parseHeaderTime(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const iso = DateTime.fromISO(value, { setZone: true });
  if (iso.isValid) return Math.floor(iso.toSeconds());
  const http = DateTime.fromHTTP(value);
  return http.isValid ? Math.floor(http.toSeconds()) : undefined;
}
