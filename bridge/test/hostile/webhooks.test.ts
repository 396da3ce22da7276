/**
 * Forged and malformed webhook deliveries (issue 10 item 4). The webhooks are public; the only proof a caller has is
 * the secret we issued with the channel (Graph `clientState`, Zoho watch `token`, graph-and-addin.md §1.6 and
 * zoho-crm-api.md §5). Every forgery — wrong or missing secret, unknown channel, one service's secret presented to
 * the other, a lifecycle event trying to remove our subscription — must enqueue nothing and change nothing;
 * malformed bodies get a 4xx and no crash. Genuine deliveries are sent first and last, so "nothing enqueued" is not
 * true merely because nothing ever is.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { SyncJob } from "../../src/jobs/job.js";
import { seedUsers, startTestBridge, type TestBridge } from "../http/harness.js";

const GRAPH_SUBSCRIPTION = "7f105c7d-2dc5-4530-97cd-4e7ae6534c07";
const GRAPH_CLIENT_STATE = "graph-client-state-issued-by-the-bridge";
const ZOHO_CHANNEL = "1000000068001";
const ZOHO_TOKEN = "zoho-watch-token-issued-by-the-bridge";

let bridge: TestBridge;
let mailboxId: string;
const enqueued: SyncJob[] = [];

beforeAll(async () => {
  bridge = await startTestBridge();
  const [user] = await seedUsers(bridge, 1);
  mailboxId = user?.id ?? "";
  const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
  await bridge.storage.subscriptions.add(
    { service: "graph", mailboxId, module: "contacts", externalId: GRAPH_SUBSCRIPTION, expiresAt },
    GRAPH_CLIENT_STATE,
  );
  await bridge.storage.subscriptions.add(
    { service: "zoho", mailboxId, module: "contacts", externalId: ZOHO_CHANNEL, expiresAt },
    ZOHO_TOKEN,
  );
  const queue = bridge.context.queue;
  const enqueue = queue.enqueue.bind(queue);
  vi.spyOn(queue, "enqueue").mockImplementation((job: SyncJob) => {
    enqueued.push(job);
    return enqueue(job);
  });
});
afterAll(async () => {
  await bridge?.close();
});

const post = (path: string, body: string, contentType = "application/json") =>
  fetch(`${bridge.url}${path}`, { method: "POST", headers: { "content-type": contentType }, body });

const graphDelivery = (notification: Record<string, unknown>) =>
  JSON.stringify({
    value: [{ changeType: "updated", resource: "Users/x/Contacts/y", ...notification }],
  });

const zohoCallback = (fields: Record<string, unknown>) =>
  JSON.stringify({ module: "Contacts", operation: "update", ids: ["4150868000001234001"], ...fields });

/** Graph deliveries are answered 202 at once and processed after the response: wait until that work is done. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

describe("webhooks refuse forgeries", () => {
  it("enqueues a sync for a genuine delivery on each webhook (the control)", async () => {
    const graph = await post(
      "/webhooks/graph",
      graphDelivery({ subscriptionId: GRAPH_SUBSCRIPTION, clientState: GRAPH_CLIENT_STATE }),
    );
    expect(graph.status).toBe(202);
    const zoho = await post("/webhooks/zoho", zohoCallback({ channel_id: ZOHO_CHANNEL, token: ZOHO_TOKEN }));
    expect(zoho.status).toBe(200);
    await settle();
    expect(enqueued.map((job) => [job.mailboxId, job.module, job.trigger])).toEqual([
      [mailboxId, "contacts", "notification"],
      [mailboxId, "contacts", "notification"],
    ]);
    enqueued.length = 0;
  });

  it("refuses forged Zoho tokens and unknown channels with 403", async () => {
    const forgeries: Record<string, unknown>[] = [
      { channel_id: ZOHO_CHANNEL, token: "guessed" },
      { channel_id: ZOHO_CHANNEL },
      { channel_id: ZOHO_CHANNEL, token: "" },
      { channel_id: ZOHO_CHANNEL, token: `${ZOHO_TOKEN} ` },
      { channel_id: "1000000068002", token: ZOHO_TOKEN },
      { channel_id: Number(ZOHO_CHANNEL) + 1, token: ZOHO_TOKEN },
      // Graph's secret and subscription id presented to the Zoho webhook: channels are per service.
      { channel_id: GRAPH_SUBSCRIPTION, token: GRAPH_CLIENT_STATE },
      { channel_id: ZOHO_CHANNEL, token: GRAPH_CLIENT_STATE },
    ];
    for (const forgery of forgeries) {
      const answer = await post("/webhooks/zoho", zohoCallback(forgery));
      expect([forgery, answer.status]).toEqual([forgery, 403]);
      expect(((await answer.json()) as { error?: unknown }).error).toBeDefined();
    }
    expect(enqueued).toEqual([]);
  });

  it("ignores Graph notifications with a wrong clientState or an unknown subscription", async () => {
    const forgeries: Record<string, unknown>[] = [
      { subscriptionId: GRAPH_SUBSCRIPTION, clientState: "guessed" },
      { subscriptionId: GRAPH_SUBSCRIPTION },
      { subscriptionId: GRAPH_SUBSCRIPTION, clientState: GRAPH_CLIENT_STATE.toUpperCase() },
      { subscriptionId: "00000000-0000-0000-0000-000000000000", clientState: GRAPH_CLIENT_STATE },
      // Zoho's channel and token presented to the Graph webhook.
      { subscriptionId: ZOHO_CHANNEL, clientState: ZOHO_TOKEN },
      { subscriptionId: GRAPH_SUBSCRIPTION, clientState: ZOHO_TOKEN },
    ];
    for (const forgery of forgeries) {
      // Graph gets 202 whatever the content (it must not learn which ids exist); the check is that nothing happens.
      const answer = await post("/webhooks/graph", graphDelivery(forgery));
      expect([forgery, answer.status]).toEqual([forgery, 202]);
    }
    await settle();
    expect(enqueued).toEqual([]);
  });

  it("does not let a forged lifecycle event remove our subscription", async () => {
    const answer = await post(
      "/webhooks/graph/lifecycle",
      graphDelivery({
        subscriptionId: GRAPH_SUBSCRIPTION,
        clientState: "guessed",
        lifecycleEvent: "subscriptionRemoved",
      }),
    );
    expect(answer.status).toBe(202);
    await settle();
    expect(await bridge.storage.subscriptions.verify("graph", GRAPH_SUBSCRIPTION, GRAPH_CLIENT_STATE)).toBeDefined();
    expect(enqueued).toEqual([]);
  });

  it("answers malformed bodies with a 4xx, enqueues nothing and keeps serving", async () => {
    const malformed: [string, string, string][] = [
      ["/webhooks/zoho", "{not json", "application/json"],
      ["/webhooks/zoho", "", "application/json"],
      ["/webhooks/zoho", "[]", "application/json"],
      ["/webhooks/zoho", "null", "application/json"],
      ["/webhooks/zoho", JSON.stringify({ channel_id: { $ne: null }, token: ZOHO_TOKEN }), "application/json"],
      ["/webhooks/zoho", JSON.stringify({ channel_id: ZOHO_CHANNEL, token: ["a", "b"] }), "application/json"],
      [
        "/webhooks/zoho",
        JSON.stringify({ channel_id: ZOHO_CHANNEL, token: { toString: ZOHO_TOKEN } }),
        "application/json",
      ],
      ["/webhooks/zoho", JSON.stringify({ channel_id: ZOHO_CHANNEL, token: ZOHO_TOKEN, ids: "1" }), "application/json"],
      ["/webhooks/zoho", `{"channel_id":"${"9".repeat(3_000_000)}"}`, "application/json"],
      ["/webhooks/zoho", "channel_id=1&token=x", "application/x-www-form-urlencoded"],
      ["/webhooks/graph", "{not json", "application/json"],
      ["/webhooks/graph", JSON.stringify({ value: "not a list" }), "application/json"],
      [
        "/webhooks/graph",
        JSON.stringify({ value: [{ subscriptionId: 42, clientState: GRAPH_CLIENT_STATE }] }),
        "application/json",
      ],
      ["/webhooks/graph", `{"value":[${'{"subscriptionId":"x"},'.repeat(200_000)}{}]}`, "application/json"],
      ["/webhooks/graph", "\u0000\uFFFF\uD800", "application/json"],
    ];
    const statuses: Record<string, number> = {};
    for (const [path, body, contentType] of malformed) {
      const answer = await post(path, body, contentType);
      statuses[`${path} ${body.slice(0, 40)}`] = answer.status;
      await answer.arrayBuffer();
    }
    await settle();
    // Zoho's webhook validates its body: 4xx for each. Graph's answers 202 to anything that is not a handshake
    // (a delivery it cannot read is dropped), or 4xx when the body is not JSON at all; never a 5xx.
    for (const [request, status] of Object.entries(statuses)) {
      if (request.startsWith("/webhooks/zoho"))
        expect([request, status >= 400 && status < 500]).toEqual([request, true]);
      else expect([request, status === 202 || (status >= 400 && status < 500)]).toEqual([request, true]);
    }
    expect(enqueued).toEqual([]);
    const healthy = await post("/webhooks/zoho", zohoCallback({ channel_id: ZOHO_CHANNEL, token: ZOHO_TOKEN }));
    expect(healthy.status).toBe(200);
    expect(enqueued).toHaveLength(1);
    enqueued.length = 0;
  });

  it("echoes a Graph validation token only as text/plain (no markup reflected as HTML)", async () => {
    const token = "<script>alert(1)</script>";
    const answer = await fetch(`${bridge.url}/webhooks/graph?validationToken=${encodeURIComponent(token)}`, {
      method: "POST",
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await answer.text()).toBe(token);
    expect(enqueued).toEqual([]);
  });
});
