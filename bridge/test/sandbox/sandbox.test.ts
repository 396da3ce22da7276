/**
 * `npm start` on a fresh machine: runs the REAL entry point (bridge/bin/bridge.mjs start) with no configuration —
 * not even the test CA trusted, so the sandbox's own PKI and re-spawn are exercised — waits for the first sync,
 * checks the bridge answers, shuts it down with SIGTERM, and then greps the SQLite file and the logs for every
 * stored secret in clear text.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadSecretBox } from "../../src/security/secret-box.js";
import { loadExchangeConnection } from "../../src/services/connections.js";
import { openStorage } from "../../src/storage/index.js";
import { eventually } from "../support/one-user-bridge.js";
import { leakedSecrets, storedSecretPlaintexts } from "./secrets-at-rest.js";

const BIN = join(import.meta.dirname, "../../bin/bridge.mjs");

/** A stopped bridge's data directory: its sealed secrets (opened), users, Exchange connection, created items and raw
 * database bytes (to grep for leaked secrets). */
async function storedState(dataDir: string) {
  const box = await loadSecretBox({ keyFile: join(dataDir, "secret.key") });
  const storage = await openStorage({ kind: "sqlite", file: join(dataDir, "bridge.sqlite") }, box);
  try {
    const runs = await storage.runs.recent({ limit: 1000 });
    return {
      secrets: await storedSecretPlaintexts(storage),
      users: await storage.users.list(),
      connection: await loadExchangeConnection(storage),
      created: runs.reduce((sum, run) => sum + (run.totals.created ?? 0), 0),
      raw: await databaseBytes(join(dataDir, "bridge.sqlite")),
    };
  } finally {
    await storage.close();
  }
}

async function databaseBytes(file: string): Promise<string> {
  let raw = (await readFile(file)).toString("latin1");
  if (existsSync(`${file}-wal`)) raw += (await readFile(`${file}-wal`)).toString("latin1");
  return raw;
}
/** JSON from a sandbox simulator's control API (HTTPS under the sandbox's own CA, which this process does not trust). */
function simulatorJson(ca: string, url: string, body?: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const call = request(
      url,
      { ca, method: body === undefined ? "GET" : "POST", headers: { "content-type": "application/json" } },
      (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => {
          text += chunk.toString();
        });
        response.on("end", () => resolve(JSON.parse(text)));
      },
    );
    call.on("error", reject);
    call.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("sandbox npm start", () => {
  it("starts the simulators, syncs every demo mailbox, prints the URLs, and keeps secrets sealed", async () => {
    dir = await mkdtemp(join(tmpdir(), "bridge-sandbox-"));
    const {
      DATABASE_URL: _a,
      BRIDGE_CONFIG_FILE: _b,
      ZOHO_CLIENT_ID: _c,
      NODE_EXTRA_CA_CERTS: _d,
      ...env
    } = process.env;
    const child = spawn(process.execPath, [BIN, "start"], {
      env: {
        ...env,
        BRIDGE_SANDBOX_DIR: dir,
        BRIDGE_SANDBOX_USERS: "4",
        BRIDGE_SANDBOX_EWS_USERS: "2",
        PORT: "0",
        LOG_LEVEL: "debug",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    const deadline = Date.now() + 110_000;
    while (!output.includes("SANDBOX READY") && Date.now() < deadline && child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    try {
      expect(output).toContain("SANDBOX READY");
      expect(output).toMatch(/sandbox: Office 365 \(Graph\): 4\/4 mailboxes synced, [1-9]\d* items created/);
      expect(output).toMatch(/sandbox: Exchange 2016 \(EWS\): 2\/2 mailboxes synced, [1-9]\d* items created/);
      const base = output.match(/admin console:\s+(http:\/\/[^\s]+)\/admin\//)?.[1];
      expect(base).toBeDefined();
      expect(output).toContain(`${base}/addin/preview.html`);
      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: "ok" });
      const session = (await (await fetch(`${base}/api/admin/session`)).json()) as { installed: boolean };
      expect(session.installed).toBe(true);

      // Push with no configuration: channels open to the HTTPS webhook listener; a contact added in Zoho reaches
      // the paired mailbox through the notification (the 15-minute polling schedule is not in reach).
      expect(output).toMatch(/Office 365 \(Graph\): push: [1-9]\d* channel\(s\) open, webhooks at https:\/\//);
      expect(output).toMatch(/Exchange 2016 \(EWS\): push: [1-9]\d* channel\(s\) open, webhooks at https:\/\//);
      const ca = await readFile(join(dir, "pki", "ca.pem"), "utf8");
      const [, zohoUrl, graphUrl] = output.match(/Zoho simulator:\s+(\S+)\s+Graph simulator:\s+(\S+)/) ?? [];
      const firstMailboxItems = async () => {
        const state = (await simulatorJson(ca, `${graphUrl}/_sim/state`)) as {
          tenants: Array<{ users: Array<{ items: number }> }>;
        };
        return state.tenants[0]?.users[0]?.items ?? 0;
      };
      const before = await firstMailboxItems();
      await simulatorJson(ca, `${zohoUrl}/_sim/act`, {
        module: "Contacts",
        operation: "insert",
        records: [{ First_Name: "Petra", Last_Name: "Pushed", Email: "petra@pushed.example" }],
      });
      await eventually(async () => {
        const deliveries = (await simulatorJson(ca, `${zohoUrl}/_sim/notifications/deliveries`)) as Array<{
          notifyUrl: string;
          status: number | "failed";
        }>;
        return deliveries.find((delivery) => delivery.notifyUrl.startsWith("https://") && delivery.status === 200);
      });
      await eventually(async () => ((await firstMailboxItems()) > before ? true : undefined));
    } finally {
      child.kill("SIGTERM");
      await exited;
    }

    const graphBridge = await storedState(join(dir, "data"));
    expect([...graphBridge.secrets.keys()].sort()).toEqual([
      "exchange.graphClientSecret",
      "zoho.clientSecret",
      "zoho.refreshToken",
    ]);
    expect(graphBridge.users.every((user) => user.status === "succeeded")).toBe(true);

    // The on-premises bridge: EWS 2016 through the impersonation service account, its mailboxes synced.
    const ewsBridge = await storedState(join(dir, "data-onprem"));
    expect([...ewsBridge.secrets.keys()].sort()).toEqual([
      "exchange.password",
      "zoho.clientSecret",
      "zoho.refreshToken",
    ]);
    expect(ewsBridge.connection).toMatchObject({ kind: "ews", serverVersion: "Exchange2016" });
    expect(ewsBridge.users.map((user) => user.mailbox)).toHaveLength(2);
    expect(ewsBridge.users.every((user) => user.status === "succeeded")).toBe(true);
    expect(ewsBridge.created).toBeGreaterThan(0);

    for (const bridge of [graphBridge, ewsBridge]) {
      expect(leakedSecrets(bridge.secrets, bridge.raw)).toEqual([]);
      expect(leakedSecrets(bridge.secrets, output)).toEqual([]);
    }
  }, 150_000);
});
