/**
 * The admin "test connection" routes against the real simulators over HTTPS: every failure reason is produced by the
 * simulator itself (a service account without ApplicationImpersonation, a wrong password, an unknown mailbox, a
 * revoked Graph app, an application access policy, a revoked or under-scoped Zoho refresh token, an untrusted or
 * wrongly named certificate) and must come back as its own step + code.
 */
import { randomBytes, webcrypto, X509Certificate } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEwsSimulator } from "../../simulators/ews/index.js";
import { DEMO_TENANT, startGraphSimulator } from "../../simulators/graph/index.js";
import { ensureTestPki } from "../../simulators/shared/pki.js";
import { serveHttps } from "../../simulators/shared/server.js";
import { DEFAULT_CLIENT, startZohoSimulator } from "../../simulators/zoho/index.js";
import type { ConnectionTestResult } from "../../src/api/admin.js";
import {
  loadExchangeConnection,
  SECRET,
  saveExchangeConnection,
  saveZohoConnection,
} from "../../src/services/connections.js";
import { seedUsers, sessionHeaders, startTestBridge, type TestBridge } from "../http/harness.js";
import { testPki } from "../support/pki.js";

const ADELE = `adelev@${DEMO_TENANT.domain}`;
const ALEX = `alexw@${DEMO_TENANT.domain}`;

let bridge: TestBridge;
let ews: Awaited<ReturnType<typeof startEwsSimulator>>;
let graph: Awaited<ReturnType<typeof startGraphSimulator>>;
let zoho: Awaited<ReturnType<typeof startZohoSimulator>>;
let seeded: ReturnType<typeof ews.control.seed>;

beforeAll(async () => {
  const pki = await testPki();
  [ews, graph, zoho] = await Promise.all([
    startEwsSimulator({ pki, release: "2016" }),
    startGraphSimulator({
      pki,
      seed: {
        users: 2,
        contactsPerUser: 1,
        eventsPerUser: 0,
        recurringPerUser: 0,
        tasksPerUser: 0,
        messagesPerUser: 0,
      },
    }),
    startZohoSimulator({ pki }),
  ]);
  seeded = ews.control.seed({ mailboxes: 2, contactsPerMailbox: 1, meetingsPerMailbox: 0, tasksPerMailbox: 0 });
  bridge = await startTestBridge({
    // The simulators' hosts; 127.0.0.2 serves the certificate that does not name it (TLS classification).
    ewsAllowedHosts: ["127.0.0.1", "127.0.0.2", "localhost"],
    entra: {
      tenantId: DEMO_TENANT.id,
      clientId: DEMO_TENANT.addinApp.clientId,
      authorityHost: graph.url,
      apiScope: DEMO_TENANT.apiScope,
    },
  });
}, 60_000);

afterAll(async () => {
  await bridge?.close();
  await Promise.all([ews?.close(), graph?.close(), zoho?.close()]);
});

async function post(path: string, body: unknown): Promise<{ status: number; json: ConnectionTestResult }> {
  const response = await fetch(`${bridge.url}/api/admin${path}`, {
    method: "POST",
    headers: await sessionHeaders(bridge),
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as ConnectionTestResult };
}

/** A self-signed RSA certificate and its key, as an admin makes one for an Entra app registration. */
async function appCertificatePem(): Promise<{ certificatePem: string; privateKeyPem: string }> {
  const algorithm = {
    name: "RSASSA-PKCS1-v1_5",
    hash: "SHA-256",
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 2048,
  };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"]);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(8).toString("hex"),
    name: "CN=Zoho CRM Bridge",
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 365 * 24 * 3_600_000),
    keys,
    signingAlgorithm: algorithm,
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey)).toString("base64");
  return {
    certificatePem: certificate.toString("pem"),
    privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)?.join("\n")}\n-----END PRIVATE KEY-----\n`,
  };
}

const stepStatuses = (result: ConnectionTestResult) =>
  Object.fromEntries(result.steps.map(({ step, status }) => [step, status]));

describe("testExchange over EWS 2016 (impersonation)", () => {
  const ewsDraft = (account: { upn: string; password: string }, url = ews.ewsUrl) => ({
    kind: "ews" as const,
    endpoint: { mode: "url" as const, ewsUrl: url },
    emailAddress: account.upn,
    username: account.upn,
    password: account.password,
    authScheme: "basic" as const,
    serverVersion: "Exchange2016" as const,
  });

  it("passes every step for the service account with ApplicationImpersonation", async () => {
    const mailbox = seeded.users[0]?.smtp;
    const { status, json } = await post("/exchange/test", { connection: ewsDraft(seeded.serviceAccount), mailbox });
    expect(status).toBe(200);
    expect(json.failure).toBeNull();
    expect(json.ok).toBe(true);
    expect(stepStatuses(json)).toEqual({
      tls: "passed",
      authentication: "passed",
      impersonation: "passed",
      mailbox: "passed",
    });
  });

  it("reports the missing impersonation role (ErrorImpersonateUserDenied)", async () => {
    const mailbox = seeded.users[0]?.smtp;
    const { json } = await post("/exchange/test", { connection: ewsDraft(seeded.serviceAccountWithoutRole), mailbox });
    expect(json.ok).toBe(false);
    expect(json.failure).toMatchObject({ step: "impersonation", code: "impersonation-denied" });
    expect(stepStatuses(json)).toMatchObject({ authentication: "passed", impersonation: "failed", mailbox: "skipped" });
  });

  it("reports a wrong password as invalid credentials", async () => {
    const wrong = { ...seeded.serviceAccount, password: "not-the-password" };
    const { json } = await post("/exchange/test", { connection: ewsDraft(wrong), mailbox: seeded.users[0]?.smtp });
    expect(json.failure).toMatchObject({ step: "authentication", code: "invalid-credentials" });
    expect(stepStatuses(json)).toMatchObject({ tls: "passed", impersonation: "skipped" });
  });

  it("reports an unknown mailbox (ErrorNonExistentMailbox)", async () => {
    const mailbox = `nobody@${seeded.users[0]?.smtp.split("@")[1]}`;
    const { json } = await post("/exchange/test", { connection: ewsDraft(seeded.serviceAccount), mailbox });
    expect(json.failure).toMatchObject({ step: "mailbox", code: "mailbox-not-found" });
    expect(stepStatuses(json)).toMatchObject({ authentication: "passed", impersonation: "passed" });
  });

  it("reports a certificate that does not name the host, before sending the password", async () => {
    // The trusted test certificate names 127.0.0.1 and localhost only; 127.0.0.2 is loopback too but not named.
    const elsewhere = await serveHttps(ews.listener, await testPki(), { host: "127.0.0.2" });
    try {
      const before = ews.control.callCounts();
      const { json } = await post("/exchange/test", {
        connection: ewsDraft(seeded.serviceAccount, `${elsewhere.url}/EWS/Exchange.asmx`),
      });
      expect(json.failure).toMatchObject({ step: "tls", code: "tls-hostname-mismatch" });
      expect(stepStatuses(json)).toMatchObject({ authentication: "skipped" });
      expect(ews.control.callCounts()).toEqual(before);
    } finally {
      await elsewhere.close();
    }
  });

  it("tests the saved connection with its stored password", async () => {
    await saveExchangeConnection(bridge.storage, ewsDraft(seeded.serviceAccount));
    const { json } = await post("/exchange/test", { mailbox: seeded.users[1]?.smtp });
    expect(json.ok).toBe(true);
  });

  it("says why each step failed or was skipped", async () => {
    const wrong = { ...seeded.serviceAccount, password: "not-the-password" };
    const { json } = await post("/exchange/test", { connection: ewsDraft(wrong), mailbox: seeded.users[0]?.smtp });
    const reasons = Object.fromEntries(json.steps.map(({ step, reason }) => [step, reason]));
    expect(reasons.tls).toBeNull();
    expect(reasons.authentication).toBe(json.failure?.message);
    expect(reasons.impersonation).toBe("the authentication check failed first");
    expect(reasons.mailbox).toBe("the authentication check failed first");
  });

  it("without a mailbox to impersonate (none given, none selected) tests only the logon and says so", async () => {
    // The seeded service account has no mailbox of its own; reading it proves the logon all the same.
    const { json } = await post("/exchange/test", { connection: ewsDraft(seeded.serviceAccount) });
    expect(json.failure).toBeNull();
    expect(stepStatuses(json)).toEqual({
      tls: "passed",
      authentication: "passed",
      impersonation: "skipped",
      mailbox: "skipped",
    });
    expect(json.steps.find((step) => step.step === "impersonation")?.reason).toMatch(/impersonation was not tested/);

    const wrong = { ...seeded.serviceAccount, password: "not-the-password" };
    const refused = await post("/exchange/test", { connection: ewsDraft(wrong) });
    expect(refused.json.failure).toMatchObject({ step: "authentication", code: "invalid-credentials" });
  });

  it("impersonates the first selected user when no mailbox is given", async () => {
    const [user] = await seedUsers(bridge, 1);
    await bridge.storage.users.setMailbox(user?.id ?? "", `nobody@${seeded.users[0]?.smtp.split("@")[1]}`);
    try {
      const { json } = await post("/exchange/test", { connection: ewsDraft(seeded.serviceAccount) });
      // The selected user's mailbox was opened (and does not exist): not the service account's own.
      expect(json.failure).toMatchObject({ step: "mailbox", code: "mailbox-not-found" });
      expect(stepStatuses(json)).toMatchObject({ impersonation: "passed" });
    } finally {
      await bridge.storage.users.setSelected([user?.id ?? ""], false);
    }
  });
});

describe("Autodiscover (POX) runs when the connection is saved, only towards allowed hosts", () => {
  /** The simulator behind a front that records every request path, so a call nobody should make is seen. */
  async function recordingFront(host = "127.0.0.1") {
    const paths: string[] = [];
    const front = await serveHttps(
      (req, res) => {
        paths.push(req.url ?? "");
        ews.listener(req, res);
      },
      await testPki(),
      { host },
    );
    return { paths, url: front.url, close: () => front.close() };
  }

  const autodiscoverDraft = (autodiscoverUrl: string | undefined, password = seeded.serviceAccount.password) => ({
    kind: "ews" as const,
    endpoint: { mode: "autodiscover" as const, ...(autodiscoverUrl ? { autodiscoverUrl } : {}) },
    // A mailbox the service account may open: Autodiscover answers for mailboxes, and a service account often has none.
    emailAddress: seeded.users[0]?.smtp ?? "",
    username: seeded.serviceAccount.upn,
    password,
    authScheme: "basic" as const,
    serverVersion: "Exchange2016" as const,
  });

  async function saveConnection(target: TestBridge, body: unknown) {
    const response = await fetch(`${target.url}/api/admin/exchange/connection`, {
      method: "PUT",
      headers: await sessionHeaders(target),
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  it("saves the EWS URL Autodiscover names, which the connection test and the sync then use", async () => {
    const front = await recordingFront();
    try {
      const saved = await saveConnection(bridge, autodiscoverDraft(`${front.url}/autodiscover/autodiscover.xml`));
      expect(saved.status).toBe(200);
      expect(saved.json).toMatchObject({ kind: "ews", resolvedEwsUrl: ews.ewsUrl, password: "set" });
      expect(front.paths).toEqual(["/autodiscover/autodiscover.xml"]);

      const { json } = await post("/exchange/test", { mailbox: seeded.users[1]?.smtp });
      expect(json.failure).toBeNull();
      expect(stepStatuses(json)).toEqual({
        tls: "passed",
        authentication: "passed",
        impersonation: "passed",
        mailbox: "passed",
      });
      // The saved URL is used as it is: no Autodiscover per test (nor per mailbox at sync time).
      expect(front.paths).toHaveLength(1);
    } finally {
      await front.close();
    }
  });

  it("tests an unsaved Autodiscover draft with Autodiscover as the first step", async () => {
    const front = await recordingFront();
    try {
      const autodiscoverUrl = `${front.url}/autodiscover/autodiscover.xml`;
      const { json } = await post("/exchange/test", {
        connection: autodiscoverDraft(autodiscoverUrl),
        mailbox: seeded.users[0]?.smtp,
      });
      expect(json.steps.map(({ step, status }) => `${step}:${status}`)).toEqual([
        "autodiscover:passed",
        "tls:passed",
        "authentication:passed",
        "impersonation:passed",
        "mailbox:passed",
      ]);
      expect(json.steps[0]?.detail).toContain(ews.ewsUrl);

      const wrong = await post("/exchange/test", {
        connection: autodiscoverDraft(autodiscoverUrl, "not-the-password"),
      });
      expect(wrong.json.failure).toMatchObject({ step: "autodiscover", code: "invalid-credentials" });
      expect(stepStatuses(wrong.json)).toMatchObject({ tls: "skipped", authentication: "skipped" });

      const unknown = await post("/exchange/test", {
        connection: { ...autodiscoverDraft(autodiscoverUrl), emailAddress: `nobody@${DEMO_TENANT.domain}` },
      });
      expect(unknown.json.failure).toMatchObject({ step: "autodiscover", code: "autodiscover-failed" });
      expect(unknown.json.failure?.message).toMatch(/no EWS URL/);
    } finally {
      await front.close();
    }
  });

  it("refuses a wrong password at save and keeps the stored connection", async () => {
    const front = await recordingFront();
    try {
      const before = await bridge.storage.secrets.get(SECRET.exchangePassword);
      const refused = await saveConnection(
        bridge,
        autodiscoverDraft(`${front.url}/autodiscover/autodiscover.xml`, "not-the-password"),
      );
      expect(refused.status).toBe(400);
      expect(refused.json).toMatchObject({ error: { details: { issues: [{ path: "password" }] } } });
      expect(await bridge.storage.secrets.get(SECRET.exchangePassword)).toBe(before);
    } finally {
      await front.close();
    }
  });

  it("calls no Autodiscover endpoint and no EWS URL off BRIDGE_EWS_ALLOWED_HOSTS", async () => {
    // Only "localhost" is allowed: the simulator's Autodiscover answers an EWS URL on 127.0.0.1.
    const strict = await startTestBridge({ ewsAllowedHosts: ["localhost"] });
    const front = await recordingFront();
    try {
      const viaLocalhost = `${front.url.replace("127.0.0.1", "localhost")}/autodiscover/autodiscover.xml`;
      const offList = await saveConnection(strict, autodiscoverDraft(viaLocalhost));
      expect(offList.status).toBe(400);
      expect(JSON.stringify(offList.json)).toMatch(
        /answered the EWS URL https:\/\/127\.0\.0\.1:\d+\/EWS\/Exchange\.asmx/,
      );
      expect(front.paths).toEqual(["/autodiscover/autodiscover.xml"]);
      const before = ews.control.callCounts();

      // An Autodiscover URL, or the e-mail domain's Autodiscover hosts, off the list are never called.
      const notCalled = await saveConnection(strict, autodiscoverDraft(`${front.url}/autodiscover/autodiscover.xml`));
      expect(notCalled.status).toBe(400);
      const byDomain = await saveConnection(strict, autodiscoverDraft(undefined));
      expect(JSON.stringify(byDomain.json)).toMatch(/no Autodiscover endpoint is on BRIDGE_EWS_ALLOWED_HOSTS/);
      // Neither may "test connection" reach a typed EWS URL that saving would refuse.
      const typed = await fetch(`${strict.url}/api/admin/exchange/test`, {
        method: "POST",
        headers: await sessionHeaders(strict),
        body: JSON.stringify({
          connection: { ...autodiscoverDraft(undefined), endpoint: { mode: "url", ewsUrl: ews.ewsUrl } },
        }),
      });
      expect(typed.status).toBe(400);
      expect(front.paths).toHaveLength(1);
      expect(ews.control.callCounts()).toEqual(before);
      expect(await loadExchangeConnection(strict.storage)).toBeUndefined();
    } finally {
      await front.close();
      await strict.close();
    }
  });
});

describe("updatePassword checks the new EWS password before storing it", () => {
  async function putPassword(password: string) {
    const response = await fetch(`${bridge.url}/api/admin/account/password`, {
      method: "PUT",
      headers: await sessionHeaders(bridge),
      body: JSON.stringify({ password }),
    });
    return { status: response.status, json: (await response.json()) as { error?: { code: string; message: string } } };
  }

  it("keeps the old password when Exchange refuses the new one, and stores one Exchange accepts", async () => {
    const { upn, password } = seeded.serviceAccount;
    await saveExchangeConnection(bridge.storage, {
      kind: "ews",
      endpoint: { mode: "url", ewsUrl: ews.ewsUrl },
      emailAddress: upn,
      username: upn,
      password: "the-old-password",
      authScheme: "basic",
      serverVersion: "Exchange2016",
    });
    const refused = await putPassword("a-wrong-password");
    expect(refused.status).toBe(502);
    expect(refused.json.error?.code).toBe("upstream-failed");
    expect(refused.json.error?.message).toMatch(
      /the authentication check against Exchange failed \(invalid-credentials\).*old password is kept/,
    );
    expect(await bridge.storage.secrets.get(SECRET.exchangePassword)).toBe("the-old-password");

    const accepted = await putPassword(password);
    expect(accepted.status).toBe(200);
    expect(await bridge.storage.secrets.get(SECRET.exchangePassword)).toBe(password);
    expect(JSON.stringify(accepted.json)).not.toContain(password);
  });
});

describe("testExchange over Graph (app-only)", () => {
  const graphDraft = (clientSecret: string = DEMO_TENANT.bridgeApp.clientSecret) => ({
    kind: "graph" as const,
    tenantId: DEMO_TENANT.id,
    clientId: DEMO_TENANT.bridgeApp.clientId,
    credential: { type: "secret" as const, clientSecret },
  });

  it("passes for the bridge app reading a mailbox", async () => {
    const { json } = await post("/exchange/test", { connection: graphDraft(), mailbox: ADELE });
    expect(json.failure).toBeNull();
    expect(stepStatuses(json)).toEqual({ tls: "passed", authentication: "passed", mailbox: "passed" });
  });

  it("reports an unknown user (ErrorInvalidUser) as mailbox not found", async () => {
    const { json } = await post("/exchange/test", {
      connection: graphDraft(),
      mailbox: `nobody@${DEMO_TENANT.domain}`,
    });
    expect(json.failure).toMatchObject({ step: "mailbox", code: "mailbox-not-found" });
  });

  it("reports an application access policy (403 ErrorAccessDenied)", async () => {
    graph.control.setAccessPolicy(DEMO_TENANT.bridgeApp.clientId, [ADELE]);
    try {
      const { json } = await post("/exchange/test", { connection: graphDraft(), mailbox: ALEX });
      expect(json.failure).toMatchObject({ step: "mailbox", code: "access-policy-denied" });
      expect(stepStatuses(json)).toMatchObject({ authentication: "passed" });
    } finally {
      graph.control.setAccessPolicy(DEMO_TENANT.bridgeApp.clientId, undefined);
    }
  });

  it("authenticates with a certificate uploaded to the app: test, save (thumbprint, expiry) and the sync's ports", async () => {
    const [registered, other] = [await appCertificatePem(), await appCertificatePem()];
    graph.control.addAppCertificate(DEMO_TENANT.bridgeApp.clientId, registered.certificatePem);
    const certificateDraft = (pair: { certificatePem: string; privateKeyPem: string }) => ({
      ...graphDraft(),
      credential: { type: "certificate" as const, ...pair },
    });
    const { json } = await post("/exchange/test", { connection: certificateDraft(registered), mailbox: ADELE });
    expect(json.failure).toBeNull();
    expect(stepStatuses(json)).toEqual({ tls: "passed", authentication: "passed", mailbox: "passed" });
    // A certificate the app registration does not have is refused by the identity platform (AADSTS700027).
    const unknown = await post("/exchange/test", { connection: certificateDraft(other), mailbox: ADELE });
    expect(unknown.json.failure).toMatchObject({ step: "authentication", code: "invalid-credentials" });
    // A key that is not the certificate's is refused before anything is sent.
    const mismatched = await post("/exchange/test", {
      connection: certificateDraft({ certificatePem: registered.certificatePem, privateKeyPem: other.privateKeyPem }),
    });
    expect(mismatched.status).toBe(400);

    const headers = await sessionHeaders(bridge);
    const saved = await fetch(`${bridge.url}/api/admin/exchange/connection`, {
      method: "PUT",
      headers,
      body: JSON.stringify(certificateDraft(registered)),
    });
    const connection = (await saved.json()) as { certificate: { notAfter: string } };
    const x509 = new X509Certificate(registered.certificatePem);
    expect(connection).toMatchObject({
      kind: "graph",
      credentialType: "certificate",
      privateKey: "set",
      certificate: { thumbprint: x509.fingerprint.replaceAll(":", ""), notAfter: new Date(x509.validTo).toISOString() },
    });
    expect(JSON.stringify(connection)).not.toContain("PRIVATE KEY");
    const health = (await (await fetch(`${bridge.url}/api/admin/account/credentials`, { headers })).json()) as {
      credentials: unknown[];
    };
    expect(health.credentials).toContainEqual(
      expect.objectContaining({
        subject: "graph-certificate",
        status: "ok",
        expiresAt: connection.certificate.notAfter,
      }),
    );
    // A month before the certificate expires the admin is warned; past it, it is failed and says what to do.
    const clock = bridge.context.now;
    const notAfter = Date.parse(connection.certificate.notAfter);
    const healthAt = async (at: number) => {
      bridge.context.now = () => new Date(at);
      const answer = await fetch(`${bridge.url}/api/admin/account/credentials`, { headers });
      return (
        (await answer.json()) as { credentials: Array<{ subject: string; status: string; detail: string }> }
      ).credentials.find((credential) => credential.subject === "graph-certificate");
    };
    try {
      expect((await healthAt(notAfter - 10 * 24 * 3_600_000))?.status).toBe("expiring");
      expect(await healthAt(notAfter + 1_000)).toMatchObject({ status: "failed", detail: /has expired/ });
    } finally {
      bridge.context.now = clock;
    }
    // The saved test and the sync's ports (the production connector factory) sign in with the stored key.
    expect((await post("/exchange/test", { mailbox: ADELE })).json.failure).toBeNull();
    const [user] = await seedUsers(bridge, 1);
    await bridge.storage.users.setMailbox(user?.id ?? "", ADELE);
    const selected = (await bridge.storage.users.listSyncable()).find((each) => each.mailbox === ADELE);
    const port = await bridge.context.connectors.exchange(selected as NonNullable<typeof selected>);
    try {
      expect(await port.modules.contacts?.listAll(undefined)).toBeDefined();
    } finally {
      await port.close();
      await bridge.storage.users.setSelected([user?.id ?? ""], false);
    }
  });

  it("warns before the client secret expires, from the expiry the admin copied from Entra", async () => {
    const headers = await sessionHeaders(bridge);
    const expiresAt = new Date(bridge.context.now().getTime() + 10 * 24 * 3_600_000).toISOString();
    const saved = await fetch(`${bridge.url}/api/admin/exchange/connection`, {
      method: "PUT",
      headers,
      body: JSON.stringify({ ...graphDraft(), credential: { ...graphDraft().credential, expiresAt } }),
    });
    expect(await saved.json()).toMatchObject({ credentialType: "secret", credentialExpiresAt: expiresAt });
    const health = (await (await fetch(`${bridge.url}/api/admin/account/credentials`, { headers })).json()) as {
      credentials: unknown[];
    };
    expect(health.credentials).toContainEqual(
      expect.objectContaining({ subject: "graph-app-secret", status: "expiring", expiresAt }),
    );
  });

  it("reports a wrong client secret, then a revoked app, as invalid credentials", async () => {
    const wrong = await post("/exchange/test", { connection: graphDraft("wrong-secret"), mailbox: ADELE });
    expect(wrong.json.failure).toMatchObject({ step: "authentication", code: "invalid-credentials" });
    graph.control.revokeApp(DEMO_TENANT.bridgeApp.clientId);
    const revoked = await post("/exchange/test", { connection: graphDraft(), mailbox: ADELE });
    expect(revoked.json.failure).toMatchObject({ step: "authentication", code: "invalid-credentials" });
    expect(stepStatuses(revoked.json)).toMatchObject({ mailbox: "skipped" });
  });
});

describe("testZoho", () => {
  async function connectZoho(refreshToken: string) {
    const urls = zoho.control.urls();
    await saveZohoConnection(
      bridge.storage,
      {
        status: "connected",
        dataCentre: "US",
        clientId: DEFAULT_CLIENT.clientId,
        accountsUrl: urls.accountsUrl,
        apiDomain: urls.apiDomain,
        organization: null,
        connectedAs: null,
        authorizeUrl: null,
        lastError: null,
      },
      { clientSecret: DEFAULT_CLIENT.clientSecret, refreshToken },
    );
  }

  it("answers 409 while Zoho is not connected", async () => {
    const { status } = await post("/zoho/test", {});
    expect(status).toBe(409);
  });

  it("passes with a fresh refresh token, then reports it revoked", async () => {
    const refreshToken = zoho.control.issueRefreshToken();
    await connectZoho(refreshToken);
    const fresh = await post("/zoho/test", {});
    expect(fresh.json.failure).toBeNull();
    expect(stepStatuses(fresh.json)).toEqual({ tls: "passed", authentication: "passed", permissions: "passed" });

    const revoke = await fetch(
      `${zoho.control.urls().accountsUrl}/oauth/v2/token/revoke?${new URLSearchParams({ token: refreshToken })}`,
      { method: "POST" },
    );
    expect(revoke.status).toBe(200);
    const revoked = await post("/zoho/test", {});
    expect(revoked.json.failure).toMatchObject({ step: "authentication", code: "invalid-credentials" });
    expect(stepStatuses(revoked.json)).toMatchObject({ permissions: "skipped" });
  });

  it("reports a token without the users scope as scope missing", async () => {
    await connectZoho(zoho.control.issueRefreshToken({ scopes: ["ZohoCRM.modules.contacts.READ"] }));
    const { json } = await post("/zoho/test", {});
    expect(json.failure).toMatchObject({ step: "permissions", code: "scope-missing" });
    expect(stepStatuses(json)).toMatchObject({ authentication: "passed" });
  });
});

describe("TLS classification", () => {
  it("reports a server whose certificate no trusted CA signed", async () => {
    // A second test PKI has its own CA, which NODE_EXTRA_CA_CERTS does not list.
    const dir = await mkdtemp(join(tmpdir(), "rogue-pki-"));
    const rogue = await serveHttps((_req, res) => res.end(), await ensureTestPki(dir));
    try {
      const { json } = await post("/exchange/test", {
        connection: {
          kind: "ews",
          endpoint: { mode: "url", ewsUrl: `${rogue.url}/EWS/Exchange.asmx` },
          emailAddress: seeded.serviceAccount.upn,
          password: "irrelevant",
          authScheme: "basic",
          serverVersion: "Exchange2016",
        },
      });
      expect(json.failure).toMatchObject({ step: "tls", code: "tls-untrusted-certificate" });
    } finally {
      await rogue.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
