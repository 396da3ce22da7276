/**
 * EWS failures → the connectors' shared failure kinds (ews.md §5, §6; docs responsecode.md).
 *
 * Classification is by response code or HTTP status, never by message text. ews-javascript-api surfaces
 * request-level SOAP faults as `SoapFaultDetails` (numeric ServiceError code, MessageXml values in
 * ErrorDetails — e.g. BackOffMilliseconds) and per-item errors as `ServiceResponseException` (`ErrorCode`).
 */
import { ServiceError, ServiceResponseException, SoapFaultDetails } from "ews-javascript-api";
import { ConnectorError, type ConnectorFailure } from "../errors.js";
import { EwsTransportError } from "./transport.js";

/** Without a BackOffMilliseconds hint (2007/2010, connection-count errors) wait this long. */
const DEFAULT_BACKOFF_MS = 5_000;

const BY_CODE: Partial<Record<string, ConnectorFailure["kind"]>> = {
  ErrorServerBusy: "throttled",
  ErrorExceededConnectionCount: "throttled",
  ErrorExceededSubscriptionCount: "throttled",
  ErrorTooManyObjectsOpened: "throttled",
  ErrorItemNotFound: "not-found",
  ErrorFolderNotFound: "not-found",
  ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange: "not-found",
  ErrorCalendarOccurrenceIsDeletedFromRecurrence: "not-found",
  ErrorIrresolvableConflict: "precondition-failed",
  ErrorStaleObject: "precondition-failed",
  ErrorInvalidSyncStateData: "cursor-invalid",
  ErrorSyncFolderNotFound: "cursor-invalid",
  ErrorInvalidWatermark: "cursor-invalid",
  ErrorImpersonateUserDenied: "mailbox-unavailable",
  ErrorNonExistentMailbox: "mailbox-unavailable",
  ErrorMailboxMoveInProgress: "mailbox-unavailable",
  ErrorMailboxStoreUnavailable: "mailbox-unavailable",
  ErrorAccessDenied: "mailbox-unavailable",
  ErrorMissingEmailAddress: "mailbox-unavailable",
  ErrorSchemaValidation: "invalid-record",
  ErrorInvalidPropertyRequest: "invalid-record",
  ErrorInvalidPropertySet: "invalid-record",
  ErrorInvalidRequest: "invalid-record",
  ErrorIncorrectUpdatePropertyCount: "invalid-record",
  ErrorInvalidIdMalformed: "not-found",
  ErrorInvalidServerVersion: "invalid-record",
};

/** The failure for an EWS response code (ResponseMessage or SOAP fault). */
export function failureForCode(code: string, message: string, retryAfterMs?: number): ConnectorFailure {
  const kind = BY_CODE[code] ?? "transient";
  switch (kind) {
    case "throttled":
      return { kind, message: `${code}: ${message}`, retryAfterMs: retryAfterMs ?? DEFAULT_BACKOFF_MS };
    default:
      return { kind, message: `${code}: ${message}` };
  }
}

function backOffOf(fault: SoapFaultDetails): number | undefined {
  const value = fault.ErrorDetails?.containsKey("BackOffMilliseconds")
    ? fault.ErrorDetails.get("BackOffMilliseconds")
    : undefined;
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** The failure an EWS call ended with; unknown errors become `transient` (retryable, never a deletion). */
export function ewsFailure(caught: unknown): ConnectorFailure {
  if (caught instanceof ConnectorError) return caught.failure;
  const error =
    caught instanceof SoapFaultDetails || caught instanceof Error
      ? (EwsTransportError.recover(caught.message) ?? caught)
      : caught;
  if (error instanceof EwsTransportError) {
    if (error.httpStatus === 401 || error.httpStatus === 403) return { kind: "auth-expired", message: error.message };
    if (error.httpStatus === 503) {
      return { kind: "throttled", message: error.message, retryAfterMs: error.retryAfterMs ?? DEFAULT_BACKOFF_MS };
    }
    return { kind: "transient", message: error.message };
  }
  if (error instanceof ServiceResponseException) {
    return failureForCode(ServiceError[error.ErrorCode] ?? String(error.ErrorCode), error.Message);
  }
  if (error instanceof SoapFaultDetails) {
    if (error.HttpStatusCode === 401) return { kind: "auth-expired", message: error.message };
    const code = error.FaultCode?.replace(/^\w+:/, "") ?? ServiceError[error.ResponseCode] ?? "";
    return failureForCode(code, error.message, backOffOf(error));
  }
  return { kind: "transient", message: error instanceof Error ? error.message : String(error) };
}

export function ewsError(error: unknown): ConnectorError {
  return error instanceof ConnectorError ? error : new ConnectorError(ewsFailure(error), { cause: error });
}
