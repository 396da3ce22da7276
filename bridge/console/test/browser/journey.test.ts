// @vitest-environment node
/**
 * The admin journey in headless Chromium (playwright-core driving Debian's /usr/bin/chromium): setup wizard →
 * settings with dry run → select users → first sync → dashboard counts → meeting with availability → password
 * update → uninstall, at 1280×800, plus the narrow Zoho Web Tab width. Screenshots of each page go to
 * test-results/console/. It also proves the page calls nothing but the admin API and never receives a secret back.
 *
 * Target: the built console served with the stateful contract stand-in (support/scenario.ts).
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BridgeUser } from "../../../src/api/admin.js";
import {
  ensureConsoleBuilt,
  fieldLabel as label,
  launchChromium,
  recordAdminTraffic,
  screenshot,
} from "../../../test/console/browser.js";
import { ewsConnection, users } from "../support/fixtures.js";
import { createScenario } from "../support/scenario.js";
import { startStubBridge } from "../support/stubBridge.js";

const SECRETS = ["Zoho-Secret-123", "Exch-P@ssw0rd", "N3w-P@ssw0rd"];

let browser: Browser;
let bridge: Awaited<ReturnType<typeof startStubBridge>>;

beforeAll(async () => {
  bridge = await startStubBridge(createScenario(), await ensureConsoleBuilt("journey"));
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await bridge?.close();
});

const shoot = (page: Page, name: string) => screenshot(page, name);

describe("admin journey in Chromium", () => {
  it("runs setup → settings → users → sync → dashboard → meeting → password → uninstall", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(10_000);
    const { foreign, bodies } = recordAdminTraffic(page, bridge.url);

    await page.goto(`${bridge.url}/admin/`);
    // 1. Zoho
    await page.getByRole("heading", { name: "1. Connect Zoho CRM" }).waitFor();
    await page.getByLabel(label("Data centre")).selectOption("EU");
    await page.getByLabel(label("Client ID")).fill("1000.CLIENT");
    await page.getByLabel(label("Client secret")).fill(SECRETS[0] as string);
    await page.getByLabel(label("Grant code")).fill("1000.grant.code");
    await page.getByRole("button", { name: "Connect Zoho CRM" }).click();
    await page.getByText("Connected", { exact: true }).waitFor();
    await shoot(page, "01-setup-zoho");
    await page.getByRole("button", { name: "Next" }).click();
    // 2. Exchange, with a connection test
    await page.getByRole("heading", { name: "2. Connect Exchange" }).waitFor();
    await page.getByRole("radio", { name: "Enter the EWS URL" }).check();
    await page.getByLabel(label("EWS URL")).fill("https://mail.contoso.com/EWS/Exchange.asmx");
    await page.getByLabel(label("E-mail address")).fill("svc-bridge@contoso.com");
    await page.getByLabel(label("Password")).fill(SECRETS[1] as string);
    await page.getByLabel(label("Domain")).fill("CONTOSO");
    await page.getByRole("radio", { name: "NTLM" }).check();
    await page.getByLabel(label("Test against mailbox")).fill("ben@contoso.com");
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByText("Connection works").waitFor();
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Exchange connection saved.").waitFor();
    await shoot(page, "02-setup-exchange");
    await page.getByRole("button", { name: "Next" }).click();
    // 3. Credentials: the commands to copy
    await page.getByText("On-premises Exchange Management Shell").waitFor();
    await shoot(page, "03-setup-credentials");
    await page.getByRole("button", { name: "Next" }).click();
    // 4. Access
    await page.getByRole("radio", { name: "Zoho CRM administrators only" }).check();
    await shoot(page, "04-setup-access");
    await page.getByRole("button", { name: /Save and continue/ }).click();

    // Settings with a dry run before saving
    await page.getByRole("heading", { name: "Modules" }).waitFor();
    await page.getByRole("switch", { name: "Sync Tasks" }).check();
    await page.getByRole("button", { name: /Preview next sync/ }).click();
    await page.getByRole("table", { name: "What the next sync would do" }).waitFor();
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByText("The next sync uses these settings.").waitFor();
    await shoot(page, "05-settings-dry-run");

    // Users: bulk select (only active), then the first sync
    await page.getByRole("tab", { name: "Users" }).click();
    await page.getByRole("checkbox", { name: "Select all active users shown" }).check();
    expect(await page.getByRole("checkbox", { name: "Sync Cleo Former" }).isChecked()).toBe(false);
    await page.getByRole("button", { name: /Save selection/ }).click();
    await page.getByText("2 of 3 users selected for sync.", { exact: false }).waitFor();
    await page.getByRole("button", { name: "Sync selected users now" }).click();
    await page.getByText(/Sync queued for 2 users/).waitFor();
    await shoot(page, "06-users");

    // Dashboard: the counts of the first sync
    await page.getByRole("tab", { name: "Dashboard" }).click();
    const totals = page.getByRole("table", { name: "Synced items per module and direction" });
    await totals.waitFor();
    expect(await totals.locator('[data-row="contacts:zoho-to-exchange"] [data-count="creates"]').textContent()).toBe(
      "42",
    );
    await page.getByText(/Throttled by Exchange until/).waitFor();
    await shoot(page, "07-dashboard");

    // Meeting with availability
    await page.getByRole("tab", { name: "Meetings" }).click();
    await page.getByLabel(label("Subject")).fill("Quarterly review");
    await page.getByLabel(label("Attendees")).fill("bob");
    await page.getByRole("button", { name: /Add Bob Buyer/ }).click();
    await page.getByRole("button", { name: "See availability" }).click();
    await page.getByRole("table", { name: "Attendee availability" }).waitFor();
    await page.getByRole("button", { name: "Start at 11:00" }).click();
    await shoot(page, "08-meetings");
    await page.getByRole("button", { name: "Create meeting and send invitations" }).click();
    await page.getByText("1 invitations sent.").waitFor();

    // Account: password update, then uninstall
    await page.getByRole("tab", { name: "Account" }).click();
    await page.getByLabel(label("New password")).fill(SECRETS[2] as string);
    await page.getByLabel(label("Repeat the new password")).fill(SECRETS[2] as string);
    await page.getByRole("button", { name: "Update password" }).click();
    await page.getByText("Password updated and checked.").waitFor();
    await shoot(page, "09-account");
    await page.getByRole("button", { name: "Uninstall…" }).click();
    await page.getByLabel(label("Type UNINSTALL to confirm")).fill("UNINSTALL");
    await page.getByRole("dialog").getByRole("button", { name: "Uninstall" }).click();
    await page.getByText("The bridge is uninstalled").waitFor();
    await shoot(page, "10-uninstalled");

    expect(foreign).toEqual([]);
    for (const body of bodies) for (const secret of SECRETS) expect(body).not.toContain(secret);
    for (const secret of SECRETS) expect(await page.content()).not.toContain(secret);
    await page.close();
  }, 120_000);

  it("moves between pages and through a form with the keyboard alone", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(10_000);
    await page.goto(`${bridge.url}/admin/#/dashboard`);
    await page.getByRole("tab", { name: "Dashboard" }).focus();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Schedule a meeting" }).waitFor();
    expect(new URL(page.url()).hash).toBe("#/meetings");
    await page.getByLabel(label("Subject")).focus();
    await page.keyboard.type("Call");
    await page.keyboard.press("Tab");
    const location = page.getByLabel(label("Location"));
    expect(await location.evaluate((element) => element === document.activeElement)).toBe(true);
    await page.close();
  }, 60_000);

  it("keeps every form control inside its own field, whatever the length of the users' names", async () => {
    // A select is as wide as its longest option: a long organiser or user once ran over the next field.
    const long = {
      ...users[0],
      name: "Maximilian Alexander Featherstonehaugh-Montgomery",
      mailbox: "maximilian.featherstonehaugh-montgomery@northwind-international.example",
    } as BridgeUser;
    const wide = await startStubBridge(
      { ...createScenario(), exchangeConnection: () => ewsConnection, users: () => ({ users: [long] }) },
      await ensureConsoleBuilt("journey"),
    );
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      for (const [name, field] of [
        ["account", "Whose password"],
        ["meetings", "Organizer"],
      ] as const) {
        await page.goto(`${wide.url}/admin/#/${name}`);
        await page.getByText(long.name, { exact: false }).first().waitFor({ state: "attached" });
        await page.getByText(field).first().waitFor();
        await shoot(page, `fields-${name}`);
        // Evaluated in the browser (this file is type-checked without the DOM library).
        const overflowing = await page.evaluate<string[]>(`[...document.querySelectorAll(".fui-Field")].flatMap((f) => {
          const edge = f.getBoundingClientRect().right + 1;
          return [...f.querySelectorAll("input, select, textarea")]
            .filter((control) => control.getBoundingClientRect().right > edge)
            .map(() => f.querySelector("label")?.textContent ?? "?");
        })`);
        expect({ name, overflowing }).toEqual({ name, overflowing: [] });
      }
    } finally {
      await page.close();
      await wide.close();
    }
  }, 60_000);

  it("fits a narrow Zoho Web Tab without horizontal scrolling of the page", async () => {
    const page = await browser.newPage({ viewport: { width: 420, height: 800 } });
    for (const name of ["dashboard", "users", "settings", "meetings"]) {
      await page.goto(`${bridge.url}/admin/#/${name}`);
      await page.getByRole("navigation", { name: "Console pages" }).waitFor();
      await page.waitForLoadState("networkidle");
      await shoot(page, `narrow-${name}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect({ name, overflow }).toEqual({ name, overflow: 0 });
    }
    await page.close();
  }, 60_000);
});
