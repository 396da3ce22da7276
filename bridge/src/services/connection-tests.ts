/**
 * "Test connection" for the admin console: runs the steps of reaching Zoho CRM or Exchange in order and stops at the
 * first failure, which it names precisely (ConnectionFailureCode) so the admin knows what to fix.
 *
 * Algorithm: a TLS handshake against the endpoint first (Node's OpenSSL error codes tell an untrusted chain from a
 * wrong host name or an expired certificate), then the real connector calls in the order the sync makes them:
 * token → API (Zoho, Graph) or logon → impersonated mailbox (EWS). Failures are classified by the connector's
 * `ConnectorFailure.kind`, by the step it happened in, and by the service's own code carried in the error's cause
 * (EWS ResponseCode, Graph error code, MSAL errorCode) — never by message text.
 */
import { isIP } from "node:net";
import { connect } from "node:tls";
import { AuthError } from "@azure/msal-node";
import { GraphError } from "@microsoft/microsoft-graph-client";
import { ServiceError, ServiceResponseException, SoapFaultDetails } from "ews-javascript-api";
import type { ConnectionTestResult, ExchangeConnectionInput } from "../api/admin.js";
import { ConnectorError } from "../connectors/errors.js";
import { createEwsExchangePort, type EwsVersionName } from "../connectors/ews/index.js";
import { appOnlyTokens, createGraphExchangePort, msalApp } from "../connectors/graph/index.js";
import { ZohoClient, ZohoOAuth } from "../connectors/zoho/index.js";
import { checkOutboundUrl } from "../security/url-allow-list.js";
import type { Storage } from "../storage/index.js";
import {
  appCertificate,
  loadCredentialMode,
  loadExchangeConnection,
  loadZohoConnection,
  SECRET,
  storedGraphCredential,
} from "./connections.js";
import { AutodiscoverFailed, autodiscoverEwsUrl } from "./ews-autodiscover.js";
import type { ServiceConnectorOptions } from "./service-connectors.js";

/** Nothing (or too little) is configured to test; the route answers 409 instead of a failed test. */
export class ConnectionNotConfigured extends Error {}

/** The connection names a host the operator did not allow; the route answers 400, as saving it would. */
export class ConnectionNotAllowed extends Error {}

type Step = ConnectionTestResult["steps"][number]["step"];
type Failure = NonNullable<ConnectionTestResult["failure"]>;
type Code = Failure["code"];

/** A step's failure, thrown inside a step and turned into the result by `runSteps`. */
class StepFailure extends Error {
  constructor(
    readonly code: Code,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

type PlannedStep =
  | {
      step: Step;
      detail: string;
      run(): Promise<void>;
      /** Classifies what `run` threw; undefined: an unexpected error, reported as server-error. */
      classify(error: unknown): StepFailure | undefined;
    }
  /** A step that cannot be run, and why (e.g. no mailbox to impersonate was given). */
  | { step: Step; detail: string; notRunBecause: string };

function unclassified(error: unknown): StepFailure {
  return new StepFailure(
    "server-error",
    error instanceof Error ? error.message : String(error),
    "The service answered with an error the bridge does not classify; retry, then check its health.",
  );
}

async function runSteps(planned: PlannedStep[], now: Date): Promise<ConnectionTestResult> {
  const steps: ConnectionTestResult["steps"] = [];
  let failure: Failure | null = null;
  for (const planStep of planned) {
    const { step, detail } = planStep;
    if (failure) {
      steps.push({ step, status: "skipped", detail, reason: `the ${failure.step} check failed first` });
      continue;
    }
    if ("notRunBecause" in planStep) {
      steps.push({ step, status: "skipped", detail, reason: planStep.notRunBecause });
      continue;
    }
    try {
      await planStep.run();
      steps.push({ step, status: "passed", detail, reason: null });
    } catch (error) {
      const classified = error instanceof StepFailure ? error : (planStep.classify(error) ?? unclassified(error));
      steps.push({ step, status: "failed", detail, reason: classified.message });
      failure = { step, code: classified.code, message: classified.message, hint: classified.hint };
    }
  }
  return { ok: failure === null, testedAt: now.toISOString(), steps, failure };
}

const TLS_CODES: Partial<Record<string, Code>> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "tls-untrusted-certificate",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "tls-untrusted-certificate",
  SELF_SIGNED_CERT_IN_CHAIN: "tls-untrusted-certificate",
  DEPTH_ZERO_SELF_SIGNED_CERT: "tls-untrusted-certificate",
  ERR_TLS_CERT_ALTNAME_INVALID: "tls-hostname-mismatch",
  CERT_HAS_EXPIRED: "tls-expired-certificate",
  ENOTFOUND: "dns-not-found",
  EAI_AGAIN: "dns-not-found",
  ECONNREFUSED: "connection-refused",
  ETIMEDOUT: "timeout",
};

const TLS_HINTS: Record<string, string> = {
  "tls-untrusted-certificate":
    "The server's certificate is not signed by a CA this bridge trusts: install the issuing CA (NODE_EXTRA_CA_CERTS) or use a publicly trusted certificate.",
  "tls-hostname-mismatch": "The certificate does not name this host: use the host name the certificate was issued for.",
  "tls-expired-certificate": "The server's certificate has expired: renew it on the server.",
  "dns-not-found": "The host name does not resolve: check the spelling and the bridge's DNS.",
  "connection-refused": "Nothing listens on that port: check the URL and firewalls.",
  timeout: "The server did not answer in time: check firewalls and proxies between the bridge and the server.",
};

const TLS_TIMEOUT_MS = 10_000;

/** Opens a TLS connection with Node's default trust store (plus NODE_EXTRA_CA_CERTS) and closes it. */
function tlsStep(endpoint: string): PlannedStep {
  const url = new URL(endpoint);
  return {
    step: "tls",
    detail: `TLS certificate for ${url.host} is trusted and names the host`,
    run: () =>
      new Promise<void>((resolve, reject) => {
        const socket = connect({
          host: url.hostname,
          port: Number(url.port || 443),
          // SNI carries host names only (RFC 6066); an IP address is checked against the certificate's IP SANs.
          ...(isIP(url.hostname) ? {} : { servername: url.hostname }),
          timeout: TLS_TIMEOUT_MS,
        });
        socket.once("secureConnect", () => {
          socket.end();
          resolve();
        });
        socket.once("timeout", () => {
          socket.destroy();
          reject(Object.assign(new Error(`no TLS answer from ${url.host}`), { code: "ETIMEDOUT" }));
        });
        socket.once("error", reject);
      }),
    classify(error) {
      const code = TLS_CODES[String((error as NodeJS.ErrnoException).code)];
      return code ? new StepFailure(code, (error as Error).message, TLS_HINTS[code] ?? "") : undefined;
    },
  };
}

const HINT = {
  credentials: "Check the account name and password (or the app's client secret) and that they were not revoked.",
  zohoToken: "The refresh token was revoked or expired: connect Zoho CRM again (Zoho → Connect).",
  zohoScope: "The refresh token lacks a scope the bridge needs: connect Zoho CRM again and accept every scope.",
  impersonation:
    "Grant the service account the ApplicationImpersonation role (New-ManagementRoleAssignment -Role:ApplicationImpersonation -User:<account>).",
  mailbox: "Check the address: the mailbox does not exist on this server or is not enabled.",
  accessPolicy:
    "An application access policy or RBAC scope excludes this mailbox: add it to the policy's group (Test-ApplicationAccessPolicy).",
  consent: "Grant admin consent for the app's application permissions in Entra ID.",
  autodiscover:
    "Enter the organisation's Autodiscover URL (Get-ClientAccessService | fl AutoDiscoverServiceInternalUri) or the EWS URL itself, and make sure its host is on BRIDGE_EWS_ALLOWED_HOSTS.",
} as const;

function failureOf(error: unknown): ConnectorError["failure"] | undefined {
  return error instanceof ConnectorError ? error.failure : undefined;
}

// ─── Zoho ───────────────────────────────────────────────────────────────────────────────────────────────────────────

export async function testZohoConnection(storage: Storage, now: Date): Promise<ConnectionTestResult> {
  const zoho = await loadZohoConnection(storage);
  const clientSecret = await storage.secrets.get(SECRET.zohoClientSecret);
  const refreshToken = await storage.secrets.get(SECRET.zohoRefreshToken);
  if (!zoho.clientId || !zoho.accountsUrl || !clientSecret || !refreshToken) {
    throw new ConnectionNotConfigured("Zoho CRM is not connected yet");
  }
  const oauth = new ZohoOAuth({
    clientId: zoho.clientId,
    clientSecret,
    accountsServer: zoho.accountsUrl,
    refreshToken,
    ...(zoho.apiDomain ? { apiDomain: zoho.apiDomain } : {}),
  });
  const client = new ZohoClient(oauth);
  return runSteps(
    [
      tlsStep(zoho.accountsUrl),
      {
        step: "authentication",
        detail: "Zoho accounts issued an access token for the stored refresh token",
        run: async () => {
          await oauth.refresh();
        },
        classify: (error) =>
          failureOf(error)?.kind === "auth-expired"
            ? new StepFailure("invalid-credentials", (error as Error).message, HINT.zohoToken)
            : undefined,
      },
      {
        step: "permissions",
        detail: "The access token may read the CRM users",
        run: async () => {
          const answer = await client.request({ method: "GET", path: "users", query: { type: "CurrentUser" } });
          if (answer.status >= 400) throw new StepFailure("server-error", `Zoho HTTP ${answer.status}`, HINT.zohoScope);
        },
        // The token was just issued, so a refusal here is the token's scope, not its validity (OAUTH_SCOPE_MISMATCH).
        classify: (error) =>
          failureOf(error)?.kind === "auth-expired"
            ? new StepFailure("scope-missing", (error as Error).message, HINT.zohoScope)
            : undefined,
      },
    ],
    now,
  );
}

// ─── Exchange ──────────────────────────────────────────────────────────────────────────────────────────────────────

/** The EWS ResponseCode an EWS call failed with, from the ews-javascript-api error the connector kept as cause. */
function ewsResponseCode(error: unknown): string | undefined {
  const cause = error instanceof ConnectorError ? error.cause : error;
  if (cause instanceof ServiceResponseException) return ServiceError[cause.ErrorCode];
  if (cause instanceof SoapFaultDetails)
    return ServiceError[cause.ResponseCode] ?? cause.FaultCode?.replace(/^\w+:/, "");
  return undefined;
}

function classifyEws(error: unknown): StepFailure | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const code = ewsResponseCode(error);
  if (code === "ErrorImpersonateUserDenied")
    return new StepFailure("impersonation-denied", message, HINT.impersonation);
  // ErrorMissingEmailAddress: the logon was accepted, but the account has no mailbox of its own to open.
  if (
    code === "ErrorNonExistentMailbox" ||
    code === "ErrorMailboxStoreUnavailable" ||
    code === "ErrorMissingEmailAddress"
  ) {
    return new StepFailure("mailbox-not-found", message, HINT.mailbox);
  }
  if (failureOf(error)?.kind === "auth-expired")
    return new StepFailure("invalid-credentials", message, HINT.credentials);
  return undefined;
}

function classifyGraph(error: unknown): StepFailure | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof ConnectorError ? error.cause : error;
  if (cause instanceof AuthError) {
    return cause.errorCode === "consent_required"
      ? new StepFailure("consent-missing", message, HINT.consent)
      : new StepFailure("invalid-credentials", message, HINT.credentials);
  }
  if (cause instanceof GraphError) {
    if (cause.statusCode === 401) return new StepFailure("invalid-credentials", message, HINT.credentials);
    if (cause.statusCode === 403 && cause.code === "ErrorAccessDenied") {
      return new StepFailure("access-policy-denied", message, HINT.accessPolicy);
    }
    if (cause.code === "ErrorInvalidUser" || cause.code === "MailboxNotEnabledForRESTAPI") {
      return new StepFailure("mailbox-not-found", message, HINT.mailbox);
    }
  }
  if (failureOf(error)?.kind === "auth-expired")
    return new StepFailure("invalid-credentials", message, HINT.credentials);
  return undefined;
}

/**
 * A connection to test: the saved one, overlaid with the admin's unsaved draft (omitted secrets: the stored ones).
 * `ewsUrl` is null while Autodiscover has still to find it.
 */
async function connectionUnderTest(storage: Storage, draft: ExchangeConnectionInput | undefined) {
  const saved = await loadExchangeConnection(storage);
  if (draft?.kind === "ews") {
    return {
      ...draft,
      ewsUrl: draft.endpoint.mode === "url" ? draft.endpoint.ewsUrl : null,
      detectedVersion: null,
      password: draft.password ?? (await storage.secrets.get(SECRET.exchangePassword)),
    };
  }
  if (draft?.kind === "graph") {
    const { credential, ...rest } = draft;
    if (credential?.type === "certificate") {
      const { thumbprintSha256 } = appCertificate(credential.certificatePem, credential.privateKeyPem);
      return { ...rest, credential: { clientCertificate: { thumbprintSha256, privateKey: credential.privateKeyPem } } };
    }
    return {
      ...rest,
      credential: credential
        ? { clientSecret: credential.clientSecret }
        : await storedGraphCredential(storage, saved?.kind === "graph" ? saved : undefined),
    };
  }
  if (saved?.kind === "ews") {
    return { ...saved, ewsUrl: saved.resolvedEwsUrl, password: await storage.secrets.get(SECRET.exchangePassword) };
  }
  if (saved?.kind === "graph") return { ...saved, credential: await storedGraphCredential(storage, saved) };
  throw new ConnectionNotConfigured("no Exchange connection is configured");
}

/** How "test connection" logs on to EWS and which mailbox it opens. */
interface EwsLogon {
  ewsUrl: string;
  /** The Autodiscover step that found `ewsUrl`, listed first. */
  autodiscover?: PlannedStep;
  /** The logon name as sent (DOMAIN\user when a domain is given for a bare account name). */
  username: string;
  password: string;
  authScheme: "basic" | "ntlm";
  version: EwsVersionName;
  /** True: `username` is a service account that opens `mailbox` through ApplicationImpersonation. */
  impersonate: boolean;
  /** The mailbox to open; undefined while impersonating without one (impersonation is then not tested). */
  mailbox: string | undefined;
  /** The account's own mailbox, read to prove the logon when there is no mailbox to impersonate. */
  ownMailbox: string;
}

const NO_MAILBOX_TO_IMPERSONATE =
  "no mailbox to impersonate was given (and no user is selected yet), so impersonation was not tested";

export function ewsLogonName(account: string, domain: string | undefined): string {
  return domain && !account.includes("@") ? `${domain}\\${account}` : account;
}

function ewsVersionOf(connection: { detectedVersion: string | null; serverVersion: string }): EwsVersionName {
  return (connection.detectedVersion ??
    (connection.serverVersion === "auto" ? "Exchange2010_SP2" : connection.serverVersion)) as EwsVersionName;
}

/** A mailbox to test against when the admin gave none: the first user selected for sync. */
async function firstSelectedMailbox(storage: Storage): Promise<string | undefined> {
  return (await storage.users.listSyncable())[0]?.mailbox;
}

function testEwsLogon(logon: EwsLogon, now: Date): Promise<ConnectionTestResult> {
  const { ewsUrl, username, mailbox } = logon;
  // One EWS call proves all three steps: Exchange checks the logon (401), then the impersonation right
  // (ErrorImpersonateUserDenied), then the mailbox (ErrorNonExistentMailbox), so the failure names its step.
  // Without a mailbox to impersonate, the account's own mailbox is read without impersonation: only the logon counts
  // (a service account often has no mailbox of its own, which Exchange reports after accepting the logon).
  let probe: Promise<StepFailure | undefined> | undefined;
  const readMailbox = () => {
    probe ??= (async () => {
      const port = await createEwsExchangePort({
        url: ewsUrl,
        mailbox: mailbox ?? logon.ownMailbox,
        version: logon.version,
        username,
        password: logon.password,
        auth: logon.authScheme,
        impersonate: logon.impersonate && mailbox !== undefined,
      });
      try {
        await port.modules.contacts?.listAll(undefined);
      } finally {
        await port.close();
      }
    })().then(
      () => undefined,
      (error: unknown) => classifyEws(error) ?? unclassified(error),
    );
    return probe;
  };
  const stepOf = (failure: StepFailure): Step | undefined => {
    if (failure.code === "invalid-credentials") return "authentication";
    if (failure.code === "impersonation-denied") return "impersonation";
    if (mailbox === undefined) return failure.code === "mailbox-not-found" ? undefined : "authentication";
    return "mailbox";
  };
  const probeStep = (step: Step, detail: string): PlannedStep => ({
    step,
    detail,
    async run() {
      const failure = await readMailbox();
      if (failure && stepOf(failure) === step) throw failure;
    },
    classify: () => undefined,
  });
  const mailboxSteps: PlannedStep[] =
    mailbox === undefined
      ? [
          { step: "impersonation", detail: `${username} may act as a user`, notRunBecause: NO_MAILBOX_TO_IMPERSONATE },
          { step: "mailbox", detail: "A user's mailbox was read", notRunBecause: NO_MAILBOX_TO_IMPERSONATE },
        ]
      : [
          ...(logon.impersonate
            ? [probeStep("impersonation", `${username} may act as ${mailbox} (ApplicationImpersonation)`)]
            : []),
          probeStep("mailbox", `The contacts of ${mailbox} were read`),
        ];
  return runSteps(
    [
      ...(logon.autodiscover ? [logon.autodiscover] : []),
      tlsStep(ewsUrl),
      probeStep("authentication", `${username} signed in to ${new URL(ewsUrl).host}`),
      ...mailboxSteps,
    ],
    now,
  );
}

/**
 * The EWS URL to test: the typed or saved one, or Autodiscover's (run now, as its own step). A typed URL off the
 * allow-list is refused before any connection is made: testing must not open the door saving keeps shut.
 */
async function ewsUrlUnderTest(
  connection: {
    ewsUrl: string | null;
    endpoint: Extract<ExchangeConnectionInput, { kind: "ews" }>["endpoint"];
    emailAddress: string;
  },
  logon: { username: string; password: string; authScheme: "basic" | "ntlm" },
  allowedHosts: readonly string[],
): Promise<{ ewsUrl: string; autodiscover?: PlannedStep } | { failed: PlannedStep }> {
  const { ewsUrl, endpoint } = connection;
  if (ewsUrl) {
    try {
      checkOutboundUrl(ewsUrl, allowedHosts);
    } catch {
      throw new ConnectionNotAllowed(`${ewsUrl} is not an https URL on BRIDGE_EWS_ALLOWED_HOSTS`);
    }
    return { ewsUrl };
  }
  const detail = "Autodiscover named the EWS URL";
  try {
    const found = await autodiscoverEwsUrl({
      emailAddress: connection.emailAddress,
      ...(endpoint?.mode === "autodiscover" ? { autodiscoverUrl: endpoint.autodiscoverUrl } : {}),
      ...logon,
      allowedHosts,
    });
    return {
      ewsUrl: found,
      autodiscover: {
        step: "autodiscover",
        detail: `${detail}: ${found}`,
        run: async () => {},
        classify: () => undefined,
      },
    };
  } catch (error) {
    if (!(error instanceof AutodiscoverFailed)) throw error;
    const failure = error.credentialsRefused
      ? new StepFailure("invalid-credentials", error.message, HINT.credentials)
      : new StepFailure("autodiscover-failed", error.message, HINT.autodiscover);
    return {
      failed: {
        step: "autodiscover",
        detail,
        run: () => Promise.reject(failure),
        classify: () => undefined,
      },
    };
  }
}

export async function testExchangeConnection(
  storage: Storage,
  options: ServiceConnectorOptions,
  request: {
    connection?: ExchangeConnectionInput | undefined;
    mailbox?: string | undefined;
    /** BRIDGE_EWS_ALLOWED_HOSTS: the EWS and Autodiscover hosts the bridge may call. */
    allowedHosts: readonly string[];
  },
  now: Date,
): Promise<ConnectionTestResult> {
  const connection = await connectionUnderTest(storage, request.connection);
  const target = request.mailbox ?? (await firstSelectedMailbox(storage));
  if (connection.kind === "ews") {
    const username = ewsLogonName(connection.username ?? connection.emailAddress, connection.domain);
    const password = connection.password ?? "";
    const endpoint = await ewsUrlUnderTest(
      connection,
      { username, password, authScheme: connection.authScheme },
      request.allowedHosts,
    );
    if ("failed" in endpoint) {
      const later = "the EWS URL is not known";
      return runSteps(
        [
          endpoint.failed,
          { step: "tls", detail: "TLS certificate of the EWS server", notRunBecause: later },
          { step: "authentication", detail: `${username} signed in`, notRunBecause: later },
        ],
        now,
      );
    }
    const impersonate = (await loadCredentialMode(storage)) === "impersonation";
    return testEwsLogon(
      {
        ewsUrl: endpoint.ewsUrl,
        ...(endpoint.autodiscover ? { autodiscover: endpoint.autodiscover } : {}),
        username,
        password,
        authScheme: connection.authScheme,
        version: ewsVersionOf(connection),
        impersonate,
        // Individual mode logs on as a user, whose own mailbox is the one to read.
        mailbox: impersonate ? target : (request.mailbox ?? connection.emailAddress),
        ownMailbox: connection.emailAddress,
      },
      now,
    );
  }
  if (!connection.credential) throw new ConnectionNotConfigured("no Graph client secret or certificate key is stored");
  const authority = `${options.authorityHost}/${connection.tenantId}`;
  const tokens = appOnlyTokens(
    msalApp({
      ...connection.credential,
      clientId: connection.clientId,
      authority,
      ...(options.knownAuthorities ? { knownAuthorities: options.knownAuthorities } : {}),
    }),
  );
  return runSteps(
    [
      tlsStep(options.authorityHost),
      {
        step: "authentication",
        detail: `The identity platform issued an app-only token to ${connection.clientId}`,
        run: async () => {
          await tokens.getToken(false);
        },
        classify: classifyGraph,
      },
      target === undefined
        ? {
            step: "mailbox",
            detail: "The app read a user's contacts",
            notRunBecause: "no mailbox was given (and no user is selected yet), so mailbox access was not tested",
          }
        : {
            step: "mailbox",
            detail: `The app read the contacts of ${target}`,
            run: async () => {
              const port = createGraphExchangePort({
                tokens,
                mailbox: target,
                ...(options.graphBaseUrl ? { baseUrl: options.graphBaseUrl } : {}),
              });
              try {
                await port.modules.contacts?.listAll(undefined);
              } finally {
                await port.close();
              }
            },
            classify: classifyGraph,
          },
    ],
    now,
  );
}

/**
 * Checks a new EWS password before it is stored: the saved connection's logon with `password` — the service
 * account's (impersonating the first selected user), or in individual mode one user's own logon to their mailbox.
 */
export async function testExchangePassword(
  storage: Storage,
  request: { password: string; user?: { mailbox: string } | undefined },
  now: Date,
): Promise<ConnectionTestResult> {
  const saved = await loadExchangeConnection(storage);
  if (saved?.kind !== "ews") throw new ConnectionNotConfigured("no on-premises Exchange connection is configured");
  if (!saved.resolvedEwsUrl) throw new ConnectionNotConfigured("the EWS URL is not known yet (Autodiscover)");
  const common = {
    ewsUrl: saved.resolvedEwsUrl,
    password: request.password,
    authScheme: saved.authScheme,
    version: ewsVersionOf(saved),
  };
  if (request.user) {
    const { mailbox } = request.user;
    return testEwsLogon(
      {
        ...common,
        username: ewsLogonName(mailbox, saved.domain),
        impersonate: false,
        mailbox,
        ownMailbox: mailbox,
      },
      now,
    );
  }
  const impersonate = (await loadCredentialMode(storage)) === "impersonation";
  return testEwsLogon(
    {
      ...common,
      username: ewsLogonName(saved.username ?? saved.emailAddress, saved.domain),
      impersonate,
      mailbox: impersonate ? await firstSelectedMailbox(storage) : saved.emailAddress,
      ownMailbox: saved.emailAddress,
    },
    now,
  );
}
