/**
 * Prometheus metrics (prom-client), one registry per app instance so tests can run several apps in one process.
 * Names follow Prometheus conventions: `_total` counters, `_seconds` histograms, labels of low cardinality only.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: "bridge_http_requests_total",
      help: "HTTP requests served, by route and status",
      labelNames: ["method", "route", "status"],
      registers,
    }),
    httpDuration: new Histogram({
      name: "bridge_http_request_duration_seconds",
      help: "HTTP request latency",
      labelNames: ["route"],
      registers,
    }),
    syncRuns: new Counter({
      name: "bridge_sync_runs_total",
      help: "Sync runs finished, by module and status",
      labelNames: ["module", "status"],
      registers,
    }),
    syncItems: new Counter({
      name: "bridge_sync_items_total",
      help: "Items handled by sync runs, by module and outcome",
      labelNames: ["module", "outcome"],
      registers,
    }),
    syncErrors: new Counter({
      name: "bridge_sync_errors_total",
      help: "Failed sync jobs, by failure kind",
      labelNames: ["kind"],
      registers,
    }),
    upstreamThrottled: new Counter({
      name: "bridge_upstream_throttled_total",
      help: "Throttling answers from Zoho or Exchange, by service",
      labelNames: ["service"],
      registers,
    }),
    upstreamRequests: new Counter({
      name: "bridge_upstream_requests_total",
      help: "Requests the bridge sent to Zoho, Microsoft Graph / Entra and Exchange, by host and status class (429 apart)",
      labelNames: ["host", "status"],
      registers,
    }),
    zohoCreditsRemaining: new Gauge({
      name: "bridge_zoho_api_credits_remaining",
      help: "Zoho CRM API credits left in the rolling 24 hours (X-API-CREDITS-REMAINING, sent once half are spent)",
      labelNames: ["host"],
      registers,
    }),
    queueDepth: new Gauge({ name: "bridge_queue_depth", help: "Sync jobs waiting to run", registers }),
    webhookLatency: new Histogram({
      name: "bridge_webhook_response_seconds",
      help: "Time to answer a webhook delivery (Graph requires < 3 s)",
      labelNames: ["source"],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 3],
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
