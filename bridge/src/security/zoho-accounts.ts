/**
 * Zoho accounts servers and CRM API domains the bridge will talk to. Zoho's consent redirect names the
 * `accounts-server` to exchange the code at (multi-DC rule, shared/spec/zoho-crm-api.md §1); that value arrives
 * through the browser, so it is accepted only if it is one of Zoho's own accounts servers (or the one configured,
 * e.g. the sandbox simulator) — otherwise the bridge would post its client secret wherever a link pointed.
 */
const ZOHO_ACCOUNTS_HOSTS = [
  "accounts.zoho.com",
  "accounts.zoho.eu",
  "accounts.zoho.in",
  "accounts.zoho.com.au",
  "accounts.zoho.jp",
  "accounts.zohocloud.ca",
  "accounts.zoho.sa",
  "accounts.zoho.com.cn",
];

/**
 * Returns the accounts server base URL when `candidate` is allowed, else undefined: one of Zoho's own (an origin), or
 * exactly the configured one (which may carry a path, as the simulator's per-DC accounts servers do).
 */
export function allowedAccountsServer(candidate: string, configured: string): string | undefined {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:" || url.username || url.password || url.search) return undefined;
  const trimmed = `${url.origin}${url.pathname}`.replace(/\/+$/, "");
  if (trimmed === configured.replace(/\/+$/, "")) return trimmed;
  return ZOHO_ACCOUNTS_HOSTS.includes(url.hostname) && url.port === "" && trimmed === url.origin
    ? url.origin
    : undefined;
}

/** Zoho's token endpoint answers errors with HTTP 200 and `{ "error": "invalid_code" }` (spec §1): check the body. */
export interface ZohoTokenResponse {
  access_token?: string;
  refresh_token?: string;
  api_domain?: string;
  expires_in?: number;
  error?: string;
}

export async function exchangeZohoCode(
  accountsOrigin: string,
  form: { clientId: string; clientSecret: string; redirectUri: string; code: string },
): Promise<ZohoTokenResponse> {
  const body = new URLSearchParams({
    grant_type: "authorization_code",
    client_id: form.clientId,
    client_secret: form.clientSecret,
    redirect_uri: form.redirectUri,
    code: form.code,
  });
  const response = await fetch(`${accountsOrigin}/oauth/v2/token`, { method: "POST", body });
  if (!response.ok) return { error: `http-${response.status}` };
  return (await response.json()) as ZohoTokenResponse;
}
