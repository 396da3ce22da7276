/**
 * One way to serve any simulator over HTTPS on loopback, used by tests, benchmarks and the sandbox.
 *
 * A simulator is a plain Node request listener (a Koa app's `callback()` qualifies); this module owns TLS,
 * the port and a clean shutdown that also ends kept-alive and streaming connections.
 *
 * Connections are kept the way the services' front ends keep them, where Node's defaults differ:
 * - Idle: Node closes a kept-alive connection idle for 5 s and announces it (`Keep-Alive: timeout=5`); IIS
 *   (Exchange's EWS) waits its `connectionTimeout`, 120 s by default (learn.microsoft.com/iis/configuration/
 *   system.applicationhost/sites/sitedefaults/limits), and announces nothing (recorded IIS answers in
 *   ../shared/conformance/ews carry no Keep-Alive header; neither do the recorded Graph answers).
 * - Busy: Node's HTTP server stops reading a connection when a new request arrives while the connection's
 *   write buffer is still over its high-water mark (16 KiB) — its guard against pipelined floods. On a loaded
 *   process a client can read a large answer in full and send its next request before the server has seen that
 *   answer's write complete; Node then pauses the parser between the request's headers and its body, TLS still
 *   hands it the body, and the parser fails with HPE_PAUSED: the connection is dropped under a request that a
 *   real service would have served ("fetch failed ← other side closed" on the bench's `$batch` creates). The TLS
 *   sockets are therefore made here, with a write buffer larger than any simulator answer, and handed to a plain
 *   HTTP server; the clients here never pipeline, so the guard has nothing to protect.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { createSecureContext, TLSSocket } from "node:tls";
import type { TestPki } from "./pki.js";

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** IIS's default `connectionTimeout`: how long an idle kept-alive connection stays open. */
export const IDLE_CONNECTION_TIMEOUT_MS = 120_000;

/** Write buffer of a connection before Node counts it as congested; above the largest simulator answer. */
const WRITE_BUFFER_BYTES = 256 * 1024 * 1024;

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
  const http = createHttpServer((req, res) => {
    // Node adds its `Keep-Alive: timeout=…` announcement only when the answer names no Connection of its own.
    if (req.httpVersion === "1.1" && !/\bclose\b/i.test(req.headers.connection ?? "")) {
      res.setHeader("connection", "keep-alive");
    }
    listener(req, res);
  });
  http.keepAliveTimeout = IDLE_CONNECTION_TIMEOUT_MS;
  const secureContext = createSecureContext({ cert: pki.certPem, key: pki.keyPem });
  const sockets = new Set<Socket>();
  const server = createServer((raw) => {
    sockets.add(raw);
    raw.on("close", () => sockets.delete(raw));
    // TLSSocket hands `highWaterMark` on to its net.Socket (node lib/_tls_wrap.js), though @types/node does not
    // declare it; the raw-TLS test in test/faults/connections.test.ts fails should a Node release drop it.
    const options = { isServer: true, secureContext, highWaterMark: WRITE_BUFFER_BYTES };
    const socket = new TLSSocket(raw, options);
    // A failed handshake (a client that does not trust the test CA) ends this connection only.
    socket.on("error", () => socket.destroy());
    socket.once("secure", () => http.emit("connection", socket));
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
