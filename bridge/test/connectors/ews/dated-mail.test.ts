/**
 * Exchange dates every message it stores (DateTimeReceived/DateTimeSent stamped on delivery and send, and at creation
 * for a message saved into a folder), so the mail mapping, which dates a mail by them, can read every message the
 * simulator answers: seeded, saved with CreateItem SaveOnly, or delivered from a colleague.
 */
import {
  BasePropertySet,
  EmailAddress,
  EmailMessage,
  EmailMessageSchema,
  ExtendedPropertyDefinition,
  FolderId,
  ItemSchema,
  ItemView,
  MapiPropertyType,
  MessageBody,
  PropertySet,
  WellKnownFolderName,
} from "ews-javascript-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { xmlEscaped } from "../../../src/connectors/ews/escape.js";
import type { ExchangeMailPort, MailItem } from "../../../src/connectors/port.js";
import type { Email } from "../../../src/model/index.js";
import { ewsClient, VERSIONS } from "../../simulators/ews/client.js";
import { post, soap } from "../../simulators/ews/raw.js";
import { type Alice2016, connectAlice } from "./alice-2016.js";

const SERVICE = "CONTOSO\\svc-crm";
const ALICE = "alice@contoso.com";
const BOB = "bob@contoso.com";
const NOW = "2026-03-02T10:00:00Z";

async function drain(mail: ExchangeMailPort<Email>): Promise<MailItem<Email>[]> {
  const messages: MailItem<Email>[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await mail.listMessages(cursor);
    messages.push(...page.messages);
    cursor = page.cursor;
    if (page.complete) return messages;
  }
}

describe("EWS simulator mail is dated like Exchange's, so the mail mapping reads it", () => {
  let alice: Alice2016;
  let mail: ExchangeMailPort<Email>;
  const client = (mailbox: string) =>
    ewsClient({
      version: VERSIONS["2016"],
      url: alice.sim.ewsUrl,
      user: SERVICE,
      password: "Pa55w.rd",
      impersonate: mailbox,
    });

  beforeEach(async () => {
    alice = await connectAlice({
      release: "2016",
      version: "Exchange2016",
      seed: { mailboxes: 2, mailsPerMailbox: 8 },
      now: () => new Date(NOW),
    });
    if (!alice.exchange.mail) throw new Error("no mail port");
    mail = alice.exchange.mail;
  });

  afterEach(async () => {
    expect(alice.sim.control.responseViolations()).toEqual([]);
    await alice.close();
  });

  it("maps every seeded message, received mail by its delivery time and sent mail by its submit time", async () => {
    const messages = await drain(mail);
    expect(messages).toHaveLength(8);
    const byId = new Map(messages.map((m) => [m.messageId, m.value]));
    // Seeded ten minutes apart ending a day before the calendar start (2026-01-05T09:00Z); received 5 s after sent.
    expect(byId.get("<quote-0-0@contoso.com>")).toMatchObject({
      direction: "sent",
      from: { address: ALICE },
      to: [{ address: "customer0@example.org" }],
      date: "2026-01-04T07:40:00Z",
    });
    expect(byId.get("<quote-0-1@example.org>")).toMatchObject({
      direction: "received",
      from: { address: "customer1@example.org" },
      to: [{ address: ALICE }],
      date: "2026-01-04T07:50:05Z",
    });
  });

  it("dates a message saved with CreateItem SaveOnly at its creation, as Exchange's recorded answers do", async () => {
    const service = client(ALICE);
    const imported = new EmailMessage(service);
    imported.Subject = "Imported quote";
    imported.Body = new MessageBody("Imported.");
    imported.From = new EmailAddress("customer7@example.org");
    imported.ToRecipients.Add(ALICE);
    // Not a draft (MSGFLAG_READ without MSGFLAG_UNSENT) and with its Message-ID, but no submit or delivery time.
    imported.SetExtendedProperty(new ExtendedPropertyDefinition(0x0e07, MapiPropertyType.Integer), 1);
    imported.SetExtendedProperty(
      new ExtendedPropertyDefinition(0x1035, MapiPropertyType.String),
      xmlEscaped("<import-7@example.org>"),
    );
    await imported.Save(new FolderId(WellKnownFolderName.Inbox));

    const read = await service.BindToItems(
      [imported.Id],
      new PropertySet(BasePropertySet.IdOnly, [
        ItemSchema.DateTimeCreated,
        ItemSchema.DateTimeReceived,
        ItemSchema.DateTimeSent,
        EmailMessageSchema.IsDraft,
      ]),
    );
    const item = read.Responses[0]?.Item;
    expect(item?.DateTimeCreated.ToISOString()).toBe("2026-03-02T10:00:00.000Z");
    expect(item?.DateTimeReceived.ToISOString()).toBe("2026-03-02T10:00:00.000Z");
    expect(item?.DateTimeSent.ToISOString()).toBe("2026-03-02T10:00:00.000Z");

    const mapped = (await drain(mail)).find((m) => m.messageId === "<import-7@example.org>");
    expect(mapped?.value).toMatchObject({ direction: "received", date: NOW, subject: "Imported quote" });
  });

  it("delivers a colleague's message dated, with the Sender and Message-ID its sent copy has", async () => {
    const message = new EmailMessage(client(BOB));
    message.Subject = "Lunch?";
    message.Body = new MessageBody("Noon.");
    message.ToRecipients.Add(ALICE);
    await message.SendAndSaveCopy();

    const sentCopy = alice.sim.control.user
      .list(BOB, "sentitems")
      .find((i) => i.props.some((p) => p.text === "Lunch?"));
    const messageId = sentCopy?.props.find((p) => p.name === "InternetMessageId")?.text;
    expect(messageId).toMatch(/^<[0-9a-f]{32}@contoso\.com>$/);
    const delivered = (await drain(mail)).find((m) => m.value.subject === "Lunch?");
    expect(delivered).toMatchObject({
      messageId,
      value: { direction: "received", from: { address: BOB }, date: NOW },
    });

    const inbox = await client(ALICE).FindItems(new FolderId(WellKnownFolderName.Inbox), new ItemView(50));
    expect(inbox.Items.length).toBe(7);
    for (const item of inbox.Items) expect(item.DateTimeReceived).toBeDefined();
  });

  it("refuses to set or delete the dates it stamps, so no message is ever answered without them", async () => {
    const [seeded] = alice.sim.control.user.list(ALICE, "inbox");
    const itemId = `<t:ItemId Id="${seeded?.id}" ChangeKey="${seeded?.changeKey}"/>`;
    const update = (change: string) =>
      soap(
        `<m:UpdateItem ConflictResolution="AlwaysOverwrite" MessageDisposition="SaveOnly"><m:ItemChanges><t:ItemChange>${itemId}<t:Updates>${change}</t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`,
      );
    const deleted = await post(
      alice.sim,
      update('<t:DeleteItemField><t:FieldURI FieldURI="item:DateTimeReceived"/></t:DeleteItemField>'),
    );
    expect(deleted.text).toContain("<m:ResponseCode>ErrorInvalidPropertyDelete</m:ResponseCode>");
    const set = await post(
      alice.sim,
      update(
        '<t:SetItemField><t:FieldURI FieldURI="item:DateTimeSent"/><t:Message><t:DateTimeSent>2020-01-01T00:00:00Z</t:DateTimeSent></t:Message></t:SetItemField>',
      ),
    );
    expect(set.text).toContain("<m:ResponseCode>ErrorInvalidPropertySet</m:ResponseCode>");
    const created = await post(
      alice.sim,
      soap(
        '<m:CreateItem MessageDisposition="SaveOnly"><m:Items><t:Message><t:Subject>Backdated</t:Subject><t:DateTimeReceived>2020-01-01T00:00:00Z</t:DateTimeReceived></t:Message></m:Items></m:CreateItem>',
      ),
    );
    expect(created.text).toContain("<m:ResponseCode>ErrorInvalidPropertySet</m:ResponseCode>");

    const dates = alice.sim.control.user
      .list(ALICE, "inbox")
      .find((item) => item.id === seeded?.id)
      ?.props.filter((p) => p.name.startsWith("DateTime"))
      .map((p) => `${p.name} ${p.text}`);
    expect(dates?.sort()).toEqual(["DateTimeReceived 2026-01-04T07:50:05Z", "DateTimeSent 2026-01-04T07:50:00Z"]);
    expect(alice.sim.control.user.list(ALICE, "drafts")).toEqual([]);
  });
});
