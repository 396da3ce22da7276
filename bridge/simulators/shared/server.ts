/**
 * One way to serve any simulator over HTTPS on loopback, used by tests, benchmarks and the sandbox.
 *
 * A simulator is a plain Node request listener (a Koa app's `callback()` qualifies); this module owns TLS,
 * the port and a clean shutdown that also ends kept-alive and streaming connections.
 *
 * Idle kept-alive connections are handled the way the services' front ends do, not Node's way. Node closes a
 * connection idle for 5 s and announces it (`Keep-Alive: timeout=5`); IIS (Exchange's EWS) waits its
 * `connectionTimeout`, 120 s by default (learn.microsoft.com/iis/configuration/system.applicationhost/sites/
 * sitedefaults/limits), and announces nothing (recorded IIS answers in ../shared/conformance/ews carry no
 * Keep-Alive header; neither do the recorded Graph answers). A client then keeps an idle connection as long as its
 * own limit says (undici: 4 s) — far below the server's. With Node's 5 s, a client that reads an answer late (a
 * loaded event loop) reuses the connection just as the server closes it, and a POST on it fails ("fetch failed",
 * "other side closed") although no real service would have closed that connection.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { TestPki } from "./pki.js";

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** IIS's default `connectionTimeout`: how long an idle kept-alive connection stays open. */
export const IDLE_CONNECTION_TIMEOUT_MS = 120_000;

export interface RunningServer {
  /** Base URL without a trailing slash, e.g. `https://127.0.0.1:43123`. */
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
}

export async function serveHttps(
  listener: RequestListener,
  pki: TestPki,
  options: ServeOptions = {},
): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  const server = createServer({ cert: pki.certPem, key: pki.keyPem }, (req, res) => {
    // Node adds its `Keep-Alive: timeout=…` announcement only when the answer names no Connection of its own.
    if (req.httpVersion === "1.1" && !/\bclose\b/i.test(req.headers.connection ?? "")) {
      res.setHeader("connection", "keep-alive");
    }
    listener(req, res);
  });
  server.keepAliveTimeout = IDLE_CONNECTION_TIMEOUT_MS;
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `https://${urlHost}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
