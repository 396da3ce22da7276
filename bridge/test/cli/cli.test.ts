/** The CLI through the real entry point (bridge/bin/bridge.mjs) on a SQLite data directory. */
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSecretBox } from "../../src/security/secret-box.js";
import { openStorage } from "../../src/storage/index.js";
import { type OneUserBridge, openOneUserBridge } from "../support/one-user-bridge.js";

const run = promisify(execFile);
const BIN = join(import.meta.dirname, "../../bin/bridge.mjs");
let dataDir: string;

async function bridge(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { DATABASE_URL: _ignored, ...env } = process.env;
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...env, BRIDGE_DATA_DIR: dataDir, LOG_LEVEL: "silent" },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "bridge-cli-"));
  const keyFile = join(dataDir, "secret.key");
  const storage = await openStorage(
    { kind: "sqlite", file: join(dataDir, "bridge.sqlite") },
    await loadSecretBox({ keyFile }),
  );
  await storage.users.syncFromZoho([
    {
      zohoUserId: "z1",
      email: "ann@example.com",
      fullName: "Ann Lee",
      profileId: "p1",
      profile: "Administrator",
      active: true,
    },
  ]);
  await storage.secrets.put("exchange.password", `pw-${randomBytes(4).toString("hex")}`);
  await storage.secrets.put("zoho.refreshToken", "1000.refresh");
  await storage.close();
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe("bridge CLI", () => {
  it("lists users and status", async () => {
    const users = await bridge("users");
    expect(users.stdout).toMatch(/^z1\tann@example\.com\tAnn Lee\t-\tpending$/m);
    const status = await bridge("status");
    expect(status.stdout).toContain("users: 1 known, 0 syncing");
  });

  it("rotates the key: every secret re-sealed, still readable with the new key only", async () => {
    const before = await loadSecretBox({ keyFile: join(dataDir, "secret.key") });
    const rotated = await bridge("rotate-key");
    expect(rotated.stdout).toMatch(/re-sealed 2 secret\(s\) under new key/);
    const after = await loadSecretBox({ keyFile: join(dataDir, "secret.key") });
    expect(after.activeKeyId).not.toBe(before.activeKeyId);
    const storage = await openStorage({ kind: "sqlite", file: join(dataDir, "bridge.sqlite") }, after);
    expect(await storage.secrets.get("zoho.refreshToken")).toBe("1000.refresh");
    await storage.close();
  });

  it("stops quietly when its reader closes the pipe early (bridge users | head)", async () => {
    const { DATABASE_URL: _ignored, ...env } = process.env;
    const child = spawn(process.execPath, [BIN, "users"], {
      env: { ...env, BRIDGE_DATA_DIR: dataDir, LOG_LEVEL: "silent" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = await once(child, "exit");
    expect(stderr).not.toContain("EPIPE");
    expect(code).toBe(0);
  });

  it("fails clearly for an unknown user", async () => {
    const unknown = await bridge("sync", "nobody@example.com", "--dry-run");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no user nobody@example.com");
  });
});

describe("bridge sync against the simulators", () => {
  let setup: OneUserBridge;

  beforeAll(async () => {
    setup = await openOneUserBridge({ modules: ["contacts"] });
    setup.zoho.control
      .actAs()
      .insert("Contacts", [{ First_Name: "Carla", Last_Name: "Customer", Email: "carla@acme.example" }]);
  }, 60_000);

  afterAll(async () => {
    await setup?.close();
  });

  it("previews with --dry-run (nothing written), then syncs the user's mailbox", async () => {
    const { DATABASE_URL: _sqlite, ...inherited } = process.env;
    const sync = (...args: string[]) =>
      run(process.execPath, [BIN, "sync", setup.mailbox, ...args], {
        env: { ...inherited, ...setup.env, LOG_LEVEL: "silent", NODE_EXTRA_CA_CERTS: setup.pki.caCertFile },
      });
    const contacts = () => setup.graph.control.items(setup.mailbox, "contact");

    const preview = await sync("--dry-run");
    expect(preview.stdout).toMatch(/^contacts: completed planned .*"exchange":\{"creates":1,/m);
    expect(contacts()).toHaveLength(0);

    const synced = await sync();
    expect(synced.stdout).toMatch(/^contacts: completed/m);
    expect(contacts().map((contact) => contact.surname)).toEqual(["Customer"]);
  });
});
