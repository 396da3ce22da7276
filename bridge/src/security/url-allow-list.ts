/**
 * Outbound URLs an admin types (EWS URL, Autodiscover host) must be on the operator's allow-list, so the bridge can
 * not be turned into an open proxy towards internal hosts. Entries are host names, `*.example.com` for subdomains;
 * an empty list allows nothing.
 */
export function hostAllowed(hostname: string, allowed: readonly string[]): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  return allowed.some((entry) =>
    entry.startsWith("*.") ? host.endsWith(entry.slice(1)) && host.length > entry.length - 1 : host === entry,
  );
}

export class OutboundUrlRejected extends Error {
  constructor(readonly url: string) {
    super(`outbound URL not allowed: ${url}`);
    this.name = "OutboundUrlRejected";
  }
}

/** Parses and checks an admin-entered HTTPS URL; throws `OutboundUrlRejected` when not allowed. */
export function checkOutboundUrl(raw: string, allowed: readonly string[]): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundUrlRejected(raw);
  }
  if (url.protocol !== "https:" || url.username || url.password || !hostAllowed(url.hostname, allowed)) {
    throw new OutboundUrlRejected(raw);
  }
  return url;
}
