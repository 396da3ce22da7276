/** Everything a route handler may use, built once per process by `app.ts` / the CLI. */
import type { SyncSettings } from "../api/admin.js";
import type { JobTrigger, SyncQueue } from "../jobs/job.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import type { PushChannels } from "../services/push-channels.js";
import type { BridgeConnectors } from "../services/service-connectors.js";
import type { PreviewOutcome } from "../services/sync-service.js";
import type { Storage } from "../storage/index.js";

export interface AppSettings {
  /** The bridge's public origin (OAuth redirects, webhook URLs). */
  publicUrl: string;
  sandbox: boolean;
  ewsAllowedHosts: readonly string[];
  zohoSignIn?: { clientId: string; clientSecret: string; accountsUrl: string };
  entra?: { tenantId: string; clientId: string; authorityHost: string; apiScope: string };
  addinUrl?: string;
  sessionLifetimeMs: number;
  /** Bearer token for /metrics; without it /metrics answers loopback callers only. */
  metricsToken?: string;
  /** Accounts servers per data centre when not Zoho's own (the sandbox's and tests' simulator). */
  zohoAccountsUrls?: Partial<Record<string, string>>;
  /** Behind a TLS-terminating proxy: trust X-Forwarded-* (secure cookies, rate limits per real client). */
  trustProxy?: boolean;
  /** Built front-ends to serve, when present. */
  consoleDir?: string;
  addinDir?: string;
  bridgeVersion: string;
}

export interface AppContext {
  settings: AppSettings;
  storage: Storage;
  logger: Logger;
  metrics: Metrics;
  queue: SyncQueue;
  /** How routes reach Zoho CRM and Exchange for a user: the process's one factory, shared with the sync jobs. */
  connectors: BridgeConnectors;
  /** The push channels (the server's; absent where nothing opens any, e.g. CLI commands and the HTTP harness). */
  push?: PushChannels;
  sandboxKey?: Uint8Array;
  /** Dry runs of one user's enabled modules under the given settings (the sync service's `preview`). */
  preview?: (userId: string, settings: SyncSettings) => Promise<PreviewOutcome[]>;
  now: () => Date;
}

/** Enqueues one job per enabled module of a user. */
export async function enqueueUser(
  context: AppContext,
  userId: string,
  modules: readonly ("contacts" | "events" | "tasks")[],
  trigger: JobTrigger,
) {
  const queued = [];
  for (const module of modules) {
    const result = await context.queue.enqueue({ mailboxId: userId, module, trigger });
    queued.push({ module, jobId: result.jobId });
  }
  return queued;
}
