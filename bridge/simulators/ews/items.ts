/**
 * Item operations: CreateItem, GetItem, UpdateItem, DeleteItem, FindItem, SyncFolderItems.
 *
 * Items are bags of `t:` elements. Reads render them through a shape (IdOnly / Default / AllProperties plus
 * AdditionalProperties; extended properties only when asked for, as Exchange does) in the requested version's
 * schema order. Writes follow ews.md §8: every change gets a new ChangeKey, a stale ChangeKey without
 * AlwaysOverwrite is ErrorIrresolvableConflict, per-item errors are ResponseMessages in request order.
 */
import { attachmentsForItem, hasAttachments } from "./attachments.js";
import {
  expandSeries,
  ianaZone,
  isRecurringMaster,
  itemZoneId,
  occurrenceId,
  occurrenceRef,
  toUtc,
} from "./calendar.js";
import type { OperationContext } from "./context.js";
import { EwsResponseError, operationResponse, responseMessage } from "./soap.js";
import {
  DEFAULT_ITEM_CLASS,
  deleteProp,
  type Folder,
  ITEM_SCHEMA_TYPE,
  type ItemKind,
  type Mailbox,
  newChangeKey,
  newInternetMessageId,
  type OccurrenceException,
  prop,
  type StoredItem,
  setProp,
} from "./store.js";
import { child, children, childText, cloneNode, el, render, type XNode } from "./xml.js";

const ITEM_KINDS = new Set<string>(Object.keys(ITEM_SCHEMA_TYPE));
const MAX_PAGE = 1000;

// ---------------------------------------------------------------- shapes and rendering

export interface Shape {
  base: string;
  /** Element names asked for in AdditionalProperties. */
  names: Set<string>;
  /** Canonical keys of ExtendedFieldURIs asked for. */
  extended: Set<string>;
}

export function parseShape(shapeNode: XNode | undefined): Shape {
  const additional = child(shapeNode, "AdditionalProperties");
  const names = new Set<string>();
  const extended = new Set<string>();
  for (const path of additional?.children ?? []) {
    if (path.name === "ExtendedFieldURI") extended.add(extendedKey(path));
    else names.add(fieldElement(path));
  }
  return { base: childText(shapeNode, "BaseShape") ?? "Default", names, extended };
}

/** The element a FieldURI / IndexedFieldURI names: `item:Subject` → Subject, `contacts:EmailAddress` → EmailAddresses. */
export function fieldElement(path: XNode): string {
  const uri = path.attrs.FieldURI ?? "";
  const local = uri.split(":")[1] ?? uri;
  if (path.name === "IndexedFieldURI") {
    if (local === "EmailAddress") return "EmailAddresses";
    if (local === "PhoneNumber") return "PhoneNumbers";
    if (local === "ImAddress") return "ImAddresses";
    if (local === "PhysicalAddress") return "PhysicalAddresses";
  }
  return local;
}

export function extendedKey(uri: XNode): string {
  const { PropertyType: _type, ...identity } = uri.attrs;
  return JSON.stringify(Object.entries(identity).sort(([a], [b]) => a.localeCompare(b)));
}

function sortBySchema(ctx: OperationContext, typeName: string, nodes: XNode[]): XNode[] {
  const order = ctx.schema.elementOrder(ctx.requested.schema, typeName);
  if (order.length === 0) return nodes;
  const rank = new Map(order.map((name, i) => [name, i]));
  return nodes
    .filter((n) => rank.has(n.name))
    .map((n, i) => ({ n, i }))
    .sort((a, b) => (rank.get(a.n.name) ?? 0) - (rank.get(b.n.name) ?? 0) || a.i - b.i)
    .map(({ n }) => n);
}

export function folderIdNode(folder: Folder): XNode {
  return el("ParentFolderId", { Id: folder.id, ChangeKey: folder.changeKey });
}

interface RenderTarget {
  item: StoredItem;
  /** Present when rendering one occurrence of a series. */
  occurrence?: { index: number; start: string; end: string; exception?: OccurrenceException };
}

function serverProps(ctx: OperationContext, mailbox: Mailbox, target: RenderTarget): XNode[] {
  const { item, occurrence } = target;
  const folder = mailbox.folders.get(item.folderId);
  const id = occurrence ? occurrenceId(item.id, occurrence.index) : item.id;
  const changeKey = occurrence?.exception?.changeKey ?? item.changeKey;
  const nodes: XNode[] = [
    el("ItemId", { Id: id, ChangeKey: changeKey }),
    ...(folder ? [folderIdNode(folder)] : []),
    el("DateTimeCreated", {}, item.created),
    el("LastModifiedTime", {}, item.modified),
    el("Size", {}, String(200 + JSON.stringify(item.props).length)),
    el("HasAttachments", {}, String(hasAttachments(item))),
  ];
  if (!prop(item, "ItemClass")) nodes.push(el("ItemClass", {}, DEFAULT_ITEM_CLASS[item.kind]));
  if (item.kind === "Message" && !prop(item, "IsRead")) nodes.push(el("IsRead", {}, "false"));
  if (item.kind === "CalendarItem") {
    const recurring = isRecurringMaster(item);
    const type = occurrence
      ? occurrence.exception
        ? "Exception"
        : "Occurrence"
      : recurring
        ? "RecurringMaster"
        : "Single";
    nodes.push(el("CalendarItemType", {}, type), el("IsRecurring", {}, String(occurrence !== undefined)));
    if (!prop(item, "Organizer")) nodes.push(mailboxElement("Organizer", mailbox.displayName, mailbox.smtp));
    if (occurrence) nodes.push(el("OriginalStart", {}, occurrence.start));
    if (recurring && !occurrence) nodes.push(...seriesSummary(ctx, item));
  }
  return nodes;
}

export function mailboxElement(wrapper: string, name: string, smtp: string): XNode {
  return el(wrapper, {}, [
    el("Mailbox", {}, [el("Name", {}, name), el("EmailAddress", {}, smtp), el("RoutingType", {}, "SMTP")]),
  ]);
}

function seriesSummary(ctx: OperationContext, master: StoredItem): XNode[] {
  const all = expandSeries(master, ctx.timeZone, new Date(Date.UTC(2200, 0, 1)), 1000);
  const nodes: XNode[] = [];
  const first = all[0];
  const last = all.at(-1);
  const occurrenceInfo = (wrapper: string, o: { index: number; start: string; end: string }) =>
    el(wrapper, {}, [
      el("ItemId", { Id: occurrenceId(master.id, o.index), ChangeKey: master.changeKey }),
      el("Start", {}, o.start),
      el("End", {}, o.end),
      el("OriginalStart", {}, o.start),
    ]);
  if (first) nodes.push(occurrenceInfo("FirstOccurrence", first));
  // A series without an end has no LastOccurrence worth expanding; 1000 instances are the simulator's horizon.
  if (last && all.length < 1000) nodes.push(occurrenceInfo("LastOccurrence", last));
  const modified = [...master.exceptions.values()].filter((e) => !e.deleted);
  const deleted = [...master.exceptions.values()].filter((e) => e.deleted);
  if (modified.length > 0) {
    nodes.push(
      el(
        "ModifiedOccurrences",
        {},
        modified.map((e) =>
          el("Occurrence", {}, [
            el("ItemId", { Id: occurrenceId(master.id, e.index), ChangeKey: e.changeKey }),
            el("Start", {}, exceptionTime(e, "Start") ?? e.originalStart),
            el("End", {}, exceptionTime(e, "End") ?? e.originalStart),
            el("OriginalStart", {}, e.originalStart),
          ]),
        ),
      ),
    );
  }
  if (deleted.length > 0) {
    nodes.push(
      el(
        "DeletedOccurrences",
        {},
        deleted.map((e) => el("DeletedOccurrence", {}, [el("Start", {}, e.originalStart)])),
      ),
    );
  }
  return nodes;
}

function exceptionTime(exception: OccurrenceException, name: "Start" | "End"): string | undefined {
  return exception.props.find((p) => p.name === name)?.text;
}

const FIND_EXCLUDED = new Set(["Body", "Attachments", "MimeContent", "UniqueBody", "ExtendedProperty"]);

/** Renders `<t:Contact>…</t:Contact>` (etc.) for a shape. */
export function renderItem(
  ctx: OperationContext,
  mailbox: Mailbox,
  target: RenderTarget,
  shape: Shape,
  forFind = false,
): string {
  const { item, occurrence } = target;
  let stored = item.props;
  if (occurrence) {
    const overrides = occurrence.exception?.props ?? [];
    const excluded = new Set(["Recurrence", ...overrides.map((p) => p.name)]);
    stored = [
      ...item.props.filter((p) => !excluded.has(p.name)),
      el("Start", {}, occurrence.start),
      el("End", {}, occurrence.end),
      ...overrides.filter((p) => p.name !== "Start" && p.name !== "End"),
      ...overrides.filter((p) => p.name === "Start" || p.name === "End"),
    ];
    const seen = new Set<string>();
    stored = stored
      .reverse()
      .filter((p) => (seen.has(p.name) ? false : seen.add(p.name)))
      .reverse();
  }
  // Attachments show their metadata; the content only comes from GetAttachment.
  stored = stored.map((p) => (p.name === "Attachments" ? attachmentsForItem(ctx, item, p) : p));
  const all = [...serverProps(ctx, mailbox, target), ...stored];
  let chosen: XNode[];
  if (shape.base === "IdOnly") chosen = all.filter((n) => n.name === "ItemId" || shape.names.has(n.name));
  else if (forFind) chosen = all.filter((n) => !FIND_EXCLUDED.has(n.name) || shape.names.has(n.name));
  else chosen = all;
  const extended = item.extended.filter((x) => {
    const uri = child(x, "ExtendedFieldURI");
    return uri !== undefined && shape.extended.has(extendedKey(uri));
  });
  const ordered = sortBySchema(ctx, ITEM_SCHEMA_TYPE[item.kind], [...chosen, ...extended]);
  return render(el(item.kind, {}, ordered), "t");
}

// ---------------------------------------------------------------- lookups

export function resolveFolder(ctx: OperationContext, ref: XNode | undefined): Folder {
  if (!ref) throw new EwsResponseError("ErrorInvalidRequest", "The request is invalid.");
  let mailbox = ctx.mailbox;
  const explicit = childText(child(ref, "Mailbox"), "EmailAddress");
  if (explicit) {
    const other = ctx.org.findMailbox(explicit);
    if (!other)
      throw new EwsResponseError("ErrorNonExistentMailbox", "The SMTP address has no mailbox associated with it.", {
        SmtpAddress: explicit,
      });
    mailbox = other;
  }
  const folder =
    ref.name === "DistinguishedFolderId"
      ? ctx.org.distinguishedFolder(mailbox, ref.attrs.Id ?? "")
      : mailbox.folders.get(ref.attrs.Id ?? "");
  if (!folder) {
    if (ref.name === "FolderId" && !looksLikeId(ref.attrs.Id ?? "")) {
      throw new EwsResponseError("ErrorInvalidIdMalformed", "Id is malformed.");
    }
    throw new EwsResponseError("ErrorFolderNotFound", "The specified folder could not be found in the store.");
  }
  return folder;
}

function looksLikeId(id: string): boolean {
  return /^AAMk[A-Za-z0-9+/=]+$/.test(id);
}

interface ResolvedItem {
  item: StoredItem;
  occurrenceIndex?: number;
}

function resolveItem(ctx: OperationContext, ref: XNode): ResolvedItem {
  const mailbox = ctx.mailbox;
  const occurrence = occurrenceRef(ref);
  if (occurrence) {
    const master = mailbox.items.get(occurrence.masterId);
    if (!master || !isRecurringMaster(master)) throw notFound();
    const exception = master.exceptions.get(occurrence.index);
    // docs responsecode.md: "the occurrence index points to an occurrence that has been deleted from the recurrence".
    if (exception?.deleted)
      throw new EwsResponseError(
        "ErrorCalendarOccurrenceIsDeletedFromRecurrence",
        "Occurrence with this index was previously deleted from the recurrence.",
      );
    const exists =
      expandSeries(master, ctx.timeZone, new Date(Date.UTC(2200, 0, 1)), occurrence.index).length >= occurrence.index;
    if (!exists)
      throw new EwsResponseError(
        "ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange",
        "Occurrence index is out of recurrence range.",
      );
    return { item: master, occurrenceIndex: occurrence.index };
  }
  const id = ref.name === "RecurringMasterItemId" ? ref.attrs.OccurrenceId : ref.attrs.Id;
  if (!id || !looksLikeId(id)) throw new EwsResponseError("ErrorInvalidIdMalformed", "Id is malformed.");
  const masterOf = ref.name === "RecurringMasterItemId" ? occurrenceRef(el("ItemId", { Id: id })) : undefined;
  const item = mailbox.items.get(masterOf?.masterId ?? id);
  if (!item) throw notFound();
  return { item };
}

function notFound(): EwsResponseError {
  return new EwsResponseError(
    "ErrorItemNotFound",
    "The specified object was not found in the store., The process failed to get the correct properties.",
  );
}

function renderResolved(ctx: OperationContext, resolved: ResolvedItem, shape: Shape): string {
  const { item, occurrenceIndex } = resolved;
  if (occurrenceIndex === undefined) return renderItem(ctx, ctx.mailbox, { item }, shape);
  const times = expandSeries(item, ctx.timeZone, new Date(Date.UTC(2200, 0, 1)), occurrenceIndex).at(-1);
  if (!times) throw notFound();
  return renderItem(
    ctx,
    ctx.mailbox,
    {
      item,
      occurrence: { ...times, exception: item.exceptions.get(occurrenceIndex) },
    },
    shape,
  );
}

/** Runs `work` per element, turning EwsResponseError into an Error ResponseMessage (request order kept). */
export function perItem<T>(operation: string, inputs: T[], work: (input: T) => string): string[] {
  return inputs.map((input) => {
    try {
      return responseMessage(operation, work(input));
    } catch (error) {
      if (error instanceof EwsResponseError) {
        return responseMessage(operation, errorPayload(operation, error.code), error.toResponseError());
      }
      throw error;
    }
  });
}

/** What an Error ResponseMessage still carries: ErrorInvalidSyncStateData has an empty SyncState (docs sample). */
function errorPayload(operation: string, code: string): string {
  if (operation === "SyncFolderItems" && code === "ErrorInvalidSyncStateData") {
    return "<m:SyncState/><m:IncludesLastItemInRange>true</m:IncludesLastItemInRange>";
  }
  // Item operations keep an empty <m:Items/> on errors (docs GetItem error sample); GetFolder likewise.
  if (operation === "GetItem" || operation === "CreateItem" || operation === "UpdateItem") return "<m:Items/>";
  if (operation === "GetFolder") return "<m:Folders/>";
  return "";
}

// ---------------------------------------------------------------- writes

function normaliseTimes(ctx: OperationContext, props: XNode[]): void {
  const zone = ianaZone(itemZoneId({ props }, ctx.timeZone));
  for (const node of props) {
    if (["Start", "End", "DueDate", "StartDate", "ReminderDueBy", "CompleteDate"].includes(node.name) && node.text) {
      const utc = toUtc(node.text, zone);
      if (!utc) throw new EwsResponseError("ErrorInvalidPropertyRequest", `The value of ${node.name} is invalid.`);
      node.text = utc;
    }
  }
}

function splitExtended(nodes: XNode[]): { props: XNode[]; extended: XNode[] } {
  return {
    props: nodes.filter((n) => n.name !== "ExtendedProperty").map(cloneNode),
    extended: nodes.filter((n) => n.name === "ExtendedProperty").map(cloneNode),
  };
}

const MSGFLAG_READ = 0x1;
const MSGFLAG_UNSENT = 0x8;

function mapiTag(x: XNode): number | undefined {
  const tag = child(x, "ExtendedFieldURI")?.attrs.PropertyTag;
  return tag === undefined ? undefined : Number(tag);
}

/**
 * What Exchange derives for a new message: a saved (not sent) message is an unsent draft unless the client sets
 * PR_MESSAGE_FLAGS (0x0E07) without MSGFLAG_UNSENT ([MS-OXCMSG] 2.2.1.6); IsRead/IsDraft mirror those flags, and
 * PR_INTERNET_MESSAGE_ID (0x1035), PR_CLIENT_SUBMIT_TIME (0x0039) and PR_MESSAGE_DELIVERY_TIME (0x0E06) are the
 * InternetMessageId, DateTimeSent and DateTimeReceived elements (read-only in EWS itself).
 */
function applyMessageState(props: XNode[], extended: XNode[], sending: boolean, domain: string): void {
  const value = (tag: number) =>
    childText(
      extended.find((x) => mapiTag(x) === tag),
      "Value",
    );
  const flagsText = value(0x0e07);
  const flags = sending ? MSGFLAG_READ : flagsText === undefined ? MSGFLAG_READ | MSGFLAG_UNSENT : Number(flagsText);
  const mapped: [string, string | undefined][] = [
    ["IsRead", String((flags & MSGFLAG_READ) !== 0)],
    ["IsDraft", String((flags & MSGFLAG_UNSENT) !== 0)],
    ["InternetMessageId", value(0x1035)],
    ["DateTimeSent", value(0x0039)],
    ["DateTimeReceived", value(0x0e06)],
  ];
  const instant = (text: string) => new Date(text).toISOString().replace(/\.\d+Z$/, "Z");
  for (const [name, text] of mapped) {
    if (text === undefined) continue;
    const at = props.findIndex((p) => p.name === name);
    if (at >= 0) props.splice(at, 1);
    props.push(el(name, {}, name.startsWith("DateTime") ? instant(text) : text));
  }
  // Sending submits the message to transport, which gives it a Message-ID when the client set none.
  if (sending && !props.some((p) => p.name === "InternetMessageId")) {
    props.push(el("InternetMessageId", {}, newInternetMessageId(domain)));
  }
}

/** Extended properties a restriction may name, by MAPI tag: the element the store keeps them as. */
const RESTRICTABLE_EXTENDED: ReadonlyMap<number, { type: string; element: string }> = new Map([
  // PR_INTERNET_MESSAGE_ID: how a client finds a message by Message-ID in any folder (ews.md, mail).
  [0x1035, { type: "String", element: "InternetMessageId" }],
]);

/**
 * FindItem's Restriction, as far as the bridge uses it: IsEqualTo a constant on a FieldURI, or on an ExtendedFieldURI
 * of `RESTRICTABLE_EXTENDED`. Anything else is refused rather than ignored, so a client never mistakes an unfiltered
 * listing for a filtered one.
 */
function restrictionMatcher(restriction: XNode | undefined): (item: StoredItem) => boolean {
  const condition = restriction?.children[0];
  if (!condition) return () => true;
  const path = child(condition, "FieldURI");
  const extendedUri = child(condition, "ExtendedFieldURI");
  const extended = extendedUri ? RESTRICTABLE_EXTENDED.get(Number(extendedUri.attrs.PropertyTag)) : undefined;
  const constant = child(child(condition, "FieldURIOrConstant"), "Constant")?.attrs.Value;
  const known = path !== undefined || (extended !== undefined && extended.type === extendedUri?.attrs.PropertyType);
  if (condition.name !== "IsEqualTo" || !known || constant === undefined) {
    throw new EwsResponseError("ErrorUnsupportedQueryFilter", "The query filter is not supported by the simulator.");
  }
  const name = path ? fieldElement(path) : (extended?.element ?? "");
  return (item) => prop(item, name)?.text === constant;
}

export interface Delivery {
  deliver(
    ctx: OperationContext,
    from: Mailbox,
    item: StoredItem,
    kind: "MeetingRequest" | "MeetingCancellation" | "Message",
  ): void;
}

function attendees(item: StoredItem): string[] {
  return ["RequiredAttendees", "OptionalAttendees", "Resources", "ToRecipients", "CcRecipients", "BccRecipients"]
    .flatMap((name) => prop(item, name)?.children ?? [])
    .map((entry) => (entry.name === "Attendee" ? child(entry, "Mailbox") : entry))
    .map((mailbox) => childText(mailbox, "EmailAddress") ?? "")
    .filter(Boolean);
}

export function recipientsOf(item: StoredItem): string[] {
  return attendees(item);
}

const DEFAULT_FOLDER: Partial<Record<ItemKind, string>> = {
  Contact: "contacts",
  CalendarItem: "calendar",
  Task: "tasks",
  Message: "drafts",
};

export function createItem(ctx: OperationContext, body: XNode, delivery: Delivery): string {
  const disposition = body.attrs.MessageDisposition;
  const invitations = body.attrs.SendMeetingInvitations;
  const savedFolderRef = child(body, "SavedItemFolderId")?.children[0];
  const inputs = child(body, "Items")?.children ?? [];
  const messages = perItem("CreateItem", inputs, (input) => {
    if (!ITEM_KINDS.has(input.name)) {
      throw new EwsResponseError(
        "ErrorInvalidItemForOperationCreateItem",
        `${input.name} is not supported by CreateItem.`,
      );
    }
    const kind = input.name as ItemKind;
    if (kind === "CalendarItem" && !invitations) {
      throw new EwsResponseError(
        "ErrorSendMeetingInvitationsRequired",
        "SendMeetingInvitations attribute is required for calendar items.",
      );
    }
    if (kind === "Message" && !disposition) {
      throw new EwsResponseError("ErrorMessageDispositionRequired", "MessageDisposition attribute is required.");
    }
    const sending = kind === "Message" && disposition !== "SaveOnly";
    const folder = savedFolderRef
      ? resolveFolder(ctx, savedFolderRef)
      : resolveFolder(
          ctx,
          el("DistinguishedFolderId", { Id: sending ? "sentitems" : (DEFAULT_FOLDER[kind] ?? "drafts") }),
        );
    const { props, extended } = splitExtended(input.children);
    for (const node of props) refuseReadOnly(node.name, false);
    normaliseTimes(ctx, props);
    if (kind === "CalendarItem") {
      if (!props.some((p) => p.name === "UID"))
        props.push(
          el(
            "UID",
            {},
            `040000008200E00074C5B7101A82E008${Date.now().toString(16)}${Math.random().toString(16).slice(2, 10)}`,
          ),
        );
      if (!props.some((p) => p.name === "StartTimeZone" || p.name === "MeetingTimeZone") && ctx.timeZone) {
        props.push(el("StartTimeZone", { Id: ctx.timeZone }));
      }
    }
    if (kind === "Message") applyMessageState(props, extended, sending, ctx.org.domain);
    const now = ctx
      .now()
      .toISOString()
      .replace(/\.\d+Z$/, "Z");
    if (kind === "Message" && disposition === "SendOnly") {
      const transient = {
        id: "",
        changeKey: "",
        folderId: folder.id,
        kind,
        props,
        extended,
        created: now,
        modified: now,
        createdSeq: 0,
        seq: 0,
        onlyReadChanged: false,
        exceptions: new Map(),
      } satisfies StoredItem;
      delivery.deliver(ctx, ctx.mailbox, transient, "Message");
      return "<m:Items/>";
    }
    const item = ctx.org.insertItem(ctx.mailbox, folder.id, kind, props, extended, now);
    if (kind === "Message" && sending) delivery.deliver(ctx, ctx.mailbox, item, "Message");
    if (kind === "CalendarItem" && invitations !== "SendToNone" && attendees(item).length > 0) {
      setProp(item, el("IsMeeting", {}, "true"));
      delivery.deliver(ctx, ctx.mailbox, item, "MeetingRequest");
    }
    // Sent messages come back without an item (docs createitem-operation-email-message.md).
    if (kind === "Message" && sending) return "<m:Items/>";
    return `<m:Items>${render(el(kind, {}, [el("ItemId", { Id: item.id, ChangeKey: item.changeKey })]), "t")}</m:Items>`;
  });
  return operationResponse("CreateItem", messages);
}

export function getItem(ctx: OperationContext, body: XNode): string {
  const shape = parseShape(child(body, "ItemShape"));
  const ids = child(body, "ItemIds")?.children ?? [];
  const messages = perItem(
    "GetItem",
    ids,
    (ref) => `<m:Items>${renderResolved(ctx, resolveItem(ctx, ref), shape)}</m:Items>`,
  );
  return operationResponse("GetItem", messages);
}

/**
 * Elements the store stamps itself and EWS exposes read-only (DateTimeSent/DateTimeReceived are PR_CLIENT_SUBMIT_TIME
 * and PR_MESSAGE_DELIVERY_TIME, which a client writes only as extended properties): Exchange answers a write of one
 * with ErrorInvalidPropertySet "Set action is invalid for property." (recorded in ksainc/integration_ews#34 for
 * another read-only field) and a delete with ErrorInvalidPropertyDelete, so no message ever loses its dates.
 */
const READ_ONLY = new Set([
  "DateTimeReceived",
  "DateTimeSent",
  "DateTimeCreated",
  "LastModifiedTime",
  "Size",
  "InternetMessageId",
]);

function refuseReadOnly(name: string, deleting: boolean): void {
  if (!READ_ONLY.has(name)) return;
  if (deleting) throw new EwsResponseError("ErrorInvalidPropertyDelete", "This property can not be deleted.");
  throw new EwsResponseError("ErrorInvalidPropertySet", "Set action is invalid for property.");
}

function applyChange(ctx: OperationContext, target: { props: XNode[]; extended?: XNode[] }, change: XNode): void {
  const path = change.children[0];
  if (!path) throw new EwsResponseError("ErrorInvalidPropertyRequest", "The property request is invalid.");
  if (path.name === "ExtendedFieldURI") {
    const key = extendedKey(path);
    const extended = target.extended ?? [];
    const remaining = extended.filter((x) => extendedKey(child(x, "ExtendedFieldURI") ?? path) !== key);
    if (change.name !== "DeleteItemField") {
      const value = change.children[1] && child(change.children[1], "ExtendedProperty");
      if (!value) throw new EwsResponseError("ErrorInvalidPropertyRequest", "The extended property value is missing.");
      remaining.push(cloneNode(value));
    }
    extended.splice(0, extended.length, ...remaining);
    return;
  }
  const name = fieldElement(path);
  refuseReadOnly(name, change.name === "DeleteItemField");
  const wrapper = change.children[1];
  const value = wrapper ? wrapper.children.find((c) => c.name === name) : undefined;
  if (change.name === "DeleteItemField") {
    if (path.name === "IndexedFieldURI") deleteIndexed(target, name, path);
    else deleteProp(target, name);
    return;
  }
  if (!value) {
    throw new EwsResponseError(
      "ErrorIncorrectUpdatePropertyCount",
      "An object within a change description must contain one and only one property to modify.",
    );
  }
  const copy = cloneNode(value);
  normaliseTimes(ctx, [copy]);
  if (path.name === "IndexedFieldURI") {
    setIndexed(ctx, target, copy, path);
    return;
  }
  const existing = prop(target, name);
  if (change.name === "AppendToItemField" && existing) {
    if (existing.children.length > 0 || copy.children.length > 0) existing.children.push(...copy.children);
    else existing.text += copy.text;
    return;
  }
  setProp(target, copy);
}

function setIndexed(ctx: OperationContext, target: { props: XNode[] }, dictionary: XNode, path: XNode): void {
  const entry = dictionary.children[0];
  if (!entry) return;
  const existing = prop(target, dictionary.name) ?? el(dictionary.name, {}, []);
  const current = existing.children.find((e) => e.attrs.Key === entry.attrs.Key);
  if (current && dictionary.name === "PhysicalAddresses") {
    for (const part of entry.children) {
      const at = current.children.findIndex((c) => c.name === part.name);
      if (at >= 0) current.children[at] = part;
      else current.children.push(part);
    }
    const order = ctx.schema.elementOrder(ctx.requested.schema, "PhysicalAddressDictionaryEntryType");
    current.children.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  } else if (current) {
    existing.children[existing.children.indexOf(current)] = entry;
  } else existing.children.push(entry);
  setProp(target, existing);
  void path;
}

function deleteIndexed(target: { props: XNode[] }, name: string, path: XNode): void {
  const dictionary = prop(target, name);
  if (!dictionary) return;
  const key = path.attrs.FieldIndex;
  const subField = (path.attrs.FieldURI ?? "").split(":")[2];
  dictionary.children = dictionary.children.flatMap((entry) => {
    if (entry.attrs.Key !== key) return [entry];
    if (!subField) return [];
    const kept = entry.children.filter((c) => c.name !== subField);
    return kept.length > 0 ? [{ ...entry, children: kept }] : [];
  });
  if (dictionary.children.length === 0) deleteProp(target, name);
}

export function updateItem(ctx: OperationContext, body: XNode, delivery: Delivery): string {
  const conflictResolution = body.attrs.ConflictResolution ?? "AutoResolve";
  const sendMode = body.attrs.SendMeetingInvitationsOrCancellations;
  const changes = child(body, "ItemChanges")?.children ?? [];
  const now = ctx
    .now()
    .toISOString()
    .replace(/\.\d+Z$/, "Z");
  const messages = perItem("UpdateItem", changes, (change) => {
    const ref = change.children[0];
    if (!ref) throw notFound();
    const resolved = resolveItem(ctx, ref);
    const { item, occurrenceIndex } = resolved;
    if (item.kind === "CalendarItem" && !sendMode) {
      throw new EwsResponseError(
        "ErrorSendMeetingInvitationsOrCancellationsRequired",
        "SendMeetingInvitationsOrCancellations attribute is required for calendar items.",
      );
    }
    const exception = occurrenceIndex !== undefined ? item.exceptions.get(occurrenceIndex) : undefined;
    const currentKey = exception?.changeKey ?? item.changeKey;
    const sentKey = ref.attrs.ChangeKey;
    if (sentKey && sentKey !== currentKey && conflictResolution !== "AlwaysOverwrite") {
      throw new EwsResponseError(
        "ErrorIrresolvableConflict",
        "The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.",
      );
    }
    const updates = child(change, "Updates")?.children ?? [];
    let readOnly = true;
    if (occurrenceIndex !== undefined) {
      const times = expandSeries(item, ctx.timeZone, new Date(Date.UTC(2200, 0, 1)), occurrenceIndex).at(-1);
      const target: OccurrenceException = exception ?? {
        index: occurrenceIndex,
        originalStart: times?.start ?? "",
        deleted: false,
        props: [],
        changeKey: newChangeKey(),
      };
      for (const update of updates) applyChange(ctx, target, update);
      target.changeKey = newChangeKey();
      item.exceptions.set(occurrenceIndex, target);
      ctx.org.touchItem(ctx.mailbox, item, now);
      return `<m:Items>${render(el("CalendarItem", {}, [el("ItemId", { Id: occurrenceId(item.id, occurrenceIndex), ChangeKey: target.changeKey })]), "t")}</m:Items><m:ConflictResults><t:Count>0</t:Count></m:ConflictResults>`;
    }
    for (const update of updates) {
      applyChange(ctx, item, update);
      const path = update.children[0];
      if (path?.attrs.FieldURI !== "message:IsRead") readOnly = false;
      // A rewritten recurrence discards the series' exceptions, as Outlook warns ("Any exceptions associated with
      // this recurring appointment will be cancelled"): the store keeps exceptions per original instance only.
      if (path?.attrs.FieldURI === "calendar:Recurrence") item.exceptions.clear();
    }
    ctx.org.touchItem(ctx.mailbox, item, now, readOnly && updates.length > 0);
    if (item.kind === "CalendarItem" && sendMode && sendMode !== "SendToNone" && attendees(item).length > 0) {
      delivery.deliver(ctx, ctx.mailbox, item, "MeetingRequest");
    }
    return `<m:Items>${render(el(item.kind, {}, [el("ItemId", { Id: item.id, ChangeKey: item.changeKey })]), "t")}</m:Items><m:ConflictResults><t:Count>0</t:Count></m:ConflictResults>`;
  });
  return operationResponse("UpdateItem", messages);
}

export function deleteItem(ctx: OperationContext, body: XNode, delivery: Delivery): string {
  const deleteType = body.attrs.DeleteType ?? "HardDelete";
  const cancellations = body.attrs.SendMeetingCancellations;
  const affectedTasks = body.attrs.AffectedTaskOccurrences;
  const now = ctx
    .now()
    .toISOString()
    .replace(/\.\d+Z$/, "Z");
  const messages = perItem("DeleteItem", child(body, "ItemIds")?.children ?? [], (ref) => {
    const { item, occurrenceIndex } = resolveItem(ctx, ref);
    if (item.kind === "CalendarItem" && !cancellations) {
      throw new EwsResponseError(
        "ErrorSendMeetingCancellationsRequired",
        "SendMeetingCancellations attribute is required for calendar items.",
      );
    }
    if (item.kind === "Task" && !affectedTasks) {
      throw new EwsResponseError(
        "ErrorAffectedTaskOccurrencesRequired",
        "AffectedTaskOccurrences attribute is required for task items.",
      );
    }
    if (occurrenceIndex !== undefined) {
      const times = expandSeries(item, ctx.timeZone, new Date(Date.UTC(2200, 0, 1)), occurrenceIndex).at(-1);
      item.exceptions.set(occurrenceIndex, {
        index: occurrenceIndex,
        originalStart: times?.start ?? "",
        deleted: true,
        props: [],
        changeKey: newChangeKey(),
      });
      ctx.org.touchItem(ctx.mailbox, item, now);
      return "";
    }
    if (item.kind === "CalendarItem" && cancellations !== "SendToNone" && attendees(item).length > 0) {
      delivery.deliver(ctx, ctx.mailbox, item, "MeetingCancellation");
    }
    const deletedItems = ctx.org.distinguishedFolder(ctx.mailbox, "deleteditems");
    if (deleteType === "MoveToDeletedItems" && deletedItems && item.folderId !== deletedItems.id) {
      ctx.org.moveItem(ctx.mailbox, item, deletedItems.id, now);
    } else ctx.org.removeItem(ctx.mailbox, item, now);
    return "";
  });
  return operationResponse("DeleteItem", messages);
}

// ---------------------------------------------------------------- reads of many

function itemsIn(mailbox: Mailbox, folderId: string): StoredItem[] {
  return [...mailbox.items.values()].filter((i) => i.folderId === folderId);
}

export function findItem(ctx: OperationContext, body: XNode): string {
  const shape = parseShape(child(body, "ItemShape"));
  const folders = child(body, "ParentFolderIds")?.children ?? [];
  const paging = child(body, "IndexedPageItemView");
  const fractional = child(body, "FractionalPageItemView");
  const calendarView = child(body, "CalendarView");
  const matches = restrictionMatcher(child(body, "Restriction"));
  const messages = perItem("FindItem", folders, (ref) => {
    const folder = resolveFolder(ctx, ref);
    const items = itemsIn(ctx.mailbox, folder.id).filter(matches);
    if (calendarView) {
      const start = new Date(calendarView.attrs.StartDate ?? "");
      const end = new Date(calendarView.attrs.EndDate ?? "");
      const max = Number(calendarView.attrs.MaxEntriesReturned ?? MAX_PAGE);
      const rendered: { start: string; xml: string }[] = [];
      for (const item of items) {
        if (!isRecurringMaster(item)) {
          const s = prop(item, "Start")?.text ?? "";
          const e = prop(item, "End")?.text ?? "";
          if (Date.parse(s) < end.getTime() && Date.parse(e) > start.getTime()) {
            rendered.push({ start: s, xml: renderItem(ctx, ctx.mailbox, { item }, shape, true) });
          }
          continue;
        }
        for (const o of expandSeries(item, ctx.timeZone, end)) {
          const exception = item.exceptions.get(o.index);
          if (exception?.deleted) continue;
          const s = exception ? (exceptionTime(exception, "Start") ?? o.start) : o.start;
          const e = exception ? (exceptionTime(exception, "End") ?? o.end) : o.end;
          if (Date.parse(s) < end.getTime() && Date.parse(e) > start.getTime()) {
            rendered.push({
              start: s,
              xml: renderItem(ctx, ctx.mailbox, { item, occurrence: { ...o, exception } }, shape, true),
            });
          }
        }
      }
      rendered.sort((a, b) => a.start.localeCompare(b.start));
      if (rendered.length > Math.min(max, MAX_PAGE)) {
        throw new EwsResponseError(
          "ErrorCalendarViewRangeTooBig",
          "The CalendarView range or MaxEntriesReturned is too big.",
        );
      }
      return `<m:RootFolder TotalItemsInView="${rendered.length}" IncludesLastItemInRange="true"><t:Items>${rendered.map((r) => r.xml).join("")}</t:Items></m:RootFolder>`;
    }
    const sorted = items.sort((a, b) => b.created.localeCompare(a.created) || b.createdSeq - a.createdSeq);
    const total = sorted.length;
    let offset = 0;
    let max = MAX_PAGE;
    if (paging) {
      max = Math.min(Number(paging.attrs.MaxEntriesReturned ?? MAX_PAGE), MAX_PAGE);
      const requested = Number(paging.attrs.Offset ?? "0");
      offset = paging.attrs.BasePoint === "End" ? Math.max(0, total - requested - max) : requested;
    } else if (fractional) {
      max = Math.min(Number(fractional.attrs.MaxEntriesReturned ?? MAX_PAGE), MAX_PAGE);
      offset = Math.floor(
        (total * Number(fractional.attrs.Numerator ?? 0)) / Number(fractional.attrs.Denominator ?? 1),
      );
    }
    const page = sorted.slice(offset, offset + max);
    const next = offset + page.length;
    const pagingAttr = fractional
      ? `NumeratorOffset="${next}" AbsoluteDenominator="${total}"`
      : `IndexedPagingOffset="${next}"`;
    return `<m:RootFolder ${pagingAttr} TotalItemsInView="${total}" IncludesLastItemInRange="${next >= total}"><t:Items>${page.map((item) => renderItem(ctx, ctx.mailbox, { item }, shape, true)).join("")}</t:Items></m:RootFolder>`;
  });
  return operationResponse("FindItem", messages);
}

// ---------------------------------------------------------------- SyncFolderItems

interface SyncState {
  mailbox: string;
  folder: string;
  seq: number;
}

export function encodeSyncState(state: SyncState): string {
  return Buffer.from(`EWSSIM1|${state.mailbox}|${state.folder}|${state.seq}`, "utf8").toString("base64");
}

function decodeSyncState(value: string): SyncState | undefined {
  const parts = Buffer.from(value, "base64").toString("utf8").split("|");
  if (parts.length !== 4 || parts[0] !== "EWSSIM1") return undefined;
  const seq = Number(parts[3]);
  return Number.isInteger(seq) ? { mailbox: parts[1] ?? "", folder: parts[2] ?? "", seq } : undefined;
}

export function syncFolderItems(ctx: OperationContext, body: XNode): string {
  const shape = parseShape(child(body, "ItemShape"));
  const max = Number(childText(body, "MaxChangesReturned") ?? "512");
  const ignore = new Set(children(child(body, "Ignore"), "ItemId").map((i) => i.attrs.Id));
  const message = perItem("SyncFolderItems", [body], () => {
    const folder = resolveFolder(ctx, child(body, "SyncFolderId")?.children[0]);
    const stateText = childText(body, "SyncState");
    let since = 0;
    if (stateText) {
      const state = decodeSyncState(stateText);
      if (!state || state.mailbox !== ctx.mailbox.smtp || state.folder !== folder.id) {
        throw new InvalidSyncState();
      }
      since = state.seq;
    }
    type Change = { seq: number; xml: string };
    const pending: Change[] = [];
    for (const item of itemsIn(ctx.mailbox, folder.id)) {
      if (item.seq <= since || ignore.has(item.id)) continue;
      const created = item.createdSeq > since;
      if (!created && item.onlyReadChanged) {
        const isRead = prop(item, "IsRead")?.text ?? "false";
        pending.push({
          seq: item.seq,
          xml: `<t:ReadFlagChange><t:ItemId Id="${item.id}" ChangeKey="${item.changeKey}"/><t:IsRead>${isRead}</t:IsRead></t:ReadFlagChange>`,
        });
        continue;
      }
      const tag = created ? "Create" : "Update";
      pending.push({ seq: item.seq, xml: `<t:${tag}>${renderItem(ctx, ctx.mailbox, { item }, shape)}</t:${tag}>` });
    }
    for (const tomb of ctx.mailbox.tombstones) {
      // An item created and deleted since the state was never seen by this client: nothing to report.
      if (tomb.folderId !== folder.id || tomb.seq <= since || tomb.createdSeq > since) continue;
      pending.push({
        seq: tomb.seq,
        xml: `<t:Delete><t:ItemId Id="${tomb.id}" ChangeKey="${tomb.changeKey}"/></t:Delete>`,
      });
    }
    pending.sort((a, b) => a.seq - b.seq);
    const page = pending.slice(0, max);
    const last = page.length < pending.length;
    const watermark = last ? (page.at(-1)?.seq ?? since) : ctx.mailbox.seq;
    const state = encodeSyncState({ mailbox: ctx.mailbox.smtp, folder: folder.id, seq: watermark });
    return `<m:SyncState>${state}</m:SyncState><m:IncludesLastItemInRange>${!last}</m:IncludesLastItemInRange><m:Changes>${page.map((c) => c.xml).join("")}</m:Changes>`;
  });
  return operationResponse("SyncFolderItems", message);
}

class InvalidSyncState extends EwsResponseError {
  constructor() {
    super("ErrorInvalidSyncStateData", "Synchronization state data is corrupt or otherwise invalid.");
  }
}
