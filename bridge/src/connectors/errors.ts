/**
 * The small shared set of failures every connector maps its service's errors to.
 *
 * Invariants:
 * - Expected failures are values (`ConnectorFailure`), carried per item in write results or thrown as a
 *   `ConnectorError` when a whole call fails (a listing page, an auth refresh). Bugs stay ordinary exceptions.
 * - Callers classify by `kind`, never by message text.
 * - `isGlobalFailure` decides whether a failure aborts the whole run (nothing more can succeed for this mailbox now)
 *   or is reported for the one item and the run goes on.
 */

/** Discriminated union of the failures a connector may report. */
export type ConnectorFailure =
  /** The version sent with an update/delete is stale: the item changed remotely since it was read. */
  | { readonly kind: "precondition-failed"; readonly message: string; readonly currentVersion?: string }
  /** The item (or the parent it lives in) does not exist (any more). */
  | { readonly kind: "not-found"; readonly message: string }
  /** The service asked us to slow down; retry no earlier than `retryAfterMs` from now. */
  | { readonly kind: "throttled"; readonly message: string; readonly retryAfterMs: number }
  /** Credentials are expired or revoked and could not be refreshed: a human has to re-authorise. */
  | { readonly kind: "auth-expired"; readonly message: string }
  /** The service rejected the record's content. `field` is the canonical (or service) field name when known. */
  | { readonly kind: "invalid-record"; readonly message: string; readonly field?: string }
  /** A transport error, 5xx, timeout or malformed reply; retrying later may succeed. */
  | { readonly kind: "transient"; readonly message: string }
  /** The saved cursor (deltaLink, SyncState, watermark) is no longer accepted: do a full listing and diff. */
  | { readonly kind: "cursor-invalid"; readonly message: string }
  /** The mailbox (or CRM org/user) is gone, disabled or no longer accessible to the configured identity. */
  | { readonly kind: "mailbox-unavailable"; readonly message: string };

export type ConnectorFailureKind = ConnectorFailure["kind"];

/** Thrown by connector methods whose whole call failed. Per-item write failures are returned, not thrown. */
export class ConnectorError extends Error {
  readonly failure: ConnectorFailure;

  constructor(failure: ConnectorFailure, options?: { cause?: unknown }) {
    super(`${failure.kind}: ${failure.message}`, options);
    this.name = "ConnectorError";
    this.failure = failure;
  }
}

/** Failure kinds after which no further call for this mailbox can succeed in this run. */
const GLOBAL_KINDS: ReadonlySet<ConnectorFailureKind> = new Set(["auth-expired", "throttled", "mailbox-unavailable"]);

/** True when the failure must abort the whole run (auth revoked, throttled, mailbox gone); false for per-item ones. */
export function isGlobalFailure(failure: ConnectorFailure): boolean {
  return GLOBAL_KINDS.has(failure.kind);
}

/**
 * Turns anything caught around a connector call into a failure value: a `ConnectorError` keeps its failure;
 * anything else is a bug or an unmapped transport error and becomes `transient` (kept retryable, never a deletion).
 */
export function toConnectorFailure(error: unknown): ConnectorFailure {
  if (error instanceof ConnectorError) return error.failure;
  const message = error instanceof Error ? error.message : String(error);
  return { kind: "transient", message };
}

/** Per-item result of a batched call: success with a value, or a failure value for that item alone. */
export type ItemResult<V> =
  | { readonly ok: true; readonly value: V }
  | { readonly ok: false; readonly failure: ConnectorFailure };

export function succeeded<V>(value: V): ItemResult<V> {
  return { ok: true, value };
}

export function failed<V>(failure: ConnectorFailure): ItemResult<V> {
  return { ok: false, failure };
}
