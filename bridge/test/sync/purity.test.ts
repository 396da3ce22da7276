/**
 * The sync core must stay pure: no HTTP, database, Koa or SDK code under `bridge/src/sync/`. Checked by allow-list,
 * so a new dependency fails here until someone decides it belongs in the core.
 */

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const src = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");
const core = join(src, "sync");
const ALLOWED_PACKAGES = new Set(["node:crypto"]);
/** Relative imports may reach only these parts of `src/` (the ports' type and failure definitions, the model). */
const ALLOWED_PATHS = [/^sync\//, /^connectors\/(port|errors)\.js$/, /^model\//];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

function importsOf(text: string): string[] {
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((match) => match[1]);
  return specifiers.filter((specifier): specifier is string => specifier !== undefined);
}

describe("sync core purity", () => {
  const files = sourceFiles(core);

  it("finds the core's modules", () => {
    expect(files.map((file) => relative(core, file))).toEqual(expect.arrayContaining(["plan.ts", "engine.ts"]));
  });

  it("imports nothing but its allow-list", () => {
    const offending: string[] = [];
    for (const file of files) {
      for (const specifier of importsOf(readFileSync(file, "utf8"))) {
        const allowed = specifier.startsWith(".")
          ? ALLOWED_PATHS.some((pattern) => pattern.test(relative(src, resolve(dirname(file), specifier))))
          : ALLOWED_PACKAGES.has(specifier);
        if (!allowed) offending.push(`${relative(src, file)} imports ${specifier}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it("the check itself catches a forbidden import", () => {
    expect(importsOf('import Koa from "koa";\nconst pg = await import("pg");')).toEqual(["koa", "pg"]);
  });
});
