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
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGraphSimulator, DEMO_TENANT } from "../../simulators/graph/index.js";
import { serveHttps } from "../../simulators/shared/server.js";
import { appOnlyTokens, createGraphExchangePort, msalApp } from "../../src/connectors/graph/index.js";
import { contactSyncModule, eventSyncModule, taskSyncModule } from "../../src/model/sync-modules.js";
import { testPki } from "../support/pki.js";
import { connectZoho, convergeUnderFaults, type Pair, report, startZoho } from "./converge.js";
import {
  contact,
  contactKey,
  contactPrint,
  editContact,
  editEvent,
  editTask,
  event,
  eventKey,
  eventPrint,
  retryAfterMs,
  retryTimer,
  task,
  taskKey,
  taskPrint,
} from "./support.js";

describe("fault survival, Graph ⇄ Zoho", () => {
  let graph: Awaited<ReturnType<typeof startGraph>>;
  let zoho: Awaited<ReturnType<typeof startZoho>>;

  async function startGraph() {
    const sim = createGraphSimulator({
      seed: { users: 1, contactsPerUser: 0, eventsPerUser: 0, tasksPerUser: 0, messagesPerUser: 0 },
    });
    const timer = retryTimer(sim.listener, retryAfterMs);
    const running = await serveHttps(timer.listener, await testPki());
    sim.setBaseUrl(running.url);
    await sim.control.ready();
    return { sim, timer, url: running.url, close: running.close };
  }

  beforeAll(async () => {
    graph = await startGraph();
    zoho = await startZoho();
  });
  afterAll(async () => {
    await graph?.close();
    await zoho?.close();
  });

  it("converges to the clean state with 10 % of calls failing, honouring Retry-After", {
    timeout: 120_000,
  }, async () => {
    const tenant = graph.sim.control.directory.tenantByIdOrDomain(DEMO_TENANT.id);
    const mailbox = [...(tenant?.mailboxes.values() ?? [])][0]?.user.mail ?? "";
    const exchange = createGraphExchangePort({
      baseUrl: graph.url,
      tokens: appOnlyTokens(
        msalApp({
          clientId: DEMO_TENANT.bridgeApp.clientId,
          clientSecret: DEMO_TENANT.bridgeApp.clientSecret,
          authority: `${graph.url}/${DEMO_TENANT.id}`,
          knownAuthorities: [new URL(graph.url).host],
        }),
      ),
      mailbox,
      push: false,
    });
    const crm = await connectZoho(zoho.sim);
    const modules = exchange.modules;
    if (!modules.contacts || !modules.events || !modules.tasks) throw new Error("Graph port lacks a module");
    const pairs = [
      {
        name: "contacts",
        module: contactSyncModule("graph", "Contacts"),
        exchange: modules.contacts,
        crm: crm.modules.contacts,
        make: contact,
        edit: editContact,
        key: contactKey,
        print: contactPrint,
        perSide: 120,
      },
      {
        name: "events",
        module: eventSyncModule("graph"),
        exchange: modules.events,
        crm: crm.modules.events,
        make: event,
        edit: editEvent,
        key: eventKey,
        print: eventPrint,
        perSide: 50,
      },
      {
        name: "tasks",
        module: taskSyncModule(),
        exchange: modules.tasks,
        crm: crm.modules.tasks,
        make: task,
        edit: editTask,
        key: taskKey,
        print: taskPrint,
        perSide: 50,
      },
    ] as unknown as Pair<never>[];
    const runs = await convergeUnderFaults(pairs, mailbox, (settings) => {
      graph.sim.control.setFaults(settings);
      zoho.sim.control.setFaults(settings);
    });
    const gaps = [...graph.timer.gaps, ...zoho.timer.gaps];
    report("Graph ⇄ Zoho", runs, graph.timer, zoho.timer);
    expect(graph.timer.throttledAnswers()).toBeGreaterThan(0);
    expect(gaps.filter((gap) => gap.waitedMs < gap.askedMs)).toEqual([]);
  });
});
