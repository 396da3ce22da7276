/**
 * The demo organisation: a service account with the ApplicationImpersonation role, one without it, users with
 * their own mailboxes holding contacts, single and recurring meetings (with an exception and a deleted
 * occurrence), tasks and mails. Items are built directly in the store (no SOAP round trips), so tens of
 * thousands of items seed in well under a second.
 */
import { randomUUID } from "node:crypto";
import { type ItemKind, newChangeKey, type Organisation } from "./store.js";
import { cloneNode, el, type XNode } from "./xml.js";

export interface SeedOptions {
  mailboxes?: number;
  contactsPerMailbox?: number;
  meetingsPerMailbox?: number;
  tasksPerMailbox?: number;
  mailsPerMailbox?: number;
  password?: string;
  /** ISO instant the generated calendar starts from (default 2026-01-05T09:00:00Z). */
  start?: string;
}

export interface SeededAccount {
  logon: string;
  upn: string;
  password: string;
}

export interface SeedSummary {
  serviceAccount: SeededAccount;
  serviceAccountWithoutRole: SeededAccount;
  users: (SeededAccount & { smtp: string })[];
  items: number;
}

const FIRST = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy"];
const LAST = ["Miller", "Schmidt", "Rossi", "Dubois", "Novak", "Tanaka", "Silva", "Khan", "Berg", "Olsen"];

function text(name: string, value: string): XNode {
  return el(name, {}, value);
}

function attendee(smtp: string): XNode {
  return el("Attendee", {}, [el("Mailbox", {}, [text("EmailAddress", smtp)])]);
}

export function seedOrganisation(org: Organisation, options: SeedOptions = {}): SeedSummary {
  const password = options.password ?? "Pa55w.rd";
  const domain = org.domain;
  const count = options.mailboxes ?? 3;
  const start = Date.parse(options.start ?? "2026-01-05T09:00:00Z");
  const service = { logon: `${org.netbios}\\svc-crm`, upn: `svc-crm@${domain}`, password };
  const withoutRole = { logon: `${org.netbios}\\svc-norole`, upn: `svc-norole@${domain}`, password };
  org.addAccount({ ...service, impersonation: true });
  org.addAccount({ ...withoutRole, impersonation: false });
  const users: SeedSummary["users"] = [];
  let items = 0;
  const names = Array.from({ length: count }, (_, i) => {
    const first = FIRST[i % FIRST.length] ?? "User";
    return { first, smtp: `${first.toLowerCase()}${i >= FIRST.length ? i : ""}@${domain}` };
  });
  const mailboxes = names.map(({ first, smtp }) => {
    const mailbox = org.addMailbox(smtp, `${first} ${LAST[0]}`);
    const logon = `${org.netbios}\\${smtp.split("@")[0]}`;
    org.addAccount({ logon, upn: smtp, password, smtp, impersonation: false });
    users.push({ logon, upn: smtp, password, smtp });
    return mailbox;
  });
  const stamp = new Date(start - 86_400_000).toISOString().replace(/\.\d+Z$/, "Z");
  for (const [m, mailbox] of mailboxes.entries()) {
    const folder = (name: string) => org.distinguishedFolder(mailbox, name)?.id ?? "";
    const add = (name: string, kind: ItemKind, props: XNode[]) => {
      org.insertItem(mailbox, folder(name), kind, props, [], stamp);
      items++;
    };
    for (let i = 0; i < (options.contactsPerMailbox ?? 20); i++) {
      const given = FIRST[(i + m) % FIRST.length] ?? "Contact";
      const surname = `${LAST[i % LAST.length]}${i >= LAST.length ? i : ""}`;
      add("contacts", "Contact", [
        text("FileAs", `${surname}, ${given}`),
        text("DisplayName", `${given} ${surname}`),
        text("GivenName", given),
        text("CompanyName", `Company ${i % 50}`),
        el("EmailAddresses", {}, [
          el("Entry", { Key: "EmailAddress1" }, `${given}.${surname}.${i}@example.org`.toLowerCase()),
        ]),
        el("PhoneNumbers", {}, [el("Entry", { Key: "BusinessPhone" }, `+1 555 01${String(i).padStart(4, "0")}`)]),
        text("JobTitle", "Buyer"),
        text("Surname", surname),
      ]);
    }
    for (let i = 0; i < (options.meetingsPerMailbox ?? 5); i++) {
      const begin = new Date(start + i * 86_400_000 + m * 3_600_000);
      const end = new Date(begin.getTime() + 3_600_000);
      const recurring = i % 2 === 0;
      const other = mailboxes[(m + 1) % mailboxes.length];
      const props: XNode[] = [
        text("Subject", recurring ? `Weekly sync ${i}` : `Customer call ${i}`),
        text("Start", begin.toISOString().replace(/\.\d+Z$/, "Z")),
        text("End", end.toISOString().replace(/\.\d+Z$/, "Z")),
        text("LegacyFreeBusyStatus", "Busy"),
        text("Location", `Room ${i}`),
        text("UID", randomUUID().replaceAll("-", "").toUpperCase()),
      ];
      if (other && other !== mailbox) props.push(el("RequiredAttendees", {}, [attendee(other.smtp)]));
      if (recurring) {
        const day = begin.toLocaleDateString("en-US", { weekday: "long", timeZone: "UTC" });
        props.push(
          el("Recurrence", {}, [
            el("WeeklyRecurrence", {}, [text("Interval", "1"), text("DaysOfWeek", day)]),
            el("NumberedRecurrence", {}, [
              text("StartDate", `${begin.toISOString().slice(0, 10)}Z`),
              text("NumberOfOccurrences", "10"),
            ]),
          ]),
        );
      }
      props.push(el("StartTimeZone", { Id: "UTC" }));
      add("calendar", "CalendarItem", props);
      if (recurring && i === 0) {
        const master = [...mailbox.items.values()].at(-1);
        // The third occurrence of the weekly series (UTC, on the start's weekday) is cancelled: two weeks after it.
        const originalStart = new Date(begin.getTime() + 14 * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z");
        master?.exceptions.set(3, { index: 3, originalStart, deleted: true, props: [], changeKey: newChangeKey() });
      }
    }
    for (let i = 0; i < (options.tasksPerMailbox ?? 5); i++) {
      add("tasks", "Task", [
        text("Subject", `Follow up ${i}`),
        text("DueDate", new Date(start + i * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z")),
        text("Status", i % 3 === 0 ? "Completed" : "NotStarted"),
        // Exchange stores an Importance on every item (Normal unless set), and GetItem returns it.
        text("Importance", "Normal"),
      ]);
    }
    const mails = options.mailsPerMailbox ?? 50;
    const owner = (name: string) => el(name, {}, [el("Mailbox", {}, [text("EmailAddress", mailbox.smtp)])]);
    for (let i = 0; i < mails; i++) {
      const sent = i % 4 === 0;
      const customer = el("Mailbox", {}, [text("EmailAddress", `customer${i % 20}@example.org`)]);
      // Ten minutes apart, all before the store stamp; a delivered copy is received a few seconds after it was sent.
      const sentAt = start - 86_400_000 - (mails - i) * 600_000;
      const instant = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
      add(sent ? "sentitems" : "inbox", "Message", [
        text("Subject", `Quote ${i}`),
        el("Body", { BodyType: "Text" }, `Hello, please find quote ${i}.`),
        text("DateTimeReceived", instant(sent ? sentAt : sentAt + 5_000)),
        ...(sent ? [owner("Sender")] : [el("Sender", {}, [cloneNode(customer)])]),
        sent ? el("ToRecipients", {}, [customer]) : owner("ToRecipients"),
        text("IsRead", String(sent || i % 3 === 0)),
        text("DateTimeSent", instant(sentAt)),
        text("InternetMessageId", `<quote-${m}-${i}@${sent ? domain : "example.org"}>`),
        sent ? owner("From") : el("From", {}, [cloneNode(customer)]),
      ]);
    }
  }
  return { serviceAccount: service, serviceAccountWithoutRole: withoutRole, users, items };
}
