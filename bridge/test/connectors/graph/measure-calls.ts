/**
 * Prints the Graph calls the connector makes to read N contacts for an initial sync (issue 6: "Graph delta pages of
 * the maximum size"), and to write them back in `$batch`es, counted by the simulator. A measurement, not a test:
 *
 *   cd bridge && NODE_EXTRA_CA_CERTS=$TMPDIR/bridge-test-pki/ca.pem npx tsx test/connectors/graph/measure-calls.ts [contacts]
 *
 * (Node reads NODE_EXTRA_CA_CERTS at start-up only, so the test CA must be named on the command line; the PKI is
 * the one the test suite's global setup creates.)
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEMO_TENANT, startGraphSimulator } from "../../../simulators/graph/index.js";
import { ensureTestPki } from "../../../simulators/shared/pki.js";
import { appOnlyTokens, createGraphExchangePort, msalApp } from "../../../src/connectors/graph/index.js";
import { drainChanges } from "../contract.js";

const count = Number(process.argv[2] ?? 1000);
const pki = await ensureTestPki(process.env.BRIDGE_TEST_PKI_DIR ?? join(tmpdir(), "bridge-test-pki"));
if (process.env.NODE_EXTRA_CA_CERTS !== pki.caCertFile)
  throw new Error(`run with NODE_EXTRA_CA_CERTS=${pki.caCertFile}`);
const sim = await startGraphSimulator({
  pki,
  seed: { users: 1, contactsPerUser: count, eventsPerUser: 0, tasksPerUser: 0, messagesPerUser: 0 },
});
try {
  const mailbox =
    [...(sim.control.directory.tenantByIdOrDomain(DEMO_TENANT.id)?.mailboxes.values() ?? [])][0]?.user.mail ?? "";
  const app = msalApp({
    clientId: DEMO_TENANT.bridgeApp.clientId,
    clientSecret: DEMO_TENANT.bridgeApp.clientSecret,
    authority: sim.authority,
    knownAuthorities: [new URL(sim.url).host],
  });
  const port = createGraphExchangePort({ baseUrl: sim.url, tokens: appOnlyTokens(app), mailbox });
  const contacts = port.modules.contacts;
  if (!contacts) throw new Error("no contacts port");
  sim.control.resetCallCounts();
  const read = await drainChanges(contacts, undefined);
  const readCalls = sim.control.callCounts();
  sim.control.resetCallCounts();
  const values = [...read.upserts.values()]
    .slice(0, 100)
    .map((item) => ({ value: { ...item.value, jobTitle: "Buyer (synced)" } }));
  await contacts.create(values);
  const writeCalls = sim.control.callCounts();
  console.log(JSON.stringify({ contacts: read.upserts.size, initialRead: readCalls, create100: writeCalls }, null, 2));
} finally {
  await sim.close();
}
