/**
 * Shared by the console's browser tests (bridge/console/test/browser and bridge/test/console): build the console
 * when its sources changed, launch Debian's Chromium headless through playwright-core, and save
 * screenshots under test-results/console/ (gitignored test artefacts).
 */
import { mkdir, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { build } from "vite";

const bridgeDir = join(import.meta.dirname, "..", "..");
export const consoleDir = join(bridgeDir, "console");
const testResults = join(bridgeDir, "..", "test-results");
const artefacts = join(testResults, "console");

/** Newest modification time below a path. */
async function newest(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  return Math.max(0, ...(await Promise.all(entries.map((entry) => newest(join(path, entry))))));
}

/**
 * Builds the console (as `vite build` would for dist) into test-results/console-build/<name>, unless that build is
 * newer than every source. Each test file has its own directory, so test files running in parallel never empty a
 * build another one is serving.
 */
export async function ensureConsoleBuilt(name: string): Promise<string> {
  const outDir = join(testResults, "console-build", name);
  const sources = ["src", "index.html", "vite.config.ts", "../src/api/admin.ts"].map((path) => join(consoleDir, path));
  const built = await stat(join(outDir, "index.html")).then(
    (info) => info.mtimeMs,
    () => 0,
  );
  const changed = Math.max(...(await Promise.all(sources.map(newest))));
  if (changed > built) {
    await build({
      configFile: join(consoleDir, "vite.config.ts"),
      logLevel: "warn",
      build: { outDir, emptyOutDir: true },
    });
  }
  return outDir;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
    ],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(artefacts, { recursive: true });
  await page.screenshot({ path: join(artefacts, `${name}.png`), fullPage: true });
}

/** A field's accessible name, with or without Fluent's required marker. */
export function fieldLabel(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*\\*?$`);
}

/**
 * Records what a page asks for: URLs outside the console and the admin API of `origin` (there must be none), and
 * every admin API response body (to prove no secret comes back).
 */
export function recordAdminTraffic(page: Page, origin: string): { foreign: string[]; bodies: string[] } {
  const foreign: string[] = [];
  const bodies: string[] = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    const ours = url.origin === origin && (url.pathname.startsWith("/admin") || url.pathname.startsWith("/api/admin/"));
    if (!ours) foreign.push(request.url());
  });
  page.on("response", async (response) => {
    if (response.url().includes("/api/admin/")) bodies.push(await response.text().catch(() => ""));
  });
  return { foreign, bodies };
}
