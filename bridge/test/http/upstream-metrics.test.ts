/**
 * /metrics of the real server counts what a sync sent to Microsoft Graph and to Zoho (by host and status class), and
 * shows the org's Zoho API credits once Zoho starts reporting them (X-API-CREDITS-REMAINING past half spent). EWS
 * goes through node:http (axios), not fetch: its calls are counted too.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createMetrics } from "../../src/observability/metrics.js";
import { countUpstreamRequests } from "../../src/observability/upstream-requests.js";
import type { RunningServer } from "../../src/server.js";
import { startServer } from "../../src/server.js";
import { connectAlice2016 } from "../connectors/ews/alice-2016.js";
import { type OneUserBridge, openOneUserBridge, syncEveryoneNow } from "../support/one-user-bridge.js";

let setup: OneUserBridge;
let server: RunningServer;

beforeAll(async () => {
  setup = await openOneUserBridge({ modules: ["contacts"] });
  server = await startServer(setup.runtime);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await setup?.close();
});

/** Sample values of one metric, keyed by its label set as Prometheus prints it. */
async function samples(name: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const found = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`).exec(line);
    if (match?.[1] !== undefined) found.set(match[1], Number(match[2]));
  }
  return found;
}

it("counts the requests a sync sends to Graph and Zoho, and Zoho's remaining API credits", async () => {
  const graphHost = new URL(setup.graph.url).host;
  const zohoHost = new URL(setup.zoho.url).host;
  expect(graphHost).not.toBe(zohoHost);

  await syncEveryoneNow(server);
  expect((await samples("bridge_zoho_api_credits_remaining")).size).toBe(0);
  // The first sync spent half of the day's credits (a small edition): from now on Zoho reports what is left.
  const creditsPerDay = 2 * setup.zoho.control.creditsUsed();
  setup.zoho.control.setLimits({ creditsPerDay });
  await syncEveryoneNow(server, "schedule");

  const requests = await samples("bridge_upstream_requests_total");
  expect(requests.get(`host="${graphHost}",status="2xx"`)).toBeGreaterThan(0);
  expect(requests.get(`host="${zohoHost}",status="2xx"`)).toBeGreaterThan(0);
  expect(requests.get(`host="${zohoHost}",status="429"`)).toBeUndefined();

  const remaining = (await samples("bridge_zoho_api_credits_remaining")).get(`host="${zohoHost}"`);
  expect(remaining).toBe(creditsPerDay - setup.zoho.control.creditsUsed());
  expect(remaining).toBeLessThanOrEqual(creditsPerDay / 2);
});

it("counts EWS requests, made through node:http rather than fetch", async () => {
  const metrics = createMetrics();
  const stop = countUpstreamRequests(metrics);
  const alice = await connectAlice2016();
  try {
    await alice.exchange.modules.contacts?.listAll(undefined);
    const host = new URL(alice.sim.ewsUrl).host;
    const counted = (await metrics.upstreamRequests.get()).values.find(
      (sample) => sample.labels.host === host && sample.labels.status === "2xx",
    );
    expect(counted?.value).toBeGreaterThan(0);
  } finally {
    stop();
    await alice.close();
  }
});
