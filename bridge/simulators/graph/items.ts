/**
 * Outlook item types as Graph exposes them: which properties a client may write (with their JSON types), how a
 * write is normalised into the store (events in UTC, defaults the service fills in) and how an item is rendered
 * (`@odata.etag` = `W/"changeKey"`, REST or immutable id, `$select`, `$expand`, response time zone).
 *
 * Unknown or mistyped properties are rejected with Graph's `RequestBodyRead` error rather than stored.
 */
import { randomBytes } from "node:crypto";
import { DateTime } from "luxon";
import { type BodyType, bodyAs } from "./body.js";
import { GraphError } from "./errors.js";
import { type ExpandOptions, parseExpand, parseSelect, preferredBodyType } from "./query.js";
import type { MailboxRequest } from "./request.js";
import type { Item, ItemKind, Json, Mailbox } from "./store.js";
import { formatDateTimeTimeZone, parseDateTimeTimeZone, validateRecurrence } from "./time.js";

type JsonType = "string" | "boolean" | "number" | "object" | "array" | "dateTimeTimeZone";

const COMMON: Record<string, JsonType> = { categories: "array" };

const WRITABLE: Record<ItemKind, Record<string, JsonType>> = {
  contact: {
    ...COMMON,
    givenName: "string",
    surname: "string",
    middleName: "string",
    displayName: "string",
    nickName: "string",
    title: "string",
    initials: "string",
    fileAs: "string",
    generation: "string",
    emailAddresses: "array",
    imAddresses: "array",
    businessPhones: "array",
    homePhones: "array",
    mobilePhone: "string",
    companyName: "string",
    jobTitle: "string",
    department: "string",
    officeLocation: "string",
    profession: "string",
    manager: "string",
    assistantName: "string",
    spouseName: "string",
    children: "array",
    businessHomePage: "string",
    businessAddress: "object",
    homeAddress: "object",
    otherAddress: "object",
    birthday: "string",
    personalNotes: "string",
    yomiGivenName: "string",
    yomiSurname: "string",
    yomiCompanyName: "string",
  },
  event: {
    ...COMMON,
    subject: "string",
    body: "object",
    start: "dateTimeTimeZone",
    end: "dateTimeTimeZone",
    isAllDay: "boolean",
    location: "object",
    locations: "array",
    attendees: "array",
    organizer: "object",
    isReminderOn: "boolean",
    reminderMinutesBeforeStart: "number",
    recurrence: "object",
    showAs: "string",
    sensitivity: "string",
    importance: "string",
    transactionId: "string",
    allowNewTimeProposals: "boolean",
    responseRequested: "boolean",
    hideAttendees: "boolean",
    isOnlineMeeting: "boolean",
    onlineMeetingProvider: "string",
  },
  task: {
    ...COMMON,
    title: "string",
    body: "object",
    status: "string",
    importance: "string",
    isReminderOn: "boolean",
    reminderDateTime: "dateTimeTimeZone",
    dueDateTime: "dateTimeTimeZone",
    startDateTime: "dateTimeTimeZone",
    completedDateTime: "dateTimeTimeZone",
    recurrence: "object",
  },
  message: {
    ...COMMON,
    subject: "string",
    body: "object",
    from: "object",
    sender: "object",
    toRecipients: "array",
    ccRecipients: "array",
    bccRecipients: "array",
    replyTo: "array",
    isRead: "boolean",
    importance: "string",
    internetMessageId: "string",
    internetMessageHeaders: "array",
    isDeliveryReceiptRequested: "boolean",
    isReadReceiptRequested: "boolean",
    flag: "object",
    inferenceClassification: "string",
    attachments: "array",
    receivedDateTime: "string",
    sentDateTime: "string",
  },
};

const ODATA_TYPES: Record<ItemKind, string> = {
  contact: "#microsoft.graph.contact",
  event: "#microsoft.graph.event",
  task: "#microsoft.graph.todoTask",
  message: "#microsoft.graph.message",
};

/** Properties the service computes; sending them is tolerated and ignored, as Graph does for read-only values. */
const READ_ONLY = new Set([
  "id",
  "@odata.etag",
  "@odata.type",
  "@odata.context",
  "changeKey",
  "createdDateTime",
  "lastModifiedDateTime",
  "parentFolderId",
  "iCalUId",
  "type",
  "seriesMasterId",
  "originalStartTimeZone",
  "originalEndTimeZone",
  "webLink",
  "bodyPreview",
  "hasAttachments",
  "isCancelled",
  "isOrganizer",
  "responseStatus",
  "conversationId",
]);

const EDM: Record<JsonType, string> = {
  string: "Edm.String",
  boolean: "Edm.Boolean",
  number: "Edm.Int32",
  object: "complex type",
  array: "collection",
  dateTimeTimeZone: "microsoft.graph.dateTimeTimeZone",
};

function typeMatches(value: unknown, type: JsonType): boolean {
  if (value === null) return type !== "array" && type !== "boolean" && type !== "number";
  switch (type) {
    case "array":
      return Array.isArray(value);
    case "object":
    case "dateTimeTimeZone":
      return typeof value === "object" && !Array.isArray(value);
    default:
      return typeof value === type;
  }
}

export interface ItemWrite {
  props: Json;
  extendedProperties: Array<{ id: string; value: string }>;
  extensions: Json[];
}

/** Checks a POST/PATCH body against the item type; returns the writable part and the side collections. */
export function readItemWrite(kind: ItemKind, body: unknown, creating: boolean): ItemWrite {
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    throw new GraphError(
      400,
      "RequestBodyRead",
      "A supported MIME type could not be found that matches the content type of the response. The request body must be a JSON object.",
    );
  }
  const allowed = WRITABLE[kind];
  const write: ItemWrite = { props: {}, extendedProperties: [], extensions: [] };
  const typeName = ODATA_TYPES[kind].slice(1);
  for (const [name, value] of Object.entries(body as Json)) {
    if (name === "singleValueExtendedProperties") {
      if (!Array.isArray(value)) throw mistyped(name, "array", typeName);
      for (const entry of value as Json[]) {
        if (typeof entry?.id !== "string" || typeof entry.value !== "string") {
          throw new GraphError(
            400,
            "ErrorInvalidExtendedPropertyValue",
            "Extended property id and value must be strings.",
          );
        }
        write.extendedProperties.push({ id: entry.id, value: entry.value });
      }
      continue;
    }
    if (name === "extensions") {
      if (!creating)
        throw new GraphError(400, "RequestBodyRead", "Extensions can only be set inline when the item is created.");
      if (!Array.isArray(value)) throw mistyped(name, "array", typeName);
      write.extensions.push(...(value as Json[]));
      continue;
    }
    if (READ_ONLY.has(name) || name.startsWith("@")) continue;
    const type = allowed[name];
    if (!type) {
      throw new GraphError(
        400,
        "RequestBodyRead",
        `The property '${name}' does not exist on type '${typeName}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
      );
    }
    if (!typeMatches(value, type)) throw mistyped(name, type, typeName);
    if (kind === "event" && name === "recurrence" && value !== null) validateRecurrence(value);
    write.props[name] = value;
  }
  return write;
}

function mistyped(name: string, type: JsonType, typeName: string): GraphError {
  return new GraphError(
    400,
    "RequestBodyRead",
    `Cannot convert the value of property '${name}' of type '${typeName}' to the expected type '${EDM[type]}'.`,
  );
}

/** A `dateTimeTimeZone` stored as the UTC instant (ISO), with the zone the client used kept aside. */
export function storeDateTime(value: unknown, field: string): { utc: string; zone: string } {
  const instant = parseDateTimeTimeZone(value, field);
  return { utc: instant.toISO() ?? "", zone: (value as { timeZone: string }).timeZone };
}

/** Graph returns every structural property, `null` (or `[]` for collections) when unset. */
function unsetProperties(kind: ItemKind): Json {
  const unset: Json = {};
  for (const [name, type] of Object.entries(WRITABLE[kind])) unset[name] = type === "array" ? [] : null;
  delete unset.attachments;
  return unset;
}

/**
 * All-day events are dates, not instants: they must start and end at midnight of their zone, and are kept as that
 * date at UTC midnight so every response zone shows the same day.
 */
function storeDate(value: unknown, field: string): { utc: string; zone: string } {
  parseDateTimeTimeZone(value, field);
  const { dateTime, timeZone } = value as { dateTime: string; timeZone: string };
  const local = DateTime.fromISO(dateTime, { zone: "UTC" });
  if (local.hour !== 0 || local.minute !== 0 || local.second !== 0) {
    throw new GraphError(400, "ErrorInvalidRequest", "An all-day event must start and end at midnight.");
  }
  return { utc: local.toISO() ?? "", zone: timeZone };
}

/** Applies the service's defaults and normalisation to a new item's properties. */
export function defaultsForNew(kind: ItemKind, mailbox: Mailbox, props: Json): Json {
  return { ...unsetProperties(kind), ...kindDefaults(kind, mailbox, props) };
}

function kindDefaults(kind: ItemKind, mailbox: Mailbox, props: Json): Json {
  const user = mailbox.user;
  switch (kind) {
    case "contact": {
      const name = [props.givenName, props.surname].filter((part) => typeof part === "string" && part).join(" ");
      return { emailAddresses: [], businessPhones: [], homePhones: [], categories: [], displayName: name, ...props };
    }
    case "event":
      return {
        subject: "",
        body: { contentType: "text", content: "" },
        attendees: [],
        categories: [],
        isAllDay: false,
        isReminderOn: true,
        reminderMinutesBeforeStart: 15,
        showAs: "busy",
        sensitivity: "normal",
        importance: "normal",
        location: { displayName: "" },
        recurrence: null,
        organizer: { emailAddress: { name: user.displayName, address: user.mail } },
        hideAttendees: false,
        isDraft: false,
        isCancelled: false,
        responseRequested: true,
        allowNewTimeProposals: true,
        isOnlineMeeting: false,
        onlineMeetingProvider: "unknown",
        onlineMeetingUrl: null,
        onlineMeeting: null,
        responseStatus: { response: "organizer", time: "0001-01-01T00:00:00Z" },
        iCalUId: `040000008200E00074C5B7101A82E008000000000000000000000000000000001000000${randomBytes(16).toString("hex").toUpperCase()}`,
        ...props,
      };
    case "task":
      return {
        title: "",
        body: { content: "", contentType: "text" },
        status: "notStarted",
        importance: "normal",
        isReminderOn: false,
        categories: [],
        ...props,
      };
    case "message": {
      const now = new Date().toISOString();
      return {
        subject: "",
        body: { contentType: "text", content: "" },
        toRecipients: [],
        ccRecipients: [],
        bccRecipients: [],
        isRead: false,
        isDraft: false,
        importance: "normal",
        categories: [],
        receivedDateTime: now,
        sentDateTime: now,
        internetMessageId: `<${randomBytes(12).toString("hex")}@simulator.local>`,
        conversationId: `AAQk${randomBytes(18).toString("base64url")}=`,
        attachments: [],
        ...props,
      };
    }
  }
}

/** Events keep `start`/`end` in UTC plus the zones the client used; applies to POST and PATCH alike. */
export function normaliseEventTimes(props: Json, existing?: Json): void {
  const allDay = (props.isAllDay ?? existing?.isAllDay) === true;
  for (const field of ["start", "end"] as const) {
    if (props[field] === undefined) continue;
    const stored = allDay ? storeDate(props[field], field) : storeDateTime(props[field], field);
    props[field] = { dateTime: stored.utc, timeZone: "UTC" };
    props[field === "start" ? "originalStartTimeZone" : "originalEndTimeZone"] = stored.zone;
  }
  const start = (props.start ?? existing?.start) as { dateTime: string } | undefined;
  const end = (props.end ?? existing?.end) as { dateTime: string } | undefined;
  if (start && end && Date.parse(end.dateTime) < Date.parse(start.dateTime)) {
    throw new GraphError(400, "ErrorInvalidRequest", "The end time of the event must be later than its start time.");
  }
}

export interface RenderOptions {
  immutableIds: boolean;
  timeZone: string;
  select?: string[] | undefined;
  expand?: ExpandOptions;
  parentFolderId?: string;
  /** The mailbox owner's address: decides `isOrganizer`. */
  mailboxAddress?: string;
  /** Format of event and message bodies (`Prefer: outlook.body-content-type`; HTML unless asked). */
  bodyType?: BodyType;
}

/** Render options for a mailbox request: its id format, response time zone, `$select` and `$expand`. */
export function mailboxRenderOptions(
  req: MailboxRequest,
  select: string | null | undefined,
  expand: string | null | undefined,
): RenderOptions {
  return {
    immutableIds: req.immutableIds,
    timeZone: req.timeZone,
    select: parseSelect(select ?? null),
    expand: parseExpand(expand ?? null),
    mailboxAddress: req.mailbox.user.mail,
    bodyType: preferredBodyType(req.headers.prefer) ?? "html",
  };
}

function renderDateTime(value: unknown, timeZone: string, isAllDay: boolean): unknown {
  const stored = value as { dateTime?: string } | undefined;
  if (!stored?.dateTime) return value;
  const instant = DateTime.fromISO(stored.dateTime, { zone: "UTC" });
  if (isAllDay) return { dateTime: `${instant.toFormat("yyyy-LL-dd")}T00:00:00.0000000`, timeZone };
  return formatDateTimeTimeZone(instant, timeZone);
}

const DATE_TIME_FIELDS = ["start", "end", "reminderDateTime", "dueDateTime", "startDateTime", "completedDateTime"];

/** Renders stored properties (already merged for an occurrence) as Graph returns them. */
export function renderProps(kind: ItemKind, props: Json, options: RenderOptions): Json {
  const rendered: Json = {};
  const isAllDay = props.isAllDay === true;
  for (const [name, value] of Object.entries(props)) {
    if (name === "attachments") continue;
    if (kind === "event" && DATE_TIME_FIELDS.includes(name))
      rendered[name] = renderDateTime(value, options.timeZone, isAllDay);
    else if (name === "body" && (kind === "event" || kind === "message") && options.bodyType && value)
      rendered[name] = bodyAs(value as Json, options.bodyType);
    else rendered[name] = value;
  }
  rendered.hasAttachments = ((props.attachments as unknown[] | undefined) ?? []).length > 0;
  if (kind === "event") {
    const location = props.location as Json | undefined;
    rendered.locations = location?.displayName
      ? [{ ...location, locationType: "default", uniqueIdType: "unknown" }]
      : [];
    const organizer = (props.organizer as Json | undefined)?.emailAddress as Json | undefined;
    rendered.isOrganizer =
      options.mailboxAddress !== undefined &&
      String(organizer?.address ?? "").toLowerCase() === options.mailboxAddress.toLowerCase();
  }
  if (typeof (props.body as Json | undefined)?.content === "string") {
    rendered.bodyPreview = String((props.body as Json).content)
      .replace(/<[^>]*>/g, "")
      .slice(0, 255);
  }
  return rendered;
}

export function renderItem(
  item: Item,
  options: RenderOptions,
  props: Json = item.props,
  ids?: { id: string; changeKey: string },
): Json {
  const base: Json = {
    "@odata.type": ODATA_TYPES[item.kind],
    "@odata.etag": `W/"${ids?.changeKey ?? item.changeKey}"`,
    id: ids?.id ?? (options.immutableIds ? item.immutableId : item.restId),
    createdDateTime: item.createdDateTime,
    lastModifiedDateTime: item.lastModifiedDateTime,
  };
  if (item.kind === "event" || item.kind === "message") {
    base.webLink = `https://outlook.office365.com/owa/?itemid=${encodeURIComponent(String(base.id))}&exvsurl=1&path=/${item.kind === "event" ? "calendar" : "mail"}/item`;
  }
  if (item.kind !== "task") {
    base.changeKey = ids?.changeKey ?? item.changeKey;
    base.parentFolderId = options.parentFolderId ?? item.folderId;
  }
  const full = { ...base, ...renderProps(item.kind, props, options) };
  const expand = options.expand;
  if (expand?.extendedProperties) {
    const accept = expand.extendedProperties;
    full.singleValueExtendedProperties = [...item.extendedProperties]
      .filter(([id]) => accept(id))
      .map(([id, value]) => ({ id, value }));
  }
  if (expand?.extensions) {
    const accept = expand.extensions;
    full.extensions = [...item.extensions.values()].filter((extension) => accept(String(extension.id)));
  }
  if (!options.select) return full;
  const picked: Json = { "@odata.type": full["@odata.type"], "@odata.etag": full["@odata.etag"], id: full.id };
  for (const field of options.select) if (field in full) picked[field] = full[field];
  if (full.singleValueExtendedProperties) picked.singleValueExtendedProperties = full.singleValueExtendedProperties;
  if (full.extensions) picked.extensions = full.extensions;
  return picked;
}

export { ODATA_TYPES };
