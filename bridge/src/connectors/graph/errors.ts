/**
 * Graph and identity-platform failures → the connectors' shared failure kinds. Classification is by HTTP status and
 * Graph error code (errors.md), never by message text:
 * 401 → auth-expired (after one refresh, see transport); 403 ErrorAccessDenied (application access policy, RBAC
 * scope) / 404 ErrorInvalidUser / MailboxNotEnabledForRESTAPI → mailbox-unavailable; 404 → not-found;
 * 409/412 → precondition-failed; 410 or syncStateNotFound/resyncRequired → cursor-invalid; 429 and 503/504 with
 * Retry-After → throttled; 424 (a `$batch` request not run because the one it depends on failed) → transient; other
 * 400s → invalid-record; 5xx and transport errors → transient.
 */
import type { ConnectorFailure } from "../errors.js";

const MAILBOX_CODES = new Set([
  "ErrorAccessDenied",
  "ErrorInvalidUser",
  "MailboxNotEnabledForRESTAPI",
  "ErrorMailboxNotEnabledForRESTAPI",
  "ResourceUnhealthy",
]);
const CURSOR_CODES = new Set(["syncStateNotFound", "resyncRequired", "SyncStateNotFound", "ResyncRequired"]);
const DEFAULT_RETRY_AFTER_MS = 5_000;

/** `Retry-After` as seconds (decimals allowed, e.g. `2.128`) or an HTTP date → milliseconds. */
export function retryAfterMs(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export interface GraphFailureInput {
  status: number;
  code?: string | null | undefined;
  message?: string | null | undefined;
  retryAfter?: string | null | undefined;
}

export function graphFailure({ status, code, message, retryAfter }: GraphFailureInput): ConnectorFailure {
  const text = `Graph ${status}${code ? ` ${code}` : ""}${message ? `: ${message}` : ""}`;
  if (status === 410 || (code && CURSOR_CODES.has(code))) return { kind: "cursor-invalid", message: text };
  if (status === 401) return { kind: "auth-expired", message: text };
  if (status === 429 || ((status === 503 || status === 504) && retryAfter)) {
    return { kind: "throttled", message: text, retryAfterMs: retryAfterMs(retryAfter) ?? DEFAULT_RETRY_AFTER_MS };
  }
  if ((status === 403 || status === 404) && code && MAILBOX_CODES.has(code))
    return { kind: "mailbox-unavailable", message: text };
  if (status === 404) return { kind: "not-found", message: text };
  if (status === 412 || status === 409) return { kind: "precondition-failed", message: text };
  if (status === 424) return { kind: "transient", message: text };
  if (status === 403) return { kind: "mailbox-unavailable", message: text };
  if (status >= 400 && status < 500) return { kind: "invalid-record", message: text };
  return { kind: "transient", message: text };
}
