/**
 * Idle cost with push: one mailbox with contacts, events and tasks, push channels open on both sides, nothing
 * changing. Over a simulated day (the server's polling tick and push maintenance driven with a fake clock every
 * 15 minutes — no wall time), the safety-net polls and channel renewals together stay within 12 API calls per
 * mailbox-hour, counted from the Graph and Zoho simulators' call logs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InProcessScheduler } from "../../src/jobs/in-process-scheduler.js";
import type { RunningServer } from "../../src/server.js";
import {
  type OneUserBridge,
  openOneUserBridge,
  startHttpsServer,
  syncEveryoneNow,
} from "../support/one-user-bridge.js";

const TICK_MS = 15 * 60_000;
const HOURS = 24;

describe("idle cost of a push-covered mailbox", () => {
  let setup: OneUserBridge;
  let server: RunningServer;

  beforeAll(async () => {
    setup = await openOneUserBridge({ modules: ["contacts", "events", "tasks"] });
    server = await startHttpsServer(setup);
    await syncEveryoneNow(server);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await setup?.close();
  });

  const apiCalls = () =>
    Object.values(setup.graph.control.callCounts()).reduce((sum, count) => sum + count, 0) +
    setup.zoho.control.totalCalls();

  it("stays within 12 calls per mailbox-hour over a simulated day, still polling as a safety net", async () => {
    expect(await server.pushReady).toBe(6);
    const runsBefore = (await setup.runtime.storage.runs.recent({ limit: 1000 })).length;
    const callsBefore = apiCalls();
    const start = Date.now();
    for (let elapsed = TICK_MS; elapsed <= HOURS * 3_600_000; elapsed += TICK_MS) {
      const now = new Date(start + elapsed);
      await server.pollDue(now);
      if (server.queue instanceof InProcessScheduler) await server.queue.idle();
      await server.push.maintain(now);
    }
    const callsPerHour = (apiCalls() - callsBefore) / HOURS;
    // Safety-net polls every 6 hours (at 6, 12, 18 and 24 h) of each of the 3 modules.
    expect((await setup.runtime.storage.runs.recent({ limit: 1000 })).length - runsBefore).toBe(4 * 3);
    expect(callsPerHour).toBeGreaterThan(0);
    expect(callsPerHour).toBeLessThanOrEqual(12);
    // The channels were renewed before they ran out (Zoho's last a day), none reopened. A renewal's new expiry
    // comes from the real clock, which the simulated one has left behind: the Zoho channels look due again at each
    // later tick and are renewed more often than in real time — the count above is an upper bound.
    expect(server.push.channels()).toHaveLength(6);
    expect(setup.zoho.control.callCounts()["notifications.post"]).toBe(3);
    expect(setup.zoho.control.callCounts()["notifications.patch"]).toBeGreaterThanOrEqual(3);
    console.info(`idle push-covered mailbox: ${callsPerHour.toFixed(2)} API calls per hour`);
  });
});
