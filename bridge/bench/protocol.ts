/** Messages between the benchmark driver (simulators) and the engine process (the bridge under measurement). */

/** The synced record modules, and "emails" (association of mailbox mail to CRM people, CRM mail to Sent Items). */
export type BenchModule = "contacts" | "events" | "tasks" | "emails";

interface EngineStore {
  dbFile: string;
  keyHex: string;
}

/** The real connectors against the simulators. */
export interface ConnectedEngineConfig extends EngineStore {
  backend: "graph" | "ews";
  mailbox: string;
  exchangeUrl: string;
  graphAuthority?: string;
  zoho: { clientId: string; clientSecret: string; accountsServer: string; refreshToken: string };
}

/** Generated mailbox contacts and a forgetful CRM (see synthetic.ts), for the memory figure. */
export interface SyntheticEngineConfig extends EngineStore {
  backend: "synthetic";
  contacts: number;
}

export type EngineConfig = ConnectedEngineConfig | SyntheticEngineConfig;

export interface SyncRequest {
  op: "sync";
  modules: BenchModule[];
}

export interface ModuleRun {
  module: BenchModule;
  status: string;
  reason: string | undefined;
  crmCreates: number;
  exchangeCreates: number;
  writes: number;
  /** Records the run read from the mailbox: the e-mail module's own count of messages listed and mapped. */
  mailboxMessagesRead?: number;
  errors: number;
  /** The first item error's reason, to say what went wrong. */
  firstError?: string | undefined;
}

export interface EngineReport {
  wallMs: number;
  /** User + system CPU of the engine process during the request. */
  cpuMs: number;
  /** Peak resident set of the engine process since it started. */
  peakRssMb: number;
  /** Resident set after loading code and connecting, before the first sync. */
  startupRssMb: number;
  /** Wall time until each module's run finished (modules run concurrently). */
  moduleWallMs: Partial<Record<BenchModule, number>>;
  runs: ModuleRun[];
}
