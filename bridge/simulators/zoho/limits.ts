/**
 * Zoho's API limits (zoho-crm-api.md §7): credits per rolling 24 h and concurrent calls per org and app, with a
 * sub-limit of 10 for heavy calls (writes of more than 10 records, COQL, search). Exceeding either → HTTP 429
 * `TOO_MANY_REQUESTS`. Credits: 1 per call, writes 1 per started 10 records.
 */
import { errors } from "./wire.js";

export type Edition = "free" | "standard" | "professional" | "enterprise" | "ultimate";

export const EDITION_CONCURRENCY: Record<Edition, number> = {
  free: 5,
  standard: 10,
  professional: 15,
  enterprise: 20,
  ultimate: 25,
};

export interface LimitSettings {
  edition: Edition;
  /** Credits per rolling 24 h; Infinity disables the check. */
  creditsPerDay: number;
  /** Overrides the edition's concurrency. */
  concurrency?: number;
  heavyConcurrency: number;
}

export const DEFAULT_LIMITS: LimitSettings = {
  edition: "enterprise",
  creditsPerDay: 50_000 + 1_000 * 10,
  heavyConcurrency: 10,
};

const DAY_MS = 24 * 60 * 60 * 1000;

export class ApiLimiter {
  settings: LimitSettings = { ...DEFAULT_LIMITS };
  private inFlight = 0;
  private heavyInFlight = 0;
  /** [timestamp ms, credits] of the last 24 h, oldest first. */
  private spent: Array<[number, number]> = [];
  private spentTotal = 0;

  constructor(private readonly now: () => number) {}

  configure(settings: Partial<LimitSettings>): void {
    this.settings = { ...this.settings, ...settings };
  }

  reset(): void {
    this.settings = { ...DEFAULT_LIMITS };
    this.spent = [];
    this.spentTotal = 0;
  }

  creditsUsed(): number {
    this.expire();
    return this.spentTotal;
  }

  private expire(): void {
    const horizon = this.now() - DAY_MS;
    while (this.spent.length > 0 && this.spent[0][0] <= horizon) {
      this.spentTotal -= this.spent[0][1];
      this.spent.shift();
    }
  }

  /** Admits a call or throws 429; the returned function releases its concurrency slot. */
  admit(credits: number, heavy: boolean): () => void {
    this.expire();
    const concurrency = this.settings.concurrency ?? EDITION_CONCURRENCY[this.settings.edition];
    if (this.spentTotal + credits > this.settings.creditsPerDay) throw errors.tooManyRequests();
    if (this.inFlight >= concurrency) throw errors.tooManyRequests();
    if (heavy && this.heavyInFlight >= this.settings.heavyConcurrency) throw errors.tooManyRequests();
    this.inFlight += 1;
    if (heavy) this.heavyInFlight += 1;
    this.spent.push([this.now(), credits]);
    this.spentTotal += credits;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
      if (heavy) this.heavyInFlight -= 1;
    };
  }

  /** Remaining credits, sent as `X-API-CREDITS-REMAINING` once half are used (zoho-crm-api.md §7). */
  remainingHeader(): Record<string, string> {
    const remaining = this.settings.creditsPerDay - this.spentTotal;
    if (!Number.isFinite(remaining) || remaining > this.settings.creditsPerDay / 2) return {};
    return { "x-api-credits-remaining": String(Math.max(0, remaining)) };
  }
}
