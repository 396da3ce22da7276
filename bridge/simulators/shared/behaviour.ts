/**
 * Behaviour every simulator shares: per-call latency, seeded fault injection and call counting.
 *
 * Faults are drawn from a seeded generator so that a failing test or benchmark can be replayed exactly. Each
 * simulator renders a drawn fault in its own service's shape (Zoho JSON, Graph OData error, EWS SOAP fault);
 * the transport-level kinds (reset, hang, truncated body) are rendered here, identically for all.
 */
import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

export const FAULT_KINDS = [
  /** A 500 in the service's own error shape. */
  "server-error",
  /** A 503 with Retry-After, as a gateway or an overloaded server answers. */
  "unavailable",
  /** The service's throttling answer (Zoho 429, Graph 429, EWS ErrorServerBusy). */
  "throttled",
  /** The TCP connection is reset without a response. */
  "reset",
  /** The request is held until the client gives up (or `hangMs` passes), then the connection is dropped. */
  "hang",
  /** A well-formed answer that takes `slowMs` longer than usual. */
  "slow",
  /** Half of the real body is sent, then the connection is dropped. */
  "truncated",
  /** A 200 whose body is not the service's format at all. */
  "malformed",
  /** A 500 with an HTML error page, as IIS or a proxy answers. */
  "html-error",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSettings {
  /** Share of calls, 0..1, that fail. */
  rate: number;
  /** Kinds to draw from, uniformly. */
  kinds: FaultKind[];
  seed: number;
  /** Only calls whose endpoint name matches are eligible (all when absent). */
  endpoints?: RegExp;
  hangMs?: number;
  slowMs?: number;
}

/** mulberry32: a tiny, well-known seeded PRNG; good enough to pick faults reproducibly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export class FaultInjector {
  private settings: FaultSettings | undefined;
  private random: () => number = Math.random;

  configure(settings: FaultSettings | undefined): void {
    this.settings = settings && settings.rate > 0 && settings.kinds.length > 0 ? settings : undefined;
    this.random = seededRandom(settings?.seed ?? 0);
  }

  get current(): FaultSettings | undefined {
    return this.settings;
  }

  /** Draws whether this call fails, and how. */
  draw(endpoint: string): FaultKind | undefined {
    const settings = this.settings;
    if (!settings) return undefined;
    if (settings.endpoints && !settings.endpoints.test(endpoint)) return undefined;
    if (this.random() >= settings.rate) return undefined;
    return settings.kinds[Math.floor(this.random() * settings.kinds.length)];
  }
}

export class CallLog {
  private readonly counts = new Map<string, number>();

  record(endpoint: string): void {
    this.counts.set(endpoint, (this.counts.get(endpoint) ?? 0) + 1);
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  total(filter?: (endpoint: string) => boolean): number {
    let sum = 0;
    for (const [endpoint, count] of this.counts) if (!filter || filter(endpoint)) sum += count;
    return sum;
  }

  reset(): void {
    this.counts.clear();
  }
}

/** Waits the configured per-call latency; resolves early never (latency is what benchmarks measure against). */
export async function applyLatency(ms: number): Promise<void> {
  if (ms > 0) await sleep(ms);
}

/**
 * Renders the transport-level fault kinds. Returns true when the response was taken care of; the caller renders
 * the service-specific kinds (server-error, unavailable, throttled, malformed, html-error) itself and, for "slow",
 * goes on to answer normally after the delay this function already waited.
 */
export async function renderTransportFault(
  kind: FaultKind,
  res: ServerResponse,
  settings: Pick<FaultSettings, "hangMs" | "slowMs">,
): Promise<boolean> {
  switch (kind) {
    case "reset":
      res.socket?.destroy();
      return true;
    case "hang":
      await sleep(settings.hangMs ?? 30_000);
      res.socket?.destroy();
      return true;
    case "slow":
      await sleep(settings.slowMs ?? 2_000);
      return false;
    default:
      return false;
  }
}

/** Sends the first half of a real body with its full Content-Length, then drops the connection. */
export function sendTruncated(res: ServerResponse, status: number, contentType: string, body: string): void {
  const bytes = Buffer.from(body, "utf8");
  res.writeHead(status, { "content-type": contentType, "content-length": String(bytes.length) });
  res.write(bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2))), () => res.socket?.destroy());
}

export const HTML_ERROR_PAGE =
  "<!DOCTYPE html><html><head><title>Runtime Error</title></head><body><h1>Server Error in '/' Application.</h1>" +
  "<p>An unexpected error occurred.</p></body></html>";
