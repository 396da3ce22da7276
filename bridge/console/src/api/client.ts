/**
 * The console's one way to reach the bridge: a client typed by the admin API contract (`bridge/src/api/admin.ts`).
 *
 * `call(name, request, params?)` looks the route up in `adminRoutes`, sends the request as the query string (GET)
 * or a JSON body, and parses the reply with the route's response schema, so contract drift shows up as a clear
 * error instead of a broken page. Failures are always an `AdminApiError` carrying the contract's error code.
 * Pages receive the client through React context, so tests inject a fake and never need a bridge.
 */
import {
  ADMIN_AUTH,
  AdminError,
  type AdminErrorCode,
  type AdminParams,
  type AdminRequest,
  type AdminResponse,
  type AdminRouteName,
  adminPath,
  adminRoutes,
} from "../../../src/api/admin.js";

/** Routes without path parameters take none; the others take them as one object. */
export type ParamsArgument<N extends AdminRouteName> =
  Record<string, never> extends AdminParams<N> ? [] : [AdminParams<N>];

export interface AdminClient {
  call<N extends AdminRouteName>(
    name: N,
    request: AdminRequest<N>,
    ...params: ParamsArgument<N>
  ): Promise<AdminResponse<N>>;
}

/** A failed admin call: the contract's code (or "network" when the bridge could not be reached). */
export class AdminApiError extends Error {
  constructor(
    readonly code: AdminErrorCode | "network",
    message: string,
    readonly status: number,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "AdminApiError";
  }
}

export interface HttpClientOptions {
  /** Origin (and optional path prefix) of the bridge; "" means the page's own origin. */
  baseUrl: string;
  fetch?: typeof fetch;
  /** The session's CSRF token, sent on every unsafe request (see ADMIN_AUTH). */
  csrfToken?: () => string | undefined;
}

/** Reads a cookie of this page, e.g. the CSRF token the bridge sets next to the session. */
export function readCookie(name: string, cookies: string = document.cookie): string | undefined {
  for (const part of cookies.split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return undefined;
}

function queryString(request: object): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(request)) {
    if (value !== undefined && value !== null) query.set(key, String(value));
  }
  const text = query.toString();
  return text === "" ? "" : `?${text}`;
}

function unsafeHeaders(csrf: string | undefined): Record<string, string> {
  const headers: Record<string, string> = { accept: "application/json", "content-type": "application/json" };
  if (csrf !== undefined) headers[ADMIN_AUTH.csrfHeader] = csrf;
  return headers;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function createHttpAdminClient({
  baseUrl,
  fetch: fetchImpl = fetch,
  csrfToken = () => undefined,
}: HttpClientOptions): AdminClient {
  return {
    async call(name, request, ...params) {
      const route = adminRoutes[name];
      const path = adminPath(route.path, params[0] ?? {});
      const isGet = route.method === "GET";
      let response: Response;
      try {
        response = await fetchImpl(`${baseUrl}${path}${isGet ? queryString(request) : ""}`, {
          method: route.method,
          credentials: "same-origin",
          headers: isGet ? { accept: "application/json" } : unsafeHeaders(csrfToken()),
          body: isGet ? undefined : JSON.stringify(request),
        });
      } catch (cause) {
        throw new AdminApiError("network", `The bridge could not be reached (${String(cause)}).`, 0);
      }
      const body = await readJson(response);
      if (!response.ok) {
        const failure = AdminError.safeParse(body);
        if (failure.success) {
          const { code, message, details } = failure.data.error;
          throw new AdminApiError(code, message, response.status, details);
        }
        throw new AdminApiError("internal", `The bridge answered HTTP ${response.status}.`, response.status);
      }
      const parsed = route.response.safeParse(body);
      if (!parsed.success) {
        throw new AdminApiError(
          "internal",
          `The bridge's answer to ${name} does not match the admin API contract.`,
          0,
          {
            issues: parsed.error.issues,
          },
        );
      }
      return parsed.data as AdminResponse<typeof name>;
    },
  };
}
