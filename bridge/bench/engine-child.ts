/**
 * The bridge side of the benchmark, alone in its own process so its CPU time and peak RSS are the bridge's only:
 * the real engine (`runSync`, and `runMailSync` for e-mails) with the real connectors (Graph or EWS 2016, and Zoho)
 * on a SQLite status file — or, for the memory figure, the real engine and store between synthetic ports
 * (synthetic.ts). The simulators live in the parent, which drives this process over the IPC channel: each `sync`
 * message runs the named modules (concurrently, as the per mailbox+module jobs of the service would) and answers with
 * wall time, CPU time and peak RSS. Configuration comes in the BENCH_ENGINE environment variable (JSON).
 */
import type { CrmMailPort, ExchangeMailPort, RecordPort } from "../src/connectors/port.js";
import type { Email } from "../src/model/index.js";
import { contactSyncModule, eventSyncModule, taskSyncModule } from "../src/model/sync-modules.js";
import { SecretBox } from "../src/security/secret-box.js";
import { openStorage } from "../src/storage/index.js";
import { runSync } from "../src/sync/engine.js";
import { runMailSync } from "../src/sync/mail.js";
import type { SyncModule } from "../src/sync/module.js";
import type { ItemOutcome } from "../src/sync/state.js";
import type {
  BenchModule,
  ConnectedEngineConfig,
  EngineConfig,
  EngineReport,
  ModuleRun,
  SyncRequest,
} from "./protocol.js";
import { forgetfulCrm, generatedMailbox } from "./synthetic.js";

const config = JSON.parse(process.env.BENCH_ENGINE ?? "{}") as EngineConfig;
const storage = await openStorage(
  { kind: "sqlite", file: config.dbFile },
  new SecretBox(Buffer.from(config.keyHex, "hex")),
);
const settings = {
  enabled: true,
  direction: "two-way",
  conflictRule: "crm-wins",
  modificationBeatsDeletion: true,
} as const;

function errorsOf(outcomes: readonly ItemOutcome[]): Pick<ModuleRun, "errors" | "firstError"> {
  const errors = outcomes.filter((outcome) => outcome.status === "error");
  return { errors: errors.length, firstError: errors[0]?.reason };
}

async function run<T>(
  mailboxId: string,
  name: Exclude<BenchModule, "emails">,
  module: SyncModule<T>,
  exchange: RecordPort<T> | undefined,
  crm: RecordPort<T>,
): Promise<ModuleRun> {
  if (!exchange) throw new Error(`the ${config.backend} connector offers no ${name} port`);
  const { record } = await runSync({
    scope: { mailboxId, module: name },
    module,
    exchange,
    crm,
    store: storage.syncState,
    settings,
  });
  return {
    module: name,
    status: record.status,
    reason: record.reason,
    crmCreates: record.planned.crm.creates,
    exchangeCreates: record.planned.exchange.creates,
    writes: Object.values(record.planned).reduce((sum, side) => sum + side.creates + side.updates + side.deletes, 0),
    ...errorsOf(record.outcomes),
  };
}

async function mail(mailboxId: string, exchange: ExchangeMailPort<Email>, crm: CrmMailPort<Email>): Promise<ModuleRun> {
  const result = await runMailSync<Email>({
    mailboxId,
    exchange,
    crm,
    store: storage.syncState,
    addressesOf: (message) => [message.from, ...message.to, ...message.cc].map((person) => person.address),
    ownAddresses: [mailboxId],
  });
  return {
    module: "emails",
    status: result.status,
    reason: result.reason,
    crmCreates: result.associated,
    exchangeCreates: result.filed,
    writes: result.associated + result.filed,
    mailboxMessagesRead: result.read,
    ...errorsOf(result.outcomes),
  };
}

/**
 * The connectors are loaded only for a connected run: the synthetic memory figure is the engine's and store's own,
 * and ews-javascript-api, the Graph and MSAL clients and the Zoho connector are some 50 MB resident once loaded.
 */
async function connectedRunners(
  connected: ConnectedEngineConfig,
): Promise<Partial<Record<BenchModule, () => Promise<ModuleRun>>>> {
  const [{ DEMO_TENANT }, { createEwsExchangePort }, { appOnlyTokens, createGraphExchangePort, msalApp }, zoho] =
    await Promise.all([
      import("../simulators/graph/index.js"),
      import("../src/connectors/ews/index.js"),
      import("../src/connectors/graph/index.js"),
      import("../src/connectors/zoho/index.js"),
    ]);
  const exchange =
    connected.backend === "ews"
      ? await createEwsExchangePort({
          mailbox: connected.mailbox,
          url: connected.exchangeUrl,
          version: "Exchange2016",
          username: "CONTOSO\\svc-crm",
          password: "Pa55w.rd",
          auth: "basic",
          impersonate: true,
        })
      : createGraphExchangePort({
          baseUrl: connected.exchangeUrl,
          tokens: appOnlyTokens(
            msalApp({
              clientId: DEMO_TENANT.bridgeApp.clientId,
              clientSecret: DEMO_TENANT.bridgeApp.clientSecret,
              authority: connected.graphAuthority ?? "",
              knownAuthorities: [new URL(connected.exchangeUrl).host],
            }),
          ),
          mailbox: connected.mailbox,
          push: false,
        });
  const crm = await zoho.createZohoCrmPort({ oauth: connected.zoho });
  const mailbox = connected.mailbox;
  return {
    contacts: () =>
      run(
        mailbox,
        "contacts",
        contactSyncModule(connected.backend, "Contacts"),
        exchange.modules.contacts,
        crm.modules.contacts,
      ),
    events: () =>
      run(mailbox, "events", eventSyncModule(connected.backend), exchange.modules.events, crm.modules.events),
    tasks: () => run(mailbox, "tasks", taskSyncModule(), exchange.modules.tasks, crm.modules.tasks),
    emails: () => {
      if (!exchange.mail) throw new Error(`the ${connected.backend} connector offers no mail port`);
      return mail(mailbox, exchange.mail as ExchangeMailPort<Email>, crm.mail);
    },
  };
}

const runners: Partial<Record<BenchModule, () => Promise<ModuleRun>>> =
  config.backend === "synthetic"
    ? {
        contacts: () =>
          run(
            "synthetic",
            "contacts",
            contactSyncModule("graph", "Contacts"),
            generatedMailbox(config.contacts),
            forgetfulCrm(),
          ),
      }
    : await connectedRunners(config);
/** Resident set once the code is loaded and the connectors are up, before any record is read. */
const startupRssMb = process.memoryUsage().rss / 2 ** 20;

async function handle(request: SyncRequest): Promise<EngineReport> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const moduleWallMs: Partial<Record<BenchModule, number>> = {};
  const settled = await Promise.allSettled(
    request.modules.map(async (name) => {
      const runner = runners[name];
      if (!runner) throw new Error(`no ${name} runner for the ${config.backend} backend`);
      return runner().finally(() => {
        moduleWallMs[name] = performance.now() - started;
      });
    }),
  );
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    startupRssMb,
    moduleWallMs,
    runs: settled.map((outcome, i) =>
      outcome.status === "fulfilled"
        ? outcome.value
        : {
            module: request.modules[i] as BenchModule,
            status: "threw",
            reason: String(outcome.reason),
            crmCreates: 0,
            exchangeCreates: 0,
            writes: 0,
            errors: 0,
          },
    ),
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
// The driver is gone (finished, killed or crashed): nothing will ask for more, so do not linger.
process.on("disconnect", () => process.exit(1));
process.send?.({ ready: true });
