/**
 * Benchmark (prints counts, asserts nothing): Zoho calls per 1000 records for an initial contacts insert through
 * the connector, counted by the simulator.
 *
 *   npx tsx bridge/test/connectors/zoho/bench-initial-insert.ts [records=1000] [withCompanies=0|1]
 *
 * The simulator's certificate must be trusted by global fetch, which reads NODE_EXTRA_CA_CERTS at start-up, so
 * the script re-runs itself once with it set.
 */
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureTestPki } from "../../../simulators/shared/pki.js";
import { DEFAULT_CLIENT, startZohoSimulator } from "../../../simulators/zoho/index.js";
import { createZohoCrmPort } from "../../../src/connectors/zoho/index.js";

const pkiDir = process.env.BRIDGE_TEST_PKI_DIR ?? join(tmpdir(), "bridge-test-pki");
const pki = await ensureTestPki(pkiDir);
if (process.env.NODE_EXTRA_CA_CERTS !== pki.caCertFile) {
  const self = fileURLToPath(import.meta.url);
  const run = spawnSync(process.execPath, [...process.execArgv, self, ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, NODE_EXTRA_CA_CERTS: pki.caCertFile },
  });
  process.exit(run.status ?? 1);
}

const count = Number(process.argv[2] ?? 1000);
const withCompanies = process.argv[3] === "1";
const sim = await startZohoSimulator({ pki, searchIndexLagMs: 0 });
try {
  const crm = await createZohoCrmPort({
    oauth: {
      ...DEFAULT_CLIENT,
      accountsServer: sim.control.urls().accountsUrl,
      refreshToken: sim.control.issueRefreshToken(),
    },
  });
  sim.control.resetCallCounts();
  const started = performance.now();
  const results = await crm.modules.contacts.create(
    Array.from({ length: count }, (_, i) => ({
      value: {
        givenName: `Given${i}`,
        surname: `Surname${i}`,
        email1: `contact${i}@example.com`,
        ...(withCompanies ? { companyName: `Company ${i % 20}` } : {}),
        categories: [],
      },
    })),
  );
  const elapsedMs = Math.round(performance.now() - started);
  const calls = sim.control.callCounts();
  const writes = sim.control.totalCalls((endpoint) => /^records\.(insert|update|upsert|delete)$/.test(endpoint));
  const total = sim.control.totalCalls();
  const per1000 = (n: number) => ((n * 1000) / count).toFixed(1);
  console.log(`initial Exchange→Zoho contacts insert: ${count} records, ${results.filter((r) => r.ok).length} ok`);
  console.log("calls by endpoint:", calls);
  console.log(`Zoho write calls: ${writes} (${per1000(writes)} per 1000 records)`);
  console.log(
    `Zoho calls in total: ${total} (${per1000(total)} per 1000 records; reads are the post-write read-backs)`,
  );
  console.log(`wall time against the local simulator: ${elapsedMs} ms`);
} finally {
  await sim.close();
}
