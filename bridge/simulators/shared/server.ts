/**
 * One way to serve any simulator over HTTPS on loopback, used by tests, benchmarks and the sandbox.
 *
 * A simulator is a plain Node request listener (a Koa app's `callback()` qualifies); this module owns TLS,
 * the port and a clean shutdown that also ends kept-alive and streaming connections.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { TestPki } from "./pki.js";

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

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
  const server = createServer({ cert: pki.certPem, key: pki.keyPem }, listener);
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
