/**
 * Serves a built front-end (the admin console, the add-in) from a directory under a URL prefix. Paths are resolved
 * inside the directory only (no `..` escapes); unknown paths without an extension fall back to index.html so the
 * single-page apps can route on the client.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import type { Middleware } from "koa";

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

export function serveDirectory(prefix: string, directory: string): Middleware {
  const root = resolve(directory);
  return async (ctx, next) => {
    if (
      (ctx.method !== "GET" && ctx.method !== "HEAD") ||
      !(ctx.path === prefix || ctx.path.startsWith(`${prefix}/`))
    ) {
      return next();
    }
    if (ctx.path === prefix) return ctx.redirect(`${prefix}/`);
    let relative: string;
    try {
      relative = decodeURIComponent(ctx.path.slice(prefix.length + 1));
    } catch {
      return next();
    }
    const candidate = resolve(join(root, normalize(relative || "index.html")));
    if (candidate !== root && !candidate.startsWith(`${root}${sep}`)) return next();
    const file = (await isFile(candidate))
      ? candidate
      : extname(candidate) === ""
        ? join(root, "index.html")
        : undefined;
    if (!file || !(await isFile(file))) return next();
    ctx.type = extname(file);
    ctx.set("cache-control", file.endsWith("index.html") ? "no-cache" : "public, max-age=3600");
    ctx.body = createReadStream(file);
  };
}
