// @vitest-environment node
/**
 * The add-in preview in headless Debian Chromium against the REAL sandbox bridge: `bridge/bin/bridge.mjs start`
 * (the `npm start` entry point) with its Zoho, Graph and EWS simulators, the built add-in it serves from addin/dist,
 * and the add-in CRM routes. The test seeds a contact with an Account and an open Deal in the Zoho simulator and
 * mails into a simulated mailbox through the simulators' `/_sim` control APIs, then drives the task pane through the
 * whole journey: CRM context, send to CRM, lead from an unknown sender, follow-up task, the user's sync controls,
 * attendees' availability while organising a meeting, and the pane in German. Each outcome is checked where it
 * lands (the Zoho simulator, the bridge's API). Screenshots go to test-results/addin/.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, rm } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CLIENT } from "../../../bridge/simulators/zoho/index.js";
import { launchChromium } from "../../../bridge/test/console/browser.js";
import { testPki } from "../../../bridge/test/support/pki.js";

const addinDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = path.resolve(addinDir, "../bridge/bin/bridge.mjs");
const screenshots = path.resolve(addinDir, "../test-results/addin");

const KNOWN = "nora.north@northwind.example";
const UNKNOWN = "lee.park@newco.example";

let dir: string;
let child: ChildProcess | undefined;
let exited: Promise<unknown>;
let caCertPem: string;
let urls: { bridge: string; zoho: string; graph: string };
let mailbox: string;
let colleague: string;
let browser: Browser;
let page: Page;
const ids: Record<string, string> = {};

/** JSON over HTTPS with the sandbox's CA (this process's fetch trusts no extra CA). */
function https(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? "POST", ca: caCertPem, headers: options.headers }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => {
        text += chunk.toString();
      });
      res.on("end", () => {
        if (res.statusCode === 204) resolve({});
        else if (res.statusCode === 200 || res.statusCode === 201) resolve(JSON.parse(text));
        else reject(new Error(`${url}: ${res.statusCode} ${text}`));
      });
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

/** The bridge's add-in API as the preview mailbox's user, with a sandbox token. */
async function asMailboxUser(path: string, init: { method?: string; body?: unknown } = {}) {
  const { accessToken } = (await (
    await fetch(`${urls.bridge}/api/addin/sandbox/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ mailbox }),
    })
  ).json()) as { accessToken: string };
  return fetch(`${urls.bridge}${path}`, {
    method: init.method ?? "GET",
    headers: {
      authorization: `Bearer ${accessToken}`,
      "x-bridge-token-type": "sandbox",
      "content-type": "application/json",
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

/** POST JSON to a simulator's `/_sim` control API. */
const control = (url: string, body: unknown) =>
  https(url, { headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

async function zohoInsert(module: string, records: unknown[]): Promise<string[]> {
  const inserted = (await control(`${urls.zoho}/_sim/act`, { module, records })) as unknown as Array<{ id: string }>;
  return inserted.map((record) => String(record.id));
}

/** The subjects on a record's Emails related list, read over Zoho's REST API with a fresh OAuth token. */
async function zohoMailSubjects(module: string, id: string): Promise<string[]> {
  const simUrls = (await control(`${urls.zoho}/_sim/urls`, {})) as { accountsUrl: string; apiDomain: string };
  const { refresh_token } = (await control(`${urls.zoho}/_sim/tokens/refresh`, {})) as { refresh_token: string };
  const token = (await https(`${simUrls.accountsUrl}/oauth/v2/token`, {
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token,
      client_id: DEFAULT_CLIENT.clientId,
      client_secret: DEFAULT_CLIENT.clientSecret,
    }).toString(),
  })) as { access_token: string };
  const list = (await https(`${simUrls.apiDomain}/crm/v8/${module}/${id}/Emails`, {
    method: "GET",
    headers: { authorization: `Zoho-oauthtoken ${token.access_token}` },
  })) as { Emails?: Array<{ subject: string }> };
  return (list.Emails ?? []).map((mail) => mail.subject);
}

async function deliver(from: string, name: string, subject: string) {
  await control(`${urls.graph}/_sim/act`, {
    user: mailbox,
    method: "POST",
    path: "/mailFolders/inbox/messages",
    body: {
      subject,
      body: { contentType: "text", content: `Hello,\n\nabout ${subject}.\n\n${name}` },
      from: { emailAddress: { address: from, name } },
      toRecipients: [{ emailAddress: { address: mailbox } }],
    },
  });
}

async function previewItem(subject: string): Promise<{ ewsItemId: string; internetMessageId: string }> {
  const answer = (await (
    await fetch(`${urls.bridge}/api/addin/sandbox/items?mailbox=${encodeURIComponent(mailbox)}`)
  ).json()) as { items: Array<{ subject: string; ewsItemId: string; internetMessageId: string }> };
  const item = answer.items.find((entry) => entry.subject === subject);
  if (!item) throw new Error(`no preview item ${subject}`);
  return item;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "addin-sandbox-"));
  // The sandbox keeps its PKI in <dir>/pki; giving it the test PKI lets this process trust its simulators, and
  // trusting that CA from the start spares the sandbox its re-spawn.
  const pki = await testPki();
  caCertPem = pki.caCertPem;
  await cp(path.dirname(pki.caCertFile), path.join(dir, "pki"), { recursive: true });
  // The sandbox serves the add-in build it is given; build this checkout's add-in rather than trust a stale dist.
  const addinDist = path.join(dir, "addin-dist");
  await build({
    root: addinDir,
    configFile: path.join(addinDir, "vite.config.ts"),
    logLevel: "error",
    build: { outDir: addinDist },
  });
  const { DATABASE_URL: _a, BRIDGE_CONFIG_FILE: _b, ZOHO_CLIENT_ID: _c, ...env } = process.env;
  child = spawn(process.execPath, [BIN, "start"], {
    env: {
      ...env,
      BRIDGE_SANDBOX_DIR: dir,
      BRIDGE_SANDBOX_USERS: "2",
      BRIDGE_ADDIN_DIR: addinDist,
      PORT: "0",
      NODE_EXTRA_CA_CERTS: path.join(dir, "pki", path.basename(pki.caCertFile)),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const running = child;
  exited = new Promise((resolve) => running.once("exit", resolve));
  let output = "";
  running.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  running.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const deadline = Date.now() + 100_000;
  while (!output.includes("SANDBOX READY") && Date.now() < deadline && running.exitCode === null) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const bridge = output.match(/add-in preview:\s+(http:\/\/\S+)\/addin\/preview\.html/)?.[1];
  const zoho = output.match(/Zoho simulator:\s+(https:\/\/\S+)/)?.[1];
  const graph = output.match(/Graph simulator:\s+(https:\/\/\S+)/)?.[1];
  if (!bridge || !zoho || !graph) throw new Error(`the sandbox did not start:\n${output}`);
  urls = { bridge, zoho: zoho.replace(/\/$/, ""), graph: graph.replace(/\/$/, "") };

  const items = (await (await fetch(`${urls.bridge}/api/addin/sandbox/items`)).json()) as {
    mailboxes: Array<{ address: string }>;
  };
  mailbox = String(items.mailboxes[0]?.address);
  colleague = String(items.mailboxes[1]?.address);
  [ids.account = ""] = await zohoInsert("Accounts", [{ Account_Name: "Northwind Traders" }]);
  [ids.contact = ""] = await zohoInsert("Contacts", [
    { First_Name: "Nora", Last_Name: "North", Email: KNOWN, Account_Name: { id: ids.account } },
  ]);
  [ids.deal = ""] = await zohoInsert("Deals", [
    {
      Deal_Name: "Northwind renewal",
      Stage: "Negotiation/Review",
      Amount: 48000,
      Contact_Name: { id: ids.contact },
      Account_Name: { id: ids.account },
    },
  ]);
  await deliver(KNOWN, "Nora North", "Renewal pricing");
  await deliver(UNKNOWN, "Lee Park", "Introduction from Newco");

  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await mkdir(screenshots, { recursive: true });
}, 150_000);

afterAll(async () => {
  await browser?.close();
  if (child && child.exitCode === null) {
    child.kill("SIGTERM");
    await exited;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

const pane = () => page.getByRole("complementary", { name: "Task pane" });

describe("add-in preview against the real sandbox bridge", () => {
  it("opens on the sandbox's own customer mail: a Deal's contact with Account and Deal, filed with its attachment; an unknown sender", async () => {
    // Mail the sandbox delivered itself (bridge/src/sandbox/demo-mail.ts), not this test: "<Deal>: next steps".
    const listed = (await (
      await fetch(`${urls.bridge}/api/addin/sandbox/items?mailbox=${encodeURIComponent(mailbox)}`)
    ).json()) as { items: Array<{ subject: string; ewsItemId: string; from: { email: string } }> };
    const customer = listed.items.find((item) => item.subject.endsWith(": next steps"));
    if (!customer) throw new Error(`no demo customer mail in ${JSON.stringify(listed.items.map((i) => i.subject))}`);
    const deal = customer.subject.replace(/: next steps$/, "");
    await page.goto(
      `${urls.bridge}/addin/preview.html?mailbox=${encodeURIComponent(mailbox)}&item=${encodeURIComponent(customer.ewsItemId)}`,
    );
    const card = pane().getByRole("group", { name: /^Contact / });
    await card.waitFor({ timeout: 30_000 });
    expect(await card.getByText(/^Account: .+/).isVisible()).toBe(true);
    expect(await card.getByText(new RegExp(`^${deal} — `)).isVisible()).toBe(true);
    await page.screenshot({ path: path.join(screenshots, "sandbox-0-demo-customer.png"), fullPage: true });
    // Its proposal goes to the CRM with it when the salesperson asks for the attachments.
    await pane().getByRole("checkbox", { name: "Include attachments (1)" }).check();
    await pane().getByRole("button", { name: "Send to CRM" }).click();
    await pane()
      .getByText(/Already in CRM: Contact /)
      .waitFor({ timeout: 30_000 });
    const state = (await control(`${urls.zoho}/_sim/state`, {})) as {
      records: { Contacts: Array<{ id: string; Email?: string }> };
      emails: Record<string, Array<{ subject?: string; attachments?: Array<{ name: string }> }>>;
    };
    const contact = state.records.Contacts.find((record) => record.Email === customer.from.email);
    const filed = (state.emails[`Contacts/${contact?.id}`] ?? []).filter((mail) => mail.subject === customer.subject);
    expect(filed.map((mail) => mail.attachments?.map((file) => file.name))).toEqual([["Proposal.txt"]]);
    await page.getByRole("button", { name: /Introduction: Fourth Coffee/ }).click();
    await pane()
      .getByRole("group", { name: "Not in CRM sam.rivera@fourthcoffee.example" })
      .waitFor({ timeout: 30_000 });
  }, 60_000);

  it("shows the known contact's Account and open Deal for an e-mail from them", async () => {
    const item = await previewItem("Renewal pricing");
    await page.goto(
      `${urls.bridge}/addin/preview.html?mailbox=${encodeURIComponent(mailbox)}&item=${encodeURIComponent(item.ewsItemId)}`,
    );
    const card = pane().getByRole("group", { name: "Contact Nora North" });
    await card.waitFor({ timeout: 30_000 });
    expect(await card.getByText("Account: Northwind Traders").isVisible()).toBe(true);
    expect(await card.getByText(/Northwind renewal — Negotiation\/Review/).isVisible()).toBe(true);
    await page.screenshot({ path: path.join(screenshots, "sandbox-1-context.png"), fullPage: true });
  }, 60_000);

  it("sends it to the CRM: listed on Contact, Account and Deal; sending again does not duplicate", async () => {
    const item = await previewItem("Renewal pricing");
    await pane().getByRole("button", { name: "Send to CRM" }).click();
    await pane().getByRole("list", { name: "Send results" }).waitFor({ timeout: 30_000 });
    await pane()
      .getByText(/Already in CRM: Contact Nora North/)
      .waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(screenshots, "sandbox-2-sent.png"), fullPage: true });
    const records = [
      ["Contacts", ids.contact],
      ["Accounts", ids.account],
      ["Deals", ids.deal],
    ] as const;
    const count = async (module: string, id: string | undefined) =>
      (await zohoMailSubjects(module, String(id))).filter((subject) => subject === "Renewal pricing").length;
    const before = [];
    for (const [module, id] of records) {
      const listed = await count(module, id);
      expect(listed, `${module} lists the mail`).toBeGreaterThan(0);
      before.push(listed);
    }
    // Sending again (another device, straight through the API) files nothing new.
    const again = await asMailboxUser("/api/addin/emails", {
      method: "POST",
      body: {
        internetMessageId: item.internetMessageId,
        targets: records.map(([module, id]) => ({ module, id })),
        includeAttachments: false,
      },
    });
    const answer = (await again.json()) as { results: Array<{ status: string }> };
    expect(answer.results.map((result) => result.status)).toEqual(records.map(() => "already-associated"));
    const after = [];
    for (const [module, id] of records) after.push(await count(module, id));
    expect(after).toEqual(before);
    // A fresh pane learns "already in CRM" from the server.
    await page.evaluate(() => {
      localStorage.clear();
      sessionStorage.clear();
    });
    await page.reload();
    await pane()
      .getByText(/Already in CRM: Contact Nora North/)
      .waitFor({ timeout: 30_000 });
  }, 60_000);

  it("creates a lead from an unknown sender", async () => {
    await page.getByRole("button", { name: /Introduction from Newco/ }).click();
    const unknown = pane().getByRole("group", { name: `Not in CRM ${UNKNOWN}` });
    await unknown.waitFor({ timeout: 30_000 });
    await unknown.getByRole("button", { name: "Create lead" }).click();
    await pane().getByRole("group", { name: "Lead Lee Park" }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(screenshots, "sandbox-3-lead.png"), fullPage: true });
    const state = (await control(`${urls.zoho}/_sim/state`, {})) as {
      records: Record<string, Array<{ Email?: string; Company?: string }>>;
    };
    expect(state.records.Leads?.filter((lead) => lead.Email === UNKNOWN)).toEqual([
      expect.objectContaining({ Email: UNKNOWN, Last_Name: "Park" }),
    ]);
  }, 60_000);

  it("creates a follow-up task linked to the contact and the deal", async () => {
    await page.getByRole("button", { name: /Renewal pricing/ }).click();
    await pane().getByRole("group", { name: "Contact Nora North" }).waitFor({ timeout: 30_000 });
    await pane().getByRole("button", { name: "Create task" }).click();
    await pane().getByText("Created task “Follow up: Renewal pricing”").waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(screenshots, "sandbox-4-follow-up.png"), fullPage: true });
    const state = (await control(`${urls.zoho}/_sim/state`, {})) as {
      records: Record<string, Array<{ Subject?: string; Who_Id?: { id: string }; What_Id?: { id: string } }>>;
    };
    const tasks = state.records.Tasks?.filter((task) => task.Subject === "Follow up: Renewal pricing") ?? [];
    expect(tasks).toHaveLength(1);
    expect(tasks[0]?.Who_Id?.id).toBe(ids.contact);
    expect(tasks[0]?.What_Id?.id).toBe(ids.deal);
  }, 60_000);

  it("switches one of the user's own modules off and queues a sync", async () => {
    await pane().getByRole("tab", { name: "Sync" }).click();
    const toggle = pane().getByRole("switch", { name: "Contacts" });
    await toggle.waitFor({ timeout: 30_000 });
    expect(await toggle.isChecked()).toBe(true);
    await toggle.click();
    await expect.poll(() => toggle.isChecked(), { timeout: 30_000 }).toBe(false);
    await pane().getByRole("button", { name: "Sync now" }).click();
    await pane().getByText("Sync queued").waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(screenshots, "sandbox-5-sync.png"), fullPage: true });
    const status = (await (await asMailboxUser("/api/addin/me/sync")).json()) as {
      modules: Array<{ module: string; enabled: boolean }>;
    };
    expect(status.modules.find((module) => module.module === "contacts")?.enabled).toBe(false);
  }, 60_000);

  it("organising a meeting: shows the colleague busy from their calendar and adds a CRM contact", async () => {
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await control(`${urls.graph}/_sim/act`, {
      user: colleague,
      method: "POST",
      path: "/events",
      body: {
        subject: "Dentist",
        start: { dateTime: `${tomorrow}T10:30:00`, timeZone: "UTC" },
        end: { dateTime: `${tomorrow}T11:00:00`, timeZone: "UTC" },
        showAs: "busy",
      },
    });
    await page.getByRole("button", { name: /Planning meeting/ }).click();
    await pane().getByRole("tab", { name: "Attendees" }).click();
    await pane()
      .getByRole("img", { name: `${colleague} is busy at times` })
      .waitFor({ timeout: 30_000 });
    await pane().getByRole("textbox", { name: "Find CRM contacts or leads" }).fill("Nora");
    await pane().getByRole("button", { name: "Search" }).click();
    await pane().getByRole("button", { name: "Add" }).click();
    await pane().getByText(KNOWN, { exact: true }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(screenshots, "sandbox-6-attendees.png"), fullPage: true });
  }, 60_000);

  it("speaks Outlook's display language: the same e-mail in German", async () => {
    const item = await previewItem("Renewal pricing");
    await page.goto(
      `${urls.bridge}/addin/preview.html?mailbox=${encodeURIComponent(mailbox)}&item=${encodeURIComponent(item.ewsItemId)}&displayLanguage=de-DE`,
    );
    const card = pane().getByRole("group", { name: "Kontakt Nora North" });
    await card.waitFor({ timeout: 30_000 });
    expect(await card.getByText("Firma: Northwind Traders").isVisible()).toBe(true);
    expect(await card.getByText(/Northwind renewal — Negotiation\/Review — 48\.000/).isVisible()).toBe(true);
    await page.screenshot({ path: path.join(screenshots, "sandbox-7-german.png"), fullPage: true });
  }, 60_000);
});
