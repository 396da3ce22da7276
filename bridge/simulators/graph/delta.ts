/**
 * Delta queries (delta-query-overview.md): a round is an initial GET, pages linked by `@odata.nextLink`
 * (`$skiptoken`), and a last page carrying `@odata.deltaLink` (`$deltatoken`); the next round starts at the saved
 * deltaLink and returns only changes.
 *
 * Algorithm: a round covers the change sequence interval (since, upTo], fixed when the round starts; candidates
 * are ordered by (seq, id) and a page resumes after the last (seq, id) it sent, so changes made while paging show
 * up in the next round, never lost. Tokens are opaque base64url JSON carrying the original query (startDateTime,
 * $select, …), which later requests must not repeat. A token whose mailbox generation was bumped (control API
 * `evictDeltaTokens`) or that is older than `deltaTokenMaxAgeMs` answers `410 Gone` with a `Location` for a fresh
 * initial query and the `syncStateNotFound` code (no verbatim body is documented; see conformance SOURCES.md).
 */
import { DateTime } from "luxon";
import { instancesOf } from "./calendar.js";
import { badRequest, errorBody, GraphError } from "./errors.js";
import { mailboxRenderOptions, ODATA_TYPES, renderItem } from "./items.js";
import { type ItemPredicate, parseFilter, preferredPageSize } from "./query.js";
import type { GraphContext, GraphResponse, MailboxRequest } from "./request.js";
import type { Folder, ItemKind, Json } from "./store.js";

export type DeltaKind = "contacts" | "messages" | "tasks" | "calendarView";

interface DeltaQuery {
  select?: string | undefined;
  filter?: string | undefined;
  expand?: string | undefined;
  top?: number | undefined;
  start?: string | undefined;
  end?: string | undefined;
}

interface DeltaToken {
  k: DeltaKind;
  u: string;
  f: string;
  /** Exclusive lower bound of the round's change interval. */
  s: number;
  /** Upper bound, fixed at the round's first page. */
  m?: number;
  /** The previous round's upper bound, for replays. */
  p?: number;
  /** Last (seq, id) sent in this round. */
  c?: [number, string];
  q: DeltaQuery;
  g: number;
  t: number;
}

interface Candidate {
  seq: number;
  id: string;
  render(): Json;
}

const KIND_OF: Record<DeltaKind, ItemKind> = {
  contacts: "contact",
  messages: "message",
  tasks: "task",
  calendarView: "event",
};

function encode(token: DeltaToken): string {
  return Buffer.from(JSON.stringify(token), "utf8").toString("base64url");
}

function decode(raw: string): DeltaToken {
  try {
    const token = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as DeltaToken;
    if (typeof token.s !== "number" || typeof token.k !== "string") throw new Error("shape");
    return token;
  } catch {
    throw badRequest("The delta token is malformed.", "BadRequest");
  }
}

function initialQuery(kind: DeltaKind, query: URLSearchParams): DeltaQuery {
  const q: DeltaQuery = {};
  if (kind === "calendarView") {
    for (const option of ["$select", "$filter", "$expand", "$orderby", "$search"]) {
      if (query.has(option))
        throw new GraphError(
          400,
          "ErrorInvalidUrlQuery",
          `The query parameter '${option}' is not supported with delta on calendarView.`,
        );
    }
    const start = query.get("startDateTime") ?? query.get("startdatetime");
    const end = query.get("endDateTime") ?? query.get("enddatetime");
    if (!start || !end) {
      throw new GraphError(
        400,
        "ErrorInvalidParameter",
        "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
      );
    }
    q.start = start;
    q.end = end;
    return q;
  }
  q.select = query.get("$select") ?? undefined;
  if (kind === "contacts" && (query.has("$filter") || query.has("$expand"))) {
    throw new GraphError(400, "ErrorInvalidUrlQuery", "Only $select is supported with delta on contacts.");
  }
  const filter = query.get("$filter");
  if (filter) {
    if (kind !== "messages" || !/^receivedDateTime\s+(ge|gt)\s+\S+$/i.test(filter.trim())) {
      throw new GraphError(
        400,
        "ErrorInvalidUrlQueryFilter",
        "Only receivedDateTime ge|gt is supported as a delta filter.",
      );
    }
    q.filter = filter;
  }
  q.expand = query.get("$expand") ?? undefined;
  const top = query.get("$top");
  if (top) q.top = Number(top);
  return q;
}

function windowOf(q: DeltaQuery): { start: DateTime; end: DateTime } {
  const parse = (value: string | undefined) => DateTime.fromISO(value ?? "", { zone: "UTC" });
  const start = parse(q.start);
  const end = parse(q.end);
  if (!start.isValid || !end.isValid)
    throw badRequest("startDateTime and endDateTime must be ISO 8601 date-times.", "ErrorInvalidParameter");
  return { start, end };
}

function removedEntry(kind: ItemKind, id: string): Json {
  return { "@odata.type": ODATA_TYPES[kind], id, "@removed": { reason: "deleted" } };
}

function candidates(req: MailboxRequest, folder: Folder, token: DeltaToken, upTo: number): Candidate[] {
  const initial = token.s === 0;
  const options = mailboxRenderOptions(req, token.q.select, token.q.expand);
  const list: Candidate[] = [];
  const pick = (removed: { restId: string; immutableId: string }) =>
    req.immutableIds ? removed.immutableId : removed.restId;
  if (token.k === "calendarView") {
    const { start, end } = windowOf(token.q);
    for (const entry of folder.entries.values()) {
      if (entry.seq <= token.s || entry.seq > upTo) continue;
      if (entry.removed) {
        if (initial) continue;
        const gone = entry.removed.snapshot;
        const ids = gone.props.recurrence
          ? instancesOf(gone, start, end, req.immutableIds).map((instance) => instance.id)
          : [];
        ids.push(pick(entry.removed));
        for (const id of ids) list.push({ seq: entry.seq, id, render: () => removedEntry("event", id) });
        continue;
      }
      const event = entry.item;
      if (!event) continue;
      for (const instance of instancesOf(event, start, end, req.immutableIds)) {
        if (instance.seq <= token.s || instance.seq > upTo) continue;
        list.push({
          seq: instance.seq,
          id: instance.id,
          render: () => renderItem(event, options, instance.props, { id: instance.id, changeKey: instance.changeKey }),
        });
      }
      if (initial) continue;
      for (const [date, seq] of event.cancelledOccurrences) {
        if (seq <= token.s || seq > upTo) continue;
        const id = `${(req.immutableIds ? event.immutableId : event.restId).slice(0, -1)}_OCC${date.replaceAll("-", "")}=`;
        list.push({ seq, id, render: () => removedEntry("event", id) });
      }
    }
    return list.sort((a, b) => a.seq - b.seq || a.id.localeCompare(b.id));
  }
  const kind = KIND_OF[token.k];
  const filter: ItemPredicate | undefined = parseFilter(token.q.filter ?? null);
  for (const entry of folder.entries.values()) {
    if (entry.seq <= token.s || entry.seq > upTo) continue;
    if (entry.removed) {
      if (!initial) {
        const id = pick(entry.removed);
        list.push({ seq: entry.seq, id, render: () => removedEntry(kind, id) });
      }
      continue;
    }
    const item = entry.item;
    if (!item) continue;
    if (filter && !filter(item, item.props)) continue;
    const id = req.immutableIds ? item.immutableId : item.restId;
    list.push({ seq: entry.seq, id, render: () => renderItem(item, options) });
  }
  return list;
}

/** GET …/delta for a folder (or the primary calendar for calendarView). */
export function runDelta(
  ctx: GraphContext,
  req: MailboxRequest,
  kind: DeltaKind,
  folder: Folder,
  linkPath: string,
): GraphResponse {
  const skip = req.query.get("$skiptoken");
  const delta = req.query.get("$deltatoken") ?? req.query.get("$deltaToken");
  const linkBase = `${ctx.baseUrl()}/v1.0/${linkPath}`;
  let token: DeltaToken;
  if (skip || delta) {
    token = decode(skip ?? delta ?? "");
    const tooOld = ctx.limits.deltaTokenMaxAgeMs !== undefined && Date.now() - token.t > ctx.limits.deltaTokenMaxAgeMs;
    if (token.g !== req.mailbox.deltaGeneration || tooOld || token.u !== req.mailbox.user.id || token.f !== folder.id) {
      const restart = new URLSearchParams();
      if (token.q.start) restart.set("startDateTime", token.q.start);
      if (token.q.end) restart.set("endDateTime", token.q.end);
      if (token.q.select) restart.set("$select", token.q.select);
      restart.set("$deltatoken", "");
      return {
        status: 410,
        headers: { location: `${linkBase}?${restart.toString()}` },
        body: errorBody(
          "syncStateNotFound",
          "The sync state generation is not found. The delta token is expired and data must be synchronized again.",
        ),
      };
    }
  } else {
    token = {
      k: kind,
      u: req.mailbox.user.id,
      f: folder.id,
      s: 0,
      q: initialQuery(kind, req.query),
      g: req.mailbox.deltaGeneration,
      t: Date.now(),
    };
  }
  const upTo = token.m ?? ctx.directory.currentSeq;
  const all = candidates(req, folder, token, upTo);
  const cursor = token.c;
  const remaining = cursor ? all.filter((c) => c.seq > cursor[0] || (c.seq === cursor[0] && c.id > cursor[1])) : all;
  const preferred = preferredPageSize(req.headers.prefer);
  const pageSize = Math.max(
    1,
    Math.min(preferred ?? token.q.top ?? ctx.limits.defaultPageSize, ctx.limits.maxPageSize),
  );
  const page = remaining.slice(0, pageSize);
  const body: Json = {
    "@odata.context": `${ctx.baseUrl()}/v1.0/$metadata#Collection(${ODATA_TYPES[KIND_OF[kind]].slice(17)})`,
  };
  const last = page[page.length - 1];
  if (remaining.length > page.length && last) {
    body["@odata.nextLink"] =
      `${linkBase}?$skiptoken=${encode({ ...token, m: upTo, c: [last.seq, last.id], t: Date.now() })}`;
  } else {
    const next: DeltaToken = {
      k: token.k,
      u: token.u,
      f: token.f,
      q: token.q,
      g: token.g,
      t: Date.now(),
      s: upTo,
      p: upTo,
    };
    if (ctx.limits.deltaReplay && token.p !== undefined) next.s = token.p;
    body["@odata.deltaLink"] = `${linkBase}?$deltatoken=${encode(next)}`;
  }
  body.value = page.map((candidate) => candidate.render());
  const headers: Record<string, string> = {};
  if (preferred !== undefined) headers["preference-applied"] = `odata.maxpagesize=${pageSize}`;
  return { status: 200, headers, body };
}
