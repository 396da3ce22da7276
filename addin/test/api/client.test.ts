// @vitest-environment node
import { afterEach, describe, expect, it, vi } from "vitest";
import { addinRoutes } from "../../../bridge/src/api/addin.js";
import { BridgeApiError, createBridgeClient } from "../../src/api/client.js";

afterEach(() => vi.unstubAllGlobals());

const respond = (status: number, body: unknown) =>
  vi.fn((_url: URL, _init: RequestInit) => Promise.resolve(new Response(JSON.stringify(body), { status })));

describe("add-in API contract", () => {
  it("has one route per method and path, all under /api/addin", () => {
    const keys = Object.values(addinRoutes).map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const route of Object.values(addinRoutes)) expect(route.path).toMatch(/^\/api\/addin\//);
  });

  it("GET routes take only query-string-shaped input", () => {
    const samples = { itemStatus: { itemType: "message", ewsItemId: "AAMk" }, searchPeople: { q: "da" } };
    for (const [name, input] of Object.entries(samples)) {
      const route = addinRoutes[name as keyof typeof samples];
      expect(route.method).toBe("GET");
      expect(route.request.safeParse(input).success).toBe(true);
    }
    expect(addinRoutes.itemStatus.request.safeParse({ itemType: "message" }).success).toBe(false);
  });
});

describe("bridge client", () => {
  it("sends the bearer token, its type and the add-in version; GET input goes in the query", async () => {
    const fetch = respond(200, { state: "not-synced", reason: null, crmRecords: [], lastSyncedAt: null });
    vi.stubGlobal("fetch", fetch);
    const client = createBridgeClient("https://bridge.example/prefix/", () =>
      Promise.resolve({ tokenType: "aad", token: "abc" }),
    );
    await client("itemStatus", { itemType: "message", internetMessageId: "<a@b>" });
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url?.href).toBe(
      "https://bridge.example/prefix/api/addin/items/status?itemType=message&internetMessageId=%3Ca%40b%3E",
    );
    expect(init?.headers).toMatchObject({ authorization: "Bearer abc", "x-bridge-token-type": "aad" });
    expect(init?.body).toBeUndefined();
  });

  it("turns the bridge's error shape into a BridgeApiError with the stable code", async () => {
    vi.stubGlobal("fetch", respond(404, { error: { code: "MESSAGE_NOT_FOUND", message: "gone", requestId: "r1" } }));
    const client = createBridgeClient("https://bridge.example/", () =>
      Promise.resolve({ tokenType: "aad", token: "t" }),
    );
    const error = await client("sendEmail", {
      internetMessageId: "<a@b>",
      targets: [{ module: "Contacts", id: "1" }],
      includeAttachments: false,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BridgeApiError);
    expect(error).toMatchObject({ status: 404, code: "MESSAGE_NOT_FOUND", message: "gone" });
  });

  it("on-prem, links the mailbox once: retries MAILBOX_NOT_LINKED with an Exchange callback token", async () => {
    const answers = [
      new Response(JSON.stringify({ error: { code: "MAILBOX_NOT_LINKED", message: "link first" } }), { status: 403 }),
      new Response(JSON.stringify({ mailbox: "me@contoso.com", displayName: "Me", modules: [], recentErrors: [] })),
    ];
    const fetch = vi.fn((_url: URL, _init: RequestInit) => Promise.resolve(answers.shift() as Response));
    vi.stubGlobal("fetch", fetch);
    const requests: unknown[] = [];
    const client = createBridgeClient("https://bridge.example/", (request) => {
      requests.push(request);
      return Promise.resolve({
        tokenType: "exchange-identity",
        token: "identity",
        ...(request?.linkMailbox ? { exchangeCallbackToken: "callback" } : {}),
      });
    });
    await expect(client("mySyncStatus", {})).resolves.toMatchObject({ mailbox: "me@contoso.com" });
    expect(requests).toEqual([{ linkMailbox: false }, { linkMailbox: true }]);
    expect(fetch.mock.calls[0]?.[1]?.headers).not.toHaveProperty("x-bridge-exchange-callback-token");
    expect(fetch.mock.calls[1]?.[1]?.headers).toMatchObject({
      authorization: "Bearer identity",
      "x-bridge-exchange-callback-token": "callback",
    });
  });

  it("does not retry other refusals", async () => {
    const fetch = respond(403, { error: { code: "MAILBOX_LINK_REFUSED", message: "another mailbox" } });
    vi.stubGlobal("fetch", fetch);
    const client = createBridgeClient("https://bridge.example/", () =>
      Promise.resolve({ tokenType: "exchange-identity", token: "identity", exchangeCallbackToken: "callback" }),
    );
    await expect(client("mySyncStatus", {})).rejects.toMatchObject({ code: "MAILBOX_LINK_REFUSED" });
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it("rejects an answer that does not match the contract", async () => {
    vi.stubGlobal("fetch", respond(200, { people: "nope" }));
    const client = createBridgeClient("https://bridge.example/", () =>
      Promise.resolve({ tokenType: "aad", token: "t" }),
    );
    await expect(client("context", { emails: ["a@b.com"] })).rejects.toMatchObject({ code: "BAD_RESPONSE" });
  });

  it("validates input before sending and needs a token for authenticated routes", async () => {
    const fetch = respond(200, {});
    vi.stubGlobal("fetch", fetch);
    const anonymous = createBridgeClient("https://bridge.example/", null);
    await expect(anonymous("mySyncStatus", {})).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    await expect(anonymous("context", { emails: ["not-an-address"] })).rejects.toThrow();
    expect(fetch).not.toHaveBeenCalled();
  });
});
