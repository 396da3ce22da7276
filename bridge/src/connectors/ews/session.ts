/**
 * One EWS connection for one mailbox: ews-javascript-api's ExchangeService set up for the server's version,
 * credentials (Basic pre-emptive, or NTLM through @ewsjs/xhr), impersonation (service account +
 * ExchangeImpersonation + X-AnchorMailbox, ews.md §3) and the guarded transport; plus the back-off gate.
 *
 * Back-off: ews-javascript-api surfaces ErrorServerBusy as a generic fault and never waits. After a throttling
 * answer this session holds every further call until BackOffMilliseconds (or a 503's Retry-After) have passed
 * (Exchange keeps refusing until then), waiting up to `maxBackOffWaitMs`; a longer back-off fails fast as
 * `throttled` with the rest.
 * Reads retry: idempotent reads (`read`: SyncFolderItems from a saved SyncState, GetItem) are tried up to
 * `readAttempts` times in the run when they fail transiently (5xx, reset, timeout, garbled body) or are throttled
 * briefly — never earlier than the back-off gate allows — so one failed call no longer costs the whole run. Writes are not
 * retried here: a write whose answer was lost may have happened, and the next run's plan decides.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { XhrApi } from "@ewsjs/xhr";
import {
  ConnectingIdType,
  ExchangeService,
  ExchangeVersion,
  ImpersonatedUserId,
  Uri,
  WebCredentials,
} from "ews-javascript-api";
import { ConnectorError } from "../errors.js";
import { ewsError } from "./errors.js";
import { xmlEscaped } from "./escape.js";
import { GuardedXhrApi } from "./transport.js";

export type EwsVersionName =
  | "Exchange2007_SP1"
  | "Exchange2010"
  | "Exchange2010_SP1"
  | "Exchange2010_SP2"
  | "Exchange2013"
  | "Exchange2013_SP1"
  | "Exchange2016";

export interface EwsConnectionOptions {
  /** The mailbox to sync (primary SMTP address). */
  mailbox: string;
  /** EWS endpoint; when absent it is found by POX Autodiscover from `autodiscoverUrl` or the mailbox's domain. */
  url?: string;
  autodiscoverUrl?: string;
  /** The RequestServerVersion to speak (the newest the server accepts; 2007 SP1 … 2016). */
  version: EwsVersionName;
  username: string;
  password: string;
  auth: "basic" | "ntlm";
  /** Service account acting for `mailbox` (ApplicationImpersonation) instead of the mailbox's own credentials. */
  impersonate: boolean;
  timeoutMs?: number;
  maxBackOffWaitMs?: number;
  /** Tries of one idempotent read within a run (default 3; 1 = no retry). */
  readAttempts?: number;
  /**
   * A throttled read is retried in the run only when its back-off is at most this long (default 1 s); Exchange's
   * usual BackOffMilliseconds are minutes (ews.md §5: 297749 ms), better spent by the scheduler than by a waiting run.
   */
  maxReadRetryWaitMs?: number;
}

/** Pause before retrying a read that failed without a back-off hint, times the attempt number. */
const READ_RETRY_PAUSE_MS = 250;

export class EwsSession {
  readonly service: ExchangeService;
  private gateUntil = 0;

  private constructor(
    readonly options: EwsConnectionOptions,
    url: string,
  ) {
    const service = new ExchangeService(ExchangeVersion[options.version]);
    service.Credentials = new WebCredentials(options.username, options.password);
    service.Url = new Uri(url);
    const xhr = new XhrApi({ rejectUnauthorized: true });
    // biome-ignore lint/correctness/useHookAtTopLevel: not a React hook; switches @ewsjs/xhr to NTLM
    if (options.auth === "ntlm") xhr.useNtlmAuthentication(options.username, options.password);
    service.XHRApi = new GuardedXhrApi(xhr, options.timeoutMs ?? 100_000);
    if (options.impersonate) {
      service.ImpersonatedUserId = new ImpersonatedUserId(ConnectingIdType.SmtpAddress, options.mailbox);
      // ews-javascript-api does not add the routing header itself; 2013+ need it (ews.md §3).
      service.HttpHeaders.Add("X-AnchorMailbox", options.mailbox);
    }
    this.service = service;
  }

  static async open(options: EwsConnectionOptions): Promise<EwsSession> {
    return new EwsSession(options, options.url ?? (await discoverEwsUrl(options)));
  }

  private get maxBackOffWaitMs(): number {
    return this.options.maxBackOffWaitMs ?? 30_000;
  }

  /** Speaks 2007 SP1 (MeetingTimeZone, pull notifications only). */
  get is2007(): boolean {
    return this.options.version === "Exchange2007_SP1";
  }

  /**
   * Runs an idempotent read like `call`, retrying transient and throttled failures up to `readAttempts` tries. A
   * throttled retry waits at the gate for the back-off Exchange asked for; one longer than `maxReadRetryWaitMs` is
   * not retried.
   */
  async read<T>(work: (service: ExchangeService) => Promise<T>): Promise<T> {
    const attempts = this.options.readAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.call(work);
      } catch (error) {
        const failure = ewsError(error).failure;
        const tooLong =
          failure.kind === "throttled" && failure.retryAfterMs > (this.options.maxReadRetryWaitMs ?? 1_000);
        if (attempt >= attempts || tooLong || (failure.kind !== "transient" && failure.kind !== "throttled")) {
          throw error;
        }
        if (failure.kind === "transient") await sleep(READ_RETRY_PAUSE_MS * attempt);
      }
    }
  }

  /** Runs one EWS call behind the back-off gate, mapping every failure to a ConnectorError. */
  async call<T>(work: (service: ExchangeService) => Promise<T>): Promise<T> {
    const wait = this.gateUntil - Date.now();
    if (wait > 0) {
      const max = this.maxBackOffWaitMs;
      if (wait > max) {
        throw new ConnectorError({ kind: "throttled", message: "EWS back-off in force", retryAfterMs: wait });
      }
      await sleep(wait);
    }
    try {
      return await work(this.service);
    } catch (error) {
      const mapped = ewsError(error);
      if (mapped.failure.kind === "throttled") this.gateUntil = Date.now() + mapped.failure.retryAfterMs;
      throw mapped;
    }
  }
}

/**
 * POX Autodiscover (2007+): POST the mailbox address, read the EXCH protocol's EwsUrl (ews.md §12). An HTTP redirect
 * is refused rather than followed: the caller checked this endpoint against the operator's allow-list, and a
 * redirect would take the request (and, same-origin, the Basic credentials) to a host nobody checked.
 */
export async function discoverEwsUrl(
  options: Pick<EwsConnectionOptions, "mailbox" | "autodiscoverUrl" | "username" | "password"> &
    Partial<Pick<EwsConnectionOptions, "auth">>,
): Promise<string> {
  const domain = options.mailbox.split("@")[1] ?? "";
  const endpoint = options.autodiscoverUrl ?? `https://autodiscover.${domain}/autodiscover/autodiscover.xml`;
  const body =
    '<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">' +
    `<Request><EMailAddress>${xmlEscaped(options.mailbox)}</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>`;
  let answer: { status: number; text: string };
  try {
    answer = await postAutodiscover(endpoint, body, options);
  } catch (error) {
    throw ewsError(error);
  }
  if (answer.status === 401)
    throw new ConnectorError({ kind: "auth-expired", message: "Autodiscover refused the credentials" });
  const url = /<EwsUrl>([^<]+)<\/EwsUrl>/.exec(answer.text)?.[1];
  if (!url)
    throw new ConnectorError({
      kind: "mailbox-unavailable",
      message: `Autodiscover has no EWS URL for ${options.mailbox}`,
    });
  return url;
}

async function postAutodiscover(
  endpoint: string,
  body: string,
  options: Pick<EwsConnectionOptions, "username" | "password"> & Partial<Pick<EwsConnectionOptions, "auth">>,
): Promise<{ status: number; text: string }> {
  const headers = { "content-type": "text/xml; charset=utf-8" };
  if (options.auth === "ntlm") {
    // A server with Basic switched off answers a Basic POST with 401 whatever the password, so an NTLM connection
    // discovers through the same @ewsjs/xhr NTLM handshake as its EWS calls. It rejects every non-200 answer with
    // the answer itself; redirects are not followed (allowRedirect false) for the reason above.
    const xhr = new XhrApi({ rejectUnauthorized: true });
    // biome-ignore lint/correctness/useHookAtTopLevel: not a React hook; switches @ewsjs/xhr to NTLM
    xhr.useNtlmAuthentication(options.username, options.password);
    const reply = await xhr
      .xhr({ url: endpoint, type: "POST", data: body, headers, allowRedirect: false })
      .catch((failure: unknown) => failure as { status?: unknown; responseText?: string });
    if (typeof reply.status !== "number" || reply.status === 0) throw reply;
    return { status: reply.status, text: reply.responseText ?? "" };
  }
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      ...headers,
      authorization: `Basic ${Buffer.from(`${options.username}:${options.password}`).toString("base64")}`,
    },
    body,
    redirect: "error",
  });
  return { status: response.status, text: await response.text() };
}
