/**
 * Runs the real sandbox (bridge/bin/bridge.mjs start) as a child process for the console's journey tests: clean
 * environment (SQLite, its own PKI and config), waits for "SANDBOX READY", and stops it with SIGTERM. Also saves
 * the journey's screenshots under test-results/console-sandbox/.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";

const BIN = join(import.meta.dirname, "../../bin/bridge.mjs");
const ARTEFACTS = join(import.meta.dirname, "../../../test-results/console-sandbox");
const READY_WITHIN_MS = 110_000;

export interface RunningSandbox {
  /** Everything the sandbox printed up to "SANDBOX READY" (its URLs). */
  output: string;
  stop(): Promise<void>;
}

/** Starts the sandbox serving the console built in `consoleDir`, with `env` (e.g. mailbox counts) on top. */
export async function startSandbox(consoleDir: string, env: Record<string, string>): Promise<RunningSandbox> {
  const dir = await mkdtemp(join(tmpdir(), "bridge-sandbox-"));
  const {
    DATABASE_URL: _a,
    BRIDGE_CONFIG_FILE: _b,
    ZOHO_CLIENT_ID: _c,
    NODE_EXTRA_CA_CERTS: _d,
    ...inherited
  } = process.env;
  const child: ChildProcess = spawn(process.execPath, [BIN, "start"], {
    env: { ...inherited, ...env, BRIDGE_SANDBOX_DIR: dir, BRIDGE_CONSOLE_DIR: consoleDir, PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + READY_WITHIN_MS;
  while (!output.includes("SANDBOX READY") && Date.now() < deadline && child.exitCode === null) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (!output.includes("SANDBOX READY")) {
    await stop();
    throw new Error(`the sandbox did not start:\n${output.slice(-2000)}`);
  }
  return { output, stop };
}

export async function shootSandbox(page: Page, name: string): Promise<void> {
  await mkdir(ARTEFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTEFACTS, `${name}.png`), fullPage: true });
}
