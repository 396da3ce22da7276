/**
 * What a failed HTTP exchange says about itself, for every connector's transport.
 *
 * fetch (undici) rejects with a bare `TypeError: fetch failed` and puts the real failure in `cause`
 * (`SocketError` UND_ERR_SOCKET "other side closed", ECONNRESET, ECONNREFUSED, `ConnectTimeoutError`…); Node's
 * http client rejects with the system error itself ("socket hang up" is ECONNRESET). Failures are told apart by
 * their `code`, never by message text, and reported with the whole chain so that a log names the real cause.
 */

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  syscall?: unknown;
  message?: unknown;
  cause?: unknown;
}

/** The error, then its causes (outermost first); bounded against a cyclic chain. */
function chain(error: unknown): ErrorLike[] {
  const links: ErrorLike[] = [];
  for (let current = error; current !== undefined && current !== null && links.length < 8; ) {
    if (typeof current !== "object") {
      links.push({ message: String(current) });
      break;
    }
    const link = current as ErrorLike;
    links.push(link);
    current = link.cause;
  }
  return links;
}

/** `TypeError: fetch failed ← SocketError UND_ERR_SOCKET: other side closed`. */
export function describeTransportFailure(error: unknown): string {
  return chain(error)
    .map((link) => {
      const name = typeof link.name === "string" ? link.name : "Error";
      const code = typeof link.code === "string" ? ` ${link.code}` : "";
      return `${name}${code}: ${String(link.message ?? "")}`;
    })
    .join(" ← ");
}

/**
 * Codes of failures that happen before a request is written: the connection (TCP or TLS) could not be opened,
 * so the server cannot have seen, let alone applied, the request. Repeating it is safe whatever its method
 * (RFC 9110 §9.2.2: a non-idempotent request may be retried when "the original request was never applied").
 */
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** True when the chain proves the request never left this process (a connect-phase failure). */
export function requestNeverSent(error: unknown): boolean {
  return chain(error).some(
    (link) => (typeof link.code === "string" && NOT_SENT_CODES.has(link.code)) || link.syscall === "connect",
  );
}
