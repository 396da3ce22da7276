/**
 * Outlook service limits per app ID + mailbox pair (throttling-limits.md): N requests per sliding window
 * (10 000 / 10 min) and M concurrent requests (4). A breach answers 429 with `Retry-After` (seconds, decimals
 * allowed as in the docs' sample `2.128`): `TooManyRequests` for the rate (documented body) and
 * `ApplicationThrottled` "…over its MailboxConcurrency limit." for concurrency (body observed in the wild, see
 * conformance/graph/throttling-errors/). Exceeding on one mailbox never affects another.
 */
import { errorBody } from "./errors.js";

export interface ThrottleLimits {
  requestsPerWindow: number;
  windowMs: number;
  concurrentRequests: number;
  /** Retry-After sent for concurrency breaches (the real service sends small values). */
  concurrencyRetryAfterSeconds: number;
}

export const DEFAULT_THROTTLE_LIMITS: ThrottleLimits = {
  requestsPerWindow: 10_000,
  windowMs: 600_000,
  concurrentRequests: 4,
  concurrencyRetryAfterSeconds: 1,
};

export interface ThrottleRefusal {
  status: 429;
  headers: Record<string, string>;
  body: unknown;
}

export class MailboxThrottle {
  private readonly history = new Map<string, number[]>();
  private readonly inFlight = new Map<string, number>();

  constructor(readonly limits: ThrottleLimits) {}

  reset(): void {
    this.history.clear();
    this.inFlight.clear();
  }

  /** Admits one request for `key` (app + mailbox) or says why not. Admitted requests must be released. */
  admit(key: string): ThrottleRefusal | undefined {
    const now = Date.now();
    const recent = (this.history.get(key) ?? []).filter((at) => at > now - this.limits.windowMs);
    this.history.set(key, recent);
    if (recent.length >= this.limits.requestsPerWindow) {
      const waitMs = (recent[0] ?? now) + this.limits.windowMs - now;
      const body = errorBody("TooManyRequests", "Please retry again later.");
      Object.assign(body.error.innerError as Record<string, unknown>, {
        code: "429",
        message: "Please retry after",
        status: "429",
      });
      return { status: 429, headers: { "retry-after": (Math.max(waitMs, 1) / 1000).toFixed(3) }, body };
    }
    const running = this.inFlight.get(key) ?? 0;
    if (running >= this.limits.concurrentRequests) {
      return {
        status: 429,
        headers: { "retry-after": String(this.limits.concurrencyRetryAfterSeconds) },
        body: { error: { code: "ApplicationThrottled", message: "Application is over its MailboxConcurrency limit." } },
      };
    }
    recent.push(now);
    this.inFlight.set(key, running + 1);
    return undefined;
  }

  /** The documented 429 TooManyRequests answer (throttling.md sample response). */
  refuse(retryAfterSeconds: number): ThrottleRefusal {
    const body = errorBody("TooManyRequests", "Please retry again later.");
    Object.assign(body.error.innerError as Record<string, unknown>, {
      code: "429",
      message: "Please retry after",
      status: "429",
    });
    return { status: 429, headers: { "retry-after": String(Number(retryAfterSeconds.toFixed(3))) }, body };
  }

  release(key: string): void {
    const running = (this.inFlight.get(key) ?? 1) - 1;
    if (running <= 0) this.inFlight.delete(key);
    else this.inFlight.set(key, running);
  }
}
