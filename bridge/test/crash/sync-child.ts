/**
 * The process the crash test kills: a two-way Graph ⇄ Zoho sync of contacts, events and tasks on a SQLite status
 * file, run until a whole pass writes nothing. Every write call is announced on stdout ("write <module> <side>")
 * before it is sent, so the parent can kill the process while writes are in flight. Configuration comes in the
 * CRASH_CONFIG environment variable (JSON).
 */
import { DEMO_TENANT } from "../../simulators/graph/index.js";
import { appOnlyTokens, createGraphExchangePort, msalApp } from "../../src/connectors/graph/index.js";
import type { RecordPort } from "../../src/connectors/port.js";
import { createZohoCrmPort } from "../../src/connectors/zoho/index.js";
import { contactSyncModule, eventSyncModule, taskSyncModule } from "../../src/model/sync-modules.js";
import { SecretBox } from "../../src/security/secret-box.js";
import { openStorage } from "../../src/storage/index.js";
import { runSync } from "../../src/sync/engine.js";
import type { SyncModule } from "../../src/sync/module.js";
import type { SyncRunRecord } from "../../src/sync/state.js";
import { observeWrites } from "../support/ports.js";
import { type CrashConfig, required } from "./shared.js";

function announced<T>(port: RecordPort<T>, label: string): RecordPort<T> {
  return observeWrites(port, (operation) => process.stdout.write(`write ${label} ${operation}\n`));
}

function writesOf(record: SyncRunRecord): number {
  return Object.values(record.planned).reduce((sum, side) => sum + side.creates + side.updates + side.deletes, 0);
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.CRASH_CONFIG ?? "{}") as CrashConfig;
  const storage = await openStorage(
    { kind: "sqlite", file: config.dbFile },
    new SecretBox(Buffer.from(config.keyHex, "hex")),
  );
  const exchange = createGraphExchangePort({
    baseUrl: config.graphUrl,
    tokens: appOnlyTokens(
      msalApp({
        clientId: DEMO_TENANT.bridgeApp.clientId,
        clientSecret: DEMO_TENANT.bridgeApp.clientSecret,
        authority: config.graphAuthority,
        knownAuthorities: [new URL(config.graphUrl).host],
      }),
    ),
    mailbox: config.mailbox,
    push: false,
  });
  const crm = await createZohoCrmPort({
    oauth: {
      clientId: config.zohoClientId,
      clientSecret: config.zohoClientSecret,
      accountsServer: config.zohoAccountsUrl,
      refreshToken: config.zohoRefreshToken,
    },
  });
  const settings = {
    enabled: true,
    direction: "two-way",
    conflictRule: "crm-wins",
    modificationBeatsDeletion: true,
  } as const;
  const run = async <T>(
    name: "contacts" | "events" | "tasks",
    module: SyncModule<T>,
    ex: RecordPort<T> | undefined,
    zo: RecordPort<T>,
  ) => {
    const started = Date.now();
    const result = await runSync({
      scope: { mailboxId: config.mailbox, module: name },
      module,
      exchange: announced(required(ex, name), `${name} exchange`),
      crm: announced(zo, `${name} crm`),
      store: storage.syncState,
      settings,
    });
    process.stdout.write(
      `run ${name} ${result.record.status} ${writesOf(result.record)} writes in ${Date.now() - started} ms\n`,
    );
    return result;
  };
  process.stdout.write("ready\n");
  const modules = [
    () => run("contacts", contactSyncModule("graph", "Contacts"), exchange.modules.contacts, crm.modules.contacts),
    () => run("events", eventSyncModule("graph"), exchange.modules.events, crm.modules.events),
    () => run("tasks", taskSyncModule(), exchange.modules.tasks, crm.modules.tasks),
  ];
  // Each restart begins with a different module, so the parent's kills land in every module's writes.
  const first = config.round % modules.length;
  const order = [...modules.slice(first), ...modules.slice(0, first)];
  for (;;) {
    const records: SyncRunRecord[] = [];
    for (const runModule of order) records.push((await runModule()).record);
    const problems = records.filter((record) => record.status !== "completed");
    if (problems.length === 0 && records.every((record) => writesOf(record) === 0)) break;
    for (const record of problems) process.stdout.write(`run ${record.status}: ${record.reason ?? ""}\n`);
  }
  await storage.close();
  process.stdout.write("converged\n");
}

await main();
