/**
 * The EWS mail port finds a message by its Internet Message-ID in any mail folder (FindFolder Deep, then FindItem
 * restricted on PR_INTERNET_MESSAGE_ID as an extended property), so a message the user moved is still found, and
 * reads its file attachments (GetAttachment) — on Exchange 2010 SP2 and 2016, with the simulator validating every
 * response against the release's schema.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileAttachments } from "../../../simulators/ews/attachments.js";
import { type ServerRelease, startEwsSimulator } from "../../../simulators/ews/index.js";
import { el } from "../../../simulators/ews/xml.js";
import { createEwsExchangePort, type EwsVersionName } from "../../../src/connectors/ews/index.js";
import type { ExchangeMailPort, ExchangePort } from "../../../src/connectors/port.js";
import type { Email } from "../../../src/model/index.js";
import { testPki } from "../../support/pki.js";

const MAILBOX = "alice@contoso.com";
const SERVERS: [ServerRelease, EwsVersionName][] = [
  ["2010SP2", "Exchange2010_SP2"],
  ["2016", "Exchange2016"],
];

const address = (smtp: string) => el("Mailbox", {}, [el("EmailAddress", {}, smtp)]);
const message = (subject: string, messageId: string) => ({
  Subject: subject,
  Body: el("Body", { BodyType: "Text" }, `About ${subject}`),
  From: el("From", {}, [address("customer@example.org")]),
  ToRecipients: el("ToRecipients", {}, [address(MAILBOX)]),
  InternetMessageId: messageId,
  DateTimeSent: "2026-05-01T08:00:00Z",
  DateTimeReceived: "2026-05-01T08:01:00Z",
});

for (const [release, version] of SERVERS) {
  describe(`EWS mail port get-by-Message-ID on ${release}`, () => {
    let sim: Awaited<ReturnType<typeof startEwsSimulator>>;
    let exchange: ExchangePort<never, Email>;
    let mail: ExchangeMailPort<Email>;

    beforeAll(async () => {
      sim = await startEwsSimulator({ pki: await testPki(), release, validateResponses: true });
      sim.control.seed({ mailboxes: 1, contactsPerMailbox: 0, meetingsPerMailbox: 0, tasksPerMailbox: 0 });
      exchange = (await createEwsExchangePort({
        mailbox: MAILBOX,
        url: sim.ewsUrl,
        version,
        username: "CONTOSO\\svc-crm",
        password: "Pa55w.rd",
        auth: "basic",
        impersonate: true,
      })) as unknown as ExchangePort<never, Email>;
      if (!exchange.mail) throw new Error("no mail port");
      mail = exchange.mail;
    });

    afterAll(async () => {
      await exchange?.close();
      expect(sim.control.responseViolations()).toEqual([]);
      await sim?.close();
    });

    it("finds a message in the Inbox, and again after it was moved to Deleted Items, by its Message-ID", async () => {
      const quote = Buffer.from("quote 1: 12 000 EUR\n".repeat(50));
      const stored = sim.control.user.create(MAILBOX, "inbox", "Message", {
        ...message("Quote", "<quote-1@example.org>"),
        Attachments: fileAttachments([{ name: "quote.pdf", contentType: "application/pdf", content: quote }]),
      });
      sim.control.user.create(MAILBOX, "inbox", "Message", message("Other", "<other-1@example.org>"));

      const inInbox = await mail.findByMessageId("<quote-1@example.org>");
      expect(inInbox).toMatchObject({
        id: stored.id,
        messageId: "<quote-1@example.org>",
        value: { subject: "Quote", direction: "received", from: { address: "customer@example.org" } },
      });

      const moved = sim.control.user.move(MAILBOX, stored.id, "deleteditems");
      const found = await mail.findByMessageId("<quote-1@example.org>");
      expect(found?.id).toBe(moved.id);
      expect(found?.value.subject).toBe("Quote");
      // The attachment moved with it; GetAttachment brings its content.
      expect(await mail.attachmentFiles(moved.id)).toEqual([
        { name: "quote.pdf", contentType: "application/pdf", isInline: false, content: quote },
      ]);
      const other = await mail.findByMessageId("<other-1@example.org>");
      expect(other && (await mail.attachmentFiles(other.id))).toEqual([]);
    });

    it("answers undefined for an unknown Message-ID, and escapes one with XML specials", async () => {
      expect(await mail.findByMessageId("<nobody@example.org>")).toBeUndefined();
      sim.control.user.create(
        MAILBOX,
        "sentitems",
        "Message",
        message("Terms & <conditions>", "<a&b'c\"d@example.org>"),
      );
      const found = await mail.findByMessageId("<a&b'c\"d@example.org>");
      expect(found?.value.subject).toBe("Terms & <conditions>");
    });
  });
}
