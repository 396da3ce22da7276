/**
 * The Exchange port over Microsoft Graph (Office 365 mailboxes): contacts, events and To Do tasks of one mailbox as
 * `RecordPort`s (delta reads, `$batch` writes, webhooks), plus what only Graph offers the bridge: free/busy through
 * `getSchedule` (findMeetingTimes has no application permission) and tagging items with their CRM id in a
 * single-value extended property (queryable by value, unlike open extensions).
 *
 * Authentication is app-only (client credentials, mailboxes scoped by an application access policy / RBAC for
 * Applications) or delegated per user (auth code + PKCE, refreshed through MSAL's encrypted cache): see `auth.ts`.
 */
import type { CalendarEvent, Contact, Email, Task } from "../../model/index.js";
import { ConnectorError } from "../errors.js";
import type { ExchangePort } from "../port.js";
import type { TokenProvider } from "./auth.js";
import { graphMailPort } from "./mail.js";
import { contactsAdapter, type EventWindow, eventsAdapter, type MailboxLocation, tasksAdapter } from "./modules.js";
import { GraphRecordPort, type Json } from "./records.js";
import { batchFailure, GraphTransport, TEXT_BODIES } from "./transport.js";

export {
  type AppCredential,
  appOnlyTokens,
  type CacheStore,
  delegatedTokens,
  encryptedCachePlugin,
  msalApp,
  type TokenProvider,
} from "./auth.js";
export { validationResponse } from "./subscriptions.js";

/** Default MAPI named property for the CRM id: a GUID of our own namespace, name `ZohoCrmId`. */
export const CRM_ID_PROPERTY = "String {6b9f2e0c-3d4a-4f51-9a8e-2c7d5b1e0f42} Name ZohoCrmId";

export interface GraphExchangeOptions {
  baseUrl?: string;
  tokens: TokenProvider;
  /** Primary SMTP address (or UPN / object id) of the mailbox. */
  mailbox: string;
  contactFolderId?: string;
  todoListId?: string;
  eventWindow?: EventWindow;
  /** IANA zone of the mailbox owner: for events created without one (from the CRM) and To Do dates. */
  mailboxTimeZone?: string;
  /** Subscriptions (push) are offered only when the bridge has a public HTTPS callback URL. */
  push?: boolean;
  maxPageSize?: number;
  maxInlineWaitMs?: number;
  crmIdProperty?: string;
}

export interface FreeBusy {
  address: string;
  availabilityView: string;
  busy: Array<{ status: string; start: string; end: string }>;
}

export type GraphModuleValues = { contacts: Contact; events: CalendarEvent; tasks: Task };

export interface GraphExchangePort extends ExchangePort<GraphModuleValues, Email> {
  readonly implementation: "graph";
  /** Free/busy of up to 20 addresses (`availabilityView` digits: 0 free, 1 tentative, 2 busy, 3 oof, 4 elsewhere). */
  freeBusy(
    addresses: readonly string[],
    startUtc: string,
    endUtc: string,
    intervalMinutes?: number,
  ): Promise<FreeBusy[]>;
  /** Stores the CRM id on an item (`items`: `contacts`, `events` or `todo/lists/{id}/tasks`). */
  setCrmId(collection: "contacts" | "events", id: string, crmId: string): Promise<void>;
  /** Finds items carrying a CRM id (exact, by the extended property's value). */
  findByCrmId(collection: "contacts" | "events", crmId: string): Promise<string[]>;
}

export function createGraphExchangePort(options: GraphExchangeOptions): GraphExchangePort {
  const transportOptions = {
    baseUrl: options.baseUrl ?? "https://graph.microsoft.com",
    tokens: options.tokens,
    ...(options.maxPageSize !== undefined ? { maxPageSize: options.maxPageSize } : {}),
    ...(options.maxInlineWaitMs !== undefined ? { maxInlineWaitMs: options.maxInlineWaitMs } : {}),
  };
  const userPath = `users/${encodeURIComponent(options.mailbox)}`;
  // Mail keeps Outlook's HTML bodies (the CRM shows them as sent); synced records read bodies as plain text.
  const transport = new GraphTransport(transportOptions);
  const location: MailboxLocation = { transport, userPath };
  const recordTransport = new GraphTransport({ ...transportOptions, prefer: [TEXT_BODIES] });
  const records: MailboxLocation = { transport: recordTransport, userPath };
  const push = options.push ?? false;
  const property = options.crmIdProperty ?? CRM_ID_PROPERTY;
  return {
    side: "exchange",
    implementation: "graph",
    mailbox: options.mailbox,
    modules: {
      contacts: new GraphRecordPort(recordTransport, contactsAdapter(records, options.contactFolderId), push),
      events: new GraphRecordPort(
        recordTransport,
        eventsAdapter(
          records,
          options.eventWindow ?? { pastDays: 30, futureDays: 365 },
          options.mailboxTimeZone ?? "UTC",
        ),
        push,
      ),
      tasks: new GraphRecordPort(
        recordTransport,
        tasksAdapter(records, options.mailboxTimeZone ?? "UTC", options.todoListId),
        push,
      ),
    },
    mail: graphMailPort(location, options.mailbox, options.maxPageSize ?? 1000),
    async freeBusy(addresses, startUtc, endUtc, intervalMinutes = 30) {
      const answer = await transport.request<{ value: Json[] }>("POST", `/${location.userPath}/calendar/getSchedule`, {
        body: {
          schedules: addresses,
          startTime: { dateTime: startUtc.replace(/Z$/, ""), timeZone: "UTC" },
          endTime: { dateTime: endUtc.replace(/Z$/, ""), timeZone: "UTC" },
          availabilityViewInterval: intervalMinutes,
        },
      });
      return answer.value.map((schedule) => ({
        address: String(schedule.scheduleId),
        availabilityView: String(schedule.availabilityView ?? ""),
        busy: ((schedule.scheduleItems as Json[] | undefined) ?? []).map((entry) => ({
          status: String(entry.status),
          start: `${String((entry.start as Json).dateTime).slice(0, 19)}Z`,
          end: `${String((entry.end as Json).dateTime).slice(0, 19)}Z`,
        })),
      }));
    },
    async setCrmId(collection, id, crmId) {
      const [response] = await transport.batch([
        {
          method: "PATCH",
          url: `/${location.userPath}/${collection}/${encodeURIComponent(id)}`,
          body: { singleValueExtendedProperties: [{ id: property, value: crmId }] },
        },
      ]);
      const failure = response && batchFailure(response);
      if (failure) throw new ConnectorError(failure);
    },
    async findByCrmId(collection, crmId) {
      const filter = `singleValueExtendedProperties/Any(ep: ep/id eq '${property}' and ep/value eq '${crmId.replaceAll("'", "''")}')`;
      const answer = await transport.request<{ value: Json[] }>(
        "GET",
        `/${location.userPath}/${collection}?$filter=${encodeURIComponent(filter)}&$select=id`,
      );
      return answer.value.map((item) => String(item.id));
    },
    async close() {},
  };
}
