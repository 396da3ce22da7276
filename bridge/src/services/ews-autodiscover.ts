/**
 * Finds an on-premises connection's EWS URL by POX Autodiscover when the admin chose Autodiscover, once, when the
 * connection is saved or tested — never per mailbox at sync time.
 *
 * Endpoints, in Microsoft's order ("Generate a list of Autodiscover endpoints", learn.microsoft.com/exchange/
 * client-developer/exchange-web-services/how-to-generate-a-list-of-autodiscover-endpoints): the SCP result first —
 * the bridge is not domain-joined, so the admin's `autodiscoverUrl` stands for it — then
 * https://<domain>/autodiscover/autodiscover.xml and https://autodiscover.<domain>/autodiscover/autodiscover.xml.
 *
 * Autodiscover POSTs the service account's password and its answer names the host every later EWS call (with that
 * password) goes to, so both ends are checked against BRIDGE_EWS_ALLOWED_HOSTS: an endpoint off the list is not
 * called, and an EWS URL off the list is refused. Otherwise an admin (or whoever controls the answering host) could
 * point the bridge at internal hosts, or collect the password.
 */
import { toConnectorFailure } from "../connectors/errors.js";
import { discoverEwsUrl } from "../connectors/ews/session.js";
import { checkOutboundUrl, hostAllowed } from "../security/url-allow-list.js";

export class AutodiscoverFailed extends Error {
  constructor(
    message: string,
    /** The answering server refused the credentials (a wrong password, not a wrong server). */
    readonly credentialsRefused = false,
  ) {
    super(message);
    this.name = "AutodiscoverFailed";
  }
}

export interface AutodiscoverRequest {
  emailAddress: string;
  autodiscoverUrl?: string | undefined;
  /** The logon name as sent (DOMAIN\user when a domain is given). */
  username: string;
  password: string;
  /** How the account logs on; NTLM servers often refuse Basic altogether. Default Basic. */
  authScheme?: "basic" | "ntlm";
  allowedHosts: readonly string[];
}

export function autodiscoverEndpoints(emailAddress: string, autodiscoverUrl?: string): string[] {
  if (autodiscoverUrl) return [autodiscoverUrl];
  const domain = emailAddress.slice(emailAddress.lastIndexOf("@") + 1).toLowerCase();
  return [
    `https://${domain}/autodiscover/autodiscover.xml`,
    `https://autodiscover.${domain}/autodiscover/autodiscover.xml`,
  ];
}

/** The EWS URL Autodiscover answers for the address, checked against the allow-list; throws `AutodiscoverFailed`. */
export async function autodiscoverEwsUrl(request: AutodiscoverRequest): Promise<string> {
  const endpoints = autodiscoverEndpoints(request.emailAddress, request.autodiscoverUrl);
  const callable = endpoints.filter((endpoint) => hostAllowed(new URL(endpoint).hostname, request.allowedHosts));
  if (callable.length === 0) {
    throw new AutodiscoverFailed(
      `no Autodiscover endpoint is on BRIDGE_EWS_ALLOWED_HOSTS (${endpoints.map((e) => new URL(e).host).join(", ")})`,
    );
  }
  const failures: string[] = [];
  for (const endpoint of callable) {
    let ewsUrl: string;
    try {
      ewsUrl = await discoverEwsUrl({
        ...request,
        mailbox: request.emailAddress,
        autodiscoverUrl: endpoint,
        auth: request.authScheme ?? "basic",
      });
    } catch (error) {
      const failure = toConnectorFailure(error);
      const why = `${new URL(endpoint).host}: ${failure.message}`;
      if (failure.kind === "auth-expired") throw new AutodiscoverFailed(why, true);
      failures.push(why);
      continue;
    }
    try {
      return checkOutboundUrl(ewsUrl, request.allowedHosts).href;
    } catch {
      throw new AutodiscoverFailed(
        `Autodiscover answered the EWS URL ${ewsUrl}, which is not an https URL on BRIDGE_EWS_ALLOWED_HOSTS`,
      );
    }
  }
  throw new AutodiscoverFailed(`Autodiscover found no EWS URL (${failures.join("; ")})`);
}
