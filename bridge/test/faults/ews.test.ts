/**
 * Fault survival (issue 10 item 3): a two-way sync between Exchange (Graph; EWS 2016) and Zoho CRM while 10 % of all
 * upstream calls fail with every fault kind the simulators render (5xx, 503 + Retry-After, 429 / ErrorServerBusy,
 * connection resets, hangs the clients time out on, truncated bodies, non-JSON / non-XML bodies, HTML error pages).
 *
 * Invariants checked: each module is re-run until one run completes and writes nothing; both sides then hold
 * exactly the state a clean run converges to (every seeded item of both sides once, no divergent field); no
 * unhandled rejection or uncaught exception happened; and every throttled answer's retry (the same request again)
 * reached the simulator only after the Retry-After / BackOffMilliseconds it asked for, measured by wrapping the
 * simulators' request listeners.
 *
 * The EWS side reads with GetItem batches of 10 (issue #6's repro: 150 contacts, seed 20261125), so a run makes
 * many reads and meets several faults: without the connector's in-run read retry (`readAttempts: 1`) contacts do
 * not converge within 40 runs; with it every round converges in close to the minimum of two runs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEwsSimulator } from "../../simulators/ews/index.js";
import { serveHttps } from "../../simulators/shared/server.js";
import { createEwsExchangePort } from "../../src/connectors/ews/index.js";
import { contactSyncModule, taskSyncModule } from "../../src/model/sync-modules.js";
import { testPki } from "../support/pki.js";
import {
  connectZoho,
  convergeUnderFaults,
  EWS_HANG_MS,
  EWS_TIMEOUT_MS,
  type Pair,
  report,
  startZoho,
} from "./converge.js";
import {
  backOffMs,
  contact,
  contactKey,
  contactPrint,
  editContact,
  editTask,
  retryTimer,
  task,
  taskKey,
  taskPrint,
} from "./support.js";

describe("fault survival, EWS 2016 ⇄ Zoho", () => {
  const ews = createEwsSimulator({ release: "2016", faultBackOffMs: 300 });
  const timer = retryTimer(ews.listener, backOffMs);
  let ewsServer: Awaited<ReturnType<typeof serveHttps>>;
  let zoho: Awaited<ReturnType<typeof startZoho>>;

  beforeAll(async () => {
    ewsServer = await serveHttps(timer.listener, await testPki());
    ews.setBaseUrl(ewsServer.url);
    ews.control.seed({
      mailboxes: 1,
      contactsPerMailbox: 0,
      meetingsPerMailbox: 0,
      tasksPerMailbox: 0,
      mailsPerMailbox: 0,
    });
    zoho = await startZoho();
  });
  afterAll(async () => {
    await ewsServer?.close();
    await zoho?.close();
  });

  it("converges to the clean state with 10 % of calls failing, honouring BackOffMilliseconds", {
    timeout: 120_000,
  }, async () => {
    const mailbox = "alice@contoso.com";
    const exchange = await createEwsExchangePort(
      {
        mailbox,
        url: `${ewsServer.url}/EWS/Exchange.asmx`,
        version: "Exchange2016",
        username: "CONTOSO\\svc-crm",
        password: "Pa55w.rd",
        auth: "basic",
        impersonate: true,
        timeoutMs: EWS_TIMEOUT_MS,
      },
      // A tenth of the default GetItem batch: many reads per run, so several of them fail in every run.
      { batchSize: 10 },
    );
    const crm = await connectZoho(zoho.sim);
    try {
      const pairs = [
        {
          name: "contacts",
          module: contactSyncModule("ews", "Contacts"),
          exchange: exchange.modules.contacts,
          crm: crm.modules.contacts,
          make: contact,
          edit: editContact,
          key: contactKey,
          print: contactPrint,
          perSide: 150,
        },
        {
          name: "tasks",
          module: taskSyncModule(),
          exchange: exchange.modules.tasks,
          crm: crm.modules.tasks,
          make: task,
          edit: editTask,
          key: taskKey,
          print: taskPrint,
          perSide: 30,
        },
      ] as unknown as Pair<never>[];
      const runs = await convergeUnderFaults(pairs, mailbox, (settings) => {
        // EWS sees fewer calls than Graph, so its throttling answer is weighted up to
        // make sure the BackOffMilliseconds timing is exercised; the overall failure rate stays 10 %.
        ews.control.setFaults(
          settings && { ...settings, kinds: [...settings.kinds, "throttled", "throttled"], hangMs: EWS_HANG_MS },
        );
        zoho.sim.control.setFaults(settings);
      });
      report("EWS 2016 ⇄ Zoho", runs, timer, zoho.timer);
      // Each of the four rounds needs at least two runs (one that writes, one that finds nothing to do).
      expect(runs.contacts).toBeLessThanOrEqual(16);
      expect(runs.tasks).toBeLessThanOrEqual(16);
      expect(timer.throttledAnswers()).toBeGreaterThan(0);
      expect([...timer.gaps, ...zoho.timer.gaps].filter((gap) => gap.waitedMs < gap.askedMs)).toEqual([]);
    } finally {
      await exchange.close();
    }
  });
});
