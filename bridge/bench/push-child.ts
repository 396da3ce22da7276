/**
 * Change propagation through the push channel, end to end: the real bridge server (over TLS, as Graph only calls
 * https webhooks) with its Graph subscription and Zoho watch channel, one mailbox paired with one Zoho user
 * (`openOneUserBridge`, the push tests' set-up), simulators with the bench's per-call latency. Polling is out of
 * reach (the server's 15-minute schedule), so an edit reaches the other side only through simulator webhook →
 * bridge route → job → sync run → write. Each sample: an edit made as the user on one side, the clock stopped when
 * the other simulator's store shows it. Then a simulated idle day of polling ticks, with every simulator call counted. Runs in
 * its own process because the bridge must trust the test CA at start (NODE_EXTRA_CA_CERTS); prints one JSON line
 * {exchangeToCrm, crmToExchange, idleHour} with the raw durations and the idle day's calls per endpoint.
 */
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { InProcessScheduler } from "../src/jobs/in-process-scheduler.js";
import { startServer } from "../src/server.js";
import { loadSyncSettings } from "../src/services/sync-settings.js";
import { eventually, openOneUserBridge } from "../test/support/one-user-bridge.js";

const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 30);
const samples = Number(process.env.BENCH_SAMPLES ?? 20);
/** Simulated idle time, long enough to hold the push safety polls (hours). */
const IDLE_HOURS = 24;
/** How long one edit may take to arrive before it counts as missed. */
const MISSED_AFTER_MS = 30_000;

const setup = await openOneUserBridge({ modules: ["contacts", "events", "tasks"] });
const server = await startServer(setup.runtime, { tls: { certPem: setup.pki.certPem, keyPem: setup.pki.keyPem } });
try {
  setup.zoho.control
    .actAs()
    .insert("Contacts", [{ First_Name: "Carla", Last_Name: "Customer", Email: "carla@acme.example" }]);
  await server.syncEveryone("initial");
  if (server.queue instanceof InProcessScheduler) await server.queue.idle();
  await server.pushReady;
  setup.graph.control.setLatency(latencyMs);
  setup.zoho.control.setLatency(latencyMs);
  const graphContact = () =>
    setup.graph.control.items(setup.mailbox, "contact").find((item) => item.surname === "Customer");
  const crmRecord = () => setup.zoho.control.records("Contacts").find((record) => record.Last_Name === "Customer");
  const contact = await eventually(graphContact);

  /** Edits, then polls the other side every 5 ms; undefined when it did not arrive in time. */
  const measure = async (edit: (marker: string) => Promise<void>, arrived: (marker: string) => boolean) => {
    const marker = `Bench ${randomBytes(4).toString("hex")}`;
    const started = performance.now();
    await edit(marker);
    while (!arrived(marker)) {
      if (performance.now() - started > MISSED_AFTER_MS) return undefined;
      await sleep(5);
    }
    return performance.now() - started;
  };
  const exchangeToCrm: (number | undefined)[] = [];
  const crmToExchange: (number | undefined)[] = [];
  for (let i = 0; i < samples; i++) {
    exchangeToCrm.push(
      await measure(
        async (marker) => {
          await setup.graph.control.editContact(setup.mailbox, String(contact.id), { jobTitle: marker });
        },
        (marker) => crmRecord()?.Title === marker,
      ),
    );
    crmToExchange.push(
      await measure(
        async (marker) => {
          setup.zoho.control.actAs().update("Contacts", [{ id: String(crmRecord()?.id), Title: marker }]);
        },
        (marker) => graphContact()?.jobTitle === marker,
      ),
    );
  }
  // Idle hours: the polling timer ticked at the settings' interval through a simulated day, nothing changing on either
  // side; every call either simulator answers meanwhile is counted (push channels stay open and quiet), per hour.
  if (server.queue instanceof InProcessScheduler) await server.queue.idle();
  setup.graph.control.resetCallCounts();
  setup.zoho.control.resetCallCounts();
  const { intervalMinutes } = (await loadSyncSettings(setup.runtime.storage.settings)).schedule;
  const start = Date.now();
  let jobs = 0;
  for (let minutes = intervalMinutes; minutes <= IDLE_HOURS * 60; minutes += intervalMinutes) {
    jobs += await server.pollDue(new Date(start + minutes * 60_000));
    if (server.queue instanceof InProcessScheduler) await server.queue.idle();
  }
  const idleHour = {
    hours: IDLE_HOURS,
    jobs,
    graph: setup.graph.control.callCounts(),
    zoho: setup.zoho.control.callCounts(),
  };
  process.stdout.write(`${JSON.stringify({ exchangeToCrm, crmToExchange, idleHour })}\n`);
} finally {
  await server.close();
  await setup.close();
}
