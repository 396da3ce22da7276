/**
 * What the fault tests share: seeded item factories, paging and side-by-side comparison through the ports, and a
 * recorder that wraps a simulator's request listener to time every throttled answer against the next identical
 * request (the retry), so "never retried before Retry-After / BackOffMilliseconds" is measured on the wire.
 */
import type { IncomingMessage, OutgoingHttpHeaders, RequestListener, ServerResponse } from "node:http";
import type { RecordPort, RemoteItem } from "../../src/connectors/port.js";
import type { CalendarEvent, Contact, Task } from "../../src/model/index.js";

export const contact = (side: string, n: number): Contact => ({
  givenName: `Zoë ${side}${n}`,
  surname: `Ångström-${n}`,
  email1: `${side}.${n}@faults.example.com`,
  companyName: `Company ${n % 17}`,
  jobTitle: n % 3 === 0 ? "Buyer" : undefined,
  categories: [],
});

export const event = (side: string, n: number): CalendarEvent => {
  const start = Date.UTC(2026, 11, 1 + (n % 28), 8 + (n % 9), 0, 0);
  return {
    subject: `Meeting ${side}${n}`,
    span: { kind: "timed", start: new Date(start).toISOString(), end: new Date(start + 30 * 60_000).toISOString() },
    timeZone: "Europe/Berlin",
    location: `Room ${n % 12}`,
    attendees: [],
    movedOccurrences: [],
    cancelledOccurrences: [],
    categories: [],
    sensitivity: "normal",
  };
};

export const task = (side: string, n: number): Task => ({
  subject: `Follow up ${side}${n}`,
  status: n % 4 === 0 ? "inProgress" : "notStarted",
  priority: "normal",
  dueDate: `2026-12-${String(1 + (n % 28)).padStart(2, "0")}`,
  categories: [],
});

export const editContact = (value: Contact, round: number): Contact => ({ ...value, jobTitle: `Edited ${round}` });

export const editEvent = (value: CalendarEvent, round: number): CalendarEvent => {
  if (value.span.kind !== "timed") return value;
  const shift = (iso: string) => new Date(Date.parse(iso) + round * 3_600_000).toISOString();
  return { ...value, span: { ...value.span, start: shift(value.span.start), end: shift(value.span.end) } };
};

export const editTask = (value: Task, round: number): Task => ({ ...value, dueDate: `2027-01-0${round}` });

export const range = (count: number): number[] => Array.from({ length: count }, (_, i) => i + 1);

export async function listAll<T>(port: RecordPort<T>): Promise<RemoteItem<T>[]> {
  const items: RemoteItem<T>[] = [];
  let token: string | undefined;
  do {
    const page = await port.listAll(token);
    items.push(...page.items);
    token = page.nextPageToken;
  } while (token !== undefined);
  return items;
}

/** Applies a write to every item in batches of 100 and fails loudly, as a user's edit must land before a sync. */
export async function writeAll<R>(
  requests: R[],
  write: (batch: R[]) => Promise<readonly { ok: boolean }[]>,
): Promise<void> {
  for (let i = 0; i < requests.length; i += 100) {
    const results = await write(requests.slice(i, i + 100));
    const failed = results.filter((result) => !result.ok);
    if (failed.length > 0) throw new Error(`user edit failed: ${JSON.stringify(failed[0])}`);
  }
}

export interface SideDiff {
  duplicates: string[];
  missing: string[];
  unexpected: string[];
  divergent: string[];
}

/**
 * One side's items against the expected state (key → fingerprint) a clean run converges to: every expected item
 * exactly once, nothing else, no field different.
 */
export function diffAgainst<T>(
  expected: Map<string, string>,
  values: T[],
  key: (value: T) => string,
  fingerprint: (value: T) => string,
): SideDiff {
  const seen = new Map<string, string[]>();
  for (const value of values) seen.set(key(value), [...(seen.get(key(value)) ?? []), fingerprint(value)]);
  return {
    duplicates: [...seen].filter(([, prints]) => prints.length > 1).map(([k]) => k),
    missing: [...expected.keys()].filter((k) => !seen.has(k)),
    unexpected: [...seen.keys()].filter((k) => !expected.has(k)),
    divergent: [...seen].filter(([k, [print]]) => expected.has(k) && expected.get(k) !== print).map(([k]) => k),
  };
}

export const contactKey = (value: Contact) => value.email1?.toLowerCase() ?? "";
export const contactPrint = (value: Contact) =>
  [value.givenName, value.surname, value.companyName, value.jobTitle ?? ""].join("|");
export const eventKey = (value: CalendarEvent) => value.subject;
export const eventPrint = (value: CalendarEvent) =>
  value.span.kind === "timed"
    ? `${Date.parse(value.span.start)}-${Date.parse(value.span.end)}`
    : JSON.stringify(value.span);
export const taskKey = (value: Task) => value.subject;
export const taskPrint = (value: Task) => [value.status, value.dueDate ?? ""].join("|");

/** One throttled answer and the gap until its retry reached the server. */
export interface RetryGap {
  request: string;
  askedMs: number;
  waitedMs: number;
}

/**
 * Wraps a simulator listener. `waitAskedFor` reads the answer (status, headers, body) and returns the wait it asks
 * for in ms, or undefined when it is not a throttling answer; `requestKey` names "the same request again".
 */
export function retryTimer(
  listener: RequestListener,
  waitAskedFor: (status: number, headers: OutgoingHttpHeaders, body: string) => number | undefined,
  requestKey: (req: IncomingMessage) => string = (req) => `${req.method} ${req.url}`,
): { listener: RequestListener; gaps: RetryGap[]; throttledAnswers: () => number; failedAnswers: () => number } {
  const pending = new Map<string, { at: number; askedMs: number }>();
  const gaps: RetryGap[] = [];
  let throttled = 0;
  let failed = 0;
  const wrapped: RequestListener = (req: IncomingMessage, res: ServerResponse) => {
    const key = requestKey(req);
    const earlier = pending.get(key);
    if (earlier) {
      pending.delete(key);
      gaps.push({ request: key, askedMs: earlier.askedMs, waitedMs: Date.now() - earlier.at });
    }
    let headers: OutgoingHttpHeaders = {};
    let body = "";
    const writeHead = res.writeHead.bind(res);
    res.writeHead = ((status: number, ...rest: unknown[]) => {
      const given = rest.find((arg) => typeof arg === "object" && arg !== null);
      if (given && !Array.isArray(given)) headers = given as OutgoingHttpHeaders;
      return (writeHead as (...args: unknown[]) => ServerResponse)(status, ...rest);
    }) as ServerResponse["writeHead"];
    const end = res.end.bind(res);
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (typeof chunk === "string" || Buffer.isBuffer(chunk)) body = chunk.toString();
      return (end as (...args: unknown[]) => ServerResponse)(chunk, ...rest);
    }) as ServerResponse["end"];
    res.once("close", () => {
      if (!res.writableFinished || res.statusCode >= 429) failed += 1;
    });
    res.once("finish", () => {
      const askedMs = waitAskedFor(res.statusCode, { ...res.getHeaders(), ...headers }, body);
      if (askedMs === undefined) return;
      throttled += 1;
      pending.set(key, { at: Date.now(), askedMs });
    });
    listener(req, res);
  };
  return { listener: wrapped, gaps, throttledAnswers: () => throttled, failedAnswers: () => failed };
}

/** Retry-After in seconds (the only form the simulators send), for 429 and 503 answers. */
export function retryAfterMs(status: number, headers: OutgoingHttpHeaders): number | undefined {
  const value = headers["retry-after"];
  if ((status !== 429 && status !== 503) || value === undefined) return undefined;
  return Number(value) * 1_000;
}

/** ErrorServerBusy's BackOffMilliseconds (EWS 2013+ puts it in the fault's MessageXml). */
export function backOffMs(_status: number, _headers: OutgoingHttpHeaders, body: string): number | undefined {
  if (!body.includes("ErrorServerBusy")) return undefined;
  const value = /<t:Value Name="BackOffMilliseconds">(\d+)<\/t:Value>/.exec(body)?.[1];
  return value === undefined ? undefined : Number(value);
}

/** Counts unhandled rejections and uncaught exceptions while installed. */
export function crashCounter(): { count: () => unknown[]; uninstall: () => void } {
  const seen: unknown[] = [];
  const record = (reason: unknown) => seen.push(reason);
  process.on("unhandledRejection", record);
  process.on("uncaughtExceptionMonitor", record);
  return {
    count: () => seen,
    uninstall: () => {
      process.off("unhandledRejection", record);
      process.off("uncaughtExceptionMonitor", record);
    },
  };
}
