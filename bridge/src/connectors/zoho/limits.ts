/**
 * Zoho counts concurrent API calls per org and app, by edition (zoho-crm-api.md §7): Free 5, Standard 10,
 * Professional 15, Enterprise 20, Ultimate 25, of which at most 10 "heavy" ones (writes of more than 10 records,
 * COQL, search); one call more is a 429. So the ports of one org in this process — one per Zoho refresh token, i.e.
 * per user who connected their own — share one limiter, sized for the org's edition once `GET /org` told it.
 */
import { Semaphore } from "../semaphore.js";

const EDITION_CONCURRENCY: Readonly<Record<string, number>> = {
  free: 5,
  standard: 10,
  professional: 15,
  enterprise: 20,
  ultimate: 25,
};
const DEFAULT_CONCURRENCY = EDITION_CONCURRENCY.enterprise ?? 20;
const HEAVY_CONCURRENCY = 10;

export class ZohoLimiter {
  readonly all: Semaphore;
  readonly heavy: Semaphore;

  constructor(
    /** The most calls in flight whatever the edition (an operator's own cap). */
    private readonly ceiling = DEFAULT_CONCURRENCY,
    private readonly heavyCeiling = HEAVY_CONCURRENCY,
  ) {
    this.all = new Semaphore(ceiling);
    this.heavy = new Semaphore(Math.min(heavyCeiling, ceiling));
  }

  /** Fits the limiter to the org's edition (`license_details.paid_type`); an edition not listed changes nothing. */
  fitEdition(paidType: unknown): void {
    const concurrency = typeof paidType === "string" ? EDITION_CONCURRENCY[paidType.toLowerCase()] : undefined;
    if (concurrency === undefined) return;
    const limit = Math.min(concurrency, this.ceiling);
    this.all.resize(limit);
    this.heavy.resize(Math.min(this.heavyCeiling, limit));
  }
}

const orgLimiters = new Map<string, ZohoLimiter>();

/** The limiter every port of one app (client id) at one data centre shares in this process. */
export function sharedLimiter(accountsServer: string, clientId: string): ZohoLimiter {
  const key = `${accountsServer}|${clientId}`;
  let limiter = orgLimiters.get(key);
  if (!limiter) {
    limiter = new ZohoLimiter();
    orgLimiters.set(key, limiter);
  }
  return limiter;
}
