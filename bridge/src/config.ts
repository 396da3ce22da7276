/**
 * Process configuration from the environment (optionally a JSON file named by BRIDGE_CONFIG_FILE, whose keys are the
 * same variable names; the environment wins). Validated once at start; a bad value stops the process with a clear
 * message instead of failing later.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import type { StorageTarget } from "./storage/database.js";

const csv = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? "")
      .split(",")
      .map((part) => part.trim().toLowerCase())
      .filter(Boolean),
  );

const environmentSchema = z.object({
  BRIDGE_DATA_DIR: z.string().default(".bridge"),
  DATABASE_URL: z.string().url().optional(),
  /** PostgreSQL schema for the bridge's tables. */
  BRIDGE_DB_SCHEMA: z.string().default("bridge"),
  BRIDGE_SECRET_KEY: z.string().optional(),
  BRIDGE_SECRET_KEY_PREVIOUS: z.string().optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  /** The HTTPS URL users and webhooks reach the bridge at (Graph and Zoho call it back). */
  BRIDGE_PUBLIC_URL: z.string().url().optional(),
  /**
   * Serve the webhook routes (and the rest of the API) on a second, HTTPS listener with this certificate and key
   * (PEM files): Graph and Zoho call only https notification URLs, so a bridge on plain http (the sandbox, or behind
   * no TLS proxy) still gets push. Unused when BRIDGE_PUBLIC_URL is already https.
   */
  BRIDGE_WEBHOOK_TLS_CERT_FILE: z.string().optional(),
  BRIDGE_WEBHOOK_TLS_KEY_FILE: z.string().optional(),
  /** Port of that HTTPS listener (0: any free port). */
  BRIDGE_WEBHOOK_PORT: z.coerce.number().int().min(0).max(65535).default(3443),
  /**
   * With push channels open on both sides of a mailbox's module, polling only every this many minutes, as a safety
   * net for a lost notification (Graph does not guarantee delivery); other modules keep the settings' interval.
   */
  BRIDGE_PUSH_SAFETY_POLL_MINUTES: z.coerce
    .number()
    .int()
    .min(5)
    .max(7 * 24 * 60)
    .default(360),
  /** How often push channels are checked: owner elected (takeover after the owner died), missing ones opened, due ones renewed. */
  BRIDGE_PUSH_MAINTENANCE_SECONDS: z.coerce.number().min(0.5).default(600),
  /** Hosts an admin may enter as EWS URL / Autodiscover target (`*.example.com` allowed). Empty: none allowed. */
  BRIDGE_EWS_ALLOWED_HOSTS: csv,
  /** Zoho API console client used for admin sign-in (and, by default, for the CRM connection). */
  ZOHO_CLIENT_ID: z.string().optional(),
  ZOHO_CLIENT_SECRET: z.string().optional(),
  /** Accounts server for admin sign-in; the data centre's, e.g. https://accounts.zoho.eu. */
  ZOHO_ACCOUNTS_URL: z.string().url().default("https://accounts.zoho.com"),
  /** Entra app registration the add-in's NAA token is issued for (its `aud`). */
  ENTRA_CLIENT_ID: z.string().optional(),
  /** Entra tenant id of the organisation (tokens from other tenants are refused). */
  ENTRA_TENANT_ID: z.string().optional(),
  /** Identity platform base; only the sandbox changes it (to the Graph simulator). */
  ENTRA_AUTHORITY_HOST: z.string().url().default("https://login.microsoftonline.com"),
  /** Microsoft Graph endpoint; only the sandbox changes it (to the Graph simulator). */
  BRIDGE_GRAPH_URL: z.string().url().default("https://graph.microsoft.com"),
  /** Bearer token Prometheus sends for /metrics (without it, only loopback callers get metrics). */
  BRIDGE_METRICS_TOKEN: z.string().min(16).optional(),
  /** Sync jobs each `bridge worker` (or the server, when it works jobs itself) runs at once. */
  BRIDGE_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** With PostgreSQL: 0 makes the server an API-only process (jobs run in `bridge worker` processes). */
  BRIDGE_SERVER_WORKS_JOBS: z
    .enum(["0", "1"])
    .default("1")
    .transform((value) => value === "1"),
  /** A job active this long counts as abandoned by a dead worker and is retried elsewhere. */
  BRIDGE_JOB_EXPIRE_SECONDS: z.coerce.number().int().min(1).default(900),
  BRIDGE_JOB_POLL_SECONDS: z.coerce.number().min(0.5).default(2),
  /** 1 when a TLS-terminating reverse proxy sets X-Forwarded-Proto/For (secure cookies, client addresses). */
  BRIDGE_TRUST_PROXY: z
    .enum(["0", "1"])
    .default("0")
    .transform((value) => value === "1"),
  /** Built admin console and add-in directories to serve (default: the workspaces' dist folders). */
  BRIDGE_CONSOLE_DIR: z.string().optional(),
  BRIDGE_ADDIN_DIR: z.string().optional(),
  /** Scope the add-in requests for the bridge API (checked in `scp`). */
  ENTRA_API_SCOPE: z.string().default("access_as_user"),
  /** Public URL of the add-in pages: the `aud` of Exchange identity tokens. */
  BRIDGE_ADDIN_URL: z.string().url().optional(),
  BRIDGE_MAX_CONCURRENT_SYNCS: z.coerce.number().int().min(1).max(256).default(4),
  BRIDGE_SESSION_HOURS: z.coerce
    .number()
    .min(0.1)
    .max(24 * 30)
    .default(12),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Set only by the sandbox launcher: enables the sandbox-only routes. */
  BRIDGE_SANDBOX: z
    .enum(["0", "1"])
    .default("0")
    .transform((value) => value === "1"),
});

export type BridgeConfig = ReturnType<typeof toConfig>;

function toConfig(env: z.output<typeof environmentSchema>) {
  const dataDir = resolve(env.BRIDGE_DATA_DIR);
  const storage: StorageTarget = env.DATABASE_URL
    ? { kind: "postgres", url: env.DATABASE_URL, schema: env.BRIDGE_DB_SCHEMA }
    : { kind: "sqlite", file: join(dataDir, "bridge.sqlite") };
  return {
    dataDir,
    storage,
    keySource: {
      envKey: env.BRIDGE_SECRET_KEY,
      envPreviousKeys: env.BRIDGE_SECRET_KEY_PREVIOUS,
      keyFile: join(dataDir, "secret.key"),
    },
    http: { port: env.PORT, host: env.HOST, publicUrl: env.BRIDGE_PUBLIC_URL },
    webhookTls:
      env.BRIDGE_WEBHOOK_TLS_CERT_FILE && env.BRIDGE_WEBHOOK_TLS_KEY_FILE
        ? {
            certFile: env.BRIDGE_WEBHOOK_TLS_CERT_FILE,
            keyFile: env.BRIDGE_WEBHOOK_TLS_KEY_FILE,
            port: env.BRIDGE_WEBHOOK_PORT,
          }
        : undefined,
    pushSafetyPollMinutes: env.BRIDGE_PUSH_SAFETY_POLL_MINUTES,
    pushMaintenanceMs: env.BRIDGE_PUSH_MAINTENANCE_SECONDS * 1000,
    ewsAllowedHosts: env.BRIDGE_EWS_ALLOWED_HOSTS,
    zohoSignIn: {
      clientId: env.ZOHO_CLIENT_ID,
      clientSecret: env.ZOHO_CLIENT_SECRET,
      accountsUrl: env.ZOHO_ACCOUNTS_URL,
    },
    entra: {
      clientId: env.ENTRA_CLIENT_ID,
      tenantId: env.ENTRA_TENANT_ID,
      authorityHost: env.ENTRA_AUTHORITY_HOST,
      apiScope: env.ENTRA_API_SCOPE,
    },
    addinUrl: env.BRIDGE_ADDIN_URL,
    graphUrl: env.BRIDGE_GRAPH_URL,
    metricsToken: env.BRIDGE_METRICS_TOKEN,
    workerConcurrency: env.BRIDGE_WORKER_CONCURRENCY,
    serverWorksJobs: env.BRIDGE_SERVER_WORKS_JOBS,
    jobExpireSeconds: env.BRIDGE_JOB_EXPIRE_SECONDS,
    jobPollSeconds: env.BRIDGE_JOB_POLL_SECONDS,
    trustProxy: env.BRIDGE_TRUST_PROXY,
    consoleDir: env.BRIDGE_CONSOLE_DIR,
    addinDir: env.BRIDGE_ADDIN_DIR,
    maxConcurrentSyncs: env.BRIDGE_MAX_CONCURRENT_SYNCS,
    sessionLifetimeMs: env.BRIDGE_SESSION_HOURS * 3_600_000,
    logLevel: env.LOG_LEVEL,
    sandbox: env.BRIDGE_SANDBOX,
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): BridgeConfig {
  const fromFile = env.BRIDGE_CONFIG_FILE
    ? (JSON.parse(readFileSync(env.BRIDGE_CONFIG_FILE, "utf8")) as Record<string, string>)
    : {};
  const parsed = environmentSchema.safeParse({ ...fromFile, ...env });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new Error(`invalid configuration: ${problems}`);
  }
  return toConfig(parsed.data);
}
