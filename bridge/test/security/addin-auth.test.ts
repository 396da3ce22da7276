/**
 * On-prem add-in sign-in end to end: the EWS simulator issues Exchange identity and callback tokens with the real
 * shapes over HTTPS, the bridge fetches the simulator's auth metadata document to verify them, and links the identity
 * token's user to the mailbox the callback token names — once, and only for that user's own mailbox.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEwsSimulator, startEwsSimulator } from "../../simulators/ews/index.js";
import { EXCHANGE_CALLBACK_TOKEN_HEADER } from "../../src/api/addin.js";
import { startTestBridge, type TestBridge } from "../http/harness.js";
import { testPki } from "../support/pki.js";
import { ADDIN_URL, startOnPremBridge } from "./addin-auth-support.js";

const ITEM_ID = "AAMkAGI2TG93AAA=";

describe("on-prem add-in sign-in: Exchange identity token linked through a callback token", () => {
  let exchange: RunningEwsSimulator;
  let otherExchange: RunningEwsSimulator;
  let bridge: TestBridge;
  let alice: string;
  let bob: string;
  let carol: string;

  beforeAll(async () => {
    const pki = await testPki();
    [exchange, otherExchange] = await Promise.all([
      startEwsSimulator({ pki, release: "2016" }),
      startEwsSimulator({ pki, release: "2016" }),
    ]);
    const seeded = exchange.control.seed({ mailboxes: 3 }).users.map((user) => user.smtp);
    [alice, bob, carol] = seeded as [string, string, string];
    otherExchange.control.seed({ mailboxes: 1 });
    // Alice and Bob use the bridge; Carol has a mailbox on the Exchange server but no bridge account.
    bridge = await startOnPremBridge([alice, bob]);
  });
  afterAll(async () => {
    await bridge?.close();
    await Promise.all([exchange?.close(), otherExchange?.close()]);
  });

  const identityToken = (smtp: string, server = exchange) => server.control.identityToken(smtp, ADDIN_URL);
  const callbackToken = (smtp: string, server = exchange, lifetimeSeconds?: number) =>
    server.control.callbackToken(smtp, ITEM_ID, lifetimeSeconds);

  async function mySync(identity: string, callback?: string, target = bridge) {
    const response = await fetch(`${target.url}/api/addin/me/sync`, {
      headers: {
        authorization: `Bearer ${identity}`,
        "x-bridge-token-type": "exchange-identity",
        ...(callback ? { [EXCHANGE_CALLBACK_TOKEN_HEADER]: callback } : {}),
      },
    });
    const body = (await response.json()) as { mailbox?: string; error?: { code: string; message: string } };
    return { status: response.status, mailbox: body.mailbox, code: body.error?.code };
  }

  it("asks for a callback token while the Exchange user is not linked, then links and remembers the mailbox", async () => {
    expect(await mySync(await identityToken(alice))).toEqual({
      status: 403,
      mailbox: undefined,
      code: "MAILBOX_NOT_LINKED",
    });
    expect(await mySync(await identityToken(alice), await callbackToken(alice))).toMatchObject({
      status: 200,
      mailbox: alice,
    });
    expect(await mySync(await identityToken(alice))).toMatchObject({ status: 200, mailbox: alice });
    expect((await bridge.storage.users.byMailbox(alice))?.exchangeIdentity).toMatch(/^ews:/);
  });

  it("the simulator's control API issues callback tokens in the recorded on-prem shape", async () => {
    const response = await fetch(`${exchange.url}/_sim/callback-token`, {
      method: "POST",
      body: JSON.stringify({ smtp: bob, itemId: ITEM_ID }),
    });
    const { token } = (await response.json()) as { token: string };
    const [header, payload] = token
      .split(".")
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, "base64url").toString()));
    expect(header).toMatchObject({ typ: "JWT", alg: "RS256", x5t: expect.any(String) });
    const host = new URL(exchange.url).hostname;
    expect(payload).toMatchObject({
      ver: "Exchange.Callback.V1",
      aud: `00000002-0000-0ff1-ce00-000000000000/${host}@${host}`,
      iss: `00000002-0000-0ff1-ce00-000000000000@${host}`,
    });
    expect(JSON.parse(payload.appctx)).toMatchObject({ smtp: bob, scope: `ParentItemId:${ITEM_ID}` });
  });

  it("refuses another user's callback token, both for a linked user and to take over a linked mailbox", async () => {
    await mySync(await identityToken(alice), await callbackToken(alice));
    expect(await mySync(await identityToken(alice), await callbackToken(bob))).toMatchObject({
      status: 403,
      code: "MAILBOX_LINK_REFUSED",
    });
    expect(await mySync(await identityToken(bob), await callbackToken(alice))).toMatchObject({
      status: 403,
      code: "MAILBOX_LINK_REFUSED",
    });
    expect(await mySync(await identityToken(bob), await callbackToken(bob))).toMatchObject({
      status: 200,
      mailbox: bob,
    });
  });

  it("refuses expired, other-server and misaddressed callback tokens without linking", async () => {
    const identity = await identityToken(carol);
    const unlinked = { status: 403, code: "MAILBOX_NOT_LINKED" };
    expect(await mySync(identity, await callbackToken(carol, exchange, -60))).toMatchObject({ status: 401 });
    const [stranger] = otherExchange.control.seed({ mailboxes: 1 }).users;
    expect(await mySync(identity, await callbackToken(stranger?.smtp ?? "", otherExchange))).toMatchObject({
      status: 401,
      code: "UNAUTHENTICATED",
    });
    // An identity token is addressed to the add-in, not to Exchange: it cannot stand in for a callback token.
    expect(await mySync(identity, identity)).toMatchObject({ status: 401 });
    expect(await mySync(identity, "not.a.token")).toMatchObject({ status: 401 });
    // Carol's own valid callback token: verified, but she has no bridge account.
    expect(await mySync(identity, await callbackToken(carol))).toMatchObject({
      status: 403,
      code: "MAILBOX_NOT_ENABLED",
    });
    expect(await mySync(identity)).toMatchObject(unlinked);
  });

  it("refuses forged identity tokens and Exchange servers the bridge does not trust", async () => {
    const genuine = await identityToken(alice);
    const [header, payload] = genuine.split(".");
    const otherSignature = (await identityToken(alice, otherExchange)).split(".")[2];
    expect(await mySync(`${header}.${payload}.${otherSignature}`)).toMatchObject({ status: 401 });
    const expired = await exchange.control.identityToken(alice, ADDIN_URL, -60);
    expect(await mySync(expired)).toMatchObject({ status: 401 });
    const otherAudience = await exchange.control.identityToken(alice, "https://evil.example/pane.html");
    expect(await mySync(otherAudience)).toMatchObject({ status: 401 });

    // A forged token may name any URL on a trusted host: an unreachable server or a page that is not a metadata
    // document is the caller's failure (401), not the bridge's.
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    for (const amurl of ["https://127.0.0.1:1/autodiscover/metadata/json/1", `${exchange.url}/_sim/mailboxes`]) {
      const appctx = JSON.stringify({ version: "ExIdTok.V1", msexchuid: "x", amurl });
      const forged = `${header}.${encode({ aud: ADDIN_URL, appctx })}.${otherSignature}`;
      expect(await mySync(forged), amurl).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
    }

    const strict = await startTestBridge({
      sandbox: false,
      addinUrl: ADDIN_URL,
      ewsAllowedHosts: ["mail.contoso.com"],
    });
    try {
      expect(await mySync(genuine, await callbackToken(alice), strict)).toMatchObject({
        status: 401,
        code: "UNAUTHENTICATED",
      });
    } finally {
      await strict.close();
    }
  });
});
