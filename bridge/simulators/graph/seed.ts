/**
 * A demo tenant for tests, benchmarks and the sandbox: a bridge app (all Outlook application permissions), an
 * add-in SPA client and the bridge's own API (`api://{bridge client id}/CRM.Access`), `users` mailboxes each with
 * contacts, single and weekly recurring meetings (one exception and one cancelled occurrence per series), To Do
 * tasks and Inbox mails from colleagues. Deterministic for a given seed; items are created straight in the store,
 * so 10 000+ items take well under a second.
 */
import { DateTime } from "luxon";
import { seededRandom } from "../shared/behaviour.js";
import { defaultsForNew } from "./items.js";
import type { Directory, Json, Mailbox, Tenant } from "./store.js";

export interface DemoSeedOptions {
  users?: number;
  contactsPerUser?: number;
  eventsPerUser?: number;
  recurringPerUser?: number;
  tasksPerUser?: number;
  messagesPerUser?: number;
  seed?: number;
  /** First day of seeded meetings (default: today, UTC). */
  startDate?: string;
}

export const DEMO_TENANT = {
  id: "6f1f3a3e-5d0b-4c59-9c36-2d7e0a1b9c10",
  domain: "contoso.onmicrosoft.com",
  bridgeApp: { clientId: "2b8d6c4e-8f0a-4b1c-9d3e-5a7f9b1c3d5e", clientSecret: "bridge-app-secret" },
  addinApp: { clientId: "9c1e3a5b-7d9f-4e2a-8b4c-6d8e0f2a4b6c" },
  apiScope: "api://2b8d6c4e-8f0a-4b1c-9d3e-5a7f9b1c3d5e/CRM.Access",
  redirectUri: "https://localhost:8443/auth/graph/callback",
} as const;

export const BRIDGE_APP_ROLES = [
  "Contacts.ReadWrite",
  "Calendars.ReadWrite",
  "Mail.ReadWrite",
  "Mail.Send",
  "Tasks.ReadWrite.All",
  "User.Read.All",
  "MailboxSettings.Read",
];

const FIRST = [
  "Adele",
  "Alex",
  "Diego",
  "Grady",
  "Henrietta",
  "Isaiah",
  "Johanna",
  "Joni",
  "Lee",
  "Lidia",
  "Lynne",
  "Megan",
  "Miriam",
  "Nestor",
  "Patti",
  "Pradeep",
];
const LAST = [
  "Vance",
  "Wilber",
  "Siciliani",
  "Archie",
  "Mueller",
  "Langer",
  "Lauer",
  "Sherman",
  "Gu",
  "Holloway",
  "Robinson",
  "Bowen",
  "Graham",
  "Wilke",
  "Fernandez",
  "Gupta",
];
const COMPANIES = [
  "Fabrikam",
  "Northwind Traders",
  "Tailspin Toys",
  "Woodgrove Bank",
  "Litware",
  "Adventure Works",
  "Proseware",
  "Wingtip Toys",
];
const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const ZONES = ["W. Europe Standard Time", "Pacific Standard Time", "Eastern Standard Time", "GMT Standard Time"];

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T;
}

function guid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function registerDemoApps(tenant: Tenant): void {
  tenant.apps.set(DEMO_TENANT.bridgeApp.clientId, {
    clientId: DEMO_TENANT.bridgeApp.clientId,
    clientSecret: DEMO_TENANT.bridgeApp.clientSecret,
    displayName: "Exchange Zoho CRM Bridge",
    roles: [...BRIDGE_APP_ROLES],
    redirectUris: [DEMO_TENANT.redirectUri, "http://localhost/callback"],
    exposedScopes: ["CRM.Access"],
  });
  tenant.apps.set(DEMO_TENANT.addinApp.clientId, {
    clientId: DEMO_TENANT.addinApp.clientId,
    clientSecret: "",
    displayName: "CRM Bridge Outlook add-in",
    roles: [],
    redirectUris: ["brk-multihub://localhost:3000"],
    exposedScopes: [],
  });
}

function eventProps(
  mailbox: Mailbox,
  start: DateTime,
  zone: string,
  subject: string,
  attendees: Mailbox[],
  recurrence?: Json,
): Json {
  const props: Json = {
    subject,
    body: { contentType: "html", content: `<p>${subject}</p>` },
    start: { dateTime: start.toUTC().toISO(), timeZone: "UTC" },
    end: { dateTime: start.plus({ hours: 1 }).toUTC().toISO(), timeZone: "UTC" },
    location: { displayName: "Conference Room 1" },
    attendees: attendees.map((attendee) => ({
      type: "required",
      status: { response: "none", time: "0001-01-01T00:00:00Z" },
      emailAddress: { name: attendee.user.displayName, address: attendee.user.mail },
    })),
  };
  props.originalStartTimeZone = zone;
  props.originalEndTimeZone = zone;
  if (recurrence) props.recurrence = recurrence;
  return defaultsForNew("event", mailbox, props);
}

export function seedDemoTenant(directory: Directory, options: DemoSeedOptions = {}): Tenant {
  const random = seededRandom(options.seed ?? 1);
  const tenant =
    directory.tenantByIdOrDomain(DEMO_TENANT.id) ?? directory.addTenant(DEMO_TENANT.id, DEMO_TENANT.domain);
  registerDemoApps(tenant);
  const userCount = options.users ?? 12;
  const mailboxes: Mailbox[] = [];
  for (let index = 0; index < userCount; index += 1) {
    const first = FIRST[index % FIRST.length] as string;
    const last = LAST[index % LAST.length] as string;
    const suffix = index < FIRST.length ? "" : String(Math.floor(index / FIRST.length));
    const alias = `${first}${last[0]}${suffix}`.toLowerCase();
    mailboxes.push(
      directory.addUser(tenant, {
        id: guid(random),
        userPrincipalName: `${alias}@${DEMO_TENANT.domain}`,
        mail: `${alias}@${DEMO_TENANT.domain}`,
        displayName: `${first} ${last}`,
        timeZone: pick(random, ZONES),
      }),
    );
  }
  const day0 = options.startDate ? DateTime.fromISO(options.startDate, { zone: "UTC" }) : DateTime.utc().startOf("day");
  for (const [index, mailbox] of mailboxes.entries()) {
    const colleagues = mailboxes.filter((other) => other !== mailbox);
    const contacts = directory.defaultFolder(mailbox, "contactFolder");
    for (let n = 0; n < (options.contactsPerUser ?? 20); n += 1) {
      const givenName = pick(random, FIRST);
      const surname = pick(random, LAST);
      const company = pick(random, COMPANIES);
      const address = `${givenName}.${surname}${n}@${company.replace(/\s/g, "").toLowerCase()}.example`.toLowerCase();
      directory.createItem(
        mailbox,
        contacts,
        "contact",
        defaultsForNew("contact", mailbox, {
          givenName,
          surname,
          companyName: company,
          jobTitle: pick(random, ["Buyer", "CEO", "Engineer", "Account Manager", "CFO"]),
          emailAddresses: [{ address, name: `${givenName} ${surname}` }],
          businessPhones: [`+1 425 555 ${String(1000 + n).slice(-4)}`],
          mobilePhone: `+1 206 555 ${String(2000 + n).slice(-4)}`,
        }),
      );
    }
    const calendar = directory.defaultFolder(mailbox, "calendar");
    const zone = mailbox.user.timeZone;
    const recurring = options.recurringPerUser ?? 2;
    for (let n = 0; n < (options.eventsPerUser ?? 10); n += 1) {
      const start = day0.plus({ days: n % 30, hours: 8 + (n % 8) });
      const attendees = colleagues.length ? [pick(random, colleagues)] : [];
      if (n < recurring) {
        const series = directory.createItem(
          mailbox,
          calendar,
          "event",
          eventProps(mailbox, start, zone, `Weekly sync ${n + 1}`, attendees, {
            pattern: {
              type: "weekly",
              interval: 1,
              daysOfWeek: [WEEKDAYS[start.toUTC().weekday - 1] ?? "monday"],
              firstDayOfWeek: "sunday",
            },
            range: {
              type: "numbered",
              startDate: start.toISODate(),
              numberOfOccurrences: 10,
              recurrenceTimeZone: "UTC",
            },
          }),
        );
        const second = start.plus({ weeks: 1 });
        series.exceptions.set(second.toISODate() ?? "", {
          props: {
            subject: `Weekly sync ${n + 1} (moved)`,
            start: { dateTime: second.plus({ hours: 1 }).toISO(), timeZone: "UTC" },
            end: { dateTime: second.plus({ hours: 2 }).toISO(), timeZone: "UTC" },
          },
          seq: series.seq,
          changeKey: series.changeKey,
        });
        series.cancelledOccurrences.set(start.plus({ weeks: 2 }).toISODate() ?? "", series.seq);
        continue;
      }
      directory.createItem(
        mailbox,
        calendar,
        "event",
        eventProps(mailbox, start, zone, `Meeting ${n + 1} with ${pick(random, COMPANIES)}`, attendees),
      );
    }
    const tasks = directory.defaultFolder(mailbox, "todoList");
    for (let n = 0; n < (options.tasksPerUser ?? 5); n += 1) {
      directory.createItem(
        mailbox,
        tasks,
        "task",
        defaultsForNew("task", mailbox, {
          title: `Follow up with ${pick(random, COMPANIES)}`,
          importance: pick(random, ["low", "normal", "high"]),
          dueDateTime: { dateTime: `${day0.plus({ days: n + 1 }).toISODate()}T00:00:00.0000000`, timeZone: "UTC" },
        }),
      );
    }
    const inbox = directory.wellKnownFolder(mailbox, "inbox");
    for (let n = 0; inbox && n < (options.messagesPerUser ?? 10); n += 1) {
      const from = colleagues.length ? pick(random, colleagues) : mailbox;
      const sender = { emailAddress: { name: from.user.displayName, address: from.user.mail } };
      directory.createItem(
        mailbox,
        inbox,
        "message",
        defaultsForNew("message", mailbox, {
          subject: `Quote for ${pick(random, COMPANIES)} #${index * 1000 + n}`,
          body: { contentType: "html", content: "<p>Please find the quote attached.</p>" },
          from: sender,
          sender,
          toRecipients: [{ emailAddress: { name: mailbox.user.displayName, address: mailbox.user.mail } }],
          receivedDateTime: new Date(day0.toMillis() - n * 3_600_000).toISOString(),
          sentDateTime: new Date(day0.toMillis() - n * 3_600_000 - 60_000).toISOString(),
        }),
      );
    }
  }
  return tenant;
}
