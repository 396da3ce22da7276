/**
 * The bridge side of the benchmark, alone in its own process so its CPU time and peak RSS are the bridge's only:
 * the real engine (`runSync`) with the real connectors (Graph or EWS 2016, and Zoho) on a SQLite status file. The
 * simulators live in the parent, which drives this process over the IPC channel: each `sync` message runs the named
 * modules (concurrently, as the per mailbox+module jobs of the service would) and answers with wall time, CPU time
 * and peak RSS. Configuration comes in the BENCH_ENGINE environment variable (JSON).
 */
import { DEMO_TENANT } from "../simulators/graph/index.js";
import { createEwsExchangePort } from "../src/connectors/ews/index.js";
import {
  appOnlyTokens,
  createGraphExchangePort,
  type GraphModuleValues,
  msalApp,
} from "../src/connectors/graph/index.js";
import type { ModulePorts, RecordPort } from "../src/connectors/port.js";
import { createZohoCrmPort } from "../src/connectors/zoho/index.js";
import { contactSyncModule, eventSyncModule, taskSyncModule } from "../src/model/sync-modules.js";
import { SecretBox } from "../src/security/secret-box.js";
import { openStorage } from "../src/storage/index.js";
import { runSync } from "../src/sync/engine.js";
import type { SyncModule } from "../src/sync/module.js";
import type { SyncRunRecord } from "../src/sync/state.js";
import type { BenchModule, EngineConfig, EngineReport, SyncRequest } from "./protocol.js";

const config = JSON.parse(process.env.BENCH_ENGINE ?? "{}") as EngineConfig;
const storage = await openStorage(
  { kind: "sqlite", file: config.dbFile },
  new SecretBox(Buffer.from(config.keyHex, "hex")),
);

async function exchangeModules(): Promise<ModulePorts<GraphModuleValues>> {
  if (config.backend === "ews") {
    const port = await createEwsExchangePort({
      mailbox: config.mailbox,
      url: config.exchangeUrl,
      version: "Exchange2016",
      username: "CONTOSO\\svc-crm",
      password: "Pa55w.rd",
      auth: "basic",
      impersonate: true,
    });
    // The EWS connector has no calendar port: events stay absent.
    return { contacts: port.modules.contacts, tasks: port.modules.tasks };
  }
  return createGraphExchangePort({
    baseUrl: config.exchangeUrl,
    tokens: appOnlyTokens(
      msalApp({
        clientId: DEMO_TENANT.bridgeApp.clientId,
        clientSecret: DEMO_TENANT.bridgeApp.clientSecret,
        authority: config.graphAuthority ?? "",
        knownAuthorities: [new URL(config.exchangeUrl).host],
      }),
    ),
    mailbox: config.mailbox,
    push: false,
  }).modules;
}

const exchange = await exchangeModules();
const crm = await createZohoCrmPort({ oauth: config.zoho });
/** Resident set once the code is loaded and the connectors are up, before any record is read. */
const startupRssMb = process.memoryUsage().rss / 2 ** 20;
const settings = {
  enabled: true,
  direction: "two-way",
  conflictRule: "crm-wins",
  modificationBeatsDeletion: true,
} as const;

function run<T>(
  name: BenchModule,
  module: SyncModule<T>,
  ex: RecordPort<T> | undefined,
  zo: RecordPort<T>,
): Promise<SyncRunRecord> {
  if (!ex) throw new Error(`the ${config.backend} connector offers no ${name} port`);
  return runSync({
    scope: { mailboxId: config.mailbox, module: name },
    module,
    exchange: ex,
    crm: zo,
    store: storage.syncState,
    settings,
  }).then((result) => result.record);
}

const runners: Record<BenchModule, () => Promise<SyncRunRecord>> = {
  contacts: () =>
    run("contacts", contactSyncModule(config.backend, "Contacts"), exchange.contacts, crm.modules.contacts),
  events: () => run("events", eventSyncModule(config.backend), exchange.events, crm.modules.events),
  tasks: () => run("tasks", taskSyncModule(), exchange.tasks, crm.modules.tasks),
};

async function handle(request: SyncRequest): Promise<EngineReport> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const moduleWallMs: Partial<Record<BenchModule, number>> = {};
  const settled = await Promise.allSettled(
    request.modules.map((name) =>
      runners[name]().finally(() => {
        moduleWallMs[name] = performance.now() - started;
      }),
    ),
  );
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    startupRssMb,
    moduleWallMs,
    runs: settled.map((outcome, i) => {
      const module = request.modules[i] as BenchModule;
      if (outcome.status === "rejected")
        return {
          module,
          status: "threw",
          reason: String(outcome.reason),
          crmCreates: 0,
          exchangeCreates: 0,
          writes: 0,
          errors: 0,
        };
      const record = outcome.value;
      return {
        module,
        status: record.status,
        reason: record.reason,
        crmCreates: record.planned.crm.creates,
        exchangeCreates: record.planned.exchange.creates,
        writes: Object.values(record.planned).reduce(
          (sum, side) => sum + side.creates + side.updates + side.deletes,
          0,
        ),
        errors: record.outcomes.filter((outcome) => outcome.status === "error").length,
      };
    }),
  };
}

process.on("message", (message: SyncRequest | { op: "exit" }) => {
  if (message.op === "exit") {
    void storage.close().then(() => process.exit(0));
    return;
  }
  handle(message).then(
    (report) => process.send?.(report),
    (error: unknown) => process.send?.({ error: error instanceof Error ? error.stack : String(error) }),
  );
});
process.send?.({ ready: true });
