/**
 * EWS SOAP simulator for on-prem Exchange 2007 SP1 – 2019 (issue 3), served at `/EWS/Exchange.asmx`.
 *
 * Request pipeline, in the order a real CAS applies it: authentication (Basic `DOMAIN\user` or UPN, NTLM; 401
 * with an empty body and `WWW-Authenticate: Negotiate` + `NTLM`) → fault injection / latency → safe parse (no
 * DTD) → RequestServerVersion (unknown or newer than the server → ErrorInvalidServerVersion) → schema validation
 * against the *requested* version's XSD (ErrorSchemaValidation with line/position/violation) → impersonation
 * (ApplicationImpersonation role and scope, ErrorImpersonateUserDenied / ErrorNonExistentMailbox, X-AnchorMailbox
 * required from 2013) → throttling (ErrorServerBusy + BackOffMilliseconds from 2013, ErrorExceededConnectionCount
 * from 2010) → the operation. Every answer is one SOAP envelope (streaming: several on one chunked response).
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import {
  applyLatency,
  CallLog,
  FaultInjector,
  type FaultKind,
  type FaultSettings,
  renderTransportFault,
  sendTruncated,
} from "../shared/behaviour.js";
import type { TestPki } from "../shared/pki.js";
import { type RunningServer, serveHttps } from "../shared/server.js";
import { getAttachment } from "./attachments.js";
import { getUserSettingsResponse } from "./autodiscover.js";
import { timeZoneContextId } from "./calendar.js";
import type { OperationContext } from "./context.js";
import { convertId } from "./convert-id.js";
import { deliver } from "./delivery.js";
import { getUserAvailability, resolveNames } from "./directory.js";
import { findFolder, getFolder, syncFolderHierarchy } from "./folders.js";
import { IdentityIssuer } from "./identity.js";
import { createItem, type Delivery, deleteItem, findItem, getItem, syncFolderItems, updateItem } from "./items.js";
import { NotificationHub } from "./notifications.js";
import { NtlmServer } from "./ntlm.js";
import { defaultXsdDir, SchemaSet } from "./schema.js";
import { type SeedOptions, type SeedSummary, seedOrganisation } from "./seed.js";
import { EwsFault, envelope, FAULTS, faultEnvelope, type SoapFault } from "./soap.js";
import { type Account, type Mailbox, Organisation } from "./store.js";
import { UserActions } from "./user-actions.js";
import { requestedVersion, SERVER_VERSIONS, type ServerRelease } from "./versions.js";
import { child, childText, parseXml, type XNode } from "./xml.js";

export type { SeedOptions, SeedSummary } from "./seed.js";
export type { ServerRelease } from "./versions.js";

export interface EwsSimulatorOptions {
  release?: ServerRelease;
  /** Directory holding `<version>/soap-envelope.xsd`; null turns validation off (benchmarks). */
  xsdDir?: string | null;
  /** Accepted auth schemes (default both). */
  auth?: { basic?: boolean; ntlm?: boolean };
  /** EWSMaxConcurrency per account (default 10 on 2010, 27 on 2013+). */
  maxConcurrency?: number;
  /** Milliseconds in a simulated minute (subscription and streaming timeouts). */
  minuteMs?: number;
  heartbeatMs?: number;
  /** Back-off the "throttled" fault kind announces. */
  faultBackOffMs?: number;
  /** Validate every response against the requested version's schema and record violations (tests). */
  validateResponses?: boolean;
  now?: () => Date;
  /** Absolute base URL for Autodiscover answers (start… fills it in). */
  baseUrl?: string;
}

export interface ResponseViolation {
  operation: string;
  version: string;
  violation: string;
}

export interface EwsControl {
  readonly release: ServerRelease;
  readonly org: Organisation;
  readonly user: UserActions;
  reset(): void;
  seed(options?: SeedOptions): SeedSummary;
  addAccount(account: Account): Account;
  addMailbox(smtp: string, displayName: string): Mailbox;
  callCounts(): Record<string, number>;
  resetCallCounts(): void;
  setLatency(ms: number): void;
  setFaults(settings: FaultSettings | undefined): void;
  /** Makes `logon` receive ErrorServerBusy until `backOffMs` has elapsed. */
  throttle(logon: string, backOffMs: number): void;
  limits: { maxConcurrency: number };
  responseViolations(): ResponseViolation[];
  subscriptionCount(): number;
  /** A signed Exchange user identity token for `smtp`, as `getUserIdentityTokenAsync` returns it. */
  identityToken(smtp: string, audience: string, lifetimeSeconds?: number): Promise<string>;
  /** A signed Exchange callback token for `smtp`, as `getCallbackTokenAsync` returns it for the item `itemId`. */
  callbackToken(smtp: string, itemId: string, lifetimeSeconds?: number): Promise<string>;
}

export interface EwsSimulator {
  listener: (req: IncomingMessage, res: ServerResponse) => void;
  control: EwsControl;
  /** Absolute URLs in answers (Autodiscover, identity metadata) use this base, known once the server listens. */
  setBaseUrl(url: string): void;
}

const TEXT_XML = "text/xml; charset=utf-8";

/**
 * What IIS 7+ sends remote clients for a 500 it raised itself (errorMode DetailedLocalOnly): one line of text
 * labelled text/html, not XML. ews-javascript-api 0.15.3 tries to read a SOAP fault from it and throws an
 * uncaught TypeError (its promise never settles) — the reply the bridge must survive.
 */
const IIS_ERROR_TEXT = "The page cannot be displayed because an internal server error has occurred.";
const MAX_BODY_BYTES = 32 * 1024 * 1024;

class HttpAnswer extends Error {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string | string[]> = {},
    readonly body = "",
  ) {
    super(`HTTP ${status}`);
  }
}

export function createEwsSimulator(options: EwsSimulatorOptions = {}): EwsSimulator {
  const server = SERVER_VERSIONS[options.release ?? "2016"];
  const schema = new SchemaSet(options.xsdDir === null ? undefined : (options.xsdDir ?? defaultXsdDir()));
  const org = new Organisation();
  const calls = new CallLog();
  const faults = new FaultInjector();
  const hub = new NotificationHub({ minuteMs: options.minuteMs ?? 60_000, heartbeatMs: options.heartbeatMs ?? 30_000 });
  const ntlm = new NtlmServer(org);
  const now = options.now ?? (() => new Date());
  const auth = { basic: options.auth?.basic ?? true, ntlm: options.auth?.ntlm ?? true };
  const limits = { maxConcurrency: options.maxConcurrency ?? (server.rank >= 6 ? 27 : 10) };
  const inFlight = new Map<Account, number>();
  const busyUntil = new Map<Account, number>();
  const violations: ResponseViolation[] = [];
  let latencyMs = 0;
  let baseUrl = options.baseUrl ?? "https://127.0.0.1";
  const delivery: Delivery = { deliver: (ctx, from, item, kind) => deliver(org, ctx, from, item, kind) };
  const user = new UserActions(org, now, delivery);
  const identity = new IdentityIssuer(() => baseUrl);

  const handlers: Record<string, (ctx: OperationContext, body: XNode) => string> = {
    GetFolder: getFolder,
    FindFolder: findFolder,
    SyncFolderHierarchy: syncFolderHierarchy,
    SyncFolderItems: syncFolderItems,
    FindItem: findItem,
    GetItem: getItem,
    GetAttachment: getAttachment,
    CreateItem: (ctx, body) => createItem(ctx, body, delivery),
    UpdateItem: (ctx, body) => updateItem(ctx, body, delivery),
    DeleteItem: (ctx, body) => deleteItem(ctx, body, delivery),
    Subscribe: (ctx, body) => hub.subscribe(ctx, body),
    Unsubscribe: (ctx, body) => hub.unsubscribe(ctx, body),
    GetEvents: (ctx, body) => hub.getEvents(ctx, body),
    GetUserAvailabilityRequest: getUserAvailability,
    ResolveNames: resolveNames,
    ConvertId: convertId,
  };

  function authenticate(req: IncomingMessage): Account {
    const header = req.headers.authorization ?? "";
    const challenge: Record<string, string | string[]> = {
      "www-authenticate": [
        ...(auth.ntlm ? ["Negotiate", "NTLM"] : []),
        ...(auth.basic ? [`Basic realm="${req.headers.host ?? "127.0.0.1"}"`] : []),
      ],
    };
    if (auth.basic && /^Basic /i.test(header)) {
      const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      const account = org.findAccount(decoded.slice(0, colon));
      if (account && colon > 0 && account.password === decoded.slice(colon + 1)) return account;
      throw new HttpAnswer(401, challenge);
    }
    if (auth.ntlm && /^(NTLM|Negotiate) /i.test(header)) {
      const outcome = ntlm.step(req, header);
      if (outcome.kind === "authenticated") return outcome.account;
      if (outcome.kind === "challenge") throw new HttpAnswer(401, { "www-authenticate": outcome.header });
      throw new HttpAnswer(401, challenge);
    }
    const connectionAccount = ntlm.connectionAccount(req);
    if (connectionAccount) return connectionAccount;
    throw new HttpAnswer(401, challenge);
  }

  function impersonate(req: IncomingMessage, account: Account, header: XNode | undefined): Mailbox {
    const connecting = child(child(header, "ExchangeImpersonation"), "ConnectingSID");
    if (!connecting) {
      const own = account.smtp ? org.findMailbox(account.smtp) : undefined;
      if (!own)
        throw new EwsFault({
          code: "ErrorMissingEmailAddress",
          text: "When making a request as an account that does not have a mailbox, you must specify the mailbox primary SMTP address for any distinguished folder Ids.",
        });
      return own;
    }
    if (!account.impersonation) throw new EwsFault(FAULTS.impersonationDenied());
    const [idType, value] = [connecting.children[0]?.name ?? "", connecting.children[0]?.text ?? ""];
    const mailbox =
      idType === "SID"
        ? org.findMailboxBySid(value)
        : idType === "PrincipalName"
          ? org.findMailbox(org.findAccount(value)?.smtp ?? value)
          : org.findMailbox(value);
    if (!mailbox) throw new EwsFault(FAULTS.nonExistentMailbox(value, idType === "SID" ? "SID" : "SmtpAddress"));
    if (account.impersonationScope && !account.impersonationScope.map((s) => s.toLowerCase()).includes(mailbox.smtp)) {
      throw new EwsFault(FAULTS.impersonationDenied());
    }
    // "When EWS Impersonation is used, the X-AnchorMailbox should always be correctly set. Otherwise, you may get
    // error messages 500 or 503 at times" (docs impersonation-and-ews-in-exchange.md): here, always, from 2013.
    const anchor = String(req.headers["x-anchormailbox"] ?? "").toLowerCase();
    if (server.rank >= 6 && anchor !== mailbox.smtp) {
      throw new HttpAnswer(503, { "retry-after": "1" });
    }
    return mailbox;
  }

  function checkThrottling(account: Account): void {
    const until = busyUntil.get(account) ?? 0;
    const remaining = until - Date.now();
    if (remaining > 0) {
      if (server.release === "2007SP1")
        throw new HttpAnswer(503, { "retry-after": String(Math.ceil(remaining / 1000)) });
      throw new EwsFault(FAULTS.serverBusy(server.backOffHint ? remaining : undefined));
    }
    // The count includes this request: EWSMaxConcurrency is the number of requests open at the same time.
    if (server.connectionCountError && (inFlight.get(account) ?? 0) > limits.maxConcurrency) {
      throw new EwsFault(FAULTS.connectionCount());
    }
  }

  async function renderInjectedFault(kind: FaultKind, res: ServerResponse, account: Account): Promise<boolean> {
    const settings = faults.current ?? { hangMs: undefined, slowMs: undefined };
    if (await renderTransportFault(kind, res, settings)) return true;
    switch (kind) {
      case "server-error":
        send(res, 500, faultEnvelope(FAULTS.internal()));
        return true;
      case "unavailable":
        res.writeHead(503, { "retry-after": "1", "content-type": "text/html" });
        res.end("<html><body><h1>Service Unavailable</h1></body></html>");
        return true;
      case "throttled": {
        const backOff = options.faultBackOffMs ?? 500;
        busyUntil.set(account, Date.now() + backOff);
        send(res, 500, faultEnvelope(FAULTS.serverBusy(server.backOffHint ? backOff : undefined)));
        return true;
      }
      case "malformed":
        res.writeHead(200, { "content-type": TEXT_XML });
        res.end("this is not XML at all {");
        return true;
      case "html-error":
        res.writeHead(500, { "content-type": "text/html; charset=utf-8" });
        res.end(IIS_ERROR_TEXT);
        return true;
      case "truncated":
        sendTruncated(
          res,
          200,
          TEXT_XML,
          envelope(
            server,
            '<m:GetItemResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><m:ResponseMessages/></m:GetItemResponse>',
          ),
        );
        return true;
      default:
        return false;
    }
  }

  function send(res: ServerResponse, status: number, body: string): void {
    res.writeHead(status, { "content-type": TEXT_XML, "content-length": String(Buffer.byteLength(body)) });
    res.end(body);
  }

  async function handleEws(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const account = authenticate(req);
    inFlight.set(account, (inFlight.get(account) ?? 0) + 1);
    try {
      await serveEws(req, res, account);
    } finally {
      inFlight.set(account, (inFlight.get(account) ?? 1) - 1);
    }
  }

  async function serveEws(req: IncomingMessage, res: ServerResponse, account: Account): Promise<void> {
    const raw = await readBody(req);
    let operation = "Unknown";
    let parsed: XNode;
    try {
      parsed = parseXml(raw);
    } catch (error) {
      calls.record("ews.Invalid");
      const reason = error instanceof Error ? error.message : String(error);
      throw new EwsFault(
        /DTD/.test(reason) ? FAULTS.invalidRequest(reason) : FAULTS.schema({ line: 1, position: 0, violation: reason }),
      );
    }
    const header = child(parsed, "Header");
    const body = child(parsed, "Body")?.children[0];
    operation = body?.name ?? "Unknown";
    const endpoint = `ews.${operation === "GetUserAvailabilityRequest" ? "GetUserAvailability" : operation}`;
    calls.record(endpoint);
    const injected = faults.draw(endpoint);
    if (injected && (await renderInjectedFault(injected, res, account))) return;
    await applyLatency(latencyMs);

    const versionNode = child(header, "RequestServerVersion");
    const requested = requestedVersion(versionNode ? versionNode.attrs.Version : undefined);
    if (
      (versionNode && versionNode.attrs.Version === undefined && server.rank >= 2) ||
      !requested ||
      requested.rank > server.rank
    ) {
      throw new EwsFault(FAULTS.invalidVersion());
    }
    const violation = schema.validate(requested.schema, raw, requested.name === requested.schema);
    if (violation) throw new EwsFault(FAULTS.schema(violation));
    if (!schema.enabled && !body) throw new EwsFault(FAULTS.invalidRequest("The SOAP body is empty."));
    const mailbox = impersonate(req, account, header);
    const isStreaming = operation === "GetStreamingEvents";
    if (!isStreaming) checkThrottling(account);
    const ctx: OperationContext = {
      server,
      requested,
      org,
      account,
      mailbox,
      schema,
      timeZone: timeZoneContextId(header),
      now,
      baseUrl,
    };
    if (isStreaming && body) {
      if (!server.streaming) throw new EwsFault(FAULTS.invalidOperation(operation));
      // Streaming has its own budget (docs ews-throttling-in-exchange.md): it does not hold a concurrency slot.
      inFlight.set(account, (inFlight.get(account) ?? 1) - 1);
      try {
        await hub.stream(ctx, body, res);
      } finally {
        inFlight.set(account, (inFlight.get(account) ?? 0) + 1);
      }
      return;
    }
    const handler = body ? handlers[body.name] : undefined;
    if (!handler || !body) throw new EwsFault(FAULTS.invalidOperation(operation));
    const xml = envelope(server, handler(ctx, body));
    if (options.validateResponses && schema.enabled) {
      const problem = schema.validate(requested.schema, xml, false);
      if (problem) {
        violations.push({
          operation,
          version: requested.name,
          violation: `${problem.violation} (line ${problem.line})`,
        });
      }
    }
    send(res, 200, xml);
  }

  const control: EwsControl = {
    release: server.release,
    org,
    user,
    reset() {
      org.reset();
      hub.reset();
      ntlm.reset();
      calls.reset();
      faults.configure(undefined);
      latencyMs = 0;
      busyUntil.clear();
      inFlight.clear();
      violations.length = 0;
    },
    seed: (seedOptions) => seedOrganisation(org, seedOptions),
    addAccount: (account) => org.addAccount(account),
    addMailbox: (smtp, displayName) => org.addMailbox(smtp, displayName),
    callCounts: () => calls.snapshot(),
    resetCallCounts: () => calls.reset(),
    setLatency(ms) {
      latencyMs = ms;
    },
    setFaults: (settings) => faults.configure(settings),
    throttle(logon, backOffMs) {
      const account = org.findAccount(logon);
      if (account) busyUntil.set(account, Date.now() + backOffMs);
    },
    limits,
    responseViolations: () => [...violations],
    subscriptionCount: () => hub.count(),
    identityToken(smtp, audience, lifetimeSeconds) {
      const mailbox = org.findMailbox(smtp);
      if (!mailbox) return Promise.reject(new Error(`no mailbox ${smtp}`));
      return identity.identityToken(mailbox.guid, audience, lifetimeSeconds);
    },
    callbackToken(smtp, itemId, lifetimeSeconds) {
      const mailbox = org.findMailbox(smtp);
      if (!mailbox) return Promise.reject(new Error(`no mailbox ${smtp}`));
      return identity.callbackToken(mailbox.guid, mailbox.smtp, itemId, lifetimeSeconds);
    },
  };

  async function handleControl(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const input = req.method === "POST" ? (JSON.parse((await readBody(req)) || "{}") as Record<string, unknown>) : {};
    const reply = (value: unknown) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(value ?? { ok: true }));
    };
    switch (path) {
      case "/_sim/reset":
        control.reset();
        return reply({ ok: true });
      case "/_sim/seed":
        return reply(control.seed(input as SeedOptions));
      case "/_sim/calls":
        return reply(control.callCounts());
      case "/_sim/latency":
        control.setLatency(Number(input.ms ?? 0));
        return reply({ ok: true });
      case "/_sim/faults": {
        const endpoints = typeof input.endpoints === "string" ? new RegExp(input.endpoints) : undefined;
        control.setFaults(input.rate ? { ...(input as unknown as FaultSettings), endpoints } : undefined);
        return reply({ ok: true });
      }
      case "/_sim/throttle":
        control.throttle(String(input.logon ?? ""), Number(input.backOffMs ?? 0));
        return reply({ ok: true });
      case "/_sim/identity-token":
        return reply({ token: await control.identityToken(String(input.smtp ?? ""), String(input.audience ?? "")) });
      case "/_sim/callback-token":
        return reply({ token: await control.callbackToken(String(input.smtp ?? ""), String(input.itemId ?? "")) });
      case "/_sim/mailboxes":
        return reply(
          [...org.mailboxes.values()].map((m) => ({ smtp: m.smtp, displayName: m.displayName, items: m.items.size })),
        );
      default:
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: "unknown control endpoint" }));
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "https://localhost");
    const path = url.pathname.toLowerCase();
    try {
      if (path.startsWith("/_sim/")) return await handleControl(req, res, path);
      if (path === "/autodiscover/metadata/json/1") {
        // Anonymous, like the real document: validators fetch it without credentials.
        res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify(await identity.metadataDocument()));
        return;
      }
      if (path === "/autodiscover/autodiscover.xml") {
        // IIS authenticates before the handler runs (@ewsjs/xhr's NTLM handshake starts with a GET); a GET that gets
        // through is answered as a browser visit is: Autodiscover error 600 "Invalid Request".
        authenticate(req);
        if (req.method === "POST") return await answerPoxAutodiscover(req, res);
        return poxAutodiscoverAnswer(res, poxAutodiscoverError(600, "Invalid Request"));
      }
      if (path === "/autodiscover/autodiscover.svc" && req.method === "POST" && server.soapAutodiscover) {
        authenticate(req);
        const envelope = parseXml(await readBody(req));
        res.writeHead(200, { "content-type": TEXT_XML });
        res.end(getUserSettingsResponse(server, org, envelope, baseUrl));
        return;
      }
      if (path === "/ews/exchange.asmx" && req.method === "POST") return await handleEws(req, res);
      if (path === "/ews/exchange.asmx") {
        // IIS authenticates before the handler runs: @ewsjs/xhr starts its NTLM handshake with a GET.
        authenticate(req);
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<html><body>You have created a service.</body></html>");
        return;
      }
      res.writeHead(404, { "content-type": "text/html" });
      res.end("<html><body>404 - File or directory not found.</body></html>");
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpAnswer) {
        res.writeHead(error.status, { ...error.headers, "content-length": String(Buffer.byteLength(error.body)) });
        res.end(error.body);
        return;
      }
      const fault: SoapFault = error instanceof EwsFault ? error.fault : FAULTS.internal();
      send(res, 500, faultEnvelope(fault));
    }
  }

  async function answerPoxAutodiscover(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = parseXml(await readBody(req));
    const email = childText(child(request, "Request"), "EMailAddress") ?? "";
    const mailbox = org.findMailbox(email);
    const outlook = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";
    const inner = mailbox
      ? `<Response xmlns="${outlook}"><User><DisplayName>${mailbox.displayName}</DisplayName><AutoDiscoverSMTPAddress>${mailbox.smtp}</AutoDiscoverSMTPAddress></User><Account><AccountType>email</AccountType><Action>settings</Action><Protocol><Type>EXCH</Type><EwsUrl>${baseUrl}/EWS/Exchange.asmx</EwsUrl></Protocol><Protocol><Type>EXPR</Type><EwsUrl>${baseUrl}/EWS/Exchange.asmx</EwsUrl></Protocol></Account></Response>`
      : poxAutodiscoverError(500, "The email address can't be found.");
    poxAutodiscoverAnswer(res, inner);
  }

  function poxAutodiscoverError(code: number, message: string): string {
    return `<Response><Error Time="00:00:00" Id="2477272013"><ErrorCode>${code}</ErrorCode><Message>${message}</Message><DebugData /></Error></Response>`;
  }

  function poxAutodiscoverAnswer(res: ServerResponse, inner: string): void {
    const ns = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
    res.writeHead(200, { "content-type": TEXT_XML });
    res.end(`<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="${ns}">${inner}</Autodiscover>`);
  }

  return {
    listener: (req, res) => {
      void handle(req, res);
    },
    control,
    setBaseUrl(url) {
      baseUrl = url;
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpAnswer(413));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export interface RunningEwsSimulator extends EwsSimulator, RunningServer {
  /** `${url}/EWS/Exchange.asmx`. */
  ewsUrl: string;
}

export async function startEwsSimulator(
  options: EwsSimulatorOptions & { pki: TestPki; port?: number },
): Promise<RunningEwsSimulator> {
  const simulator = createEwsSimulator(options);
  const running = await serveHttps(simulator.listener, options.pki, { port: options.port });
  simulator.setBaseUrl(running.url);
  return { ...simulator, ...running, ewsUrl: `${running.url}/EWS/Exchange.asmx` };
}
