/**
 * Two bridge server processes (the real entry point, `bridge serve`) on one PostgreSQL database: exactly one owns
 * the push channels — the second opens none while the first lives — and when the owner dies (SIGKILL: no shutdown
 * code runs; PostgreSQL ends its session and with it the advisory lock) the other takes the stored channels over:
 * one per side and module again, never duplicates, and push works through it. Push is served over the webhook
 * HTTPS listener of each process (BRIDGE_WEBHOOK_TLS_*).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { dropPostgresSchema } from "../../src/storage/database.js";
import { eventually, type OneUserBridge, openOneUserBridge } from "../support/one-user-bridge.js";
import { databaseUrl, describeWithPostgres } from "../support/postgres.js";

const BIN = join(import.meta.dirname, "../../bin/bridge.mjs");

describeWithPostgres("push channels: one owner among server processes", () => {
  const schema = `p_${randomBytes(4).toString("hex")}`;
  const children: ChildProcess[] = [];
  let setup: OneUserBridge;
  let certDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    setup = await openOneUserBridge({
      modules: ["contacts"],
      env: { DATABASE_URL: databaseUrl ?? "", BRIDGE_DB_SCHEMA: schema },
    });
    certDir = await mkdtemp(join(tmpdir(), "bridge-webhook-tls-"));
    await writeFile(join(certDir, "cert.pem"), setup.pki.certPem);
    await writeFile(join(certDir, "key.pem"), setup.pki.keyPem);
    env = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      BRIDGE_DB_SCHEMA: schema,
      BRIDGE_SECRET_KEY: setup.runtime.config.keySource.envKey,
      BRIDGE_GRAPH_URL: setup.graph.url,
      ENTRA_AUTHORITY_HOST: setup.graph.url,
      PORT: "0",
      BRIDGE_WEBHOOK_TLS_CERT_FILE: join(certDir, "cert.pem"),
      BRIDGE_WEBHOOK_TLS_KEY_FILE: join(certDir, "key.pem"),
      BRIDGE_WEBHOOK_PORT: "0",
      BRIDGE_PUSH_MAINTENANCE_SECONDS: "0.5",
      BRIDGE_JOB_POLL_SECONDS: "0.5",
      LOG_LEVEL: "info",
    };
  }, 60_000);

  afterAll(async () => {
    const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
    const exited = running.map((child) => new Promise((done) => child.once("exit", done)));
    for (const child of running) child.kill("SIGKILL");
    await Promise.all(exited);
    await setup?.close();
    await dropPostgresSchema(databaseUrl ?? "", schema);
    await dropPostgresSchema(databaseUrl ?? "", `${schema}_jobs`);
    await rm(certDir, { recursive: true, force: true });
  });

  /** Starts `bridge serve`; resolves once it listens. */
  async function serve(): Promise<ChildProcess> {
    const child = spawn(process.execPath, [BIN, "serve"], { env, stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let log = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      log += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      log += chunk.toString();
    });
    await eventually(() => {
      if (child.exitCode !== null) throw new Error(`bridge serve exited: ${log}`);
      return log.includes("bridge listening") ? true : undefined;
    }, 40_000);
    return child;
  }

  const zohoCalls = (endpoint: string) => setup.zoho.control.callCounts()[endpoint] ?? 0;

  it("opens the channels in one process only, and the other takes them over when the owner dies", async () => {
    const first = await serve();
    await eventually(async () => ((await setup.runtime.storage.subscriptions.list()).length === 2 ? true : undefined));
    const [subscription] = setup.graph.control.subscriptions();
    expect(setup.graph.control.subscriptions()).toHaveLength(1);
    expect(zohoCalls("notifications.post")).toBe(1);

    await serve();
    await sleep(2_000); // four maintenance rounds of the second process
    expect(setup.graph.control.subscriptions()).toHaveLength(1);
    expect(zohoCalls("notifications.post")).toBe(1);
    expect(await setup.runtime.storage.subscriptions.list()).toHaveLength(2);

    // The owner dies. Each process here has its own webhook listener (a deployment would put one public URL in
    // front of them all, and the new owner would renew the channels), so the new owner replaces them: deletes the
    // old ones remotely and opens its own, exactly one per side and module again.
    first.kill("SIGKILL");
    await eventually(() => {
      const [current] = setup.graph.control.subscriptions();
      return zohoCalls("notifications.post") === 2 && current && current.id !== subscription?.id ? true : undefined;
    });
    expect(setup.graph.control.subscriptions()).toHaveLength(1);
    expect(zohoCalls("notifications.delete")).toBe(1);
    await eventually(async () => ((await setup.runtime.storage.subscriptions.list()).length === 2 ? true : undefined));

    // Push works through the new owner: a Zoho edit reaches the mailbox with no polling in reach.
    setup.zoho.control
      .actAs()
      .insert("Contacts", [{ First_Name: "Olga", Last_Name: "Owner", Email: "olga@acme.example" }]);
    await eventually(() =>
      setup.graph.control.items(setup.mailbox, "contact").find((item) => item.surname === "Owner"),
    );
  }, 90_000);
});
