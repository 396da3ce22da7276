// @vitest-environment node
/**
 * The built add-in in headless Debian Chromium: the sandbox preview page (stub Office host) against a bridge.
 * Here the bridge is the contract-checking stand-in (test/support/contract-bridge.ts); screenshots go to
 * test-results/addin/.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// Debian Chromium with the project's headless flags, shared with the console's browser tests.
import { launchChromium } from "../../../bridge/test/console/browser.js";
import { type ContractBridge, startContractBridge } from "../support/contract-bridge.js";
import { danaContact, meetingBeingOrganised, messageFromDana, messageFromStranger } from "../support/fixtures.js";

const addinDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const screenshots = path.resolve(addinDir, "../test-results/addin");

let distDir: string;
let bridge: ContractBridge;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  distDir = await mkdtemp(path.join(tmpdir(), "addin-dist-"));
  await build({
    root: addinDir,
    configFile: path.join(addinDir, "vite.config.ts"),
    logLevel: "error",
    build: { outDir: distDir },
  });
  bridge = await startContractBridge(distDir);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await mkdir(screenshots, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await bridge?.close();
  if (distDir) await rm(distDir, { recursive: true, force: true });
});

const pane = () => page.getByRole("complementary", { name: "Task pane" });

describe("add-in preview in headless Chromium", () => {
  it("shows the CRM context of an e-mail from a known contact", async () => {
    await page.goto(`${bridge.url}addin/preview.html?mailbox=me@fabrikam.com&item=${messageFromDana.ewsItemId}`);
    const card = pane().getByRole("group", { name: `Contact ${danaContact.name}` });
    await card.waitFor({ timeout: 30_000 });
    expect(await card.getByText("Account: Contoso Ltd").isVisible()).toBe(true);
    expect(await card.getByText(/Contoso renewal 2027 — Negotiation\/Review — \$48,000\.00/).isVisible()).toBe(true);
    await page.screenshot({ path: path.join(screenshots, "1-context.png"), fullPage: true });
  }, 60_000);

  it("sends the e-mail to the contact, its account and deal; the server then reports it as already in CRM", async () => {
    await pane().getByRole("button", { name: "Send to CRM" }).click();
    await pane().getByRole("list", { name: "Send results" }).waitFor();
    expect(bridge.associations.get(messageFromDana.internetMessageId ?? "")?.map((r) => r.module)).toEqual([
      "Contacts",
      "Accounts",
      "Deals",
    ]);
    await pane()
      .getByText(/Already in CRM: Contact Dana Kim, Account Contoso Ltd, Deal Contoso renewal 2027/)
      .waitFor();
    expect(await pane().getByRole("button", { name: "Send to CRM" }).isDisabled()).toBe(true);
    await page.screenshot({ path: path.join(screenshots, "2-sent.png"), fullPage: true });

    // A fresh pane (another device) learns the state from the server, not from browser storage.
    await page.evaluate(() => {
      localStorage.clear();
      sessionStorage.clear();
    });
    await page.reload();
    await pane()
      .getByText(/Already in CRM: Contact Dana Kim/)
      .waitFor({ timeout: 30_000 });
    expect(bridge.associations.get(messageFromDana.internetMessageId ?? "")).toHaveLength(3);
  }, 60_000);

  it("follows the selected item like a pinned pane and creates a lead from an unknown sender", async () => {
    await page.getByRole("button", { name: new RegExp(messageFromStranger.subject) }).click();
    const unknown = pane().getByRole("group", { name: "Not in CRM lee@newco.io" });
    await unknown.waitFor();
    await unknown.getByRole("button", { name: "Create lead" }).click();
    await pane().getByRole("group", { name: "Lead Lee Park" }).waitFor();
    expect(bridge.people.find((p) => p.email === "lee@newco.io")).toMatchObject({
      module: "Leads",
      name: "Lee Park",
      company: "Newco",
    });
    await page.screenshot({ path: path.join(screenshots, "3-lead.png"), fullPage: true });
  }, 60_000);

  it("shows the user's sync status on the Sync tab", async () => {
    await pane().getByRole("tab", { name: "Sync" }).click();
    await pane().getByRole("switch", { name: "Contacts" }).waitFor();
    await page.screenshot({ path: path.join(screenshots, "4-sync.png"), fullPage: true });
    expect(bridge.calls).toContain("mySyncStatus");
  }, 60_000);

  it("in a meeting being organised, shows availability and adds a CRM contact as attendee", async () => {
    await page.getByRole("button", { name: new RegExp(meetingBeingOrganised.subject) }).click();
    await pane().getByRole("tab", { name: "Attendees" }).click();
    await pane().getByRole("img", { name: "lee@newco.io is free" }).waitFor();
    await pane().getByRole("textbox", { name: "Find CRM contacts or leads" }).fill("dana");
    await pane().getByRole("button", { name: "Search" }).click();
    await pane().getByRole("button", { name: "Add" }).click();
    await pane().getByRole("img", { name: "dana@contoso.com is busy at times" }).waitFor();
    expect(bridge.calls).toContain("availability");
    await pane().getByRole("heading", { name: meetingBeingOrganised.subject }).waitFor();
    await page.screenshot({ path: path.join(screenshots, "5-attendees.png"), fullPage: true });
  }, 60_000);

  it("the real task pane page outside Outlook says Office.js is missing instead of staying blank", async () => {
    const outside = await browser.newPage();
    await outside.route("https://appsforoffice.microsoft.com/**", (route) => route.abort());
    await outside.goto(`${bridge.url}addin/taskpane.html`);
    await outside.getByText(/Office\.js did not load/).waitFor();
    await outside.close();
  }, 60_000);
});
