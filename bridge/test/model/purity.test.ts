/** The model and the mappings stay pure: no HTTP, database, Koa or SDK code may be imported there. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = new URL("../../src/", import.meta.url).pathname;
const ALLOWED_PACKAGES = new Set(["zod", "luxon", "windows-iana", "rrule"]);
/** Type-only imports of the core's own interfaces are fine (erased at run time). */
const ALLOWED_TYPE_IMPORTS = ["../connectors/port.js", "../sync/module.js"];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}

describe.each(["model", "mapping"])("src/%s imports", (area) => {
  it("only pure libraries and its own pure siblings", () => {
    const offending: string[] = [];
    for (const file of sources(join(ROOT, area))) {
      for (const match of readFileSync(file, "utf8").matchAll(/^import\s+(type\s+)?[^;]*?from\s+"([^"]+)";/gms)) {
        const [, typeOnly, specifier = ""] = match;
        const pure = specifier.startsWith(".")
          ? !specifier.includes("/connectors/") && !specifier.includes("/sync/")
            ? true
            : typeOnly !== undefined && ALLOWED_TYPE_IMPORTS.includes(specifier)
          : ALLOWED_PACKAGES.has(specifier);
        if (!pure) offending.push(`${file.slice(ROOT.length)}: ${specifier}`);
      }
    }
    expect(offending).toEqual([]);
  });
});
