/**
 * `SyncModule` implementations for contacts, events and tasks: which canonical fields each side holds, how a field
 * is compared, and the first-sync match keys.
 *
 * Side field lists come from the mappings (`bridge/src/mapping/FIELDS.md` documents them); the Exchange list depends
 * on the API (Graph or EWS) and the CRM list on the Zoho module (Contacts or Leads), so each module is built by a
 * factory. Comparison forms:
 * - text: line endings unified, surrounding white space dropped; e-mail addresses lower-cased;
 * - attendees and organiser compare by address only, because Zoho holds neither attendee types nor responses and a
 *   field must compare equal after a round trip through every side that holds it;
 * - priority compares on Exchange's three levels (Zoho's Highest/Lowest are High/Low for the core), so writing
 *   "highest" to Exchange and reading back "high" is no change.
 */
import type { Side } from "../connectors/port.js";
import type { FieldOf, SyncModule } from "../sync/module.js";
import { type Contact, contactSchema } from "./contact.js";
import { type CalendarEvent, eventSchema } from "./event.js";
import { carryAttendeeDetails, compareText, normaliseCategories, normaliseRecurrence } from "./normalise.js";
import { type Task, taskSchema } from "./task.js";
import { canonicalZone } from "./timezone.js";

export type ExchangeApi = "graph" | "ews";
export type ZohoPersonModule = "Contacts" | "Leads";

export function normaliseText(value: string): string | undefined {
  const text = value.replaceAll("\r\n", "\n").trim();
  return text === "" ? undefined : text;
}

function looseKey(value: string | undefined): string {
  return (value ?? "").normalize("NFC").toLowerCase().replace(/\s+/g, " ").trim();
}

/** Comparable form of any field value: strings trimmed, arrays and objects normalised member-wise. */
function comparable(value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return normaliseText(value);
  if (Array.isArray(value)) return value.map(comparable);
  if (typeof value === "object") {
    // A loop, not entries/map/filter/fromEntries: the sync core asks for every field of every record it compares.
    const members: Record<string, unknown> = {};
    let held = false;
    for (const key of Object.keys(value)) {
      const member = comparable((value as Record<string, unknown>)[key]);
      if (member === undefined) continue;
      members[key] = member;
      held = true;
    }
    return held ? members : undefined;
  }
  return value;
}

const CONTACT_FIELDS = Object.keys(contactSchema.shape) as FieldOf<Contact>[];
const EMAIL_FIELDS = new Set<string>(["email1", "email2", "email3"]);

const CONTACT_LACKS: Record<ExchangeApi | ZohoPersonModule, readonly FieldOf<Contact>[]> = {
  graph: ["otherPhone", "assistantPhone", "businessFax", "homeFax"],
  ews: ["salutation"],
  Contacts: [
    "middleName",
    "displayName",
    "email3",
    "businessPhone2",
    "homePhone2",
    "homeFax",
    "homeAddress",
    "website",
    "categories",
  ],
  Leads: [
    "middleName",
    "displayName",
    "department",
    "assistantName",
    "email3",
    "businessPhone2",
    "homePhone",
    "homePhone2",
    "otherPhone",
    "assistantPhone",
    "homeFax",
    "homeAddress",
    "otherAddress",
    "birthday",
    "categories",
  ],
};

function contactEmails(contact: Contact): string[] {
  return [contact.email1, contact.email2, contact.email3].flatMap((email) =>
    email === undefined ? [] : [looseKey(email)],
  );
}

function attendeeAddresses(event: CalendarEvent): string[] {
  return event.attendees.map((attendee) => attendee.address.toLowerCase());
}

/** True when either list is empty (nothing to tell the items apart) or they share an entry. */
function overlapsOrEmpty(left: readonly string[], right: readonly string[]): boolean {
  return left.length === 0 || right.length === 0 || left.some((entry) => right.includes(entry));
}

function holding<T>(all: readonly FieldOf<T>[], lacks: readonly FieldOf<T>[]): readonly FieldOf<T>[] {
  return all.filter((field) => !lacks.includes(field));
}

export function contactSyncModule(exchange: ExchangeApi, crm: ZohoPersonModule = "Contacts"): SyncModule<Contact> {
  return {
    name: "contacts",
    schemaVersion: 1,
    fields: CONTACT_FIELDS,
    sideFields: sides(holding(CONTACT_FIELDS, CONTACT_LACKS[exchange]), holding(CONTACT_FIELDS, CONTACT_LACKS[crm])),
    matchKeys(contact) {
      const keys = [...new Set(contactEmails(contact).map((email) => `email:${email}`))];
      const name = looseKey(`${contact.givenName ?? ""} ${contact.surname ?? ""}`);
      if (name !== "") keys.push(`name:${name}|${looseKey(contact.companyName)}`);
      return keys;
    },
    // Namesakes at one company are two people when each has e-mail addresses and they share none (Zoho itself tells
    // contacts apart by e-mail); pairing them would merge two people's details into one record or a conflict.
    mayPair: (exchange, crm) => overlapsOrEmpty(contactEmails(exchange), contactEmails(crm)),
    normalizeField(field, value) {
      if (field === "categories") return normaliseCategories(value as string[]);
      if (EMAIL_FIELDS.has(field) && typeof value === "string") return normaliseText(value.toLowerCase());
      return comparable(value);
    },
    parse: (stored) => contactSchema.parse(stored),
  };
}

const EVENT_FIELDS = Object.keys(eventSchema.shape) as FieldOf<CalendarEvent>[];
const EVENT_LACKS: Record<ExchangeApi | "zoho", readonly FieldOf<CalendarEvent>[]> = {
  graph: [],
  ews: ["onlineMeetingUrl"],
  zoho: [
    "timeZone",
    "organizer",
    "movedOccurrences",
    "cancelledOccurrences",
    "onlineMeetingUrl",
    "categories",
    "sensitivity",
    "uid",
  ],
};

export function eventSyncModule(exchange: ExchangeApi): SyncModule<CalendarEvent> {
  return {
    name: "events",
    schemaVersion: 1,
    fields: EVENT_FIELDS,
    sideFields: sides(holding(EVENT_FIELDS, EVENT_LACKS[exchange]), holding(EVENT_FIELDS, EVENT_LACKS.zoho)),
    matchKeys(event) {
      const start = event.span.kind === "timed" ? event.span.start : event.span.startDate;
      const keys = [`start:${start}|${looseKey(event.subject)}`];
      return event.uid === undefined ? keys : [`uid:${event.uid}`, ...keys];
    },
    // One meeting lists the same people in every copy (organizer's, attendees', the CRM's); same-titled meetings at
    // the same time with no attendee in common are different meetings (e.g. two teams' "Weekly sync").
    mayPair: (exchange, crm) => overlapsOrEmpty(attendeeAddresses(exchange), attendeeAddresses(crm)),
    normalizeField(field, value) {
      switch (field) {
        case "attendees":
          return [...new Set((value as CalendarEvent["attendees"]).map((a) => a.address.toLowerCase()))].sort();
        case "organizer":
          return (value as CalendarEvent["organizer"])?.address.toLowerCase();
        case "categories":
          return normaliseCategories(value as string[]);
        case "timeZone":
          return value === undefined ? undefined : canonicalZone(value as string);
        case "recurrence": {
          const rule = value as CalendarEvent["recurrence"];
          return rule === undefined ? undefined : comparable(normaliseRecurrence(rule));
        }
        case "movedOccurrences":
          return comparable(
            [...(value as CalendarEvent["movedOccurrences"])].sort((a, b) =>
              compareText(a.originalStart, b.originalStart),
            ),
          );
        case "cancelledOccurrences":
          return [...new Set(value as string[])].sort();
        default:
          return comparable(value);
      }
    },
    invitesAttendees: (event) => event.attendees.length > 0,
    carryDetails(field, next, previous) {
      if (field !== "attendees") return next;
      const known = previous.flatMap((event) => event.attendees);
      return carryAttendeeDetails(next as CalendarEvent["attendees"], known) as typeof next;
    },
    parse: (stored) => eventSchema.parse(stored),
  };
}

const TASK_FIELDS = Object.keys(taskSchema.shape) as FieldOf<Task>[];
const TASK_LACKS_ON_ZOHO: readonly FieldOf<Task>[] = ["startDate", "completedDate", "categories"];
const THREE_LEVEL_PRIORITY: Record<Task["priority"], string> = {
  lowest: "low",
  low: "low",
  normal: "normal",
  high: "high",
  highest: "high",
};

export function taskSyncModule(): SyncModule<Task> {
  return {
    name: "tasks",
    schemaVersion: 1,
    fields: TASK_FIELDS,
    sideFields: sides(TASK_FIELDS, holding(TASK_FIELDS, TASK_LACKS_ON_ZOHO)),
    matchKeys: (task) => [`subject:${looseKey(task.subject)}|${task.dueDate ?? ""}`],
    normalizeField(field, value) {
      if (field === "priority") return THREE_LEVEL_PRIORITY[value as Task["priority"]];
      if (field === "categories") return normaliseCategories(value as string[]);
      return comparable(value);
    },
    parse: (stored) => taskSchema.parse(stored),
  };
}

function sides<T>(
  exchange: readonly FieldOf<T>[],
  crm: readonly FieldOf<T>[],
): Readonly<Record<Side, readonly FieldOf<T>[]>> {
  return { exchange, crm };
}
