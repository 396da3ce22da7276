/**
 * The one error shape of every bridge endpoint: `{ error: { code, message, details?, requestId } }` with a stable
 * code per failure. Admin routes use the admin contract's lower-case codes, add-in routes the add-in contract's
 * upper-case ones; `ApiFamily` picks the right code for the generic failures (validation, auth, not found).
 */
export type ApiFamily = "admin" | "addin" | "ops";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

const GENERIC_CODES = {
  admin: {
    invalid: "invalid-request",
    unauthenticated: "unauthenticated",
    forbidden: "forbidden",
    notFound: "not-found",
    internal: "internal",
  },
  addin: {
    invalid: "VALIDATION_FAILED",
    unauthenticated: "UNAUTHENTICATED",
    forbidden: "FORBIDDEN",
    notFound: "NOT_FOUND",
    internal: "INTERNAL",
  },
  ops: {
    invalid: "invalid-request",
    unauthenticated: "unauthenticated",
    forbidden: "forbidden",
    notFound: "not-found",
    internal: "internal",
  },
} as const;

export const httpErrors = {
  invalid: (family: ApiFamily, issues: unknown[]) =>
    new HttpError(400, GENERIC_CODES[family].invalid, "the request does not match the route's schema", { issues }),
  unauthenticated: (family: ApiFamily, why = "authentication required") =>
    new HttpError(401, GENERIC_CODES[family].unauthenticated, why),
  forbidden: (family: ApiFamily, why = "not allowed") => new HttpError(403, GENERIC_CODES[family].forbidden, why),
  notFound: (family: ApiFamily, what = "not found") => new HttpError(404, GENERIC_CODES[family].notFound, what),
  internal: (family: ApiFamily) =>
    new HttpError(500, GENERIC_CODES[family].internal, "internal error; the log has the details"),
  tooManyRequests: (retryAfterSeconds: number) =>
    new HttpError(
      429,
      "rate-limited",
      "too many requests",
      { retryAfterSeconds },
      {
        "retry-after": String(retryAfterSeconds),
      },
    ),
  payloadTooLarge: () => new HttpError(413, "payload-too-large", "the request body is too large"),
};

/** Which family a path belongs to, for failures raised before a route matched. */
export function familyOfPath(path: string): ApiFamily {
  if (path.startsWith("/api/addin")) return "addin";
  if (path.startsWith("/api/admin")) return "admin";
  return "ops";
}
