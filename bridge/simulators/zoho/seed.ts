/**
 * The demo org: users with profiles, accounts, contacts, leads, deals, events (some recurring, some all-day) and
 * tasks, sized by options and generated from a seed so every run sees the same data. Records go through the same
 * validated insert as API writes, then their Created/Modified_Time are spread over the past `spreadDays` so that
 * incremental reads (`If-Modified-Since`) have something to select. 10k records take well under a second.
 */
import { seededRandom } from "../shared/behaviour.js";
import { TASK_PRIORITIES, TASK_STATUSES } from "./modules.js";
import type { ZohoOrg } from "./org.js";
import { formatZohoDateTime, type JsonObject } from "./wire.js";

export interface DemoSeedOptions {
  users?: number;
  accounts?: number;
  contacts?: number;
  leads?: number;
  deals?: number;
  events?: number;
  tasks?: number;
  seed?: number;
  spreadDays?: number;
}

export interface DemoSeedResult {
  users: string[];
  counts: Record<string, number>;
}

const FIRST_NAMES = [
  "Ana",
  "Ben",
  "Chloe",
  "David",
  "Elif",
  "Farid",
  "Grace",
  "Hiro",
  "Ines",
  "Jonas",
  "Kavya",
  "Liam",
];
const LAST_NAMES = ["Silva", "Meyer", "Dubois", "Okafor", "Yilmaz", "Haddad", "Kim", "Tanaka", "Rossi", "Berg", "Rao"];
const COMPANIES = ["Zylker", "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne", "Tyrell"];
const STAGES = ["Qualification", "Needs Analysis", "Proposal/Price Quote", "Negotiation/Review", "Closed Won"];
const CHUNK = 100;

export function seedDemoOrg(org: ZohoOrg, options: DemoSeedOptions = {}): DemoSeedResult {
  const random = seededRandom(options.seed ?? 1);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)];
  const admin = org.primaryUser;
  const users = [admin.id];
  for (let i = 1; i < (options.users ?? 3); i += 1) {
    const first = FIRST_NAMES[i % FIRST_NAMES.length];
    const last = LAST_NAMES[i % LAST_NAMES.length];
    users.push(
      org.addUser({ firstName: first, lastName: last, email: `${first}.${last}.${i}@zylker.example`.toLowerCase() }).id,
    );
  }
  const now = org.nowSeconds();
  const spread = (options.spreadDays ?? 90) * 86_400;
  const insertAll = (moduleName: string, inputs: JsonObject[]): string[] => {
    const module = org.module(moduleName);
    if (!module) throw new Error(`unknown module ${moduleName}`);
    const ids: string[] = [];
    for (let start = 0; start < inputs.length; start += CHUNK) {
      for (const result of org.insert(module, inputs.slice(start, start + CHUNK), pick(users))) {
        if (!result.ok) throw new Error(`demo seed rejected a ${moduleName} record: ${JSON.stringify(result.error)}`);
        const created = now - Math.floor(random() * spread);
        result.record.createdTime = created;
        result.record.modifiedTime = Math.min(now, created + Math.floor(random() * 86_400 * 7));
        // A seeded record never edited after its creation has had no activity (org.ts insertOne).
        result.record.lastActivityTime = result.record.modifiedTime > created ? result.record.modifiedTime : null;
        result.record.searchableFrom = 0;
        ids.push(result.record.id);
      }
    }
    org.moduleRecords(module.apiName).touch();
    return ids;
  };
  const owner = () => ({ id: pick(users) });
  const person = (i: number) => {
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    return { First_Name: first, Last_Name: last, Email: `${first}.${last}.${i}@example.com`.toLowerCase() };
  };

  const accountIds = insertAll(
    "Accounts",
    Array.from({ length: options.accounts ?? 20 }, (_, i) => ({
      Account_Name: `${pick(COMPANIES)} ${i + 1}`,
      Phone: `+1 555 01${String(i).padStart(4, "0")}`,
      Billing_City: pick(["Berlin", "Austin", "Chennai", "Lyon", "Osaka"]),
      Owner: owner(),
    })),
  );
  const contactIds = insertAll(
    "Contacts",
    Array.from({ length: options.contacts ?? 100 }, (_, i) => ({
      ...person(i),
      Phone: `+1 555 02${String(i).padStart(4, "0")}`,
      Title: pick(["CEO", "CTO", "Buyer", "Engineer", "Office Manager"]),
      ...(accountIds.length > 0 ? { Account_Name: { id: pick(accountIds) } } : {}),
      Owner: owner(),
    })),
  );
  const leadIds = insertAll(
    "Leads",
    Array.from({ length: options.leads ?? 50 }, (_, i) => ({
      ...person(100_000 + i),
      Company: pick(COMPANIES),
      Lead_Status: pick(["Not Contacted", "Contacted", "Attempted to Contact"]),
      Owner: owner(),
    })),
  );
  const dealIds = insertAll(
    "Deals",
    Array.from({ length: options.deals ?? 30 }, (_, i) => ({
      Deal_Name: `Deal ${i + 1}`,
      Stage: pick(STAGES),
      Amount: Math.round(random() * 100_000),
      Closing_Date: new Date((now + Math.floor(random() * 60) * 86_400) * 1000).toISOString().slice(0, 10),
      ...(accountIds.length > 0 ? { Account_Name: { id: pick(accountIds) } } : {}),
      ...(contactIds.length > 0 ? { Contact_Name: { id: pick(contactIds) } } : {}),
      Owner: owner(),
    })),
  );
  const zone = admin.timeZone;
  const eventIds = insertAll(
    "Events",
    Array.from({ length: options.events ?? 40 }, (_, i) => {
      const start = now + (Math.floor(random() * 30) - 10) * 86_400 + Math.floor(random() * 8) * 3600;
      const event: JsonObject = {
        Event_Title: `Meeting ${i + 1}`,
        Start_DateTime: formatZohoDateTime(start, zone),
        End_DateTime: formatZohoDateTime(start + 3600, zone),
        Venue: pick(["Room A", "Online", "Customer site"]),
        Owner: owner(),
      };
      if (contactIds.length > 0) {
        event.Participants = [{ type: "contact", participant: pick(contactIds) }];
        event.Who_Id = { id: pick(contactIds) };
      }
      if (dealIds.length > 0) {
        event.What_Id = { id: pick(dealIds) };
        event.$se_module = "Deals";
      }
      if (i % 10 === 0) {
        const date = formatZohoDateTime(start, zone).slice(0, 10);
        event.Recurring_Activity = { RRULE: `FREQ=WEEKLY;INTERVAL=1;BYDAY=MO;DTSTART=${date};COUNT=10` };
        event.Remind_At = [{ unit: 15, period: "minutes" }];
      } else if (i % 10 === 5) {
        event.All_day = true;
      }
      return event;
    }),
  );
  const taskIds = insertAll(
    "Tasks",
    Array.from({ length: options.tasks ?? 40 }, (_, i) => {
      const task: JsonObject = {
        Subject: `Follow up ${i + 1}`,
        Due_Date: new Date((now + Math.floor(random() * 20) * 86_400) * 1000).toISOString().slice(0, 10),
        Status: pick(TASK_STATUSES),
        Priority: pick(TASK_PRIORITIES),
        Owner: owner(),
      };
      if (contactIds.length > 0) task.Who_Id = { id: pick(contactIds) };
      if (leadIds.length > 0 && i % 4 === 0) {
        task.What_Id = { id: pick(leadIds) };
        task.$se_module = "Leads";
      }
      return task;
    }),
  );
  return {
    users,
    counts: {
      Accounts: accountIds.length,
      Contacts: contactIds.length,
      Leads: leadIds.length,
      Deals: dealIds.length,
      Events: eventIds.length,
      Tasks: taskIds.length,
    },
  };
}
