/**
 * The HTTP layer under ews-javascript-api, guarded so that no upstream reply can crash the process.
 *
 * ews-javascript-api 0.15.3 parses the body of every HTTP 500 as a SOAP fault (ServiceRequestBase
 * .ProcessWebException); a 500 whose body is not XML (an IIS/proxy error page, an empty body) makes it throw a
 * TypeError inside a promise handler: the rejection is unhandled (Node's default then ends the process) and the
 * caller's promise never settles. This wrapper hands the library such replies as a plain transport error it
 * passes through untouched (it only parses status 500), and bounds every request by a timeout, which the library
 * stores but never applies (ews.md §14).
 */
import type { IXHRApi, IXHROptions, IXHRProgress } from "ews-javascript-api";
import { describeTransportFailure } from "../transport-failure.js";

type XhrAnswer = ReturnType<IXHRApi["xhr"]>;

/**
 * A reply the library must not parse. ews-javascript-api re-wraps whatever the transport rejects with into a
 * SoapFaultDetails carrying only the message, so the message ends with a marker (`[ews-transport #n]`) by which
 * `recoverTransportError` finds the original (status, Retry-After) again.
 */
export class EwsTransportError extends Error {
  private static readonly recent = new Map<number, EwsTransportError>();
  private static next = 1;

  constructor(
    message: string,
    /** The real HTTP status, kept apart from `status` so the library does not try to parse the body. */
    readonly httpStatus: number | undefined,
    readonly retryAfterMs?: number,
  ) {
    const marker = EwsTransportError.next++;
    super(`${message} [ews-transport #${marker}]`);
    this.name = "EwsTransportError";
    EwsTransportError.recent.set(marker, this);
    // Only the last few are ever looked up: the one being mapped right now.
    if (EwsTransportError.recent.size > 256) EwsTransportError.recent.delete(marker - 256);
  }

  /** The transport error a library error message stands for, if any. */
  static recover(message: string | undefined): EwsTransportError | undefined {
    const marker = /\[ews-transport #(\d+)\]/.exec(message ?? "")?.[1];
    return marker === undefined ? undefined : EwsTransportError.recent.get(Number(marker));
  }
}

interface XhrFailure {
  status?: number;
  responseText?: string;
  headers?: Record<string, string>;
  message?: string;
}

function looksLikeSoap(body: string | undefined): boolean {
  return body !== undefined && /^\s*(<\?xml[^>]*>\s*)?<([A-Za-z0-9_-]+:)?Envelope[\s>]/.test(body);
}

function retryAfter(headers: Record<string, string> | undefined): number | undefined {
  const value = headers?.["retry-after"];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) * 1000 : undefined;
}

export class GuardedXhrApi implements IXHRApi {
  readonly apiName = "guarded";

  constructor(
    private readonly inner: IXHRApi,
    private readonly timeoutMs: number,
  ) {}

  xhr(options: IXHROptions, progress?: (data: IXHRProgress) => void): XhrAnswer {
    return this.guarded(options, progress);
  }

  private async guarded(options: IXHROptions, progress?: (data: IXHRProgress) => void): Promise<Awaited<XhrAnswer>> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new EwsTransportError(`no answer within ${this.timeoutMs} ms`, undefined)),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([this.inner.xhr(options, progress), timeout]);
    } catch (error) {
      if (error instanceof EwsTransportError) throw error;
      const failure = (error ?? {}) as XhrFailure;
      if (failure.status === 500 && looksLikeSoap(failure.responseText)) throw error;
      if (failure.status !== undefined) {
        throw new EwsTransportError(
          `HTTP ${failure.status} without a SOAP body`,
          failure.status,
          retryAfter(failure.headers),
        );
      }
      // No HTTP answer: axios's error ("socket hang up") with its code and cause, not the message alone.
      throw new EwsTransportError(describeTransportFailure(error), undefined);
    } finally {
      clearTimeout(timer);
    }
  }

  xhrStream(options: IXHROptions, progress: (data: IXHRProgress) => void): XhrAnswer {
    return this.inner.xhrStream(options, progress);
  }

  disconnect(): void {
    this.inner.disconnect();
  }
}
