/**
 * The admin journey against the REAL sandbox (bridge/bin/bridge.mjs start: Zoho, Graph and EWS simulators, the
 * bridge server on SQLite, first sync of every demo mailbox), driven through the built console in headless
 * Chromium: sign in through the Zoho simulator's accounts server → settings with a dry run → users → sync now →
 * dashboard counts → a meeting with availability → uninstall. Screenshots: test-results/console-sandbox/.
 *
 * Not covered here: the password update. The sandbox connects Exchange through Graph (app registration), which
 * has no service-account password; the bridge answers 409 not-configured for it, so that step belongs to an EWS
 * sandbox.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureConsoleBuilt, fieldLabel as label, launchChromium, recordAdminTraffic } from "./browser.js";

const BIN = join(import.meta.dirname, "../../bin/bridge.mjs");
const ARTEFACTS = join(import.meta.dirname, "../../../test-results/console-sandbox");
const USERS = 2;
const CONTACTS_PER_USER = 15; // the sandbox's Graph seed (bridge/src/sandbox/sandbox.ts)

let dir: string;
let child: ChildProcess;
let base: string;
let browser: Browser;

async function shoot(page: Page, name: string) {
  await mkdir(ARTEFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTEFACTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bridge-sandbox-journey-"));
  const consoleDir = await ensureConsoleBuilt("sandbox-journey");
  const { DATABASE_URL: _a, BRIDGE_CONFIG_FILE: _b, ZOHO_CLIENT_ID: _c, NODE_EXTRA_CA_CERTS: _d, ...env } = process.env;
  child = spawn(process.execPath, [BIN, "start"], {
    env: {
      ...env,
      BRIDGE_SANDBOX_DIR: dir,
      BRIDGE_SANDBOX_USERS: String(USERS),
      BRIDGE_CONSOLE_DIR: consoleDir,
      PORT: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const deadline = Date.now() + 110_000;
  while (!output.includes("SANDBOX READY") && Date.now() < deadline && child.exitCode === null) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  base = output.match(/admin console:\s+(http:\/\/[^\s]+)\/admin\//)?.[1] ?? "";
  if (!base) throw new Error(`the sandbox did not start:\n${output.slice(-2000)}`);
  browser = await launchChromium();
}, 150_000);

afterAll(async () => {
  await browser?.close();
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("admin journey against the real sandbox", () => {
  it("signs in through Zoho, previews and saves settings, syncs, shows counts, books a meeting, uninstalls", async () => {
    // The simulators serve HTTPS with the sandbox's own CA, which this browser does not know.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const traffic = recordAdminTraffic(page, base);

    await page.goto(`${base}/auth/zoho/login`);
    await page.waitForURL((url) => url.origin === base && url.pathname.startsWith("/admin"));
    await page.getByRole("tab", { name: "Settings" }).click();
    await page.getByRole("heading", { name: "Modules" }).waitFor();
    await page.getByRole("button", { name: /Preview next sync/ }).click();
    await page.getByRole("table", { name: "What the next sync would do" }).waitFor();
    await shoot(page, "01-settings-dry-run");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByText("The next sync uses these settings.").waitFor();

    await page.getByRole("tab", { name: "Users" }).click();
    await page.getByRole("table", { name: "Zoho CRM users" }).waitFor();
    await page.getByText(new RegExp(`^${USERS} of ${USERS} users selected for sync`)).waitFor();
    await page.getByRole("button", { name: "Sync selected users now" }).click();
    await page.getByText(new RegExp(`Sync queued for ${USERS} users`)).waitFor();
    await shoot(page, "02-users");

    await page.getByRole("tab", { name: "Dashboard" }).click();
    const totals = page.getByRole("table", { name: "Synced items per module and direction" });
    await totals.waitFor();
    // Every Graph-seeded contact went to Zoho exactly once in the first sync.
    expect(await totals.locator('[data-row="contacts:exchange-to-zoho"] [data-count="creates"]').textContent()).toBe(
      String(USERS * CONTACTS_PER_USER),
    );
    await shoot(page, "03-dashboard");

    await page.getByRole("tab", { name: "Meetings" }).click();
    await page.getByLabel(label("Subject")).fill("Sandbox review");
    await page.getByLabel(label("Attendees")).fill("Sandbox");
    await page
      .getByRole("button", { name: /\(User\)$/ })
      .last()
      .click();
    await page.getByRole("button", { name: "See availability" }).click();
    await page.getByRole("table", { name: "Attendee availability" }).waitFor();
    await shoot(page, "04-meetings-availability");
    await page.getByRole("button", { name: "Create meeting and send invitations" }).click();
    await page.getByText("1 invitations sent.").waitFor();
    await shoot(page, "05-meeting-created");

    await page.getByRole("tab", { name: "Account" }).click();
    await page.getByRole("button", { name: "Uninstall…" }).click();
    await page.getByLabel(label("Type UNINSTALL to confirm")).fill("UNINSTALL");
    await page.getByRole("dialog").getByRole("button", { name: "Uninstall" }).click();
    await page.getByText("The bridge is uninstalled").waitFor();
    await shoot(page, "06-uninstalled");

    // Only the sign-in leaves the admin API: the redirect through the Zoho simulator's accounts server.
    expect(
      traffic.foreign.filter((url) => !url.includes("/oauth/v2/auth") && !url.startsWith(`${base}/auth/`)),
    ).toEqual([]);
    await context.close();
  }, 180_000);
});
