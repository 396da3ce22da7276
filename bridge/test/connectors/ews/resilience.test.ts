/**
 * No upstream reply can crash the process or hang a call: every injected fault ends as a ConnectorError, and
 * ErrorServerBusy's BackOffMilliseconds is honoured (no request reaches the server before it elapsed). Idempotent
 * reads are retried within the call (EwsSession.read); writes are not.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEwsSimulator, startEwsSimulator } from "../../../simulators/ews/index.js";
import type { FaultKind } from "../../../simulators/shared/behaviour.js";
import { ConnectorError } from "../../../src/connectors/errors.js";
import { createEwsExchangePort } from "../../../src/connectors/ews/index.js";
import { testPki } from "../../support/pki.js";

async function failureOf(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return "succeeded";
  } catch (error) {
    if (error instanceof ConnectorError) return error.failure.kind;
    throw error;
  }
}

describe("EWS connector resilience", () => {
  let sim: RunningEwsSimulator;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeAll(async () => {
    process.on("unhandledRejection", onUnhandled);
    sim = await startEwsSimulator({ pki: await testPki(), release: "2016" });
    sim.control.seed({ mailboxes: 1, contactsPerMailbox: 3 });
  });
  afterAll(async () => {
    process.off("unhandledRejection", onUnhandled);
    await sim.close();
  });

  const connect = (timeoutMs = 10_000) =>
    createEwsExchangePort(
      {
        mailbox: "alice@contoso.com",
        url: sim.ewsUrl,
        version: "Exchange2016",
        username: "CONTOSO\\svc-crm",
        password: "Pa55w.rd",
        auth: "basic",
        impersonate: true,
        timeoutMs,
      },
      { batchSize: 50 },
    );

  const cases: [FaultKind, string][] = [
    ["html-error", "transient"],
    ["malformed", "transient"],
    ["truncated", "transient"],
    ["reset", "transient"],
    ["server-error", "transient"],
    ["unavailable", "throttled"],
    ["hang", "transient"],
  ];
  for (const [kind, expected] of cases) {
    it(`turns a ${kind} reply into a ${expected} failure, without an unhandled rejection`, async () => {
      const exchange = await connect(kind === "hang" ? 1_000 : 10_000);
      sim.control.setFaults({ rate: 1, kinds: [kind], seed: 1, hangMs: 3_000 });
      try {
        expect(await failureOf(() => exchange.modules.contacts?.listAll(undefined) ?? Promise.resolve())).toBe(
          expected,
        );
      } finally {
        sim.control.setFaults(undefined);
        await exchange.close();
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
    });
  }

  it("retries a throttled read in the run, only once ErrorServerBusy's BackOffMilliseconds have passed", async () => {
    const exchange = await connect();
    const contacts = exchange.modules.contacts;
    if (!contacts) throw new Error("no contacts port");
    // Seed 7 draws a fault for the first SyncFolderItems and none for the retry: the first is refused with
    // ErrorServerBusy and the default 500 ms back-off, however long the request took to arrive (a fixed throttle window
    // made this depend on the machine's load).
    sim.control.setFaults({ rate: 0.5, kinds: ["throttled"], seed: 7, endpoints: /SyncFolderItems/ });
    sim.control.resetCallCounts();
    const started = Date.now();
    try {
      const page = await contacts.listAll(undefined);
      expect(page.items).toHaveLength(3);
    } finally {
      sim.control.setFaults(undefined);
    }
    // The simulator counts every request it receives: the refused SyncFolderItems and the retry, which came only
    // after the back-off (a lower bound on the wait, not a speed figure).
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(sim.control.callCounts()).toEqual({ "ews.GetItem": 1, "ews.SyncFolderItems": 2 });
    await exchange.close();
  });

  it("retries a read that failed transiently, but not a write, and gives up after readAttempts tries", async () => {
    const exchange = await connect();
    const contacts = exchange.modules.contacts;
    if (!contacts) throw new Error("no contacts port");
    sim.control.setFaults({ rate: 1, kinds: ["server-error"], seed: 1, endpoints: /^ews\.SyncFolderItems$/ });
    sim.control.resetCallCounts();
    try {
      expect(await failureOf(() => contacts.listChanges(undefined))).toBe("transient");
      expect(sim.control.callCounts()).toEqual({ "ews.SyncFolderItems": 3 });
      sim.control.setFaults({ rate: 1, kinds: ["server-error"], seed: 1, endpoints: /^ews\.CreateItem$/ });
      sim.control.resetCallCounts();
      const value = { givenName: "Once", surname: "Only", categories: [] };
      expect(await failureOf(() => contacts.create([{ value }]))).toBe("transient");
      expect(sim.control.callCounts()).toEqual({ "ews.CreateItem": 1 });
    } finally {
      sim.control.setFaults(undefined);
      await exchange.close();
    }
  });
});
