/**
 * POX Autodiscover through the EWS connector, over HTTPS against the simulator: the EWS URL is found from the
 * mailbox address with the connection's own logon method. On an Exchange server with Basic switched off (NTLM only,
 * common on-prem) a Basic Autodiscover POST is refused whatever the password, so an NTLM connection must discover
 * with NTLM too: in the connector, and in the console's "test connection" and save, which run Autodiscover.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEwsSimulator, startEwsSimulator } from "../../../simulators/ews/index.js";
import type { ConnectionTestResult } from "../../../src/api/admin.js";
import { ConnectorError } from "../../../src/connectors/errors.js";
import { createEwsExchangePort, type EwsConnectionOptions } from "../../../src/connectors/ews/index.js";
import { discoverEwsUrl } from "../../../src/connectors/ews/session.js";
import { sessionHeaders, startTestBridge } from "../../http/harness.js";
import { testPki } from "../../support/pki.js";
import { listEverything } from "../contract.js";

describe("EWS connector: Autodiscover on an NTLM-only server", () => {
  let sim: RunningEwsSimulator;
  let connection: EwsConnectionOptions;
  beforeAll(async () => {
    sim = await startEwsSimulator({ pki: await testPki(), release: "2016", auth: { basic: false, ntlm: true } });
    sim.control.seed({
      mailboxes: 1,
      contactsPerMailbox: 3,
      meetingsPerMailbox: 0,
      tasksPerMailbox: 0,
      mailsPerMailbox: 0,
    });
    connection = {
      mailbox: "alice@contoso.com",
      autodiscoverUrl: `${sim.url}/autodiscover/autodiscover.xml`,
      version: "Exchange2016",
      username: "CONTOSO\\svc-crm",
      password: "Pa55w.rd",
      auth: "ntlm",
      impersonate: true,
    };
  });
  afterAll(() => sim?.close());

  const failureOf = async (work: Promise<unknown>) => {
    const error = await work.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    if (!(error instanceof ConnectorError)) throw new Error(`expected a ConnectorError, got ${String(error)}`);
    return error.failure.kind;
  };

  it("finds the EWS URL with NTLM and syncs the mailbox through it", async () => {
    const exchange = await createEwsExchangePort(connection, {});
    try {
      const contacts = exchange.modules.contacts;
      if (!contacts) throw new Error("no contacts port");
      expect((await listEverything(contacts)).items).toHaveLength(3);
    } finally {
      await exchange.close();
    }
  });

  it("reports a wrong password as auth-expired and an address the server does not know as mailbox-unavailable", async () => {
    expect(await failureOf(discoverEwsUrl({ ...connection, password: "wrong" }))).toBe("auth-expired");
    expect(await failureOf(discoverEwsUrl({ ...connection, mailbox: "nobody@contoso.com" }))).toBe(
      "mailbox-unavailable",
    );
  });

  it("is refused with Basic, the right password notwithstanding", async () => {
    expect(await failureOf(discoverEwsUrl({ ...connection, auth: "basic" }))).toBe("auth-expired");
  });

  it("lets the console test and save an NTLM connection by Autodiscover", async () => {
    const bridge = await startTestBridge({ ewsAllowedHosts: ["127.0.0.1"] });
    try {
      const call = async (method: string, path: string, body: unknown) => {
        const response = await fetch(`${bridge.url}/api/admin${path}`, {
          method,
          headers: await sessionHeaders(bridge),
          body: JSON.stringify(body),
        });
        return { status: response.status, json: (await response.json()) as Record<string, unknown> };
      };
      const draft = {
        kind: "ews",
        endpoint: { mode: "autodiscover", autodiscoverUrl: connection.autodiscoverUrl },
        emailAddress: connection.mailbox,
        username: connection.username,
        password: connection.password,
        authScheme: "ntlm",
        serverVersion: "Exchange2016",
      };
      const tested = (await call("POST", "/exchange/test", { connection: draft, mailbox: connection.mailbox }))
        .json as unknown as ConnectionTestResult;
      expect(tested.failure).toBeNull();
      expect(tested.steps.map(({ step, status }) => `${step}:${status}`)).toEqual([
        "autodiscover:passed",
        "tls:passed",
        "authentication:passed",
        "impersonation:passed",
        "mailbox:passed",
      ]);
      const saved = await call("PUT", "/exchange/connection", draft);
      expect(saved).toMatchObject({ status: 200, json: { resolvedEwsUrl: sim.ewsUrl } });
    } finally {
      await bridge.close();
    }
  });
});
