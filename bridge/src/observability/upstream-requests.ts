/**
 * Counts the bridge's outbound requests by host and status class, from Node's diagnostics channels rather than hooks
 * in each connector: undici's `undici:request:headers` sees every `fetch` (the Zoho and Graph connectors, OAuth token
 * calls, Autodiscover) and `http.client.response.finish` every `node:http(s)` request (EWS, through @ewsjs/xhr and
 * axios). Zoho's `X-API-CREDITS-REMAINING` answer header, sent once half of the org's rolling-24-hour API credits are
 * spent (zoho-crm-api.md §7), is kept as a gauge: running out means 429 for every user of the org's CRM, not just the
 * bridge, so an operator wants to see it coming.
 *
 * The channels are process-wide: every runtime of a process counts every call of it (the sandbox runs two bridges and
 * the simulators in one process; a deployment runs one runtime per process).
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { ClientRequest, IncomingMessage } from "node:http";
import type { Metrics } from "./metrics.js";

const UNDICI_HEADERS = "undici:request:headers";
const HTTP_RESPONSE = "http.client.response.finish";
const CREDITS_HEADER = "x-api-credits-remaining";

/** 429 apart (the throttling answer of Zoho and Graph), the status class. */
function statusClass(status: number): string {
  return status === 429 ? "429" : `${Math.floor(status / 100)}xx`;
}

interface UndiciHeadersMessage {
  request: { origin: string | URL };
  response: { statusCode: number; headers: Array<Buffer | string> };
}

interface HttpResponseMessage {
  request: ClientRequest;
  response: IncomingMessage;
}

/** Starts counting into `metrics`; returns the function that stops it. */
export function countUpstreamRequests(metrics: Metrics): () => void {
  const record = (host: string, status: number, credits: string | undefined) => {
    metrics.upstreamRequests.inc({ host, status: statusClass(status) });
    const remaining = credits === undefined ? Number.NaN : Number(credits);
    if (Number.isFinite(remaining)) metrics.zohoCreditsRemaining.set({ host }, remaining);
  };
  const onFetch = (message: unknown) => {
    const { request, response } = message as UndiciHeadersMessage;
    let credits: string | undefined;
    // Raw headers alternate name, value.
    for (let index = 0; index + 1 < response.headers.length; index += 2) {
      if (String(response.headers[index]).toLowerCase() === CREDITS_HEADER)
        credits = String(response.headers[index + 1]);
    }
    record(new URL(String(request.origin)).host, response.statusCode, credits);
  };
  const onHttp = (message: unknown) => {
    const { request, response } = message as HttpResponseMessage;
    const credits = response.headers[CREDITS_HEADER];
    record(String(request.getHeader("host") ?? request.host), response.statusCode ?? 0, credits?.toString());
  };
  subscribe(UNDICI_HEADERS, onFetch);
  subscribe(HTTP_RESPONSE, onHttp);
  return () => {
    unsubscribe(UNDICI_HEADERS, onFetch);
    unsubscribe(HTTP_RESPONSE, onHttp);
  };
}
