/** The shape every Graph handler works on, whether the request came over HTTP or inside a `$batch`. */
import type { InvitationRecord } from "./calendar.js";
import type { Principal } from "./identity.js";
import type { Directory, Mailbox } from "./store.js";

export interface GraphRequest {
  method: string;
  /** Path below the version segment, e.g. `/users/{id}/contacts`, with `name('x')` segments kept as sent. */
  path: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  body: unknown;
  principal: Principal;
}

export interface GraphResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface GraphLimits {
  /** Page size of list and delta responses when the client does not ask (Outlook: 10). */
  defaultPageSize: number;
  /** Largest page a client can get with `$top` or `Prefer: odata.maxpagesize`. */
  maxPageSize: number;
  /** Delta tokens older than this answer 410 (the service evicts tokens from its cache; undefined = never). */
  deltaTokenMaxAgeMs?: number | undefined;
  /** When set, each delta round also replays the changes of the previous round (the service may do so). */
  deltaReplay: boolean;
}

export interface GraphContext {
  directory: Directory;
  /** The server's own origin, e.g. `https://127.0.0.1:4443`; absolute links are built from it. */
  baseUrl(): string;
  limits: GraphLimits;
  invitations: InvitationRecord[];
}

/** What a mailbox-scoped handler receives once the `/users/{id}` or `/me` prefix has been resolved. */
export interface MailboxRequest extends GraphRequest {
  mailbox: Mailbox;
  /** The prefix as the client wrote it (`me` or `users/{id}`), reused in links. */
  prefix: string;
  /** Remaining path segments after the prefix. */
  segments: string[];
  immutableIds: boolean;
  timeZone: string;
}
