/**
 * Mailbox resources under `/users/{id|upn}` and `/me`: contact folders and contacts, calendars and events
 * (calendarView, instances, occurrences and exceptions), To Do lists and tasks, mail folders and messages,
 * extensions, translateExchangeIds. Each handler checks the principal's permission family, resolves the mailbox
 * (delegated tokens: only the signed-in user; app-only: any mailbox unless an application access policy scopes the
 * app) and answers in Graph's shapes. Writes honour `If-Match` (412 ErrorIrresolvableConflict on a stale etag).
 */
import { DateTime } from "luxon";
import { exceptionsOf, instancesOf, masterProps, notifyAttendees } from "./calendar.js";
import { type DeltaKind, runDelta } from "./delta.js";
import { accessDenied, accessPolicyDenied, badRequest, GraphError, notFound } from "./errors.js";
import { newChangeKey, parseOccurrenceId } from "./ids.js";
import {
  defaultsForNew,
  mailboxRenderOptions,
  normaliseEventTimes,
  type RenderOptions,
  readItemWrite,
  renderItem,
} from "./items.js";
import { canonicalSegments } from "./paths.js";
import { parseFilter, parseTop, preferredBodyType, prefersImmutableIds } from "./query.js";
import type { GraphContext, GraphRequest, GraphResponse, MailboxRequest } from "./request.js";
import { findMeetingTimes, getSchedule } from "./schedule.js";
import type { Folder, FolderKind, Item, ItemKind, Json, Mailbox } from "./store.js";
import { preferredTimeZone } from "./time.js";

type Family = "Contacts" | "Calendars" | "Tasks" | "Mail" | "User";

const FAMILY: Record<ItemKind, Family> = { contact: "Contacts", event: "Calendars", task: "Tasks", message: "Mail" };
const FOLDER_KIND: Record<ItemKind, FolderKind> = {
  contact: "contactFolder",
  event: "calendar",
  task: "todoList",
  message: "mailFolder",
};

/** Read needs Family.Read*, ReadBasic or ReadWrite; write needs Family.ReadWrite (app roles end in `.All` for To Do). */
export function requirePermission(req: GraphRequest, family: Family, write: boolean): void {
  const pattern = write
    ? new RegExp(`^${family}\\.ReadWrite(\\.All)?$`, "i")
    : new RegExp(`^${family}\\.(Read|ReadBasic|ReadWrite)(\\.All)?$`, "i");
  for (const permission of req.principal.permissions) if (pattern.test(permission)) return;
  throw accessDenied();
}

export function resolveMailbox(
  req: GraphRequest,
  segments: string[],
): { mailbox: Mailbox; prefix: string; rest: string[] } {
  const { principal } = req;
  if (segments[0] === "me") {
    if (!principal.userId) throw badRequest("/me request is only valid with delegated authentication flow.");
    const mailbox = principal.tenant.mailboxes.get(principal.userId);
    if (!mailbox) throw notFound();
    return { mailbox, prefix: "me", rest: segments.slice(1) };
  }
  const key = segments[1] ?? "";
  const mailbox = principal.tenant.mailboxes.get(key) ?? findByAddress(req, key);
  if (!mailbox) throw new GraphError(404, "ErrorInvalidUser", `The requested user '${key}' is invalid.`);
  if (principal.userId && principal.userId !== mailbox.user.id) throw accessDenied();
  if (!principal.userId && principal.app.allowedMailboxes && !principal.app.allowedMailboxes.has(mailbox.user.id)) {
    throw accessPolicyDenied();
  }
  return { mailbox, prefix: `users/${key}`, rest: segments.slice(2) };
}

function findByAddress(req: GraphRequest, address: string): Mailbox | undefined {
  const lower = address.toLowerCase();
  for (const mailbox of req.principal.tenant.mailboxes.values()) {
    if (mailbox.user.userPrincipalName.toLowerCase() === lower || mailbox.user.mail.toLowerCase() === lower)
      return mailbox;
  }
  return undefined;
}

function renderOptions(req: MailboxRequest): RenderOptions {
  return mailboxRenderOptions(req, req.query.get("$select"), req.query.get("$expand"));
}

function ok(body: unknown, status = 200): GraphResponse {
  return { status, body };
}

export class MailboxResources {
  constructor(private readonly ctx: GraphContext) {}

  private get directory() {
    return this.ctx.directory;
  }

  async handle(req: GraphRequest): Promise<GraphResponse> {
    const segments = canonicalSegments(req.path);
    if (segments[0] === "users" && segments.length === 1) return this.listUsers(req);
    if (segments[0] !== "me" && segments[0] !== "users")
      throw new GraphError(400, "BadRequest", `Resource not found for the segment '${segments[0] ?? ""}'.`);
    const { mailbox, prefix, rest } = resolveMailbox(req, segments);
    const mreq: MailboxRequest = {
      ...req,
      mailbox,
      prefix,
      segments: rest,
      immutableIds: prefersImmutableIds(req.headers.prefer),
      timeZone: preferredTimeZone(req.headers.prefer),
    };
    const response = await this.route(mreq);
    const bodyType = preferredBodyType(req.headers.prefer);
    if (bodyType === undefined || req.method !== "GET" || response.status >= 300) return response;
    // outlook-get-html-or-text-body.md: "a successful response includes the corresponding Preference-Applied header".
    const applied = [response.headers?.["preference-applied"], `outlook.body-content-type="${bodyType}"`];
    return { ...response, headers: { ...response.headers, "preference-applied": applied.filter(Boolean).join(", ") } };
  }

  private listUsers(req: GraphRequest): GraphResponse {
    requirePermission(req, "User", false);
    return ok({ value: [...req.principal.tenant.mailboxes.values()].map((mailbox) => this.userJson(mailbox)) });
  }

  private userJson(mailbox: Mailbox): Json {
    const { user } = mailbox;
    return { id: user.id, displayName: user.displayName, userPrincipalName: user.userPrincipalName, mail: user.mail };
  }

  private route(req: MailboxRequest): Promise<GraphResponse> | GraphResponse {
    const [head, second, third, fourth, fifth] = req.segments;
    const method = req.method;
    switch (head) {
      case undefined:
        if (!req.principal.userId) requirePermission(req, "User", false);
        return ok(this.userJson(req.mailbox));
      case "contactFolders":
        if (second === undefined) return this.folderCollection(req, "contactFolder");
        if (third === undefined) return this.folderEntity(req, this.folder(req, "contactFolder", second));
        if (third === "contacts")
          return this.itemsIn(
            req,
            "contact",
            this.folder(req, "contactFolder", second),
            [fourth, fifth],
            `contactFolders/${second}/contacts`,
          );
        break;
      case "contacts":
        return this.itemsIn(
          req,
          "contact",
          this.directory.defaultFolder(req.mailbox, "contactFolder"),
          [second, third],
          "contacts",
          true,
        );
      case "calendars":
        if (second === undefined) return this.folderCollection(req, "calendar");
        if (third === undefined) return this.folderEntity(req, this.folder(req, "calendar", second));
        if (third === "events")
          return this.itemsIn(
            req,
            "event",
            this.folder(req, "calendar", second),
            [fourth, fifth],
            `calendars/${second}/events`,
          );
        if (third === "calendarView")
          return this.calendarView(
            req,
            this.folder(req, "calendar", second),
            fourth,
            `calendars/${second}/calendarView`,
          );
        break;
      case "calendar": {
        const calendar = this.directory.defaultFolder(req.mailbox, "calendar");
        if (second === undefined) return this.folderEntity(req, calendar);
        if (second === "events") return this.itemsIn(req, "event", calendar, [third, fourth], "calendar/events");
        if (second === "calendarView") return this.calendarView(req, calendar, third, "calendar/calendarView");
        if (second === "getSchedule" && method === "POST") {
          requirePermission(req, "Calendars", false);
          return ok(getSchedule(this.directory, req));
        }
        break;
      }
      case "events":
        return this.itemsIn(
          req,
          "event",
          this.directory.defaultFolder(req.mailbox, "calendar"),
          [second, third],
          "events",
          true,
        );
      case "calendarView":
        return this.calendarView(req, this.directory.defaultFolder(req.mailbox, "calendar"), second, "calendarView");
      case "findMeetingTimes":
        if (method !== "POST") break;
        if (!req.principal.userId) throw accessDenied();
        requirePermission(req, "Calendars", false);
        return ok(findMeetingTimes(this.directory, req));
      case "todo":
        if (second !== "lists") break;
        if (third === undefined) return this.folderCollection(req, "todoList");
        if (fourth === undefined) return this.folderEntity(req, this.folder(req, "todoList", third));
        if (fourth === "tasks")
          return this.itemsIn(
            req,
            "task",
            this.folder(req, "todoList", third),
            [fifth, req.segments[5]],
            `todo/lists/${third}/tasks`,
          );
        break;
      case "mailFolders":
        if (second === undefined) return this.folderCollection(req, "mailFolder");
        if (third === undefined) return this.folderEntity(req, this.folder(req, "mailFolder", second));
        if (third === "messages")
          return this.itemsIn(
            req,
            "message",
            this.folder(req, "mailFolder", second),
            [fourth, fifth],
            `mailFolders/${second}/messages`,
          );
        break;
      case "messages":
        return this.itemsIn(
          req,
          "message",
          this.directory.wellKnownFolder(req.mailbox, "inbox") as Folder,
          [second, third],
          "messages",
          true,
        );
      case "sendMail":
        if (method === "POST") return this.sendMail(req);
        break;
      case "translateExchangeIds":
        if (method === "POST") return this.translateIds(req);
        break;
    }
    throw new GraphError(400, "BadRequest", `Resource not found for the segment '${head ?? ""}'.`);
  }

  private folder(req: MailboxRequest, kind: FolderKind, idOrName: string): Folder {
    const folder = req.mailbox.folders.get(idOrName) ?? this.directory.wellKnownFolder(req.mailbox, idOrName);
    if (!folder || folder.kind !== kind) throw notFound();
    return folder;
  }

  private folderJson(folder: Folder): Json {
    const json: Json = { id: folder.id, displayName: folder.displayName };
    if (folder.kind === "mailFolder") {
      let total = 0;
      for (const entry of folder.entries.values()) if (entry.item) total += 1;
      json.totalItemCount = total;
      json.parentFolderId = folder.parentFolderId ?? null;
    }
    if (folder.kind === "todoList")
      json.wellknownListName = folder.wellKnownName === "defaultList" ? "defaultList" : "none";
    if (folder.kind === "calendar") json.isDefaultCalendar = folder.isDefault === true;
    return json;
  }

  private folderFamily(kind: FolderKind): Family {
    return kind === "contactFolder"
      ? "Contacts"
      : kind === "calendar"
        ? "Calendars"
        : kind === "todoList"
          ? "Tasks"
          : "Mail";
  }

  private folderCollection(req: MailboxRequest, kind: FolderKind): GraphResponse {
    const family = this.folderFamily(kind);
    if (req.method === "GET") {
      requirePermission(req, family, false);
      // v1.0 lists the child folders of the default Contacts folder, not the default folder itself
      // (microsoftgraph/microsoft-graph-docs#6273); it stays reachable by id or by its well-known name.
      const folders = [...req.mailbox.folders.values()].filter(
        (folder) => folder.kind === kind && !(kind === "contactFolder" && folder.isDefault),
      );
      return ok({ value: folders.map((folder) => this.folderJson(folder)) });
    }
    if (req.method === "POST") {
      requirePermission(req, family, true);
      const body = req.body as Json | undefined;
      const name = body?.displayName ?? body?.name;
      if (typeof name !== "string" || !name) throw badRequest("displayName is required.", "ErrorInvalidRequest");
      const folder = this.directory.addFolder(req.mailbox, kind, name);
      return ok(this.folderJson(folder), 201);
    }
    throw methodNotAllowed();
  }

  private folderEntity(req: MailboxRequest, folder: Folder): GraphResponse {
    if (req.method !== "GET") throw methodNotAllowed();
    requirePermission(req, this.folderFamily(folder.kind), false);
    return ok(this.folderJson(folder));
  }

  /** `…/items`, `…/items/{id}`, `…/items/delta`, `…/items/{id}/extensions|move|instances|attachments`. */
  private async itemsIn(
    req: MailboxRequest,
    kind: ItemKind,
    folder: Folder,
    [id, action]: Array<string | undefined>,
    path: string,
    mailboxWide = false,
  ): Promise<GraphResponse> {
    const family = FAMILY[kind];
    if (id === undefined) {
      if (req.method === "GET") {
        requirePermission(req, family, false);
        return this.list(req, kind, mailboxWide && kind !== "contact" ? undefined : folder, path);
      }
      if (req.method === "POST") {
        requirePermission(req, family, true);
        return this.create(req, kind, folder);
      }
      throw methodNotAllowed();
    }
    if (id === "delta" && req.method === "GET") {
      requirePermission(req, family, false);
      const deltaKind: DeltaKind = kind === "contact" ? "contacts" : kind === "message" ? "messages" : "tasks";
      if (kind === "event" || mailboxWide)
        throw new GraphError(
          400,
          "BadRequest",
          "Delta is supported per folder: use …/contactFolders/{id}/contacts/delta, …/mailFolders/{id}/messages/delta, …/todo/lists/{id}/tasks/delta or calendarView/delta.",
        );
      return runDelta(this.ctx, req, deltaKind, folder, `${req.prefix}/${path}/delta`);
    }
    const occurrence = kind === "event" ? parseOccurrenceId(id) : undefined;
    if (occurrence) return this.occurrence(req, occurrence.masterId, occurrence.originalDate, action);
    const item = this.item(req, kind, id, mailboxWide ? undefined : folder);
    switch (action) {
      case undefined:
        if (req.method === "GET") {
          requirePermission(req, family, false);
          return ok(this.render(req, item, undefined, true));
        }
        requirePermission(req, family, true);
        this.checkEtag(req, item.changeKey);
        if (req.method === "PATCH") return ok(this.update(req, item));
        if (req.method === "DELETE") return this.remove(req, item);
        throw methodNotAllowed();
      case "extensions":
        return this.extensions(req, item);
      case "move":
      case "copy":
        if (req.method !== "POST") throw methodNotAllowed();
        requirePermission(req, family, true);
        return this.move(req, item, action === "copy");
      case "instances":
        requirePermission(req, family, false);
        return this.instances(req, item);
      case "attachments":
        requirePermission(req, family, req.method !== "GET");
        return this.attachments(req, item);
      case "cancel":
        requirePermission(req, family, true);
        notifyAttendees(this.directory, req.mailbox, item.props, "meetingCancelled", this.ctx.invitations);
        this.directory.deleteItem(req.mailbox, item);
        return { status: 202 };
      default:
        throw new GraphError(400, "BadRequest", `Resource not found for the segment '${action}'.`);
    }
  }

  private item(req: MailboxRequest, kind: ItemKind, id: string, folder?: Folder): Item {
    const item = req.mailbox.items.get(id);
    if (!item || item.kind !== kind || (folder && item.folderId !== folder.id)) throw notFound();
    return item;
  }

  /**
   * An item as a response shows it. Read by its id, a series master can also carry what Graph returns only then and
   * only when selected: `cancelledOccurrences`, and `exceptionOccurrences` when expanded too — each exception with
   * the request's other selected properties (get-event.md, "Expand a series master event").
   */
  private render(req: MailboxRequest, item: Item, props?: Json, readById = false): Json {
    const options = renderOptions(req);
    const selected = (field: string) => readById && options.select?.includes(field) === true;
    const shown =
      props ??
      (item.kind === "event"
        ? masterProps(item, req.immutableIds ? item.immutableId : item.restId, selected("cancelledOccurrences"))
        : item.props);
    const rendered = renderItem(item, options, shown);
    if (item.kind === "event" && options.expand?.exceptionOccurrences && selected("exceptionOccurrences")) {
      const select = options.select?.filter((field) => field !== "cancelledOccurrences");
      rendered.exceptionOccurrences = exceptionsOf(item, req.immutableIds).map((instance) =>
        renderItem(item, { ...options, select, expand: {} }, instance.props, {
          id: instance.id,
          changeKey: instance.changeKey,
        }),
      );
    }
    return rendered;
  }

  private checkEtag(req: MailboxRequest, changeKey: string): void {
    const ifMatch = req.headers["if-match"];
    if (!ifMatch || ifMatch === "*") return;
    const presented = ifMatch.replace(/^W\//, "").replaceAll('"', "");
    if (presented !== changeKey) {
      throw new GraphError(
        412,
        "ErrorIrresolvableConflict",
        "The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.",
      );
    }
  }

  private list(req: MailboxRequest, kind: ItemKind, folder: Folder | undefined, path: string): GraphResponse {
    const filter = parseFilter(req.query.get("$filter"));
    const top = parseTop(req.query.get("$top"), this.ctx.limits.defaultPageSize, this.ctx.limits.maxPageSize);
    const skip = Number(req.query.get("$skip") ?? "0");
    const options = renderOptions(req);
    const folders = folder
      ? [folder]
      : [...req.mailbox.folders.values()].filter((candidate) => candidate.kind === FOLDER_KIND[kind]);
    const matches: Json[] = [];
    for (const source of folders) {
      for (const entry of source.entries.values()) {
        const item = entry.item;
        if (!item) continue;
        const props = item.kind === "event" ? masterProps(item, item.restId, false) : item.props;
        if (filter && !filter(item, renderItem(item, { ...options, select: undefined }, props))) continue;
        matches.push(renderItem(item, options, props));
      }
    }
    const page = matches.slice(skip, skip + top);
    const body: Json = { value: page };
    if (skip + top < matches.length) {
      const next = new URLSearchParams(req.query);
      next.set("$skip", String(skip + top));
      next.set("$top", String(top));
      body["@odata.nextLink"] = `${this.ctx.baseUrl()}/v1.0/${req.prefix}/${path}?${next.toString()}`;
    }
    return ok(body);
  }

  private create(req: MailboxRequest, kind: ItemKind, folder: Folder): GraphResponse {
    const write = readItemWrite(kind, req.body, true);
    if (kind === "event") {
      if (!write.props.start || !write.props.end)
        throw badRequest("An event requires start and end.", "ErrorInvalidRequest");
      const transactionId = write.props.transactionId;
      if (typeof transactionId === "string") {
        const existing = req.mailbox.items.get(req.mailbox.transactionIds.get(transactionId) ?? "");
        if (existing) return ok(this.render(req, existing), 201);
      }
      normaliseEventTimes(write.props);
    }
    const props = defaultsForNew(kind, req.mailbox, write.props);
    if (kind === "message") props.isDraft = folder.wellKnownName === "drafts";
    const item = this.directory.createItem(req.mailbox, folder, kind, props);
    for (const property of write.extendedProperties) item.extendedProperties.set(property.id, property.value);
    for (const extension of write.extensions) this.storeExtension(item, extension);
    if (kind === "event") {
      if (typeof props.transactionId === "string")
        req.mailbox.transactionIds.set(props.transactionId, item.immutableId);
      notifyAttendees(this.directory, req.mailbox, props, "meetingRequest", this.ctx.invitations);
    }
    return ok(this.render(req, item), 201);
  }

  private update(req: MailboxRequest, item: Item): Json {
    const write = readItemWrite(item.kind, req.body, false);
    if (item.kind === "event") normaliseEventTimes(write.props, item.props);
    const before = item.props;
    item.props = { ...item.props, ...write.props };
    if (
      item.kind === "contact" &&
      (write.props.givenName !== undefined || write.props.surname !== undefined) &&
      write.props.displayName === undefined
    ) {
      item.props.displayName = [item.props.givenName, item.props.surname]
        .filter((part) => typeof part === "string" && part)
        .join(" ");
    }
    if (item.kind === "task" && write.props.status === "completed" && !write.props.completedDateTime) {
      item.props.completedDateTime = { dateTime: new Date().toISOString().slice(0, 19), timeZone: "UTC" };
    }
    for (const property of write.extendedProperties) item.extendedProperties.set(property.id, property.value);
    this.directory.touch(req.mailbox, item);
    if (item.kind === "event") this.inviteAddedAttendees(req, before, item.props);
    return this.render(req, item);
  }

  /** Only attendees added by this update get an invitation; the others already have one. */
  private inviteAddedAttendees(req: MailboxRequest, before: Json, after: Json): void {
    const addresses = (props: Json) =>
      new Set(
        ((props.attendees as Json[] | undefined) ?? []).map((a) =>
          String((a.emailAddress as Json | undefined)?.address ?? "").toLowerCase(),
        ),
      );
    const old = addresses(before);
    const added = new Set([...addresses(after)].filter((address) => !old.has(address)));
    if (added.size > 0)
      notifyAttendees(this.directory, req.mailbox, after, "meetingRequest", this.ctx.invitations, added);
  }

  private remove(req: MailboxRequest, item: Item): GraphResponse {
    if (item.kind === "event" && (item.props.attendees as unknown[] | undefined)?.length) {
      notifyAttendees(this.directory, req.mailbox, item.props, "meetingCancelled", this.ctx.invitations);
    }
    this.directory.deleteItem(req.mailbox, item);
    return { status: 204 };
  }

  private move(req: MailboxRequest, item: Item, copy: boolean): GraphResponse {
    const destination = (req.body as Json | undefined)?.destinationId;
    if (typeof destination !== "string") throw badRequest("destinationId is required.", "ErrorInvalidRequest");
    const target = this.folder(req, FOLDER_KIND[item.kind], destination);
    if (copy) {
      const duplicate = this.directory.createItem(req.mailbox, target, item.kind, structuredClone(item.props));
      for (const [key, value] of item.extendedProperties) duplicate.extendedProperties.set(key, value);
      return ok(this.render(req, duplicate), 201);
    }
    this.directory.moveItem(req.mailbox, item, target);
    return ok(this.render(req, item), 201);
  }

  private extensions(req: MailboxRequest, item: Item): GraphResponse {
    const family = FAMILY[item.kind];
    if (req.method === "GET") {
      requirePermission(req, family, false);
      return ok({ value: [...item.extensions.values()] });
    }
    if (req.method !== "POST") throw methodNotAllowed();
    requirePermission(req, family, true);
    const stored = this.storeExtension(item, req.body as Json);
    this.directory.touch(req.mailbox, item);
    return ok(stored, 201);
  }

  private storeExtension(item: Item, body: Json | undefined): Json {
    const name = body?.extensionName;
    if (typeof name !== "string" || !name) throw badRequest("extensionName is required.", "ErrorInvalidRequest");
    const id = `microsoft.graph.openTypeExtension.${name}`;
    if (item.extensions.has(id))
      throw new GraphError(409, "NameAlreadyExists", `An extension with name '${name}' already exists.`);
    const stored: Json = { ...body, "@odata.type": "#microsoft.graph.openTypeExtension", id };
    item.extensions.set(id, stored);
    return stored;
  }

  private calendarView(req: MailboxRequest, calendar: Folder, action: string | undefined, path: string): GraphResponse {
    requirePermission(req, "Calendars", false);
    if (action === "delta") return runDelta(this.ctx, req, "calendarView", calendar, `${req.prefix}/${path}/delta`);
    if (action !== undefined || req.method !== "GET") throw methodNotAllowed();
    const { start, end } = this.window(req);
    const options = renderOptions(req);
    const instances = [...calendar.entries.values()]
      .flatMap((entry) =>
        entry.item
          ? instancesOf(entry.item, start, end, req.immutableIds).map((instance) => ({
              instance,
              item: entry.item as Item,
            }))
          : [],
      )
      .sort((a, b) => a.instance.start.toMillis() - b.instance.start.toMillis());
    const top = parseTop(req.query.get("$top"), this.ctx.limits.defaultPageSize, this.ctx.limits.maxPageSize);
    const skip = Number(req.query.get("$skip") ?? "0");
    const body: Json = {
      value: instances
        .slice(skip, skip + top)
        .map(({ instance, item }) =>
          renderItem(item, options, instance.props, { id: instance.id, changeKey: instance.changeKey }),
        ),
    };
    if (skip + top < instances.length) {
      const next = new URLSearchParams(req.query);
      next.set("$skip", String(skip + top));
      next.set("$top", String(top));
      body["@odata.nextLink"] = `${this.ctx.baseUrl()}/v1.0/${req.prefix}/${path}?${next.toString()}`;
    }
    return ok(body);
  }

  private window(req: MailboxRequest): { start: DateTime; end: DateTime } {
    const start = DateTime.fromISO(req.query.get("startDateTime") ?? req.query.get("startdatetime") ?? "", {
      zone: "UTC",
    });
    const end = DateTime.fromISO(req.query.get("endDateTime") ?? req.query.get("enddatetime") ?? "", { zone: "UTC" });
    if (!start.isValid || !end.isValid) {
      throw new GraphError(
        400,
        "ErrorInvalidParameter",
        "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
      );
    }
    return { start, end };
  }

  private instances(req: MailboxRequest, master: Item): GraphResponse {
    const { start, end } = this.window(req);
    const options = renderOptions(req);
    return ok({
      value: instancesOf(master, start, end, req.immutableIds).map((instance) =>
        renderItem(master, options, instance.props, { id: instance.id, changeKey: instance.changeKey }),
      ),
    });
  }

  /** GET/PATCH/DELETE of one occurrence: reads it, records an exception, or cancels it. */
  private occurrence(
    req: MailboxRequest,
    masterId: string,
    originalDate: string,
    action: string | undefined,
  ): GraphResponse {
    const master = this.item(req, "event", masterId);
    const day = DateTime.fromISO(originalDate, { zone: "UTC" });
    const instance = instancesOf(master, day.minus({ days: 2 }), day.plus({ days: 40 }), req.immutableIds).find(
      (candidate) => candidate.id.endsWith(`_OCC${originalDate.replaceAll("-", "")}=`),
    );
    if (!instance || action !== undefined) throw notFound();
    if (req.method === "GET") {
      requirePermission(req, "Calendars", false);
      return ok(
        renderItem(master, renderOptions(req), instance.props, { id: instance.id, changeKey: instance.changeKey }),
      );
    }
    requirePermission(req, "Calendars", true);
    this.checkEtag(req, instance.changeKey);
    if (req.method === "DELETE") {
      master.exceptions.delete(originalDate);
      this.directory.touch(req.mailbox, master, true);
      master.cancelledOccurrences.set(originalDate, master.seq);
      return { status: 204 };
    }
    if (req.method !== "PATCH") throw methodNotAllowed();
    const write = readItemWrite("event", req.body, false);
    if (write.props.recurrence !== undefined)
      throw badRequest("An occurrence cannot have a recurrence.", "ErrorInvalidRequest");
    normaliseEventTimes(write.props, instance.props);
    const previous = master.exceptions.get(originalDate)?.props ?? {};
    this.directory.touch(req.mailbox, master, true);
    master.exceptions.set(originalDate, {
      props: { ...previous, ...write.props },
      seq: master.seq,
      changeKey: newChangeKey(),
    });
    const updated = instancesOf(master, day.minus({ days: 2 }), day.plus({ days: 40 }), req.immutableIds).find(
      (candidate) => candidate.id === instance.id,
    );
    const shown = updated ?? instance;
    return ok(renderItem(master, renderOptions(req), shown.props, { id: shown.id, changeKey: shown.changeKey }));
  }

  private attachments(req: MailboxRequest, item: Item): GraphResponse {
    const list = (item.props.attachments as Json[] | undefined) ?? [];
    if (req.method === "GET") return ok({ value: list });
    if (req.method !== "POST") throw methodNotAllowed();
    const body = req.body as Json | undefined;
    if (
      body?.["@odata.type"] !== "#microsoft.graph.fileAttachment" ||
      typeof body.name !== "string" ||
      typeof body.contentBytes !== "string"
    ) {
      throw badRequest("A fileAttachment needs @odata.type, name and contentBytes.", "ErrorInvalidRequest");
    }
    const attachment: Json = {
      ...body,
      id: `AAMkAtt${list.length + 1}=`,
      size: Buffer.from(body.contentBytes, "base64").length,
    };
    item.props = { ...item.props, attachments: [...list, attachment] };
    this.directory.touch(req.mailbox, item);
    return ok(attachment, 201);
  }

  /** POST /sendMail: stored in the sender's Sent Items and delivered to simulated recipients' Inboxes. */
  private sendMail(req: MailboxRequest): GraphResponse {
    if (!req.principal.permissions.has("Mail.Send")) requirePermission(req, "Mail", true);
    const message = (req.body as Json | undefined)?.message;
    const write = readItemWrite("message", message, true);
    const sender = { emailAddress: { name: req.mailbox.user.displayName, address: req.mailbox.user.mail } };
    const props = defaultsForNew("message", req.mailbox, { ...write.props, from: sender, sender, isRead: true });
    const sent = this.directory.wellKnownFolder(req.mailbox, "sentitems");
    if ((req.body as Json).saveToSentItems !== false && sent)
      this.directory.createItem(req.mailbox, sent, "message", props);
    for (const field of ["toRecipients", "ccRecipients", "bccRecipients"]) {
      for (const recipient of (props[field] as Json[] | undefined) ?? []) {
        const address = String((recipient.emailAddress as Json | undefined)?.address ?? "");
        const target = this.directory.findUserAnywhere(address);
        const inbox = target && this.directory.wellKnownFolder(target, "inbox");
        if (target && inbox)
          this.directory.createItem(target, inbox, "message", { ...structuredClone(props), isRead: false });
      }
    }
    return { status: 202 };
  }

  private translateIds(req: MailboxRequest): GraphResponse {
    requirePermission(req, "User", false);
    const body = req.body as { inputIds?: unknown; sourceIdType?: unknown; targetIdType?: unknown } | undefined;
    const formats = ["entryId", "ewsId", "immutableEntryId", "restId", "restImmutableEntryId"];
    if (
      !Array.isArray(body?.inputIds) ||
      body.inputIds.length > 1000 ||
      !formats.includes(String(body.sourceIdType)) ||
      !formats.includes(String(body.targetIdType))
    ) {
      throw badRequest("inputIds (at most 1000), sourceIdType and targetIdType are required.", "ErrorInvalidRequest");
    }
    const immutableTarget = String(body.targetIdType).toLowerCase().includes("immutable");
    const value = (body.inputIds as unknown[]).map((input) => {
      const item = req.mailbox.items.get(String(input));
      const result: Json = { sourceId: input };
      if (item) result.targetId = immutableTarget ? item.immutableId : item.restId;
      else result.errorDetails = { code: "ErrorInvalidIdMalformed", message: "Id is malformed." };
      return result;
    });
    return ok({ value });
  }
}

function methodNotAllowed(): GraphError {
  return new GraphError(405, "ErrorInvalidRequest", "The OData request is not supported.");
}
