/**
 * Contract harness for the Graph connector: one Graph simulator per test file (reset for every test), an app-only
 * MSAL client, and a webhook receiver that answers Graph's validation handshake and hands deliveries to the
 * subscription's `acceptDelivery`, as the bridge's HTTP layer does.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { DEMO_TENANT, startGraphSimulator } from "../../../simulators/graph/index.js";
import { serveHttps } from "../../../simulators/shared/server.js";
import {
  appOnlyTokens,
  createGraphExchangePort,
  type GraphExchangePort,
  msalApp,
  validationResponse,
} from "../../../src/connectors/graph/index.js";
import type { PushNotice, PushSubscription, RecordPort } from "../../../src/connectors/port.js";
import { testPki } from "../../support/pki.js";
import type { ContractHarness } from "../contract.js";

export type RunningSimulator = Awaited<ReturnType<typeof startGraphSimulator>>;

export const EMPTY_SEED = { users: 2, contactsPerUser: 0, eventsPerUser: 0, tasksPerUser: 0, messagesPerUser: 0 };

export async function startEmptySimulator(): Promise<RunningSimulator> {
  return startGraphSimulator({
    pki: await testPki(),
    seed: EMPTY_SEED,
    subscriptions: { deliveryDelayMs: 5, retryDelaysMs: [50] },
  });
}

export function mailboxOf(sim: RunningSimulator, index = 0): string {
  const tenant = sim.control.directory.tenantByIdOrDomain(DEMO_TENANT.id);
  const mailbox = [...(tenant?.mailboxes.values() ?? [])][index];
  if (!mailbox) throw new Error("no demo mailbox");
  return mailbox.user.mail;
}

export function connect(
  sim: RunningSimulator,
  mailbox: string,
  overrides: { maxPageSize?: number; baseUrl?: string } = {},
): GraphExchangePort {
  const app = msalApp({
    clientId: DEMO_TENANT.bridgeApp.clientId,
    clientSecret: DEMO_TENANT.bridgeApp.clientSecret,
    authority: sim.authority,
    knownAuthorities: [new URL(sim.url).host],
  });
  return createGraphExchangePort({
    baseUrl: sim.url,
    tokens: appOnlyTokens(app),
    mailbox,
    push: true,
    maxInlineWaitMs: 300,
    ...overrides,
  });
}

/** An HTTPS endpoint standing in for the bridge's webhook route. */
export async function startWebhook(): Promise<{
  url: string;
  attach(subscription: PushSubscription): void;
  close(): Promise<void>;
}> {
  let target: PushSubscription | undefined;
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    req.on("data", (chunk) => {
      raw += chunk;
    });
    req.on("end", () => {
      const validation = validationResponse(new URL(req.url ?? "/", "https://bridge"));
      if (validation) {
        res.writeHead(validation.status, { "content-type": validation.contentType });
        res.end(validation.body);
        return;
      }
      try {
        target?.acceptDelivery?.(JSON.parse(raw));
        res.writeHead(202);
      } catch {
        res.writeHead(400);
      }
      res.end();
    });
  };
  const server = await serveHttps(listener, await testPki());
  return {
    url: `${server.url}/graph/notifications`,
    attach(subscription) {
      target = subscription;
    },
    close: () => server.close(),
  };
}

const IMMUTABLE = { Prefer: 'IdType="ImmutableId"' };

/** Builds a contract harness for one module of the first demo mailbox; `path` is the module's collection as Outlook sees it. */
export function graphHarness<T>(
  sim: RunningSimulator,
  options: {
    pick(port: GraphExchangePort): RecordPort<T> | undefined;
    collection(sim: RunningSimulator, mailbox: string): string;
    item(sim: RunningSimulator, mailbox: string, id: string): string;
    toGraph(value: T): unknown;
    sample(n: number): T;
    same(read: T, written: T): boolean;
  },
): ContractHarness<T> {
  sim.control.reset();
  const mailbox = mailboxOf(sim);
  const port = options.pick(connect(sim, mailbox));
  if (!port) throw new Error("module not offered");
  let webhook: Awaited<ReturnType<typeof startWebhook>> | undefined;
  const act = async (method: string, path: string, body?: unknown) => {
    const answer = await sim.control.actAsUser(mailbox, method, path, body, IMMUTABLE);
    if (answer.status >= 400) throw new Error(`simulated Outlook edit failed: ${JSON.stringify(answer.body)}`);
    return answer.body as { id: string };
  };
  return {
    port,
    sample: options.sample,
    same: options.same,
    remote: {
      create: async (value) => (await act("POST", options.collection(sim, mailbox), options.toGraph(value))).id,
      update: async (id, value) => {
        await act("PATCH", options.item(sim, mailbox, id), options.toGraph(value));
      },
      remove: async (id) => {
        await act("DELETE", options.item(sim, mailbox, id));
      },
    },
    setThrottled: async (retryAfterMs) => sim.control.setThrottled(retryAfterMs),
    expireAuth: async () => sim.control.revokeApp(DEMO_TENANT.bridgeApp.clientId),
    async subscribe(onNotice: (notice: PushNotice) => void) {
      webhook = await startWebhook();
      const subscription = await port.subscribe?.({ callbackUrl: webhook.url, secret: "contract-secret", onNotice });
      if (!subscription) throw new Error("no subscription");
      webhook.attach(subscription);
      return subscription;
    },
    close: async () => {
      await webhook?.close();
    },
  };
}

interface Seen {
  url: string;
  prefer: string;
}

/**
 * An HTTPS front of the simulator: records every Graph request (and each inner request of a `$batch`), hands it on
 * unchanged after `delayMs` (a slow network), and keeps the most requests it ever had in flight at once.
 */
export async function recordingFront(sim: RunningSimulator, delayMs = 0) {
  const seen: Seen[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    inFlight += 1;
    mostInFlight = Math.max(mostInFlight, inFlight);
    res.on("close", () => {
      inFlight -= 1;
    });
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const raw = Buffer.concat(chunks);
      const url = req.url ?? "";
      seen.push({ url, prefer: String(req.headers.prefer ?? "") });
      if (url.endsWith("/$batch")) {
        const body = JSON.parse(raw.toString()) as { requests: Array<{ url: string; headers?: { Prefer?: string } }> };
        for (const inner of body.requests) seen.push({ url: inner.url, prefer: inner.headers?.Prefer ?? "" });
      }
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      fetch(new URL(url, sim.url), {
        method: req.method ?? "GET",
        headers: Object.entries(req.headers).flatMap(([name, value]) =>
          typeof value === "string" && name !== "host" && name !== "content-length" ? [[name, value]] : [],
        ),
        body: raw.length > 0 ? raw : undefined,
      }).then(
        async (answer) => {
          res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/json" });
          res.end(Buffer.from(await answer.arrayBuffer()));
        },
        () => {
          res.writeHead(502);
          res.end();
        },
      );
    });
  };
  const server = await serveHttps(listener, await testPki());
  return { url: server.url, seen, mostInFlight: () => mostInFlight, close: () => server.close() };
}
