/**
 * Zoho-specific behaviour of the connector beyond the shared contract, end to end over HTTPS against the simulator:
 * OAuth (per DC, cached tokens, one refresh on INVALID_TOKEN, HTTP-200 token errors), paging past 2000 records,
 * the change feed's overlap window, per-record batch results, 429 back-off, the org's concurrency limit (edition and
 * heavy calls, shared by every port of the org), e-mail association, users, push.
 */
import type { IncomingMessage } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { serveHttps } from "../../../simulators/shared/server.js";
import { DEFAULT_CLIENT, type RunningZohoSimulator, startZohoSimulator } from "../../../simulators/zoho/index.js";
import { ConnectorError } from "../../../src/connectors/errors.js";
import type { PushNotice } from "../../../src/connectors/port.js";
import { createZohoCrmPort, exchangeAuthorizationCode } from "../../../src/connectors/zoho/index.js";
import { testPki } from "../../support/pki.js";
import { drainChanges, listEverything } from "../contract.js";
import { connectZoho } from "./support.js";

let sim: RunningZohoSimulator;
beforeAll(async () => {
  sim = await startZohoSimulator({ pki: await testPki(), searchIndexLagMs: 0 });
});
afterAll(() => sim.close());
beforeEach(() => sim.control.reset());

const person = (n: number) => ({ givenName: `G${n}`, surname: `S${n}`, email1: `p${n}@example.com`, categories: [] });

describe("Zoho connector: OAuth", () => {
  it("exchanges the code at the accounts-server the redirect names and uses the returned api_domain", async () => {
    const eu = await startZohoSimulator({ pki: await testPki(), dataCentre: "eu" });
    try {
      const authorize = new URL(`${eu.url}/us/accounts/oauth/v2/auth`);
      authorize.search = new URLSearchParams({
        scope: "ZohoCRM.modules.ALL,ZohoCRM.users.READ,ZohoCRM.coql.READ",
        client_id: DEFAULT_CLIENT.clientId,
        response_type: "code",
        access_type: "offline",
        redirect_uri: "https://bridge.example/oauth",
      }).toString();
      const redirect = new URL((await fetch(authorize, { redirect: "manual" })).headers.get("location") ?? "");
      const accountsServer = redirect.searchParams.get("accounts-server") ?? "";
      const tokens = await exchangeAuthorizationCode({
        accountsServer,
        clientId: DEFAULT_CLIENT.clientId,
        clientSecret: DEFAULT_CLIENT.clientSecret,
        code: redirect.searchParams.get("code") ?? "",
        redirectUri: "https://bridge.example/oauth",
      });
      expect(tokens.apiDomain).toBe(`${eu.url}/eu`);
      const crm = await createZohoCrmPort({
        oauth: { ...DEFAULT_CLIENT, accountsServer, refreshToken: tokens.refreshToken },
      });
      await expect(crm.modules.contacts.listAll(undefined)).resolves.toMatchObject({ items: [] });
    } finally {
      await eu.close();
    }
  });

  it("caches the access token and refreshes exactly once after a 401 INVALID_TOKEN", async () => {
    const { crm } = await connectZoho(sim);
    for (let i = 0; i < 5; i += 1) await crm.modules.contacts.listAll(undefined);
    expect(sim.control.callCounts()["oauth.token"]).toBe(1);
    sim.control.expireAccessTokens();
    await crm.modules.contacts.listAll(undefined);
    expect(sim.control.callCounts()["oauth.token"]).toBe(2);
  });

  it("revokes its refresh token on uninstall; nothing works afterwards", async () => {
    const { crm } = await connectZoho(sim);
    await crm.revoke();
    sim.control.expireAccessTokens();
    await expect(crm.modules.contacts.listAll(undefined)).rejects.toMatchObject({ failure: { kind: "auth-expired" } });
  });

  it("turns an HTTP-200 token error into auth-expired", async () => {
    const attempt = createZohoCrmPort({
      oauth: {
        ...DEFAULT_CLIENT,
        clientSecret: "wrong",
        accountsServer: sim.control.urls().accountsUrl,
        refreshToken: "x",
      },
    });
    await expect(attempt).rejects.toMatchObject({ failure: { kind: "auth-expired" } });
  });
});

describe("Zoho connector: reads", () => {
  it("lists past 2000 records with page tokens, never with page numbers", async () => {
    sim.control.seedDemo({ contacts: 2_150, accounts: 3, leads: 0, deals: 0, events: 0, tasks: 0 });
    const { crm } = await connectZoho(sim);
    const { items, cursor } = await listEverything(crm.modules.contacts);
    expect(new Set(items.map((item) => item.id)).size).toBe(2_150);
    expect(cursor).toBeTypeOf("string");
    expect(sim.control.callCounts()["records.list"]).toBe(11);
  });

  it("does not lose a record written in the same second as the watermark, nor repeat it", async () => {
    const { crm } = await connectZoho(sim);
    const port = crm.modules.contacts;
    const { cursor } = await listEverything(port);
    const [created] = await port.create([{ value: person(1) }]);
    const first = await drainChanges(port, cursor);
    expect(created?.ok && first.upserts.has(created.value.id)).toBe(true);
    const second = await drainChanges(port, first.cursor);
    expect(second.upserts.size + second.deleted.size).toBe(0);
  });
});

describe("Zoho connector: writes", () => {
  it("checks every per-record result of a batch (207)", async () => {
    const { crm } = await connectZoho(sim);
    const results = await crm.modules.contacts.create([
      { value: person(1) },
      { value: { ...person(2), email1: "not-an-email" } },
      { value: person(3) },
    ]);
    expect(results.map((result) => result.ok)).toEqual([true, false, true]);
    const failure = results[1]?.ok === false ? results[1].failure : undefined;
    expect(failure).toMatchObject({ kind: "invalid-record", field: "Email" });
  });

  it("sends 250 records as 3 insert calls of ≤100, resolving companies to Accounts in bulk", async () => {
    const { crm } = await connectZoho(sim);
    sim.control.resetCallCounts();
    const values = Array.from({ length: 250 }, (_, i) => ({
      ...person(i),
      companyName: i % 2 ? "Zylker" : "O'Hara Ltd",
    }));
    const results = await crm.modules.contacts.create(values.map((value) => ({ value })));
    expect(results.every((result) => result.ok)).toBe(true);
    // 3 contact batches + 1 insert of the two missing Accounts (found missing by one exact COQL query), and no
    // read-back: each insert's per-record result (id, Modified_Time) is the written item.
    const calls = sim.control.callCounts();
    expect(calls).toMatchObject({ "records.insert": 3 + 1, coql: 1 });
    expect(calls["records.list"]).toBeUndefined();
    expect(
      sim.control
        .records("Accounts")
        .map((account) => account.Account_Name)
        .sort(),
    ).toEqual(["O'Hara Ltd", "Zylker"]);
    const read = results[1]?.ok ? results[1].value.value : undefined;
    expect(read?.companyName).toBe("Zylker");
  });

  it("inserts 1000 contacts of 10 companies in at most 12 calls, 11 of them writes (issue #10)", async () => {
    const { crm } = await connectZoho(sim);
    sim.control.resetCallCounts();
    const values = Array.from({ length: 1000 }, (_, i) => ({ ...person(i), companyName: `Company ${i % 10}` }));
    const results = await crm.modules.contacts.create(values.map((value) => ({ value })));
    expect(results.filter((result) => !result.ok)).toEqual([]);
    const calls = Object.entries(sim.control.callCounts()).filter(([endpoint]) => !endpoint.startsWith("oauth"));
    // 10 inserts of 100 contacts, 1 insert of the 10 Accounts, 1 COQL that found them missing.
    expect(Object.fromEntries(calls)).toEqual({ "records.insert": 11, coql: 1 });
    const [written] = results;
    const [read] = written?.ok ? await crm.modules.contacts.getMany([written.value.id]) : [];
    expect(read?.ok && read.value.value).toMatchObject({ givenName: "G0", companyName: "Company 0" });
    // The version the insert answered is the one a conditional update of the record must present.
    if (!written?.ok) throw new Error("insert failed");
    const [updated] = await crm.modules.contacts.update([
      { id: written.value.id, expectedVersion: written.value.version, value: { ...values[0], jobTitle: "Buyer" } },
    ]);
    expect(updated?.ok).toBe(true);
  });

  it("backs off on 429 and succeeds when the throttling passes", async () => {
    const refreshToken = sim.control.issueRefreshToken();
    const crm = await createZohoCrmPort({
      oauth: { ...DEFAULT_CLIENT, accountsServer: sim.control.urls().accountsUrl, refreshToken },
      client: { maxRetries: 6, backoffMs: 5 },
    });
    sim.control.setFaults({ rate: 0.6, kinds: ["throttled"], seed: 4, endpoints: /^records\./ });
    try {
      const results = await crm.modules.contacts.create([{ value: person(1) }]);
      expect(results[0]?.ok).toBe(true);
      expect(sim.control.callCounts()["records.insert"]).toBeGreaterThanOrEqual(1);
    } finally {
      sim.control.setFaults(undefined);
    }
  });

  it("maps dropped connections, truncated, HTML and malformed answers to transient, never a crash", async () => {
    const { crm } = await connectZoho(sim);
    await crm.modules.contacts.create([{ value: person(1) }]);
    for (const kind of ["reset", "truncated", "html-error", "malformed", "server-error"] as const) {
      sim.control.setFaults({ rate: 1, kinds: [kind], seed: 2, endpoints: /^records\./ });
      await expect(crm.modules.contacts.listAll(undefined), kind).rejects.toMatchObject({
        failure: { kind: "transient" },
      });
    }
    sim.control.setFaults(undefined);
    await expect(crm.modules.contacts.listAll(undefined)).resolves.toBeDefined();
  });

  it("never repeats an insert whose outcome is unknown (no duplicates), but does repeat reads", async () => {
    const refreshToken = sim.control.issueRefreshToken();
    const crm = await createZohoCrmPort({
      oauth: { ...DEFAULT_CLIENT, accountsServer: sim.control.urls().accountsUrl, refreshToken },
      client: { maxRetries: 3, backoffMs: 5 },
    });
    sim.control.resetCallCounts();
    sim.control.setFaults({ rate: 1, kinds: ["truncated"], seed: 3, endpoints: /^records\.insert$/ });
    try {
      await expect(crm.modules.contacts.create([{ value: person(1) }])).rejects.toMatchObject({
        failure: { kind: "transient" },
      });
      expect(sim.control.callCounts()["records.insert"]).toBe(1);
      expect(sim.control.records("Contacts")).toHaveLength(1);
      sim.control.setFaults({ rate: 1, kinds: ["truncated"], seed: 3, endpoints: /^records\.list$/ });
      await expect(crm.modules.contacts.listAll(undefined)).rejects.toMatchObject({ failure: { kind: "transient" } });
      expect(sim.control.callCounts()["records.list"]).toBe(4);
    } finally {
      sim.control.setFaults(undefined);
    }
  });

  it("reports throttled when 429s persist", async () => {
    const { crm } = await connectZoho(sim);
    sim.control.setFaults({ rate: 1, kinds: ["throttled"], seed: 1 });
    try {
      await crm.modules.tasks.listAll(undefined);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConnectorError);
      expect((error as ConnectorError).failure.kind).toBe("throttled");
    } finally {
      sim.control.setFaults(undefined);
    }
  });
});

describe("Zoho connector: the org's concurrency limit", () => {
  /** Two users who connected their own Zoho accounts: two ports of one org, which Zoho counts together. */
  const twoUsersPorts = () =>
    Promise.all(
      [1, 2].map(() =>
        createZohoCrmPort({
          oauth: {
            ...DEFAULT_CLIENT,
            accountsServer: sim.control.urls().accountsUrl,
            refreshToken: sim.control.issueRefreshToken(),
          },
          // No retry: one 429 would fail the call as throttled.
          client: { maxRetries: 0 },
        }),
      ),
    );

  it("keeps the org's ports within a Standard edition's 10 calls in flight", async () => {
    sim.control.setLimits({ edition: "standard" });
    const ports = await twoUsersPorts();
    sim.control.setLatency(40);
    try {
      const listings = ports.flatMap((crm) =>
        Array.from({ length: 12 }, () => crm.modules.contacts.listAll(undefined)),
      );
      await expect(Promise.all(listings)).resolves.toHaveLength(24);
    } finally {
      sim.control.setLatency(0);
    }
  });

  it("keeps the org's ports within the sub-limit of 10 heavy calls (COQL)", async () => {
    const ports = await twoUsersPorts();
    sim.control.setLatency(40);
    try {
      const queries = ports.flatMap((crm) =>
        Array.from({ length: 8 }, () =>
          crm.client.request({
            method: "POST",
            path: "coql",
            heavy: true,
            body: { select_query: "select Last_Name from Contacts where Last_Name is not null" },
          }),
        ),
      );
      await expect(Promise.all(queries)).resolves.toHaveLength(16);
    } finally {
      sim.control.setLatency(0);
    }
  });
});

describe("Zoho connector: e-mail, users, push", () => {
  it("associates a mail idempotently by Message-ID to the person found by exact e-mail", async () => {
    const { crm } = await connectZoho(sim);
    await crm.modules.contacts.create([{ value: person(7) }]);
    const people = await crm.mail.findPeopleByEmail(["P7@example.com", "nobody@example.com"]);
    expect(people).toHaveLength(1);
    const message = {
      id: "mailbox-1",
      messageId: "<abc.123@example.com>",
      value: {
        messageId: "<abc.123@example.com>",
        subject: "Quote",
        from: { address: "me@zylker.example" },
        to: [{ address: "p7@example.com" }],
        cc: [],
        bcc: [],
        date: "2026-05-01T09:00:00Z",
        direction: "sent",
        body: { content: "<p>Hello</p>", format: "html" },
        attachments: [],
      },
    } as unknown as Parameters<typeof crm.mail.associateEmail>[1];
    const person7 = people[0];
    if (!person7) throw new Error("no person");
    expect(await crm.mail.associateEmail(person7, message)).toEqual({ ok: true, value: undefined });
    expect(await crm.mail.associateEmail(person7, message)).toEqual({ ok: true, value: undefined });
    const mails = sim.control.state().emails as Record<string, unknown[]>;
    expect(mails[`Contacts/${person7.id}`]).toHaveLength(1);
  });

  it("lists CRM-sent mail of the user's people once, with a stable Message-ID", async () => {
    const { crm } = await connectZoho(sim);
    const [created] = await crm.modules.contacts.create([{ value: person(8) }]);
    const id = created?.ok ? created.value.id : "";
    const zohoId = sim.control.sendEmailFromCrm("Contacts", id, {
      to: ["p8@example.com"],
      subject: "Proposal",
      content: "<p>Attached</p>",
    });
    const first = await crm.mail.listSentEmails(undefined);
    expect(first.messages.map((message) => message.messageId)).toEqual([`<${zohoId}@crm.zoho>`]);
    expect(first.messages[0]?.value).toMatchObject({
      subject: "Proposal",
      direction: "sent",
      to: [{ address: "p8@example.com" }],
    });
    const again = await crm.mail.listSentEmails(first.cursor);
    expect(again.messages).toHaveLength(0);
  });

  it("lists active users only, and profiles", async () => {
    const { crm } = await connectZoho(sim);
    const disabled = sim.control.addUser({ firstName: "Old", lastName: "User", email: "old@zylker.example" });
    sim.control.setUserStatus(disabled.id, "disabled");
    const users = await crm.activeUsers();
    expect(users.map((user) => user.email)).not.toContain("old@zylker.example");
    expect(users[0]?.profile?.name).toBe("Administrator");
    expect((await crm.profiles()).map((profile) => profile.name)).toContain("Standard");
  });

  it("gets notices for its own writes too, renews the channel and rejects forged deliveries", async () => {
    const { crm } = await connectZoho(sim);
    const notices: PushNotice[] = [];
    const subscriptionRef: { current?: Awaited<ReturnType<typeof crm.modules.contacts.subscribe>> } = {};
    const receiver = await serveHttps(
      (req: IncomingMessage, res) => {
        let text = "";
        req.on("data", (chunk) => {
          text += chunk;
        });
        req.on("end", () => {
          subscriptionRef.current?.acceptDelivery?.(JSON.parse(text));
          res.end();
        });
      },
      await testPki(),
    );
    try {
      const subscription = await crm.modules.contacts.subscribe({
        callbackUrl: `${receiver.url}/hook`,
        secret: "s3cret",
        onNotice: (notice) => notices.push(notice),
      });
      subscriptionRef.current = subscription;
      const [created] = await crm.modules.contacts.create([{ value: person(1) }]);
      const id = created?.ok ? created.value.id : "";
      await expect.poll(() => notices.some((notice) => notice.ids.includes(id))).toBe(true);
      const before = Date.parse(subscription.expiresAt);
      sim.control.advanceClock(5_000);
      const renewed = await subscription.renew();
      expect(Date.parse(renewed)).toBeGreaterThanOrEqual(before);
      expect(() => subscription.acceptDelivery?.({ token: "forged", channel_id: subscription.id })).toThrow(
        ConnectorError,
      );
      await subscription.close();
      expect((await crm.client.request({ method: "GET", path: "actions/watch" })).status).toBe(204);
    } finally {
      await receiver.close();
    }
  });
});
