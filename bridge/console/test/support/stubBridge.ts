/**
 * Serves the built console (bridge/console/dist) under /admin/ and answers /api/admin/* from `Handlers`, matching
 * routes and validating requests with the admin contract and answering in its error shape — a stand-in for the
 * bridge in browser tests. Plain HTTP on 127.0.0.1 and an ephemeral port.
 */
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { type AdminRouteName, adminRoutes } from "../../../src/api/admin.js";
import type { Handlers } from "./fakeClient.js";

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
};

const compiled = (Object.keys(adminRoutes) as AdminRouteName[]).map((name) => {
  const route = adminRoutes[name];
  const names: string[] = [];
  const pattern = route.path.replace(/:([A-Za-z]+)/g, (_match, param: string) => {
    names.push(param);
    return "([^/]+)";
  });
  return { name, method: route.method, regex: new RegExp(`^${pattern}$`), names };
});

function send(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function answerApi(handlers: Handlers, request: IncomingMessage, response: ServerResponse, url: URL) {
  const match = compiled
    .map((route) => ({ route, found: route.method === request.method ? route.regex.exec(url.pathname) : null }))
    .find((entry) => entry.found !== null);
  if (match?.found == null)
    return send(response, 404, { error: { code: "not-found", message: "no such admin route" } });
  const { route, found } = match;
  const params = Object.fromEntries(
    route.names.map((name, index) => [name, decodeURIComponent(found[index + 1] ?? "")]),
  );
  const raw =
    request.method === "GET" ? Object.fromEntries(url.searchParams) : JSON.parse((await readBody(request)) || "{}");
  const spec = adminRoutes[route.name];
  const parsed = spec.request.safeParse(raw);
  if (!parsed.success) {
    return send(response, 400, {
      error: { code: "invalid-request", message: "invalid request", details: { issues: parsed.error.issues } },
    });
  }
  const handler = handlers[route.name] as ((request: unknown, params: unknown) => unknown) | undefined;
  if (handler === undefined)
    return send(response, 404, { error: { code: "not-found", message: `no stub for ${route.name}` } });
  const answer = await handler(parsed.data, params);
  const checked = spec.response.safeParse(answer);
  if (!checked.success) throw new Error(`stub ${route.name} answer breaks the contract: ${checked.error.message}`);
  send(response, 200, answer);
}

export async function startStubBridge(handlers: Handlers, distDir: string) {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://stub");
    if (url.pathname.includes(".."))
      return send(response, 400, { error: { code: "invalid-request", message: "bad path" } });
    const work = url.pathname.startsWith("/api/admin/")
      ? answerApi(handlers, request, response, url)
      : readFile(join(distDir, normalize(url.pathname.replace(/^\/admin\/?/, "") || "index.html"))).then((file) => {
          response.writeHead(200, { "content-type": contentTypes[extname(url.pathname)] ?? contentTypes[".html"] });
          response.end(file);
        });
    work.catch((error: unknown) => send(response, 500, { error: { code: "internal", message: String(error) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
