import { createPublicKey, X509Certificate } from "node:crypto";
import { decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEwsSimulator, type RunningEwsSimulator, startEwsSimulator } from "../../../simulators/ews/index.js";
import { testPki } from "../../support/pki.js";
import { post, soap } from "./raw.js";

describe("EWS simulator control API, Autodiscover and add-in identity", () => {
  let sim: RunningEwsSimulator;
  beforeAll(async () => {
    sim = await startEwsSimulator({ pki: await testPki(), release: "2016" });
  });
  afterAll(() => sim.close());

  const control = async (path: string, body?: unknown) => {
    const response = await fetch(
      `${sim.url}/_sim/${path}`,
      body === undefined ? {} : { method: "POST", body: JSON.stringify(body) },
    );
    return response.json() as Promise<Record<string, unknown>>;
  };

  it("seeds, counts calls and injects faults over HTTP", async () => {
    await control("reset", {});
    const summary = await control("seed", { mailboxes: 2, contactsPerMailbox: 3 });
    expect((summary.users as unknown[]).length).toBe(2);
    const inbox = soap(
      '<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:IndexedPageItemView MaxEntriesReturned="10" Offset="0" BasePoint="Beginning"/><m:ParentFolderIds><t:DistinguishedFolderId Id="contacts"/></m:ParentFolderIds></m:FindItem>',
    );
    expect((await post(sim, inbox)).text).toContain('TotalItemsInView="3"');
    expect(await control("calls")).toEqual({ "ews.FindItem": 1 });
    await control("faults", { rate: 1, kinds: ["html-error"], seed: 1 });
    const html = await post(sim, inbox);
    expect(html.status).toBe(500);
    expect(html.headers.get("content-type")).toContain("text/html");
    await control("faults", { rate: 0 });
    expect((await post(sim, inbox)).status).toBe(200);
  });

  it("answers POX Autodiscover with the EWS URL", async () => {
    await control("reset", {});
    await control("seed", { mailboxes: 1 });
    const response = await fetch(`${sim.url}/autodiscover/autodiscover.xml`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from("alice@contoso.com:Pa55w.rd").toString("base64")}`,
        "content-type": "text/xml",
      },
      body: '<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request><EMailAddress>alice@contoso.com</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>',
    });
    expect(await response.text()).toContain(`<EwsUrl>${sim.url}/EWS/Exchange.asmx</EwsUrl>`);
  });

  it("issues identity tokens that verify against the published metadata document", async () => {
    await control("reset", {});
    await control("seed", { mailboxes: 1 });
    const { token } = (await control("identity-token", {
      smtp: "alice@contoso.com",
      audience: "https://addin.example/taskpane.html",
    })) as { token: string };
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as {
      appctx: string;
    };
    const appctx = JSON.parse(payload.appctx) as { amurl: string; version: string; msexchuid: string };
    expect(appctx.version).toBe("ExIdTok.V1");
    const metadata = (await (await fetch(appctx.amurl)).json()) as {
      keys: { keyinfo: { x5t: string }; keyvalue: { value: string } }[];
    };
    const key = metadata.keys.find((k) => k.keyinfo.x5t === decodeProtectedHeader(token).x5t);
    expect(key).toBeDefined();
    const certificate = new X509Certificate(Buffer.from(key?.keyvalue.value ?? "", "base64"));
    const verified = await jwtVerify(
      token,
      createPublicKey(certificate.publicKey.export({ type: "spki", format: "pem" })),
      {
        audience: "https://addin.example/taskpane.html",
      },
    );
    expect(verified.payload.isbrowserhostedapp).toBe("true");
  });

  it("seeds an org of 10 000 items in process", () => {
    const big = createEwsSimulator({ xsdDir: null });
    const summary = big.control.seed({
      mailboxes: 5,
      contactsPerMailbox: 1000,
      meetingsPerMailbox: 50,
      tasksPerMailbox: 50,
      mailsPerMailbox: 900,
    });
    expect(summary.items).toBe(10_000);
    expect(big.control.user.list("erin@contoso.com", "contacts")).toHaveLength(1000);
  });
});
