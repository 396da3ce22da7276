import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  BasePropertySet,
  EventType,
  Folder,
  FolderId,
  PropertySet,
  StreamingSubscriptionConnection,
  WellKnownFolderName,
} from "ews-javascript-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEwsSimulator, startEwsSimulator } from "../../../simulators/ews/index.js";
import { defaultXsdDir } from "../../../simulators/ews/schema.js";
import { testPki } from "../../support/pki.js";
import { ewsClient, VERSIONS } from "./client.js";
import { post, soap } from "./raw.js";

const CAPTURED = join(defaultXsdDir() ?? "", "../samples/ews-javascript-api-0.15.3-captured");

describe("EWS simulator rejects what real Exchange rejects", () => {
  let sim: RunningEwsSimulator;
  let sim2007: RunningEwsSimulator;
  const sync2010 = readFileSync(join(CAPTURED, "SyncFolderItems.Exchange2010_SP2.impersonated.request.xml"), "utf8");
  beforeAll(async () => {
    const pki = await testPki();
    sim = await startEwsSimulator({ pki, release: "2016" });
    sim2007 = await startEwsSimulator({ pki, release: "2007SP1" });
    sim.control.seed({ mailboxes: 2, contactsPerMailbox: 3 });
    sim2007.control.seed({ mailboxes: 2, contactsPerMailbox: 3 });
  });
  afterAll(async () => {
    await sim.close();
    await sim2007.close();
  });

  it("answers the captured ews-javascript-api request", async () => {
    const { status, text } = await post(sim, sync2010);
    expect(status).toBe(200);
    expect(text).toContain('<h:ServerVersionInfo xmlns:h="http://schemas.microsoft.com/exchange/services/2006/types"');
    expect(text).toContain("<m:IncludesLastItemInRange>true</m:IncludesLastItemInRange>");
  });

  it("rejects 513 changes with ErrorSchemaValidation, line and position", async () => {
    const { status, text } = await post(sim, sync2010.replace(">512<", ">513<"));
    expect(status).toBe(500);
    expect(text).toContain("a:ErrorSchemaValidation");
    expect(text).toMatch(
      /<t:LineNumber>1<\/t:LineNumber><t:LinePosition>\d+<\/t:LinePosition><t:Violation>.*MaxChangesReturned/,
    );
  });

  it("validates against the requested version: SyncScope does not exist in 2007", async () => {
    const asOld = sync2010
      .replace('Version="Exchange2010_SP2"', 'Version="Exchange2007_SP1"')
      .replaceAll("t:SmtpAddress>", "t:PrimarySmtpAddress>");
    const { status, text } = await post(sim, asOld);
    expect(status).toBe(500);
    expect(text).toContain("SyncScope");
  });

  it("refuses an unknown or newer version with ErrorInvalidServerVersion", async () => {
    expect((await post(sim, sync2010.replace('Version="Exchange2010_SP2"', 'Version="Exchange2099"'))).text).toContain(
      "a:ErrorInvalidServerVersion",
    );
    expect((await post(sim2007, sync2010)).text).toContain("a:ErrorInvalidServerVersion");
  });

  it("refuses impersonation without the role, and unknown mailboxes", async () => {
    const denied = await post(sim, sync2010, {
      authorization: `Basic ${Buffer.from("svc-norole@contoso.com:Pa55w.rd").toString("base64")}`,
    });
    expect(denied.status).toBe(500);
    expect(denied.text).toContain("a:ErrorImpersonateUserDenied");
    const missing = await post(sim, sync2010.replace("alice@contoso.com", "nobody@contoso.com"), {
      "x-anchormailbox": "nobody@contoso.com",
    });
    expect(missing.text).toContain("a:ErrorNonExistentMailbox");
    expect(missing.text).toContain('<t:Value Name="SmtpAddress">nobody@contoso.com</t:Value>');
  });

  it("answers 401 with an empty body and the IIS challenges", async () => {
    const { status, text, headers } = await post(sim, sync2010, { authorization: "Basic eDp5" });
    expect(status).toBe(401);
    expect(text).toBe("");
    expect(headers.get("www-authenticate")).toContain("NTLM");
  });

  it("rejects a DTD (no entity expansion) and malformed XML", async () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>${sync2010}`;
    expect((await post(sim, bomb)).status).toBe(500);
    const broken = await post(sim, sync2010.slice(0, 200));
    expect(broken.text).toContain("a:ErrorSchemaValidation");
  });

  it("keeps answering ErrorServerBusy with BackOffMilliseconds until the back-off elapsed", async () => {
    sim.control.throttle("CONTOSO\\svc-crm", 300);
    const busy = await post(sim, sync2010);
    expect(busy.text).toContain("a:ErrorServerBusy");
    expect(busy.text).toMatch(/<t:Value Name="BackOffMilliseconds">\d+<\/t:Value>/);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect((await post(sim, sync2010)).status).toBe(200);
  });

  it("requires X-AnchorMailbox with impersonation from 2013 on (2007 does not)", async () => {
    expect((await post(sim, sync2010, { "x-anchormailbox": "" })).status).toBe(503);
    const asOld = sync2010
      .replace('Version="Exchange2010_SP2"', 'Version="Exchange2007_SP1"')
      .replaceAll("t:SmtpAddress>", "t:PrimarySmtpAddress>")
      .replace("<m:SyncScope>NormalItems</m:SyncScope>", "");
    expect((await post(sim2007, asOld, { "x-anchormailbox": "" })).status).toBe(200);
  });

  it("refuses requests beyond the account's concurrency budget with ErrorExceededConnectionCount", async () => {
    sim.control.limits.maxConcurrency = 2;
    sim.control.setLatency(300);
    try {
      const answers = await Promise.all([1, 2, 3, 4].map(() => post(sim, sync2010)));
      expect(answers.filter((a) => a.status === 200)).toHaveLength(2);
      expect(answers.filter((a) => a.text.includes("a:ErrorExceededConnectionCount"))).toHaveLength(2);
    } finally {
      sim.control.setLatency(0);
      sim.control.limits.maxConcurrency = 27;
    }
  });

  it("refuses a malformed id in ConvertId and resolves names", async () => {
    const converted = await post(
      sim,
      soap(
        '<m:ConvertId DestinationFormat="EwsId"><m:SourceIds><t:AlternateId Format="EwsLegacyId" Id="AAMkADabc=" Mailbox="alice@contoso.com"/></m:SourceIds></m:ConvertId>',
      ),
    );
    expect(converted.text).toContain("<m:ResponseCode>ErrorInvalidIdMalformed</m:ResponseCode>");
    const resolved = await post(
      sim,
      soap('<m:ResolveNames ReturnFullContactData="false"><m:UnresolvedEntry>bob</m:UnresolvedEntry></m:ResolveNames>'),
    );
    expect(resolved.text).toContain("<t:EmailAddress>bob@contoso.com</t:EmailAddress>");
  });

  it("authenticates @ewsjs/xhr's NTLM client", async () => {
    const service = ewsClient({
      version: VERSIONS["2016"],
      url: sim.ewsUrl,
      user: "CONTOSO\\alice",
      password: "Pa55w.rd",
      ntlm: true,
    });
    const folder = await Folder.Bind(
      service,
      new FolderId(WellKnownFolderName.Contacts),
      new PropertySet(BasePropertySet.FirstClassProperties),
    );
    expect(folder.TotalCount).toBe(3);
  });
});

describe("notifications", () => {
  it("streaming: ews-javascript-api's StreamingSubscriptionConnection receives a change (2010 SP2)", async () => {
    const sim = await startEwsSimulator({
      pki: await testPki(),
      release: "2010SP2",
      heartbeatMs: 200,
      minuteMs: 3_000,
    });
    try {
      sim.control.seed({ mailboxes: 2, contactsPerMailbox: 1 });
      const service = ewsClient({
        version: VERSIONS["2010SP2"],
        url: sim.ewsUrl,
        user: "CONTOSO\\svc-crm",
        password: "Pa55w.rd",
        impersonate: "alice@contoso.com",
      });
      const subscription = await service.SubscribeToStreamingNotifications(
        [new FolderId(WellKnownFolderName.Contacts)],
        EventType.Created,
      );
      const connection = new StreamingSubscriptionConnection(service, 1);
      connection.AddSubscription(subscription);
      const received = new Promise<string[]>((resolve) => {
        connection.OnNotificationEvent.push((_sender, args) => resolve(args.Events.map((e) => EventType[e.EventType])));
      });
      connection.Open();
      setTimeout(
        () => sim.control.user.create("alice@contoso.com", "contacts", "Contact", { GivenName: "Streamy" }),
        300,
      );
      expect(await received).toContain("Created");
      connection.Close();
    } finally {
      await sim.close();
    }
  });

  it("pull: ews-javascript-api sees a change the Outlook user made (2007 SP1)", async () => {
    const sim = await startEwsSimulator({ pki: await testPki(), release: "2007SP1", validateResponses: true });
    try {
      sim.control.seed({ mailboxes: 2, contactsPerMailbox: 1 });
      const service = ewsClient({
        version: VERSIONS["2007SP1"],
        url: sim.ewsUrl,
        user: "CONTOSO\\svc-crm",
        password: "Pa55w.rd",
        impersonate: "alice@contoso.com",
      });
      const subscription = await service.SubscribeToPullNotifications(
        [new FolderId(WellKnownFolderName.Contacts)],
        10,
        "",
        EventType.Created,
      );
      sim.control.user.create("alice@contoso.com", "contacts", "Contact", { GivenName: "Pully" });
      const events = await subscription.GetEvents();
      expect(events.AllEvents.map((e) => EventType[e.EventType])).toContain("Created");
      expect(sim.control.responseViolations()).toEqual([]);
    } finally {
      await sim.close();
    }
  });

  it("streaming: one chunked response carries the OK, event and Closed envelopes (2010 SP2)", async () => {
    const sim = await startEwsSimulator({
      pki: await testPki(),
      release: "2010SP2",
      heartbeatMs: 10_000,
      minuteMs: 400,
    });
    try {
      sim.control.seed({ mailboxes: 2, contactsPerMailbox: 1 });
      const subscribed = await post(
        sim,
        soap(
          '<m:Subscribe><m:StreamingSubscriptionRequest><t:FolderIds><t:DistinguishedFolderId Id="contacts"/></t:FolderIds><t:EventTypes><t:EventType>CreatedEvent</t:EventType></t:EventTypes></m:StreamingSubscriptionRequest></m:Subscribe>',
          "Exchange2010_SP2",
        ),
      );
      const id = /<m:SubscriptionId>([^<]+)</.exec(subscribed.text)?.[1] ?? "";
      expect(id).not.toBe("");
      setTimeout(
        () => sim.control.user.create("alice@contoso.com", "contacts", "Contact", { GivenName: "Streamy" }),
        100,
      );
      const streamed = await post(
        sim,
        soap(
          `<m:GetStreamingEvents><m:SubscriptionIds><t:SubscriptionId>${id}</t:SubscriptionId></m:SubscriptionIds><m:ConnectionTimeout>1</m:ConnectionTimeout></m:GetStreamingEvents>`,
          "Exchange2010_SP2",
        ),
      );
      const envelopes = streamed.text.split("<Envelope ").filter(Boolean);
      expect(envelopes.length).toBeGreaterThanOrEqual(3);
      expect(envelopes[0]).toContain("<m:ConnectionStatus>OK</m:ConnectionStatus>");
      expect(streamed.text).toContain("<t:CreatedEvent>");
      expect(envelopes.at(-1)).toContain("<m:ConnectionStatus>Closed</m:ConnectionStatus>");
    } finally {
      await sim.close();
    }
  });
});
