/**
 * Typed client of the bridge's add-in API. Requests are validated against the shared contract before sending and
 * responses are parsed with it, so a contract drift shows up as a clear `BridgeApiError`, not as undefined fields.
 */
import {
  ADDIN_VERSION_HEADER,
  type AddinRequest,
  type AddinResponse,
  type AddinRouteName,
  addinRoutes,
  EXCHANGE_CALLBACK_TOKEN_HEADER,
  errorBodySchema,
  TOKEN_TYPE_HEADER,
  type TokenType,
} from "../../../bridge/src/api/addin.js";
import { ADDIN_VERSION } from "../version.js";

export class BridgeApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "BridgeApiError";
  }
}

/** `exchangeCallbackToken` rides along with an on-prem identity token only while the bridge asks to link a mailbox. */
export type AccessToken = { tokenType: TokenType; token: string; exchangeCallbackToken?: string };

/**
 * Supplies a fresh token per call; the caller decides how (NAA, Exchange identity token, sandbox). `linkMailbox`
 * asks for the on-prem proof of mailbox (an Exchange callback token) after the bridge answered MAILBOX_NOT_LINKED.
 */
export type TokenSource = (request?: { linkMailbox?: boolean }) => Promise<AccessToken>;

export type BridgeClient = <N extends AddinRouteName>(name: N, input: AddinRequest<N>) => Promise<AddinResponse<N>>;

/** `baseUrl` is the bridge's root URL, ending in "/". */
export function createBridgeClient(baseUrl: string, tokenSource: TokenSource | null): BridgeClient {
  return async (name, input) => {
    const definition = addinRoutes[name];
    const validInput = definition.request.parse(input) as Record<string, unknown>;
    // Contract paths are relative to the bridge's root, which may sit under a path prefix (baseUrl ends in "/").
    const url = new URL(definition.path.slice(1), baseUrl);
    const headers: Record<string, string> = { accept: "application/json", [ADDIN_VERSION_HEADER]: ADDIN_VERSION };
    let body: string | undefined;
    if (definition.method === "GET") {
      for (const [key, value] of Object.entries(validInput)) {
        if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
      }
    } else {
      body = JSON.stringify(validInput);
      headers["content-type"] = "application/json";
    }
    const send = async (linkMailbox: boolean) => {
      const sent = { ...headers };
      if (definition.authenticated) {
        if (!tokenSource) throw new BridgeApiError(401, "UNAUTHENTICATED", "Not signed in to the bridge");
        const { tokenType, token, exchangeCallbackToken } = await tokenSource({ linkMailbox });
        sent.authorization = `Bearer ${token}`;
        sent[TOKEN_TYPE_HEADER] = tokenType;
        if (exchangeCallbackToken) sent[EXCHANGE_CALLBACK_TOKEN_HEADER] = exchangeCallbackToken;
      }
      const response = await fetch(url, { method: definition.method, headers: sent, body });
      const json: unknown = await response.json().catch(() => null);
      if (response.ok) return { response, json };
      const parsed = errorBodySchema.safeParse(json);
      if (parsed.success) throw new BridgeApiError(response.status, parsed.data.error.code, parsed.data.error.message);
      throw new BridgeApiError(response.status, "HTTP_ERROR", `The bridge answered ${response.status}`);
    };
    const { response, json } = await send(false).catch((error: unknown) => {
      // On-prem first sign-in: prove the mailbox once with a callback token, then the identity token alone suffices.
      if (error instanceof BridgeApiError && error.code === "MAILBOX_NOT_LINKED") return send(true);
      throw error;
    });
    const parsed = definition.response.safeParse(json);
    if (!parsed.success) {
      throw new BridgeApiError(response.status, "BAD_RESPONSE", `Unexpected answer from ${definition.path}`);
    }
    return parsed.data as AddinResponse<typeof name>;
  };
}
