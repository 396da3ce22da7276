/**
 * The two admin-journey steps sandbox-journey.test.ts cannot cover, against the REAL sandbox's on-premises bridge
 * (bridge/bin/bridge.mjs start runs a second bridge on the EWS 2016 simulator, with an impersonation service
 * account): the setup wizard's Exchange step (EWS URL, service account, password, domain, Basic) with "test
 * connection" succeeding and then naming why a wrong password fails (each step with its own outcome), the
 * impersonation step's PowerShell, and the Account page's password update, which Exchange checks before it is stored:
 * a wrong one is refused with the failing check named and the old one kept (a "test connection" without a typed
 * password uses the stored one, services/connection-tests.ts, and still works), the right one is "updated and
 * checked". Screenshots: test-results/console-sandbox/.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureConsoleBuilt, fieldLabel as label, launchChromium, recordAdminTraffic } from "./browser.js";
import { type RunningSandbox, shootSandbox as shoot, startSandbox } from "./sandbox-process.js";

// The EWS simulator's seeded service account (bridge/simulators/ews/seed.ts, store.ts).
const SERVICE_PASSWORD = "Pa55w.rd";
const SERVICE_DOMAIN = "CONTOSO";
// The first seeded mailbox. Without one the test checks the service account's own mailbox, which the seed does not
// create (the test then fails at "Mailbox": ErrorNonExistentMailbox).
const USER_MAILBOX = "alice@contoso.com";

let sandbox: RunningSandbox | undefined;
let onPremisesBase: string;
let ewsUrl: string;
let browser: Browser;

beforeAll(async () => {
  sandbox = await startSandbox(await ensureConsoleBuilt("sandbox-setup-journey"), {
    BRIDGE_SANDBOX_USERS: "1",
    BRIDGE_SANDBOX_EWS_USERS: "1",
  });
  onPremisesBase =
    sandbox.output.match(/on-premises bridge \(EWS 2016\) console:\s+(http:\/\/[^\s]+)\/admin\//)?.[1] ?? "";
  ewsUrl = sandbox.output.match(/EWS 2016 simulator:\s+(https:\/\/[^\s]+)/)?.[1] ?? "";
  if (!onPremisesBase || !ewsUrl) throw new Error(`the sandbox printed no on-premises URLs:\n${sandbox.output}`);
  browser = await launchChromium();
}, 150_000);

afterAll(async () => {
  await browser?.close();
  await sandbox?.stop();
});

async function openExchangeStep(page: Page): Promise<void> {
  await page.getByRole("tab", { name: "Setup" }).click();
  await page.getByRole("navigation", { name: "Setup steps" }).getByRole("button", { name: "2. Exchange" }).click();
}

/** Opens the wizard's Exchange step and runs "test connection" with the given password (blank: the stored one). */
async function testExchange(page: Page, password: string): Promise<void> {
  await openExchangeStep(page);
  await page.getByLabel(label("Password")).fill(password);
  await page.getByLabel(label("Test against mailbox")).fill(USER_MAILBOX);
  await page.getByRole("button", { name: "Test connection" }).click();
  await page.getByText("Testing the connection…").waitFor({ state: "detached" });
}

/** Account → update the service account's password; resolves with the outcome the page shows. */
async function updatePassword(page: Page, password: string): Promise<string> {
  await page.getByRole("tab", { name: "Account" }).click();
  await page.getByLabel(label("New password")).fill(password);
  await page.getByLabel(label("Repeat the new password")).fill(password);
  await page.getByRole("button", { name: "Update password" }).click();
  const outcome = page.getByText("Password updated and checked.").or(page.getByText("Password not updated"));
  await outcome.waitFor();
  return (await page.getByText("Password updated and checked.").count()) > 0
    ? "updated"
    : ((await page.getByRole("alert").filter({ hasText: "Password not updated" }).textContent()) ?? "");
}

describe("on-premises setup and password update against the real sandbox", () => {
  it("tests the EWS connection step by step, shows the impersonation PowerShell, and checks a new password before storing it", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const traffic = recordAdminTraffic(page, onPremisesBase);

    await page.goto(`${onPremisesBase}/auth/zoho/login`);
    await page.waitForURL((url) => url.origin === onPremisesBase && url.pathname.startsWith("/admin"));

    // Exchange step, typed in full as an admin would: EWS URL, service account, password, domain, Basic.
    await openExchangeStep(page);
    await page.getByRole("radio", { name: /On-premises Exchange/ }).check();
    await page.getByRole("radio", { name: "Enter the EWS URL" }).check();
    await page.getByLabel(label("EWS URL")).fill(ewsUrl);
    const serviceAccount = await page.getByLabel(label("E-mail address")).inputValue();
    expect(serviceAccount).toMatch(/^svc-crm@/);
    await page.getByLabel(label("E-mail address")).fill(serviceAccount);
    await page.getByLabel(label("Password")).fill(SERVICE_PASSWORD);
    await page.getByLabel(label("Domain")).fill(SERVICE_DOMAIN);
    await page.getByRole("radio", { name: "Basic" }).check();
    await page.getByLabel(label("Test against mailbox")).fill(USER_MAILBOX);
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByText("Connection works").waitFor();
    await shoot(page, "10-onprem-exchange-test-ok");

    await page.getByLabel(label("Password")).fill("not-the-password");
    await page.getByRole("button", { name: "Test connection" }).click();
    const failure = page.getByRole("alert").filter({ hasText: /failed \(/ });
    await failure.waitFor();
    // The reason names the credentials, not just "failed"; each step says its own outcome.
    expect(await failure.textContent()).toMatch(/password/i);
    const outcomes = page.getByRole("list", { name: "Connection test steps" }).locator("[data-outcome]");
    expect(await outcomes.allTextContents()).toEqual([
      "— Passed",
      expect.stringMatching(/^— Failed: .+/),
      "— Skipped because the authentication check failed first",
      "— Skipped because the authentication check failed first",
    ]);
    await shoot(page, "11-onprem-exchange-test-wrong-password");

    // Impersonation step: the Exchange Management Shell command to copy.
    await page.getByRole("navigation", { name: "Setup steps" }).getByRole("button", { name: "3. Credentials" }).click();
    await page.getByRole("button", { name: "Copy On-premises Exchange Management Shell" }).waitFor();
    await expect
      .poll(() => page.locator("pre").first().textContent())
      .toMatch(/New-ManagementRoleAssignment[\s\S]*-Role:ApplicationImpersonation/);
    await shoot(page, "12-onprem-impersonation-powershell");

    // Account → password update. Exchange refuses a wrong one: it is not stored, and the page says which check
    // failed…
    const refused = await updatePassword(page, "an-outdated-password");
    expect(refused).toMatch(
      /the authentication check against Exchange failed \(invalid-credentials\).*The old password is kept/,
    );
    await shoot(page, "13-onprem-password-refused");
    // …so the stored password still works…
    await testExchange(page, "");
    await page.getByText("Connection works").waitFor();
    // …and the right one is checked and stored.
    expect(await updatePassword(page, SERVICE_PASSWORD)).toBe("updated");
    await shoot(page, "14-onprem-password-updated");
    await testExchange(page, "");
    await page.getByText("Connection works").waitFor();
    await shoot(page, "15-onprem-exchange-test-with-updated-password");

    expect(
      traffic.foreign.filter((url) => !url.includes("/oauth/v2/auth") && !url.startsWith(`${onPremisesBase}/auth/`)),
    ).toEqual([]);
    // No secret comes back from the admin API.
    expect(traffic.bodies.join("\n")).not.toContain(SERVICE_PASSWORD);
    await context.close();
  }, 180_000);
});
