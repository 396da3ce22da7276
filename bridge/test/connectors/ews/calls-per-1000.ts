/**
 * Benchmark (prints figures, asserts nothing): EWS calls for an initial listing of 1 000 contacts and for the
 * incremental sync right after it, counted by the simulator. Run: `npx tsx bridge/test/connectors/ews/calls-per-1000.ts`
 * (needs NODE_EXTRA_CA_CERTS for the test CA; the script sets up its own PKI directory and re-uses it).
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEwsSimulator } from "../../../simulators/ews/index.js";
import { ensureTestPki } from "../../../simulators/shared/pki.js";
import { createEwsExchangePort } from "../../../src/connectors/ews/index.js";

const pki = await ensureTestPki(process.env.BRIDGE_TEST_PKI_DIR ?? join(tmpdir(), "bridge-test-pki"));
if (process.env.NODE_EXTRA_CA_CERTS !== pki.caCertFile) {
  console.error(`run with NODE_EXTRA_CA_CERTS=${pki.caCertFile}`);
  process.exit(2);
}
const sim = await startEwsSimulator({ pki, release: "2010SP2", xsdDir: null });
sim.control.seed({
  mailboxes: 2,
  contactsPerMailbox: 1000,
  meetingsPerMailbox: 0,
  tasksPerMailbox: 0,
  mailsPerMailbox: 0,
});
const exchange = await createEwsExchangePort({
  mailbox: "alice@contoso.com",
  url: sim.ewsUrl,
  version: "Exchange2010_SP2",
  username: "CONTOSO\\svc-crm",
  password: "Pa55w.rd",
  auth: "basic",
  impersonate: true,
});
const contacts = exchange.modules.contacts;
if (!contacts) throw new Error("no contacts port");
sim.control.resetCallCounts();
let cursor: string | undefined;
let records = 0;
for (;;) {
  const page = await contacts.listChanges(cursor);
  records += page.changes.length;
  cursor = page.cursor;
  if (page.complete) break;
}
console.log(`initial listing: ${records} contacts`, sim.control.callCounts());
sim.control.resetCallCounts();
const again = await contacts.listChanges(cursor);
console.log(`sync right after: ${again.changes.length} changes`, sim.control.callCounts());
await exchange.close();
await sim.close();
