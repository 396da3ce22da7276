/**
 * E-mail end to end between an on-prem mailbox (EWS 2010 SP2 and 2016 simulators) and Zoho CRM (Zoho simulator), both over real
 * HTTPS through the production connectors: a message with a file attachment from a known contact is associated with
 * its attachment; a mail sent from the CRM lands in Sent Items once and is not associated back on the next run; a
 * second run writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileAttachments } from "../../simulators/ews/attachments.js";
import type { ServerRelease } from "../../simulators/ews/index.js";
import { el } from "../../simulators/ews/xml.js";
import { startZohoSimulator } from "../../simulators/zoho/index.js";
import type { EwsVersionName } from "../../src/connectors/ews/index.js";
import type { CrmMailPort, ExchangeMailPort } from "../../src/connectors/port.js";
import type { ZohoCrmPort } from "../../src/connectors/zoho/index.js";
import type { Email } from "../../src/model/index.js";
import { runMailSync } from "../../src/sync/mail.js";
import { MemorySyncStateStore } from "../../src/sync/memory-state.js";
import { type Alice2016, connectAlice } from "../connectors/ews/alice-2016.js";
import { connectZoho } from "../connectors/zoho/support.js";
import { testPki } from "../support/pki.js";

const MAILBOX = "alice@contoso.com";
const CUSTOMER = "mia@customer.example";
const SERVERS: [ServerRelease, EwsVersionName][] = [
  ["2010SP2", "Exchange2010_SP2"],
  ["2016", "Exchange2016"],
];

describe.each(SERVERS)("e-mail between an EWS %s mailbox and Zoho CRM", (release, version) => {
  let alice: Alice2016;
  let zoho: Awaited<ReturnType<typeof startZohoSimulator>>;
  let crm: ZohoCrmPort;
  let contactId: string;
  const store = new MemorySyncStateStore();

  beforeAll(async () => {
    [alice, zoho] = await Promise.all([
      connectAlice({ release, version }),
      startZohoSimulator({ pki: await testPki() }),
    ]);
    const [contact] = zoho.control
      .actAs()
      .insert("Contacts", [{ First_Name: "Mia", Last_Name: "Mail", Email: CUSTOMER }]);
    contactId = String(contact?.id);
    ({ crm } = await connectZoho(zoho));
  }, 60_000);

  afterAll(async () => {
    await crm?.close();
    expect(alice?.sim.control.responseViolations()).toEqual([]);
    await Promise.all([alice?.close(), zoho?.close()]);
  });

  const sync = () =>
    runMailSync<Email>({
      mailboxId: MAILBOX,
      exchange: alice.exchange.mail as ExchangeMailPort<Email>,
      crm: crm.mail as CrmMailPort<Email>,
      store,
      addressesOf: (mail) => [mail.from, ...mail.to, ...mail.cc].map((person) => person.address),
      ownAddresses: [MAILBOX],
      includeAttachments: true,
    });
  const onContact = () =>
    (
      (zoho.control.state().emails as Record<string, Array<{ subject: string; source: string; attachments: unknown }>>)[
        `Contacts/${contactId}`
      ] ?? []
    ).filter((mail) => mail.source === "associate_email");
  const address = (smtp: string) => el("Mailbox", {}, [el("EmailAddress", {}, smtp)]);

  it("associates the message with its attachment and files CRM-sent mail into Sent Items, once", async () => {
    const price = Buffer.from("price list 2026\n".repeat(200));
    alice.sim.control.user.create(MAILBOX, "inbox", "Message", {
      Subject: "Price list",
      Body: el("Body", { BodyType: "Text" }, "Here is our price list."),
      From: el("From", {}, [address(CUSTOMER)]),
      ToRecipients: el("ToRecipients", {}, [address(MAILBOX)]),
      InternetMessageId: "<price-list@customer.example>",
      DateTimeSent: "2026-05-04T08:00:00Z",
      DateTimeReceived: "2026-05-04T08:01:00Z",
      Attachments: fileAttachments([{ name: "prices.csv", contentType: "text/csv", content: price }]),
    });
    zoho.control.sendEmailFromCrm("Contacts", contactId, {
      to: [CUSTOMER],
      subject: "Welcome aboard",
      content: "<p>Glad to have you.</p>",
    });

    const first = await sync();
    expect(first).toMatchObject({ status: "completed", associated: 1, filed: 1 });
    expect(onContact().map((mail) => [mail.subject, mail.attachments])).toEqual([
      ["Price list", [{ id: expect.any(String), name: "prices.csv", size: String(price.length) }]],
    ]);
    const sent = alice.sim.control.user.list(MAILBOX, "sentitems");
    expect(sent.map((item) => item.props.find((p) => p.name === "Subject")?.text)).toEqual(["Welcome aboard"]);

    // The filed copy is in Sent Items now: the next run reads it but neither associates it nor files it again.
    const second = await sync();
    expect(second).toMatchObject({ status: "completed", associated: 0, filed: 0 });
    expect(onContact()).toHaveLength(1);
    expect(alice.sim.control.user.list(MAILBOX, "sentitems")).toHaveLength(1);
  });
});
