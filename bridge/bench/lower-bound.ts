/**
 * The physical lower bound of an initial sync from the services' own limits. For each service the fewest calls its
 * limits allow for the run's record counts, spread over the concurrency it allows, but never shorter than its longest
 * chain of calls that must follow one another (paging cursors): bound = max(minCalls × latency ÷ concurrency,
 * longestChain × latency). Services can be called at the same time, so the run's bound is the largest service bound.
 */

export interface ServiceLimits {
  /** Records per call (Graph delta page 1 000, EWS SyncFolderItems 512, Zoho write 100). */
  perCall: number;
  /** Calls the service allows at once for one mailbox / org. */
  concurrency: number;
  /** Calls that cost one each regardless of size (e.g. one listing of an empty CRM module). */
  fixedCallsPerModule: number;
  /** Whether one module's calls must follow one another (a delta link or sync state names the next page). */
  chained: boolean;
}

export interface ServiceBound {
  minCalls: number;
  concurrency: number;
  longestChain: number;
  boundMs: number;
}

export const LIMITS = {
  /** Graph: `Prefer: odata.maxpagesize` up to 1 000 per delta page; 4 concurrent requests per app + mailbox. */
  graph: { perCall: 1_000, concurrency: 4, fixedCallsPerModule: 0, chained: true },
  /** EWS: SyncFolderItems MaxChangesReturned ≤ 512; EWSMaxConcurrency 27 (2013+ default policy). */
  ews: { perCall: 512, concurrency: 27, fixedCallsPerModule: 0, chained: true },
  /**
   * Zoho: 100 records per insert; writes of more than 10 records are "heavy" calls, 10 at once. One listing call
   * per module to learn the CRM holds nothing yet.
   */
  zoho: { perCall: 100, concurrency: 10, fixedCallsPerModule: 1, chained: false },
} satisfies Record<string, ServiceLimits>;

/** `singleCalls`: calls that carry one item each whatever the limits (Zoho associate_email takes one e-mail). */
export function serviceBound(
  limits: ServiceLimits,
  recordsPerModule: number[],
  latencyMs: number,
  singleCalls = 0,
): ServiceBound {
  const chains = recordsPerModule.map((records) => Math.ceil(records / limits.perCall) + limits.fixedCallsPerModule);
  const minCalls = chains.reduce((sum, calls) => sum + calls, singleCalls);
  const longestChain = limits.chained ? Math.max(1, ...chains) : 1;
  return {
    minCalls,
    concurrency: limits.concurrency,
    longestChain,
    boundMs: Math.max((minCalls * latencyMs) / limits.concurrency, longestChain * latencyMs),
  };
}
