import { request } from "node:https";
import { describe, expect, it } from "vitest";
import { CallLog, FaultInjector, seededRandom } from "../../simulators/shared/behaviour.js";
import { serveHttps } from "../../simulators/shared/server.js";
import { testPki } from "../support/pki.js";

function get(url: string, ca?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, ca ? { ca } : {}, (res) => {
      let body = "";
      res.on("data", (chunk) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("simulator HTTPS harness", () => {
  it("serves over TLS with a certificate the test processes trust through NODE_EXTRA_CA_CERTS", async () => {
    const pki = await testPki();
    expect(process.env.NODE_EXTRA_CA_CERTS).toBe(pki.caCertFile);
    const running = await serveHttps((_req, res) => res.end("hello"), pki);
    try {
      // global fetch (undici) and node:https both trust the CA without being told about it.
      const viaFetch = await fetch(`${running.url}/`);
      expect(await viaFetch.text()).toBe("hello");
      expect((await get(`${running.url}/`)).body).toBe("hello");
      const localhostUrl = running.url.replace("127.0.0.1", "localhost");
      expect((await fetch(localhostUrl)).status).toBe(200);
    } finally {
      await running.close();
    }
  });

  it("is refused by a client that does not trust the test CA", async () => {
    const pki = await testPki();
    const running = await serveHttps((_req, res) => res.end("hello"), pki);
    try {
      const otherCa = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUGg==\n-----END CERTIFICATE-----\n";
      await expect(get(`${running.url}/`, otherCa)).rejects.toThrow();
    } finally {
      await running.close();
    }
  });
});

describe("seeded fault injection", () => {
  it("draws the same faults for the same seed and none at rate 0", () => {
    const draw = (seed: number) => {
      const faults = new FaultInjector();
      faults.configure({ rate: 0.3, kinds: ["reset", "server-error", "throttled"], seed });
      return Array.from({ length: 200 }, (_, i) => faults.draw(`call-${i}`));
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    const share = draw(7).filter(Boolean).length / 200;
    expect(share).toBeGreaterThan(0.15);
    expect(share).toBeLessThan(0.45);
    const none = new FaultInjector();
    none.configure({ rate: 0, kinds: ["reset"], seed: 1 });
    expect(none.draw("x")).toBeUndefined();
  });

  it("restricts faults to matching endpoints", () => {
    const faults = new FaultInjector();
    faults.configure({ rate: 1, kinds: ["reset"], seed: 3, endpoints: /^records\./ });
    expect(faults.draw("oauth.token")).toBeUndefined();
    expect(faults.draw("records.list")).toBe("reset");
  });

  it("generates uniform values in [0, 1)", () => {
    const random = seededRandom(42);
    const values = Array.from({ length: 1000 }, random);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
  });

  it("counts calls per endpoint", () => {
    const log = new CallLog();
    log.record("records.list");
    log.record("records.list");
    log.record("oauth.token");
    expect(log.snapshot()).toEqual({ "oauth.token": 1, "records.list": 2 });
    expect(log.total((e) => e.startsWith("records."))).toBe(2);
  });
});
