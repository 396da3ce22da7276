/**
 * Graph's error shape (errors.md): `{"error":{"code","message","innerError":{"request-id","date"}}}` — the code is
 * for logic, the message for logs. Handlers throw `GraphError`; the HTTP layer and `$batch` render it.
 */
import { randomUUID } from "node:crypto";

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function errorBody(code: string, message: string): { error: Record<string, unknown> } {
  return {
    error: {
      code,
      message,
      innerError: {
        date: new Date().toISOString().slice(0, 19),
        "request-id": randomUUID(),
        "client-request-id": randomUUID(),
      },
    },
  };
}

export const notFound = (): GraphError =>
  new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");

export const badRequest = (message: string, code = "BadRequest"): GraphError => new GraphError(400, code, message);

export const accessDenied = (): GraphError =>
  new GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");

/** Application access policy / RBAC for Applications denial (auth-limit-mailbox-access.md "Handling API errors"). */
export const accessPolicyDenied = (): GraphError =>
  new GraphError(403, "ErrorAccessDenied", "Access to OData is disabled.");

export const unauthorized = (message: string): GraphError =>
  new GraphError(401, "InvalidAuthenticationToken", message, {
    "www-authenticate":
      'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"',
  });
