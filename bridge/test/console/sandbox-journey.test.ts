/**
 * The admin journey against the REAL sandbox (bridge/bin/bridge.mjs start: Zoho, Graph and EWS simulators, the
 * bridge server on SQLite, first sync of every demo mailbox), driven through the built console in headless
 * Chromium: sign in through the Zoho simulator's accounts server → setup wizard (Zoho connected again through the
 * consent redirect of the chosen data centre, the Exchange connection tested) → settings with a dry run → users (one
 * taken out of sync and back in, saved) → sync now → dashboard counts, checked against what the Zoho and Graph
 * simulators hold → a meeting with availability, found in both simulators → the pages in a narrow Web Tab →
 * uninstall. Screenshots: test-results/console-sandbox/.
 *
 * The password update needs an on-premises (EWS) connection: sandbox-setup-journey.test.ts covers it.
 */
import type { APIRequestContext, Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CLIENT } from "../../simulators/zoho/index.js";
import { ensureConsoleBuilt, fieldLabel as label, launchChromium, recordAdminTraffic } from "./browser.js";
import { type RunningSandbox, shootSandbox as shoot, startSandbox } from "./sandbox-process.js";

const USERS = 2;
const NARROW = { width: 480, height: 800 };

let sandbox: RunningSandbox | undefined;
let base: string;
let zohoUrl: string;
let graphUrl: string;
/** Zoho records created after this instant were written by the bridge (the seed dates its records in the past). */
let sandboxStartedAt: number;
let browser: Browser;

beforeAll(async () => {
  const consoleDir = await ensureConsoleBuilt("sandbox-journey");
  sandboxStartedAt = Date.now();
  // No on-premises mailboxes: the sandbox's second (EWS) bridge would write contacts into the same Zoho org.
  sandbox = await startSandbox(consoleDir, { BRIDGE_SANDBOX_USERS: String(USERS), BRIDGE_SANDBOX_EWS_USERS: "0" });
  base = sandbox.output.match(/admin console:\s+(http:\/\/[^\s]+)\/admin\//)?.[1] ?? "";
  zohoUrl = sandbox.output.match(/Zoho simulator:\s+(https:\/\/[^\s]+)/)?.[1] ?? "";
  graphUrl = sandbox.output.match(/Graph simulator:\s+(https:\/\/[^\s]+)/)?.[1] ?? "";
  if (!base || !zohoUrl || !graphUrl) throw new Error(`the sandbox printed no URLs:\n${sandbox.output}`);
  browser = await launchChromium();
}, 150_000);

afterAll(async () => {
  await browser?.close();
  await sandbox?.stop();
});

/** What the simulators hold, read through their /_sim control APIs (not through the bridge). */
async function simulatorContacts(request: APIRequestContext) {
  const zoho = (await (await request.get(`${zohoUrl}/_sim/state`)).json()) as {
    records: { Contacts: Array<{ Created_Time: string }> };
  };
  const graph = (await (await request.get(`${graphUrl}/_sim/state`)).json()) as {
    tenants: Array<{ users: Array<{ mail: string }> }>;
  };
  const mailboxes = graph.tenants.flatMap((tenant) => tenant.users.map((user) => user.mail));
  let inExchange = 0;
  for (const mailbox of mailboxes) {
    const listed = await request.get(`${graphUrl}/_sim/mailboxes/${encodeURIComponent(mailbox)}/contacts`);
    inExchange += ((await listed.json()) as { value: unknown[] }).value.length;
  }
  return {
    mailboxes: mailboxes.length,
    createdInZoho: zoho.records.Contacts.filter((record) => Date.parse(record.Created_Time) >= sandboxStartedAt - 1000)
      .length,
    inExchange,
  };
}

async function dashboardCount(page: Page, row: string): Promise<number> {
  const totals = page.getByRole("table", { name: "Synced items per module and direction" });
  return Number(await totals.locator(`[data-row="${row}"] [data-count="creates"]`).textContent());
}

/** Reloads the dashboard until every selected mailbox is in sync (the manual sync has finished). */
async function waitUntilInSync(page: Page): Promise<void> {
  const mailboxes = page.getByRole("table", { name: "Mailboxes" });
  await expect
    .poll(
      async () => {
        await page.getByRole("button", { name: "Refresh" }).click();
        await page.getByText("Refreshing").waitFor({ state: "detached" });
        return mailboxes.getByText("In sync", { exact: true }).count();
      },
      { timeout: 60_000, interval: 1000 },
    )
    .toBe(USERS);
}

describe("admin journey against the real sandbox", () => {
  it("connects Zoho through the consent redirect, previews, syncs, shows the simulators' counts, books a meeting, uninstalls", async () => {
    // The simulators serve HTTPS with the sandbox's own CA, which this browser does not know.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const traffic = recordAdminTraffic(page, base);
    const requested: string[] = [];
    page.on("request", (request) => requested.push(request.url()));

    await page.goto(`${base}/auth/zoho/login`);
    await page.waitForURL((url) => url.origin === base && url.pathname.startsWith("/admin"));

    // The sandbox is set up as an admin would leave it: every wizard step done.
    await page.getByRole("tab", { name: "Setup" }).click();
    const stepper = page.getByRole("navigation", { name: "Setup steps" });
    await stepper.waitFor();
    expect(await stepper.locator("button svg").count()).toBe(4);
    const setup = (await (await context.request.get(`${base}/api/admin/setup`)).json()) as { next: string | null };
    expect(setup.next).toBeNull();

    // Setup wizard, Zoho step: the data centre, the client, and Zoho's consent page (the simulator approves and
    // redirects back to the bridge's callback with a code for this data centre's accounts server).
    await page.getByRole("tab", { name: "Setup" }).click();
    await page.getByRole("navigation", { name: "Setup steps" }).getByRole("button", { name: "1. Zoho CRM" }).click();
    await page.getByRole("combobox", { name: label("Data centre") }).selectOption("US");
    await page.getByLabel(label("Client ID")).fill(DEFAULT_CLIENT.clientId);
    await page.getByLabel(label("Client secret")).fill(DEFAULT_CLIENT.clientSecret);
    await page.getByRole("radio", { name: /Sign in with Zoho/ }).check();
    await shoot(page, "01-setup-zoho");
    await page.getByRole("button", { name: "Connect Zoho CRM" }).click();
    await page.waitForURL((url) => url.origin === base && url.hash === "#/setup");
    // Back from Zoho, the wizard opens at the first incomplete step: go back to the Zoho one to see the outcome.
    await page.getByRole("navigation", { name: "Setup steps" }).getByRole("button", { name: "1. Zoho CRM" }).click();
    await page.getByText(/\(US, https:\/\/[^)]+\) as /).waitFor();
    const consent = traffic.foreign.find((url) => url.includes("/oauth/v2/auth") && url.includes("prompt=consent"));
    expect(consent).toBeDefined();
    expect(new URL(consent ?? "").pathname).toBe("/us/accounts/oauth/v2/auth");
    expect(requested.some((url) => url.startsWith(`${base}/api/admin/zoho/oauth/callback?code=`))).toBe(true);
    await shoot(page, "02-setup-zoho-connected");

    // Exchange step: the saved Graph connection, tested against a mailbox; each step says its own outcome.
    await page.getByRole("navigation", { name: "Setup steps" }).getByRole("button", { name: "2. Exchange" }).click();
    const { mailboxes } = await simulatorContacts(context.request);
    expect(mailboxes).toBe(USERS);
    const graphState = (await (await context.request.get(`${graphUrl}/_sim/state`)).json()) as {
      tenants: Array<{ users: Array<{ mail: string }> }>;
    };
    await page.getByLabel(label("Test against mailbox")).fill(graphState.tenants[0]?.users[0]?.mail ?? "");
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByText("Connection works").waitFor();
    const steps = page.getByRole("list", { name: "Connection test steps" });
    expect(await steps.locator("[data-outcome]").allTextContents()).toEqual(["— Passed", "— Passed", "— Passed"]);
    await shoot(page, "03-setup-exchange-tested");

    await page.getByRole("tab", { name: "Settings" }).click();
    await page.getByRole("heading", { name: "Modules" }).waitFor();
    // Everything is in sync after the sandbox's first sync; trying "all the org's contacts in every mailbox" (not
    // saved) previews what that would create, then the admin keeps "only records the user owns".
    await page.getByRole("button", { name: "Contacts filters" }).click();
    const ownedOnly = page.getByRole("checkbox", { name: "Only records the user owns in Zoho" }).first();
    await ownedOnly.uncheck();
    await page.getByRole("button", { name: /Preview next sync/ }).click();
    await page.getByRole("table", { name: "What the next sync would do" }).waitFor();
    await shoot(page, "04-settings-dry-run");
    await ownedOnly.check();
    // Saving needs a preview of exactly what is saved.
    await page.getByRole("button", { name: /Preview next sync/ }).click();
    await page.getByText("The next sync would change nothing.").waitFor();
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByText("The next sync uses these settings.").waitFor();

    await page.getByRole("tab", { name: "Users" }).click();
    await page.getByRole("table", { name: "Zoho CRM users" }).waitFor();
    // Connecting Zoho imported every active user of the org; the sandbox selected one per Graph mailbox.
    await page.getByText(new RegExp(`^${USERS} of \\d+ users selected for sync`)).waitFor();
    // The admin takes one user out of sync and back in, each saved through the bridge (read back on reload).
    const selected = page.getByRole("checkbox", { name: /^Sync /, checked: true }).last();
    const secondName = ((await selected.getAttribute("aria-label")) ?? "").replace(/^Sync /, "");
    await page.getByRole("checkbox", { name: `Sync ${secondName}` }).uncheck();
    await page.getByRole("button", { name: "Save selection (1 changes)" }).click();
    await page.getByText(new RegExp(`^${USERS - 1} of \\d+ users selected for sync`)).waitFor();
    await page.reload();
    await page.getByText(new RegExp(`^${USERS - 1} of \\d+ users selected for sync`)).waitFor();
    expect(await page.getByRole("checkbox", { name: `Sync ${secondName}` }).isChecked()).toBe(false);
    await page.getByRole("checkbox", { name: `Sync ${secondName}` }).check();
    await page.getByRole("button", { name: "Save selection (1 changes)" }).click();
    await page.getByText(new RegExp(`^${USERS} of \\d+ users selected for sync`)).waitFor();
    await page.getByRole("button", { name: "Sync selected users now" }).click();
    await page.getByText(new RegExp(`Sync queued for ${USERS} users`)).waitFor();
    await shoot(page, "05-users");

    await page.getByRole("tab", { name: "Dashboard" }).click();
    await waitUntilInSync(page);
    // Every contact the dashboard says went to Zoho is a Zoho record created since the sandbox started, and every
    // contact in the synced Exchange mailboxes either came from Zoho or was sent there.
    const simulators = await simulatorContacts(context.request);
    const toZoho = await dashboardCount(page, "contacts:exchange-to-zoho");
    const toExchange = await dashboardCount(page, "contacts:zoho-to-exchange");
    expect(toZoho).toBeGreaterThan(0);
    expect(toZoho).toBe(simulators.createdInZoho);
    expect(toZoho + toExchange).toBe(simulators.inExchange);
    await shoot(page, "06-dashboard");

    // Keyboard: from the Dashboard tab, the arrow key moves to Meetings and Enter opens it.
    await page.getByRole("tab", { name: "Dashboard" }).focus();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Enter");
    await page.getByLabel(label("Subject")).fill("Sandbox review");
    await page.getByLabel(label("Attendees")).fill("Sandbox");
    await page
      .getByRole("button", { name: /\(User\)$/ })
      .last()
      .click();
    await page.getByRole("button", { name: "See availability" }).click();
    await page.getByRole("table", { name: "Attendee availability" }).waitFor();
    await shoot(page, "07-meetings-availability");
    await page.getByRole("button", { name: "Create meeting and send invitations" }).click();
    await page.getByText("1 invitations sent.").waitFor();
    await shoot(page, "08-meeting-created");
    // Created where it was asked for: one Zoho Event, and Exchange sent the invitation.
    const zohoEvents = (await (await context.request.get(`${zohoUrl}/_sim/state`)).json()) as {
      records: { Events: Array<{ Event_Title: string }> };
    };
    expect(zohoEvents.records.Events.filter((event) => event.Event_Title === "Sandbox review")).toHaveLength(1);
    const invitations = (await (await context.request.get(`${graphUrl}/_sim/invitations`)).json()) as {
      value: Array<{ kind: string; subject: string }>;
    };
    expect(
      invitations.value.filter((sent) => sent.kind === "meetingRequest" && sent.subject === "Sandbox review"),
    ).toHaveLength(1);

    // A narrow Zoho CRM Web Tab: every page fits its width (tables scroll inside their own box).
    await page.setViewportSize(NARROW);
    for (const [tab, name] of [
      ["Dashboard", "dashboard"],
      ["Settings", "settings"],
      ["Users", "users"],
      ["Meetings", "meetings"],
      ["Setup", "setup"],
      ["Account", "account"],
    ] as const) {
      await page.getByRole("tab", { name: tab }).click();
      await page.locator("main").getByRole("heading").first().waitFor();
      // Evaluated in the browser (this file is type-checked without the DOM library).
      expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(NARROW.width);
      // Status badges keep their text inside them ("Not selected" once spilled out below its box).
      const spilling = await page.evaluate<string[]>(`[...document.querySelectorAll(".fui-Badge")]
        .filter((badge) => badge.scrollHeight > badge.clientHeight + 1 || badge.scrollWidth > badge.clientWidth + 1)
        .map((badge) => badge.textContent)`);
      expect({ tab, spilling }).toEqual({ tab, spilling: [] });
      await shoot(page, `09-narrow-${name}`);
    }
    await page.setViewportSize({ width: 1280, height: 800 });

    await page.getByRole("tab", { name: "Account" }).click();
    await page.getByRole("button", { name: "Uninstall…" }).click();
    await page.getByLabel(label("Type UNINSTALL to confirm")).fill("UNINSTALL");
    await page.getByRole("dialog").getByRole("button", { name: "Uninstall" }).click();
    await page.getByText("The bridge is uninstalled").waitFor();
    await shoot(page, "10-uninstalled");

    // Only the sign-in and the Zoho consent leave the admin API: redirects through the Zoho simulator's accounts
    // server and back to the bridge's own callbacks.
    expect(
      traffic.foreign.filter((url) => !url.includes("/oauth/v2/auth") && !url.startsWith(`${base}/auth/`)),
    ).toEqual([]);
    expect(traffic.bodies.join("\n")).not.toContain(DEFAULT_CLIENT.clientSecret);
    await context.close();
  }, 240_000);
});
