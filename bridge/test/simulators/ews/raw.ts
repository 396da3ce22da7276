/** Raw SOAP over HTTPS to a running EWS simulator, for the wire-level tests. */
import type { RunningEwsSimulator } from "../../../simulators/ews/index.js";

export interface RawAnswer {
  status: number;
  text: string;
  headers: Headers;
}

export async function post(
  sim: RunningEwsSimulator,
  body: string,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const response = await fetch(sim.ewsUrl, {
    method: "POST",
    headers: {
      "content-type": "text/xml; charset=utf-8",
      authorization: `Basic ${Buffer.from("CONTOSO\\svc-crm:Pa55w.rd").toString("base64")}`,
      "x-anchormailbox": "alice@contoso.com",
      ...headers,
    },
    body,
  });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** A request envelope as ews-javascript-api writes it, impersonating alice. */
export function soap(body: string, version = "Exchange2016", smtpElement = "SmtpAddress"): string {
  return (
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">' +
    `<soap:Header><t:RequestServerVersion Version="${version}"/><t:ExchangeImpersonation><t:ConnectingSID><t:${smtpElement}>alice@contoso.com</t:${smtpElement}></t:ConnectingSID></t:ExchangeImpersonation></soap:Header>` +
    `<soap:Body>${body}</soap:Body></soap:Envelope>`
  );
}
