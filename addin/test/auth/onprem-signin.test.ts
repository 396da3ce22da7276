// @vitest-environment node
/**
 * On-prem sign-in end to end: the add-in's own token source and client against the REAL bridge (Koa app over SQLite)
 * verifying Exchange identity and callback tokens that the HTTPS EWS simulator signs. Proves both sides agree on the
 * linking handshake (MAILBOX_NOT_LINKED → retry with the callback token header) and on refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEwsSimulator, startEwsSimulator } from "../../../bridge/simulators/ews/index.js";
import type { TestBridge } from "../../../bridge/test/http/harness.js";
import { ADDIN_URL, startOnPremBridge } from "../../../bridge/test/security/addin-auth-support.js";
import { testPki } from "../../../bridge/test/support/pki.js";
import { BridgeApiError, createBridgeClient } from "../../src/api/client.js";
import { createTokenSource } from "../../src/auth/tokens.js";
import type { OfficeHost } from "../../src/office/host.js";

let exchange: RunningEwsSimulator;
let bridge: TestBridge;
let alice: string;
let bob: string;

beforeAll(async () => {
  exchange = await startEwsSimulator({ pki: await testPki(), release: "2016" });
  [alice, bob] = exchange.control.seed({ mailboxes: 2 }).users.map((user) => user.smtp) as [string, string];
  bridge = await startOnPremBridge([alice, bob]);
});
afterAll(async () => {
  await bridge?.close();
  await exchange?.close();
});

/** An on-prem Outlook signed in as `user`, whose callback tokens name `callbackUser` (normally the same person). */
function outlookOf(user: string, callbackUser = user) {
  const calls = { identity: 0, callback: 0 };
  const unused = () => Promise.reject(new Error("not used"));
  const host: OfficeHost = {
    capabilities: { mailbox13: true, mailbox15: true, nestedAppAuth: false, dialogApi: false },
    user: { email: user, displayName: user, timeZone: null },
    displayLanguage: "en-US",
    currentItem: () => null,
    bodyText: unused,
    onItemChanged: () => Promise.resolve(() => {}),
    userIdentityToken: () => {
      calls.identity += 1;
      return exchange.control.identityToken(user, ADDIN_URL);
    },
    exchangeCallbackToken: () => {
      calls.callback += 1;
      return exchange.control.callbackToken(callbackUser, "AAMkAGI2TG93AAA=");
    },
    meetingDetails: unused,
    requiredAttendees: unused,
    addRequiredAttendees: unused,
    dialogMessage: unused,
  };
  return { host, calls };
}

async function clientFor(host: OfficeHost) {
  const root = `${bridge.url}/`;
  const publicClient = createBridgeClient(root, null);
  const config = await publicClient("config", {});
  expect(config).toMatchObject({ exchangeIdentity: true, sandbox: false, naa: null });
  const tokenSource = createTokenSource({
    config,
    host,
    client: publicClient,
    dialogUrl: `${root}addin/auth-dialog.html`,
  });
  return createBridgeClient(root, tokenSource);
}

describe("on-prem add-in sign-in against the real bridge", () => {
  it("links the mailbox on first use with one callback token, then signs in with the identity token alone", async () => {
    const { host, calls } = outlookOf(alice);
    const client = await clientFor(host);
    await expect(client("mySyncStatus", {})).resolves.toMatchObject({ mailbox: alice });
    expect(calls).toEqual({ identity: 2, callback: 1 });
    await expect(client("mySyncStatus", {})).resolves.toMatchObject({ mailbox: alice });
    expect(calls).toEqual({ identity: 3, callback: 1 });
  });

  it("surfaces the bridge's refusal when the callback token names a mailbox already linked to someone else", async () => {
    const { host } = outlookOf(bob, alice);
    const client = await clientFor(host);
    const error = await client("mySyncStatus", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BridgeApiError);
    expect(error).toMatchObject({ status: 403, code: "MAILBOX_LINK_REFUSED" });
    expect((await bridge.storage.users.byMailbox(bob))?.exchangeIdentity).toBeNull();
  });
});
