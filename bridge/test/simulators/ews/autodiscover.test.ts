import { XhrApi } from "@ewsjs/xhr";
import {
  AutodiscoverErrorCode,
  AutodiscoverService,
  ExchangeVersion,
  Uri,
  UserSettingName,
  WebCredentials,
} from "ews-javascript-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEwsSimulator, startEwsSimulator } from "../../../simulators/ews/index.js";
import { testPki } from "../../support/pki.js";

describe("SOAP Autodiscover (autodiscover.svc) through ews-javascript-api", () => {
  let sim: RunningEwsSimulator;
  beforeAll(async () => {
    sim = await startEwsSimulator({ pki: await testPki(), release: "2016" });
    sim.control.seed({ mailboxes: 2, contactsPerMailbox: 0, mailsPerMailbox: 0 });
  });
  afterAll(async () => {
    await sim.close();
  });

  const autodiscover = () => {
    const service = new AutodiscoverService(
      new Uri(`${sim.url}/autodiscover/autodiscover.svc`),
      ExchangeVersion.Exchange2010,
    );
    service.Credentials = new WebCredentials("CONTOSO\\svc-crm", "Pa55w.rd");
    service.XHRApi = new XhrApi({ rejectUnauthorized: true });
    return service;
  };

  it("returns the EWS URLs and the requested user settings", async () => {
    const response = await autodiscover().GetUserSettings("alice@contoso.com", [
      UserSettingName.InternalEwsUrl,
      UserSettingName.ExternalEwsUrl,
      UserSettingName.UserDisplayName,
      UserSettingName.CasVersion,
    ]);
    expect(response.ErrorCode).toBe(AutodiscoverErrorCode.NoError);
    expect(response.Settings.get(UserSettingName.InternalEwsUrl)).toBe(sim.ewsUrl);
    expect(response.Settings.get(UserSettingName.ExternalEwsUrl)).toBe(sim.ewsUrl);
    expect(response.Settings.get(UserSettingName.CasVersion)).toBe("15.01.2176.012");
    expect(typeof response.Settings.get(UserSettingName.UserDisplayName)).toBe("string");
  });

  it("answers InvalidUser for an address without a mailbox", async () => {
    const response = await autodiscover().GetUserSettings("nobody@contoso.com", [UserSettingName.InternalEwsUrl]);
    expect(response.ErrorCode).toBe(AutodiscoverErrorCode.InvalidUser);
    expect(response.ErrorMessage).toBe("The SMTP address has no mailbox associated with it.");
  });

  it("lists a setting it does not serve under UserSettingErrors and still returns the others", async () => {
    const response = await autodiscover().GetUserSettings("alice@contoso.com", [
      UserSettingName.InternalEwsUrl,
      UserSettingName.MobileMailboxPolicy,
    ]);
    expect(response.Settings.get(UserSettingName.InternalEwsUrl)).toBe(sim.ewsUrl);
    expect(response.UserSettingErrors.map((e) => [e.ErrorCode, e.SettingName])).toEqual([
      [AutodiscoverErrorCode.InvalidSetting, "MobileMailboxPolicy"],
    ]);
  });

  it("asks for credentials and is absent on 2007 SP1, which has only POX Autodiscover", async () => {
    const body = "<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'><s:Body/></s:Envelope>";
    const anonymous = await fetch(`${sim.url}/autodiscover/autodiscover.svc`, { method: "POST", body });
    expect(anonymous.status).toBe(401);
    const old = await startEwsSimulator({ pki: await testPki(), release: "2007SP1" });
    try {
      const auth = `Basic ${Buffer.from("CONTOSO\\svc-crm:Pa55w.rd").toString("base64")}`;
      const missing = await fetch(`${old.url}/autodiscover/autodiscover.svc`, {
        method: "POST",
        body,
        headers: { authorization: auth },
      });
      expect(missing.status).toBe(404);
    } finally {
      await old.close();
    }
  });
});
