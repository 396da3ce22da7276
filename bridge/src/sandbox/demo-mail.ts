/**
 * Customer mail for the add-in preview: the Graph seed's inbox holds only mail between colleagues, so without this the
 * preview's first e-mail says "nobody here is in the CRM". Each sandbox mailbox receives mail from the contacts of
 * open Zoho Deals (the pane then shows their Account and Deal) and from one sender the CRM does not know (the pane
 * offers "create lead").
 */
import type { startGraphSimulator } from "../../simulators/graph/index.js";
import type { RunningZohoSimulator } from "../../simulators/zoho/index.js";

type GraphSimulator = Awaited<ReturnType<typeof startGraphSimulator>>;

const KNOWN_SENDERS = 2;
const UNKNOWN_SENDER = { name: "Sam Rivera", address: "sam.rivera@fourthcoffee.example" };
const CLOSED = /^Closed/;

interface Sender {
  name: string;
  address: string;
  subject: string;
  /** A file on the mail, so "include attachments" has something to file. */
  attachment?: { name: string; contentType: string; content: string };
}

const lookupId = (value: unknown) => (value as { id?: string } | null | undefined)?.id;

/** Contacts with an Account and an open Deal, in the Zoho simulator's record order (the seed is deterministic). */
function knownCustomers(zoho: RunningZohoSimulator): Sender[] {
  const contacts = new Map(zoho.control.records("Contacts").map((contact) => [String(contact.id), contact]));
  const senders = new Map<string, Sender>();
  for (const deal of zoho.control.records("Deals")) {
    if (CLOSED.test(String(deal.Stage)) || senders.size === KNOWN_SENDERS) continue;
    const contact = contacts.get(lookupId(deal.Contact_Name) ?? "");
    if (!contact || typeof contact.Email !== "string" || lookupId(contact.Account_Name) === undefined) continue;
    if (senders.has(contact.Email)) continue;
    senders.set(contact.Email, {
      name: `${contact.First_Name} ${contact.Last_Name}`,
      address: contact.Email,
      subject: `${deal.Deal_Name}: next steps`,
      ...(senders.size === 0
        ? {
            attachment: {
              name: "Proposal.txt",
              contentType: "text/plain",
              content: `Proposal for ${deal.Deal_Name}\n`,
            },
          }
        : {}),
    });
  }
  return [...senders.values()];
}

/** Delivers the demo mail into every mailbox; resolves with how many messages each received. */
export async function deliverDemoCustomerMail(
  zoho: RunningZohoSimulator,
  graph: GraphSimulator,
  mailboxes: string[],
): Promise<number> {
  const senders: Sender[] = [
    ...knownCustomers(zoho),
    { ...UNKNOWN_SENDER, subject: "Introduction: Fourth Coffee is looking for a supplier" },
  ];
  const now = Date.now();
  for (const mailbox of mailboxes) {
    for (const [index, sender] of senders.entries()) {
      // A minute apart, newest first in the preview: the first known customer opens the pane.
      const at = new Date(now - index * 60_000).toISOString();
      const message = await graph.control.receiveMail(mailbox, {
        receivedDateTime: at,
        sentDateTime: at,
        subject: sender.subject,
        body: { contentType: "text", content: `Hello,\n\nshall we talk about this next week?\n\n${sender.name}` },
        from: { emailAddress: { name: sender.name, address: sender.address } },
        toRecipients: [{ emailAddress: { address: mailbox } }],
      });
      if (sender.attachment) {
        await graph.control.actAsUser(mailbox, "POST", `/messages/${String(message.id)}/attachments`, {
          "@odata.type": "#microsoft.graph.fileAttachment",
          name: sender.attachment.name,
          contentType: sender.attachment.contentType,
          contentBytes: Buffer.from(sender.attachment.content).toString("base64"),
        });
      }
    }
  }
  return senders.length;
}
