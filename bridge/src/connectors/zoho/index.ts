/**
 * The Zoho CRM connector: a `CrmPort` whose contacts, events and tasks ports run over the Records API v8 for one
 * CRM user (the one whose refresh token we hold). Built once per mailbox pairing:
 *
 *   const crm = await createZohoCrmPort({ oauth: { clientId, clientSecret, accountsServer, refreshToken } });
 *
 * It asks Zoho for the user's time zone first (DateTimes are written and read in it), resolves a contact's
 * company to an Account id (COQL, exact; creating the Account when there is none) and exposes users/profiles
 * look-ups for the admin console.
 */
import { contactFromZoho, contactToZoho } from "../../mapping/zoho/contact.js";
import { eventFromZoho, eventToZoho } from "../../mapping/zoho/event.js";
import { taskFromZoho, taskToZoho } from "../../mapping/zoho/task.js";
import type { ZohoEventRecord, ZohoRecord, ZohoTaskRecord } from "../../mapping/zoho/wire.js";
import type { CalendarEvent, Contact, Email, Task } from "../../model/index.js";
import { ConnectorError } from "../errors.js";
import type { CrmPort } from "../port.js";
import { AccountResolver } from "./accounts.js";
import { ZohoClient, type ZohoClientOptions, type ZohoJson } from "./client.js";
import { sharedLimiter } from "./limits.js";
import { ZohoMailPort } from "./mail.js";
import { ZohoOAuth, type ZohoOAuthConfig } from "./oauth.js";
import { ZohoRecordPort, type ZohoRecordPortOptions } from "./records.js";

export { ZohoClient } from "./client.js";
export { exchangeAuthorizationCode, ZohoOAuth } from "./oauth.js";

export interface ZohoModuleValues {
  readonly contacts: Contact;
  readonly events: CalendarEvent;
  readonly tasks: Task;
}

export interface ZohoCrmPortOptions {
  oauth: ZohoOAuthConfig;
  client?: ZohoClientOptions;
  records?: ZohoRecordPortOptions;
}

export interface ZohoCrmPort extends CrmPort<ZohoModuleValues, Email> {
  readonly client: ZohoClient;
  readonly userTimeZone: string;
  readonly modules: {
    readonly contacts: ZohoRecordPort<Contact>;
    readonly events: ZohoRecordPort<CalendarEvent>;
    readonly tasks: ZohoRecordPort<Task>;
  };
  readonly mail: ZohoMailPort;
  activeUsers(): Promise<ZohoUser[]>;
  profiles(): Promise<Array<{ id: string; name: string }>>;
  /** Revokes the refresh token (uninstall). */
  revoke(): Promise<void>;
}

export interface ZohoUser {
  id: string;
  email: string;
  fullName: string;
  timeZone: string;
  profile: { id: string; name: string } | null;
}

const CONTACT_FIELDS = [...Object.keys(contactToZoho({ categories: [] }, "Contacts")), "Account_Name"];
const EVENT_FIELDS = [
  "Event_Title",
  "Start_DateTime",
  "End_DateTime",
  "All_day",
  "Venue",
  "Description",
  "Participants",
  "Remind_At",
  "Recurring_Activity",
];
const TASK_FIELDS = [
  "Subject",
  "Status",
  "Priority",
  "Due_Date",
  "Description",
  "Remind_At",
  "Recurring_Activity",
  "Closed_Time",
];

const EMAIL_FIELDS = ["Email", "Secondary_Email"];

/** A contact first-sync matches by any of its e-mails (either Zoho e-mail field) or by its name (`Last_Name`). */
function contactMatchFields(contact: Contact): Array<[string[], string]> {
  const emails = [contact.email1, contact.email2, contact.email3].flatMap((email) => email ?? []);
  return [
    ...emails.map((email): [string[], string] => [EMAIL_FIELDS, email]),
    [["Last_Name"], String(contactToZoho(contact, "Contacts").Last_Name)],
  ];
}

function toUser(raw: ZohoJson): ZohoUser {
  const profile = raw.profile as { id?: string; name?: string } | null;
  return {
    id: String(raw.id),
    email: String(raw.email),
    fullName: String(raw.full_name ?? ""),
    timeZone: String(raw.time_zone ?? "UTC"),
    profile: profile?.id ? { id: profile.id, name: String(profile.name) } : null,
  };
}

export async function createZohoCrmPort(options: ZohoCrmPortOptions): Promise<ZohoCrmPort> {
  const oauth = new ZohoOAuth(options.oauth);
  const ownLimit = options.client?.limiter ?? options.client?.concurrency ?? options.client?.heavyConcurrency;
  const limiter =
    ownLimit === undefined ? sharedLimiter(options.oauth.accountsServer, options.oauth.clientId) : undefined;
  const client = new ZohoClient(oauth, { ...options.client, ...(limiter ? { limiter } : {}) });
  const me = await client.request({ method: "GET", path: "users", query: { type: "CurrentUser" } });
  const user = (me.json?.users as ZohoJson[] | undefined)?.[0];
  if (!user) throw new ConnectorError({ kind: "mailbox-unavailable", message: "Zoho did not return the current user" });
  if (limiter) {
    // Best effort: a grant without ZohoCRM.org.READ (401 OAUTH_SCOPE_MISMATCH) keeps the default limit, and the
    // client's 429 back-off still covers a smaller edition.
    const org = await client.request({ method: "GET", path: "org" }).catch((error: unknown) => {
      if (error instanceof ConnectorError) return undefined;
      throw error;
    });
    const licence = (org?.json?.org as ZohoJson[] | undefined)?.[0]?.license_details as ZohoJson | undefined;
    limiter.fitEdition(licence?.paid_type);
  }
  const userTimeZone = String(user.time_zone ?? "UTC");
  const mapping = { userTimeZone };
  const accounts = new AccountResolver(client);

  const contacts = new ZohoRecordPort<Contact>(
    client,
    {
      module: "contacts",
      zohoModule: "Contacts",
      fields: CONTACT_FIELDS,
      fromZoho: (record) => contactFromZoho(record as ZohoRecord, "Contacts"),
      matchFields: contactMatchFields,
      prepare: (values) => accounts.resolve(values.flatMap((contact) => contact.companyName ?? [])),
      toZoho: async (contact) =>
        contactToZoho(contact, "Contacts", {
          accountId: contact.companyName ? await accounts.idOf(contact.companyName) : undefined,
        }) as ZohoJson,
    },
    options.records,
  );
  const events = new ZohoRecordPort<CalendarEvent>(
    client,
    {
      module: "events",
      zohoModule: "Events",
      fields: EVENT_FIELDS,
      fromZoho: (record) => eventFromZoho(record as ZohoEventRecord, mapping),
      matchFields: (event) => [[["Event_Title"], event.subject]],
      toZoho: (event, current) => eventToZoho(event, { ...mapping, current: current as ZohoEventRecord }) as ZohoJson,
    },
    options.records,
  );
  const tasks = new ZohoRecordPort<Task>(
    client,
    {
      module: "tasks",
      zohoModule: "Tasks",
      fields: TASK_FIELDS,
      fromZoho: (record) => taskFromZoho(record as ZohoTaskRecord, mapping),
      // No matchFields: a task is its owner's to-do, so a colleague's task of the same title and day is another
      // task, never this one (linking them let one salesperson's edits overwrite the other's).
      toZoho: (task) => taskToZoho(task, mapping) as ZohoJson,
    },
    options.records,
  );

  return {
    side: "crm",
    implementation: "zoho",
    client,
    userTimeZone,
    modules: { contacts, events, tasks },
    mail: new ZohoMailPort(client, userTimeZone, String(user.id)),
    async activeUsers() {
      // 200 a page at most (zoho-crm-api.md §6): an org with more users pages on, or the rest would look deactivated.
      const users: ZohoUser[] = [];
      for (let page = 1; ; page++) {
        const answer = await client.request({
          method: "GET",
          path: "users",
          query: { type: "ActiveUsers", per_page: 200, page },
        });
        users.push(...((answer.json?.users as ZohoJson[] | undefined) ?? []).map(toUser));
        if ((answer.json?.info as ZohoJson | undefined)?.more_records !== true) return users;
      }
    },
    async profiles() {
      const answer = await client.request({ method: "GET", path: "settings/profiles" });
      return ((answer.json?.profiles as ZohoJson[] | undefined) ?? []).map((profile) => ({
        id: String(profile.id),
        name: String(profile.name),
      }));
    },
    revoke: () => oauth.revoke(),
    async close() {},
  };
}
