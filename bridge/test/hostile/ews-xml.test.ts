/**
 * Hostile XML both ways (issue 10 item 4).
 *
 * Into the EWS simulator: billion laughs, an external entity (XXE), a parameter entity fetching a remote DTD, 100 000
 * nested elements and 20 000 attributes on one element. Exchange parses requests with .NET's XmlReader, which
 * prohibits DTDs ("For security reasons DTD is prohibited in this XML document", see XmlReaderSettings.DtdProcessing
 * on learn.microsoft.com), so each must end as a SOAP fault — never as an expanded entity, a file's contents, a
 * crash or unbounded memory — and the server must keep answering.
 *
 * Into the EWS connector: a misbehaving server (a tiny HTTPS listener) answers with the same bombs, deep nesting and
 * a non-XML 500 page. ews-javascript-api 0.15.3 throws an uncaught TypeError on some of these inside its own
 * callbacks; each call must still end as a ConnectorError with no unhandled rejection or uncaught exception.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEwsSimulator, startEwsSimulator } from "../../simulators/ews/index.js";
import { serveHttps } from "../../simulators/shared/server.js";
import { ConnectorError } from "../../src/connectors/errors.js";
import { createEwsExchangePort } from "../../src/connectors/ews/index.js";
import { crashCounter } from "../faults/support.js";
import { post, soap } from "../simulators/ews/raw.js";
import { testPki } from "../support/pki.js";

/** Memory allowed to stay grown after all hostile documents (the documents themselves are ≤ 1 MB each). */
const RSS_BUDGET_BYTES = 150 * 1024 * 1024;

const getFolder = (folderId: string) =>
  soap(
    "<m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape>" +
      `<m:FolderIds><t:DistinguishedFolderId Id="${folderId}"/></m:FolderIds></m:GetFolder>`,
  );

/** Ten levels of ten-fold expansion: 10^9 "lol"s if a parser ever expanded it. */
const LAUGHS_DTD =
  '<!DOCTYPE lolz [<!ENTITY lol0 "lol">' +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join("") +
  "]>";

const HOSTILE_REQUESTS: Record<string, { body: string; faultCode: string }> = {
  "billion laughs": {
    body: `<?xml version="1.0"?>${LAUGHS_DTD}${getFolder("&lol9;")}`,
    faultCode: "ErrorInvalidRequest",
  },
  "external entity (XXE)": {
    body: `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${getFolder("&xxe;")}`,
    faultCode: "ErrorInvalidRequest",
  },
  "parameter entity with a remote DTD": {
    body: `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % remote SYSTEM "https://127.0.0.1:9/evil.dtd"> %remote;]>${getFolder("contacts")}`,
    faultCode: "ErrorInvalidRequest",
  },
  "100 000 nested elements": {
    body: soap(`${"<t:a>".repeat(100_000)}${"</t:a>".repeat(100_000)}`),
    faultCode: "ErrorSchemaValidation",
  },
  "20 000 attributes on one element": {
    body: soap(`<m:GetFolder ${Array.from({ length: 20_000 }, (_, i) => `a${i}="x"`).join(" ")}/>`),
    faultCode: "ErrorSchemaValidation",
  },
};

describe("hostile XML into the EWS simulator", () => {
  let sim: RunningEwsSimulator;
  beforeAll(async () => {
    sim = await startEwsSimulator({ pki: await testPki(), release: "2016" });
    sim.control.seed({ mailboxes: 1, contactsPerMailbox: 1 });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it("answers every bomb with a SOAP fault, expands nothing, stays bounded and keeps answering", {
    timeout: 60_000,
  }, async () => {
    const crashes = crashCounter();
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    try {
      for (const [name, { body, faultCode }] of Object.entries(HOSTILE_REQUESTS)) {
        const answer = await post(sim, body);
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        expect({ name, status: answer.status, faultCode: /<faultcode[^>]*>a:(\w+)</.exec(answer.text)?.[1] }).toEqual({
          name,
          status: 500,
          faultCode,
        });
        expect(answer.text).not.toContain("lollol");
        expect(answer.text).not.toContain("root:");
        // Still serving: a well-formed request right after each bomb gets its normal answer.
        const healthy = await post(sim, getFolder("contacts"));
        expect(healthy.status).toBe(200);
        expect(healthy.text).toContain("NoError");
      }
    } finally {
      crashes.uninstall();
    }
    console.log(`EWS simulator under hostile XML: RSS +${((peakRss - rssBefore) / 1048576).toFixed(1)} MB at peak`);
    expect(peakRss - rssBefore).toBeLessThan(RSS_BUDGET_BYTES);
    expect(crashes.count()).toEqual([]);
  });
});

/** Bodies a misbehaving "Exchange" sends back, whatever was asked. */
const HOSTILE_ANSWERS: Record<string, { status: number; contentType: string; body: string }> = {
  "billion laughs": {
    status: 200,
    contentType: "text/xml; charset=utf-8",
    body: `<?xml version="1.0" encoding="utf-8"?>${LAUGHS_DTD}<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>&lol9;</s:Body></s:Envelope>`,
  },
  "external entity (XXE)": {
    status: 200,
    contentType: "text/xml; charset=utf-8",
    body: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>&xxe;</s:Body></s:Envelope>',
  },
  "100 000 nested elements": {
    status: 200,
    contentType: "text/xml; charset=utf-8",
    body: `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${"<a>".repeat(100_000)}${"</a>".repeat(100_000)}</s:Body></s:Envelope>`,
  },
  "a non-XML 500": { status: 500, contentType: "text/plain", body: "Internal error: the backend is on fire {" },
  "an HTML 500 page": {
    status: 500,
    contentType: "text/html",
    body: "<html><body><h1>Server Error in '/EWS' Application.</h1><p>Runtime Error<br></body></html>",
  },
  "an empty 200": { status: 200, contentType: "text/xml", body: "" },
};

describe("hostile XML into the EWS connector", () => {
  let answer = HOSTILE_ANSWERS["a non-XML 500"];
  let server: Awaited<ReturnType<typeof serveHttps>>;
  beforeAll(async () => {
    const listener = (req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(answer?.status ?? 500, { "content-type": answer?.contentType ?? "text/plain" });
        res.end(answer?.body ?? "");
      });
    };
    server = await serveHttps(listener, await testPki());
  });
  afterAll(async () => {
    await server?.close();
  });

  for (const [name, hostile] of Object.entries(HOSTILE_ANSWERS)) {
    it(`turns ${name} into a ConnectorError, without a crash`, { timeout: 30_000 }, async () => {
      answer = hostile;
      const crashes = crashCounter();
      const rssBefore = process.memoryUsage().rss;
      let outcome: unknown;
      try {
        const exchange = await createEwsExchangePort({
          mailbox: "alice@contoso.com",
          url: `${server.url}/EWS/Exchange.asmx`,
          version: "Exchange2016",
          username: "CONTOSO\\svc-crm",
          password: "Pa55w.rd",
          auth: "basic",
          impersonate: true,
          timeoutMs: 5_000,
          // One reply per case: the budget is what parsing ONE hostile reply may cost. The in-run retry of reads
          // (3 tries by default) is tested in connectors/ews/resilience.test.ts.
          readAttempts: 1,
        });
        try {
          outcome = await exchange.modules.contacts?.listAll(undefined);
        } catch (error) {
          outcome = error;
        } finally {
          await exchange.close();
        }
        // Give anything the library threw from its own callbacks time to surface.
        await new Promise((resolve) => setTimeout(resolve, 100));
      } catch (error) {
        outcome = error;
      } finally {
        crashes.uninstall();
      }
      expect(outcome).toBeInstanceOf(ConnectorError);
      expect((outcome as ConnectorError).message).not.toContain("lollol");
      expect((outcome as ConnectorError).message).not.toContain("root:");
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(RSS_BUDGET_BYTES);
      expect(crashes.count()).toEqual([]);
    });
  }
});
