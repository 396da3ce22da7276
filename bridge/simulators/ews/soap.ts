/**
 * SOAP envelopes as Exchange writes them: the ServerVersionInfo header (2007 `soap:`/`t:`, 2010 SP2+ `s:`/`h:`),
 * ResponseMessages with ResponseClass/ResponseCode in schema order, and request-level SOAP faults (HTTP 500,
 * `a:ErrorXxx` faultcode, e:ResponseCode/e:Message and t:MessageXml in the detail — ews.md §5).
 */
import type { ServerVersion } from "./versions.js";
import { escapeXml, NS } from "./xml.js";

export function envelope(server: ServerVersion, body: string): string {
  const { info } = server;
  const versionAttrs = `MajorVersion="${info.major}" MinorVersion="${info.minor}" MajorBuildNumber="${info.majorBuild}" MinorBuildNumber="${info.minorBuild}" Version="${info.version}"`;
  if (server.modernEnvelope) {
    return (
      `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${NS.soap}"><s:Header>` +
      `<h:ServerVersionInfo xmlns:h="${NS.types}" xmlns="${NS.types}" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ${versionAttrs}/>` +
      `</s:Header><s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">${body}</s:Body></s:Envelope>`
    );
  }
  return (
    `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${NS.soap}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` +
    `<soap:Header><t:ServerVersionInfo xmlns:t="${NS.types}" ${versionAttrs}/></soap:Header>` +
    `<soap:Body>${body}</soap:Body></soap:Envelope>`
  );
}

/**
 * One envelope of a GetStreamingEvents response, as Exchange writes them (nmarus/node-ews#48, 2013 build
 * 15.0.1076): un-prefixed `<Envelope>` in the SOAP namespace, `soap11:` Header and Body, no XML declaration.
 * ews-javascript-api splits the stream on the literal `<Envelope` … `</Envelope>`, so the shape matters.
 */
export function streamingEnvelope(server: ServerVersion, body: string): string {
  const { info } = server;
  return (
    `<Envelope xmlns="${NS.soap}"><soap11:Header xmlns:soap11="${NS.soap}">` +
    `<ServerVersionInfo xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" MajorVersion="${info.major}" MinorVersion="${info.minor}" MajorBuildNumber="${info.majorBuild}" MinorBuildNumber="${info.minorBuild}" Version="${info.version}" xmlns="${NS.types}"/>` +
    `</soap11:Header><soap11:Body xmlns:soap11="${NS.soap}">${body}</soap11:Body></Envelope>`
  );
}

/** `<m:XxxResponse>` carrying one ResponseMessage per requested element. */
export function operationResponse(operation: string, messages: string[]): string {
  return `<m:${operation}Response xmlns:m="${NS.messages}" xmlns:t="${NS.types}"><m:ResponseMessages>${messages.join("")}</m:ResponseMessages></m:${operation}Response>`;
}

export interface ResponseError {
  code: string;
  text: string;
  /** t:MessageXml t:Value entries. */
  values?: Record<string, string>;
}

export class EwsResponseError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly values?: Record<string, string>,
  ) {
    super(message);
  }

  toResponseError(): ResponseError {
    return { code: this.code, text: this.message, values: this.values };
  }
}

function messageXml(values: Record<string, string> | undefined): string {
  if (!values || Object.keys(values).length === 0) return "";
  const inner = Object.entries(values)
    .map(([name, value]) => `<t:Value Name="${escapeXml(name)}">${escapeXml(value)}</t:Value>`)
    .join("");
  return `<m:MessageXml>${inner}</m:MessageXml>`;
}

/** One ResponseMessage; `payload` follows the ResponseCode block in the schema's sequence. */
export function responseMessage(operation: string, payload: string, error?: ResponseError, warning = false): string {
  const tag = `m:${operation}ResponseMessage`;
  if (!error) return `<${tag} ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>${payload}</${tag}>`;
  return (
    `<${tag} ResponseClass="${warning ? "Warning" : "Error"}"><m:MessageText>${escapeXml(error.text)}</m:MessageText>` +
    `<m:ResponseCode>${error.code}</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>${messageXml(error.values)}${payload}</${tag}>`
  );
}

export interface SoapFault {
  code: string;
  text: string;
  values?: Record<string, string>;
  schemaViolation?: { line: number; position: number; violation: string };
}

/** A request-level fault; real faults carry no ServerVersionInfo header. */
export function faultEnvelope(fault: SoapFault): string {
  let detailXml = "";
  if (fault.schemaViolation) {
    const v = fault.schemaViolation;
    detailXml = `<t:MessageXml xmlns:t="${NS.types}"><t:LineNumber>${v.line}</t:LineNumber><t:LinePosition>${v.position}</t:LinePosition><t:Violation>${escapeXml(v.violation)}</t:Violation></t:MessageXml>`;
  } else if (fault.values && Object.keys(fault.values).length > 0) {
    const inner = Object.entries(fault.values)
      .map(([name, value]) => `<t:Value Name="${escapeXml(name)}">${escapeXml(value)}</t:Value>`)
      .join("");
    detailXml = `<t:MessageXml xmlns:t="${NS.types}">${inner}</t:MessageXml>`;
  }
  return (
    `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${NS.soap}"><s:Body><s:Fault>` +
    `<faultcode xmlns:a="${NS.types}">a:${fault.code}</faultcode><faultstring xml:lang="en-US">${escapeXml(fault.text)}</faultstring>` +
    `<detail><e:ResponseCode xmlns:e="${NS.errors}">${fault.code}</e:ResponseCode><e:Message xmlns:e="${NS.errors}">${escapeXml(fault.text)}</e:Message>${detailXml}</detail>` +
    "</s:Fault></s:Body></s:Envelope>"
  );
}

export class EwsFault extends Error {
  constructor(readonly fault: SoapFault) {
    super(fault.text);
  }
}

export const FAULTS = {
  schema: (violation: { line: number; position: number; violation: string }): SoapFault => ({
    code: "ErrorSchemaValidation",
    text: `The request failed schema validation: ${violation.violation}`,
    schemaViolation: violation,
  }),
  invalidVersion: (): SoapFault => ({
    code: "ErrorInvalidServerVersion",
    text: "The specified server version is invalid.",
  }),
  impersonationDenied: (): SoapFault => ({
    code: "ErrorImpersonateUserDenied",
    text: "The account does not have permission to impersonate the requested user.",
  }),
  nonExistentMailbox: (address: string, name = "SmtpAddress"): SoapFault => ({
    code: "ErrorNonExistentMailbox",
    text: "The SMTP address has no mailbox associated with it.",
    values: { [name]: address },
  }),
  serverBusy: (backOffMs?: number): SoapFault => ({
    code: "ErrorServerBusy",
    text: "The server cannot service this request right now. Try again later.",
    values: backOffMs === undefined ? undefined : { BackOffMilliseconds: String(backOffMs) },
  }),
  connectionCount: (): SoapFault => ({
    code: "ErrorExceededConnectionCount",
    text: "You have exceeded the available concurrent connections for your account.  Try again once your other requests have completed.",
  }),
  invalidRequest: (reason: string): SoapFault => ({
    code: "ErrorInvalidRequest",
    text: `The request is invalid. ${reason}`,
  }),
  invalidOperation: (operation: string): SoapFault => ({
    code: "ErrorInvalidRequest",
    text: `The request is invalid. The operation ${operation} is not supported by this server.`,
  }),
  internal: (): SoapFault => ({
    code: "ErrorInternalServerError",
    text: "An internal server error occurred. The operation failed.",
  }),
};
