/**
 * Change propagation through the push channel, end to end: the real bridge server (over TLS, as Graph only calls
 * https webhooks) with its Graph subscription and Zoho watch channel, one mailbox paired with one Zoho user
 * (`openOneUserBridge`, the push tests' set-up), simulators with the bench's per-call latency. Polling is out of
 * reach (the server's 15-minute schedule), so an edit reaches the other side only through simulator webhook →
 * bridge route → job → sync run → write. Each sample: an edit made as the user on one side, the clock stopped when
 * the other simulator's store shows it. Runs in its own process because the bridge must trust the test CA at start
 * (NODE_EXTRA_CA_CERTS); prints one JSON line {exchangeToCrm, crmToExchange} with the raw durations.
 */
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { InProcessScheduler } from "../src/jobs/in-process-scheduler.js";
import { startServer } from "../src/server.js";
import { eventually, openOneUserBridge } from "../test/support/one-user-bridge.js";

const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 30);
const samples = Number(process.env.BENCH_SAMPLES ?? 20);
/** How long one edit may take to arrive before it counts as missed. */
const MISSED_AFTER_MS = 30_000;

const setup = await openOneUserBridge({ modules: ["contacts"] });
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
  process.stdout.write(`${JSON.stringify({ exchangeToCrm, crmToExchange })}\n`);
} finally {
  await server.close();
  await setup.close();
}
