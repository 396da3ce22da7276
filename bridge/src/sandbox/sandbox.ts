/**
 * `npm start` with nothing configured: a complete bridge against simulators, on this machine, in one command.
 *
 * 1. Ensures a throw-away PKI in `.sandbox/pki`. The process must trust its CA, and NODE_EXTRA_CA_CERTS is read
 *    only when Node starts — so the CLI re-spawns itself once with it set (sandbox only; production never does).
 * 2. Starts the Zoho, Graph (Office 365 tenant) and EWS (Exchange 2016 on-premises) simulators with a seeded demo
 *    org: a dozen users, hundreds of contacts, meetings (some recurring), tasks and mails.
 * 3. Starts the bridge on a fresh SQLite file in `.sandbox/data` (the simulators keep their state in memory, so
 *    relations from an earlier session would point at items that no longer exist), connects it to the Zoho and
 *    Graph simulators as an admin would, selects every user, runs the first sync and prints the URLs.
 *    Graph and Zoho call back only https notification URLs, so each bridge also serves its webhooks on an HTTPS
 *    listener with the sandbox certificate (port 3443 for the Office 365 bridge, any free one for the other):
 *    push channels open with no configuration, and an edit in a simulator reaches the other side at once.
 * 4. A deployment reaches Exchange through one connection, so the on-premises side is a second bridge (own SQLite
 *    file in `.sandbox/data-onprem`, own console) connected to the EWS 2016 simulator through the service account
 *    with ApplicationImpersonation, for a few of its mailboxes paired with new users of the same Zoho org.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { startEwsSimulator } from "../../simulators/ews/index.js";
import { DEMO_TENANT, startGraphSimulator } from "../../simulators/graph/index.js";
import { ensureTestPki } from "../../simulators/shared/pki.js";
import { DEFAULT_CLIENT, startZohoSimulator } from "../../simulators/zoho/index.js";
import { loadConfig } from "../config.js";
import { InProcessScheduler } from "../jobs/in-process-scheduler.js";
import { createSandboxKey } from "../security/addin-auth.js";
import { startServer } from "../server.js";
import { openRuntime } from "../services/runtime.js";
import { connectToSimulators } from "./connect-simulators.js";
import { deliverDemoCustomerMail } from "./demo-mail.js";

const REPO_ROOT = resolve(import.meta.dirname, "../../..");

/** Re-runs this CLI with the sandbox CA trusted; resolves with the child's exit code. */
function respawnTrusting(caCertFile: string): Promise<number> {
  const child = spawn(process.execPath, process.argv.slice(1), {
    stdio: "inherit",
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caCertFile },
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
  return new Promise((done) => child.once("exit", (code) => done(code ?? 1)));
}

export async function runSandbox(out: (line: string) => void): Promise<void> {
  const root = resolve(process.env.BRIDGE_SANDBOX_DIR ?? join(REPO_ROOT, ".sandbox"));
  const pki = await ensureTestPki(join(root, "pki"));
  if (process.env.NODE_EXTRA_CA_CERTS !== pki.caCertFile) {
    process.exitCode = await respawnTrusting(pki.caCertFile);
    return;
  }
  const users = Number(process.env.BRIDGE_SANDBOX_USERS ?? 12);
  const zoho = await startZohoSimulator({ pki, seed: { users: 3, contacts: 60, leads: 20, events: 10, tasks: 10 } });
  const graph = await startGraphSimulator({
    pki,
    seed: { users, contactsPerUser: 15, eventsPerUser: 6, recurringPerUser: 2, tasksPerUser: 4, messagesPerUser: 5 },
  });
  const ews = await startEwsSimulator({ pki, release: "2016" });
  const onPremises = ews.control.seed({ mailboxes: Number(process.env.BRIDGE_SANDBOX_EWS_USERS ?? 3) });

  const dataDir = join(root, "data");
  const onPremisesDataDir = join(root, "data-onprem");
  await rm(dataDir, { recursive: true, force: true });
  await rm(onPremisesDataDir, { recursive: true, force: true });
  const consoleDir = join(REPO_ROOT, "bridge/console/dist");
  const addinDir = join(REPO_ROOT, "addin/dist");
  const { DATABASE_URL: _sandboxUsesSqlite, ...inherited } = process.env;
  const env = {
    ...inherited,
    BRIDGE_DATA_DIR: dataDir,
    BRIDGE_SANDBOX: "1",
    BRIDGE_GRAPH_URL: graph.url,
    ENTRA_AUTHORITY_HOST: graph.url,
    ENTRA_TENANT_ID: DEMO_TENANT.id,
    ENTRA_CLIENT_ID: DEMO_TENANT.bridgeApp.clientId,
    BRIDGE_EWS_ALLOWED_HOSTS: "127.0.0.1,localhost",
    // Admins sign in to the console through the Zoho simulator's accounts server, as they would through Zoho's.
    ZOHO_CLIENT_ID: DEFAULT_CLIENT.clientId,
    ZOHO_CLIENT_SECRET: DEFAULT_CLIENT.clientSecret,
    ZOHO_ACCOUNTS_URL: zoho.control.urls().accountsUrl,
    PORT: process.env.PORT ?? "3000",
    // Front-end builds given in the environment (tests build their own) win over the checkout's dist folders.
    ...(!inherited.BRIDGE_CONSOLE_DIR && existsSync(consoleDir) ? { BRIDGE_CONSOLE_DIR: consoleDir } : {}),
    ...(!inherited.BRIDGE_ADDIN_DIR && existsSync(addinDir) ? { BRIDGE_ADDIN_DIR: addinDir } : {}),
  };
  const runtime = await openRuntime(loadConfig(env));
  const mailboxes = [...(graph.control.directory.tenantByIdOrDomain(DEMO_TENANT.id)?.users.values() ?? [])].map(
    (user) => user.mail,
  );
  await connectToSimulators(runtime.storage, { zoho, mailboxes });
  await deliverDemoCustomerMail(zoho, graph, mailboxes);
  // The webhook listener follows the main one: a fixed port, or any free one when PORT=0 (tests).
  const webhookTls = (port: number) => ({ certPem: pki.certPem, keyPem: pki.keyPem, port });
  const webhookPort = env.PORT === "0" ? 0 : Number(process.env.BRIDGE_WEBHOOK_PORT ?? 3443);
  const server = await startServer(runtime, { sandboxKey: createSandboxKey(), webhookTls: webhookTls(webhookPort) });

  const onPremisesRuntime = await openRuntime(loadConfig({ ...env, BRIDGE_DATA_DIR: onPremisesDataDir, PORT: "0" }));
  await connectToSimulators(onPremisesRuntime.storage, {
    zoho,
    mailboxes: onPremises.users.map((user) => user.smtp),
    pairPrimaryUser: false,
    exchange: {
      kind: "ews",
      endpoint: { mode: "url", ewsUrl: ews.ewsUrl },
      emailAddress: onPremises.serviceAccount.upn,
      username: onPremises.serviceAccount.upn,
      password: onPremises.serviceAccount.password,
      authScheme: "basic",
      serverVersion: "Exchange2016",
    },
  });
  const onPremisesServer = await startServer(onPremisesRuntime, {
    sandboxKey: createSandboxKey(),
    webhookTls: webhookTls(0),
  });

  for (const [label, bridge, bridgeRuntime] of [
    ["Office 365 (Graph)", server, runtime],
    ["Exchange 2016 (EWS)", onPremisesServer, onPremisesRuntime],
  ] as const) {
    const started = Date.now();
    out(`sandbox: ${label}: first sync of ${await bridge.syncEveryone("initial")} mailbox(es)…`);
    if (bridge.queue instanceof InProcessScheduler) await bridge.queue.idle();
    const synced = await bridgeRuntime.storage.users.list();
    const succeeded = synced.filter((user) => user.status === "succeeded").length;
    const runs = await bridgeRuntime.storage.runs.recent({ limit: 1000 });
    const created = runs.reduce((sum, run) => sum + (run.totals.created ?? 0), 0);
    out(
      `sandbox: ${label}: ${succeeded}/${synced.length} mailboxes synced, ${created} items created, in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    await bridge.pushReady;
    out(`sandbox: ${label}: push: ${bridge.push.channels().length} channel(s) open, webhooks at ${bridge.webhookUrl}`);
  }
  out(`  admin console:   ${server.url}/admin/`);
  out(`  add-in preview:  ${server.url}/addin/preview.html`);
  out(`  API (OpenAPI):   ${server.url}/openapi.json`);
  out(`  on-premises bridge (EWS 2016) console: ${onPremisesServer.url}/admin/`);
  out(`  Zoho simulator:  ${zoho.url}   Graph simulator: ${graph.url}   EWS 2016 simulator: ${ews.ewsUrl}`);
  out("SANDBOX READY (Ctrl+C to stop)");

  await new Promise<void>((done) => {
    const stop = () => done();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await Promise.all([server.close(), onPremisesServer.close()]);
  await Promise.all([runtime.close(), onPremisesRuntime.close()]);
  await Promise.all([zoho.close(), graph.close(), ews.close()]);
}
