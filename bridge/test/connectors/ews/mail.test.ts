import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ServerRelease, startEwsSimulator } from "../../../simulators/ews/index.js";
import { el } from "../../../simulators/ews/xml.js";
import { createEwsExchangePort, type EwsVersionName } from "../../../src/connectors/ews/index.js";
import type { ExchangeMailPort, ExchangePort, MailItem } from "../../../src/connectors/port.js";
import type { Email } from "../../../src/model/index.js";
import { testPki } from "../../support/pki.js";

const SERVICE = "CONTOSO\\svc-crm";
const MAILBOX = "alice@contoso.com";

const SERVERS: [ServerRelease, EwsVersionName][] = [
  ["2010SP2", "Exchange2010_SP2"],
  ["2016", "Exchange2016"],
];

const address = (smtp: string) => el("Mailbox", {}, [el("EmailAddress", {}, smtp)]);

function incoming(n: number) {
  return {
    Subject: `Quote ${n}`,
    Body: el("Body", { BodyType: "Text" }, `Please find quote ${n}.`),
    From: el("From", {}, [address(`customer${n}@example.org`)]),
    ToRecipients: el("ToRecipients", {}, [address(MAILBOX)]),
    InternetMessageId: `<quote-${n}@example.org>`,
    DateTimeSent: `2026-05-0${n}T08:00:00Z`,
    DateTimeReceived: `2026-05-0${n}T08:01:00Z`,
  };
}

const crmSent: Email = {
  messageId: "<crm-42@zoho.example>",
  from: { address: MAILBOX, name: "Alice" },
  to: [{ address: "customer9@example.org", name: "Customer Nine" }],
  cc: [],
  date: "2026-05-09T10:00:00Z",
  subject: "Your quote & terms <draft 2>",
  body: { format: "html", content: "<p>Here it is.</p>" },
  direction: "sent",
  attachments: [],
};

/** Drains one round (Inbox then Sent Items), as the engine does: page by page, keeping the last cursor. */
async function drain(mail: ExchangeMailPort<Email>, cursor: string | undefined) {
  const messages: MailItem<Email>[] = [];
  let calls = 0;
  for (;;) {
    const page = await mail.listMessages(cursor);
    calls++;
    messages.push(...page.messages);
    cursor = page.cursor;
    if (page.complete) return { messages, cursor, calls };
  }
}

for (const [release, version] of SERVERS) {
  describe(`EWS mail port on ${release}`, () => {
    let sim: Awaited<ReturnType<typeof startEwsSimulator>>;
    let exchange: ExchangePort<never, Email>;
    let mail: ExchangeMailPort<Email>;

    beforeEach(async () => {
      sim = await startEwsSimulator({ pki: await testPki(), release, validateResponses: true });
      sim.control.seed({
        mailboxes: 2,
        contactsPerMailbox: 0,
        meetingsPerMailbox: 0,
        tasksPerMailbox: 0,
        mailsPerMailbox: 0,
      });
      exchange = (await createEwsExchangePort(
        {
          mailbox: MAILBOX,
          url: sim.ewsUrl,
          version,
          username: SERVICE,
          password: "Pa55w.rd",
          auth: "basic",
          impersonate: true,
        },
        { maxChanges: 2, batchSize: 2 },
      )) as unknown as ExchangePort<never, Email>;
      if (!exchange.mail) throw new Error("no mail port");
      mail = exchange.mail;
    });

    afterEach(async () => {
      await exchange.close();
      expect(sim.control.responseViolations()).toEqual([]);
      await sim.close();
    });

    it("lists Inbox and Sent Items in pages, then only what is new", async () => {
      for (const n of [1, 2, 3]) sim.control.user.create(MAILBOX, "inbox", "Message", incoming(n));
      sim.control.user.create(MAILBOX, "sentitems", "Message", {
        ...incoming(4),
        From: el("From", {}, [address(MAILBOX)]),
        ToRecipients: el("ToRecipients", {}, [address("customer4@example.org")]),
        InternetMessageId: "<reply-4@contoso.com>",
      });

      const first = await drain(mail, undefined);
      expect(first.messages.map((m) => m.messageId).sort()).toEqual([
        "<quote-1@example.org>",
        "<quote-2@example.org>",
        "<quote-3@example.org>",
        "<reply-4@contoso.com>",
      ]);
      // Three Inbox messages at two changes per call take two pages, Sent Items one.
      expect(first.calls).toBe(3);
      const received = first.messages.find((m) => m.messageId === "<quote-1@example.org>");
      expect(received?.value).toMatchObject({
        direction: "received",
        from: { address: "customer1@example.org" },
        subject: "Quote 1",
        body: { format: "text", content: "Please find quote 1." },
      });
      expect(first.messages.find((m) => m.messageId === "<reply-4@contoso.com>")?.value.direction).toBe("sent");

      const idle = await drain(mail, first.cursor);
      expect(idle.messages).toEqual([]);

      sim.control.user.create(MAILBOX, "inbox", "Message", incoming(5));
      const next = await drain(mail, idle.cursor);
      expect(next.messages.map((m) => m.messageId)).toEqual(["<quote-5@example.org>"]);
    });

    it("files a CRM-sent message into Sent Items once, as a read, sent (not draft) message", async () => {
      const { cursor } = await drain(mail, undefined);
      const saved = await mail.saveToSentItems(crmSent, crmSent.messageId);
      expect(saved).toMatchObject({ ok: true, value: { messageId: crmSent.messageId } });
      const again = await mail.saveToSentItems(crmSent, crmSent.messageId);
      expect(again).toEqual(saved);

      const stored = sim.control.user.list(MAILBOX, "sentitems");
      expect(stored).toHaveLength(1);
      const text = (name: string) => stored[0]?.props.find((p) => p.name === name)?.text;
      expect(text("InternetMessageId")).toBe(crmSent.messageId);
      expect(text("IsDraft")).toBe("false");
      expect(text("IsRead")).toBe("true");

      const listed = await drain(mail, cursor);
      expect(listed.messages).toHaveLength(1);
      expect(listed.messages[0]?.value).toMatchObject({
        messageId: crmSent.messageId,
        direction: "sent",
        subject: "Your quote & terms <draft 2>",
        to: [{ address: "customer9@example.org" }],
      });
    });

    it("skips drafts and refuses an unreadable cursor", async () => {
      sim.control.user.create(MAILBOX, "sentitems", "Message", { ...incoming(6), IsDraft: "true" });
      expect((await drain(mail, undefined)).messages).toEqual([]);
      await expect(mail.listMessages("not json")).rejects.toMatchObject({ failure: { kind: "cursor-invalid" } });
    });
  });
}
