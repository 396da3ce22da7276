/**
 * The add-in API contract: every route the Outlook add-in calls on the bridge, as zod v4 schemas.
 *
 * Invariants the implementation must keep (the add-in relies on them):
 * - Every route except `config` requires `Authorization: Bearer <token>` plus `X-Bridge-Token-Type` naming the kind
 *   of token: an NAA access token for the bridge's API scope (Office 365), the Exchange user identity token (on-prem),
 *   or — sandbox only — a token minted by the simulators for a chosen mailbox. The user is the token's subject,
 *   never an e-mail address the client sends; every answer covers only that user's own data.
 * - `GET` routes take their `request` schema from the query string (all values are strings there); every other
 *   method takes a JSON body. No route has path parameters.
 * - E-mails are identified by the RFC `internetMessageId` (stable across folders and devices); the Exchange item id
 *   (`restItemId` from `convertToRestId(itemId, v2_0)` on Office 365, the EWS `ewsItemId` on-prem) is only a hint
 *   for fetching, because it changes when the item is moved. The bridge fetches the message itself.
 * - Sending an e-mail to the CRM is idempotent per (internetMessageId, record): repeating it reports
 *   `already-associated` and creates nothing (Zoho answers `DUPLICATE_DATA` for a repeated `original_message_id`,
 *   see ../shared/spec/zoho-crm-api.md §4).
 * - Errors use the bridge's single error shape `{ error: { code, message, requestId } }` with the codes listed in
 *   `addinErrorCodes` where a route names them.
 */
import { z } from "zod";

/** Header that tells the bridge how to validate the bearer token. */
export const TOKEN_TYPE_HEADER = "x-bridge-token-type";
/** Header carrying the add-in's version, for support and compatibility checks. */
export const ADDIN_VERSION_HEADER = "x-addin-version";
/**
 * On-prem only: an Exchange callback token (`getCallbackTokenAsync`, Mailbox 1.1) sent next to the identity token
 * when the bridge answers MAILBOX_NOT_LINKED. Its signed `smtp` claim links the identity token's user to a mailbox once.
 */
export const EXCHANGE_CALLBACK_TOKEN_HEADER = "x-bridge-exchange-callback-token";
export const tokenTypeSchema = z.enum(["aad", "exchange-identity", "sandbox"]);
export type TokenType = z.infer<typeof tokenTypeSchema>;

/** Where the bridge serves the built add-in (`addin/dist`): task pane, preview page, icons and manifest. */
export const ADDIN_STATIC_BASE = "/addin/";

/** Stable error codes of the add-in routes (beyond the bridge's generic ones such as VALIDATION_FAILED). */
export const addinErrorCodes = z.enum([
  "UNAUTHENTICATED",
  "MAILBOX_NOT_ENABLED",
  /** On-prem: the identity token's user is not linked to a mailbox yet; retry with an Exchange callback token. */
  "MAILBOX_NOT_LINKED",
  /** On-prem: the callback token names another mailbox than the one linked, or one linked to another user. */
  "MAILBOX_LINK_REFUSED",
  "MESSAGE_NOT_FOUND",
  "RECORD_NOT_FOUND",
  "MODULE_NOT_USER_CONTROLLED",
  "CRM_NOT_CONNECTED",
  "CRM_REJECTED",
  "THROTTLED",
]);
export type AddinErrorCode = z.infer<typeof addinErrorCodes>;

export const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), requestId: z.string().optional() }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

const isoDateTime = z.iso.datetime({ offset: true });
const isoDate = z.iso.date();
const emailAddress = z.email();
const nonEmpty = z.string().trim().min(1);

export const personModuleSchema = z.enum(["Contacts", "Leads"]);
export const recordModuleSchema = z.enum(["Contacts", "Leads", "Accounts", "Deals"]);
export type PersonModule = z.infer<typeof personModuleSchema>;
export type RecordModule = z.infer<typeof recordModuleSchema>;

export const recordRefSchema = z.object({ module: recordModuleSchema, id: nonEmpty, name: z.string() });
export type RecordRef = z.infer<typeof recordRefSchema>;

export const ownerSchema = z.object({ id: z.string(), name: z.string(), email: z.string().nullable() });

export const accountSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  website: z.string().nullable(),
  owner: ownerSchema.nullable(),
});

export const dealSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  stage: z.string(),
  amount: z.number().nullable(),
  /** ISO 4217 code of the org's currency, for formatting `amount`. */
  currency: z.string().nullable(),
  closingDate: isoDate.nullable(),
  accountId: z.string().nullable(),
});

export const activitySchema = z.object({
  module: z.enum(["Tasks", "Events", "Calls", "Emails", "Notes"]),
  id: z.string(),
  subject: z.string(),
  at: isoDateTime,
});

export const openTaskSchema = z.object({
  id: z.string(),
  subject: z.string(),
  dueDate: isoDate.nullable(),
  status: z.string(),
  priority: z.string().nullable(),
});

/** A Contact or Lead matching an address, with what a salesperson wants to see next to the e-mail. */
export const personRecordSchema = z.object({
  module: personModuleSchema,
  id: z.string(),
  name: z.string(),
  email: z.string(),
  title: z.string().nullable(),
  phone: z.string().nullable(),
  /** Leads carry a free-text company; Contacts link an Account instead. */
  company: z.string().nullable(),
  owner: ownerSchema.nullable(),
  account: accountSummarySchema.nullable(),
  openDeals: z.array(dealSummarySchema),
  recentActivities: z.array(activitySchema),
  openTasks: z.array(openTaskSchema),
  /** Link to the record in Zoho CRM's web UI. */
  crmUrl: z.url().nullable(),
});
export type PersonRecord = z.infer<typeof personRecordSchema>;

const mailboxItemRefShape = {
  internetMessageId: nonEmpty.optional(),
  restItemId: nonEmpty.optional(),
  ewsItemId: nonEmpty.optional(),
};
const hasSomeItemId = (ref: { internetMessageId?: string; restItemId?: string; ewsItemId?: string }) =>
  Boolean(ref.internetMessageId ?? ref.restItemId ?? ref.ewsItemId);

export const syncModuleSchema = z.enum(["contacts", "events", "tasks", "emails"]);
export type SyncModule = z.infer<typeof syncModuleSchema>;

export const syncStateSchema = z.enum(["idle", "queued", "syncing", "throttled", "needs-reauthorization", "failed"]);

export const moduleSyncStatusSchema = z.object({
  module: syncModuleSchema,
  enabled: z.boolean(),
  /** False when the admin fixed this module for everyone; the add-in then shows it read-only. */
  userMayToggle: z.boolean(),
  direction: z.enum(["two-way", "exchange-to-crm", "crm-to-exchange"]),
  state: syncStateSchema,
  throttledUntil: isoDateTime.nullable(),
  lastSync: z
    .object({
      finishedAt: isoDateTime,
      outcome: z.enum(["succeeded", "partial", "failed"]),
      created: z.number().int().nonnegative(),
      updated: z.number().int().nonnegative(),
      deleted: z.number().int().nonnegative(),
      errors: z.number().int().nonnegative(),
    })
    .nullable(),
});

export const syncErrorSchema = z.object({
  at: isoDateTime,
  module: syncModuleSchema,
  itemLabel: z.string().nullable(),
  code: z.string(),
  message: z.string(),
});

export const mySyncStatusSchema = z.object({
  mailbox: z.string(),
  displayName: z.string(),
  modules: z.array(moduleSyncStatusSchema),
  recentErrors: z.array(syncErrorSchema),
});
export type MySyncStatus = z.infer<typeof mySyncStatusSchema>;

export const itemSyncReasonSchema = z.enum([
  "module-disabled",
  "filtered-out",
  "private-item",
  "no-matching-record",
  "not-sent-to-crm",
  "not-yet-synced",
  "conflict-pending",
  "error",
]);

export const freeBusyStatusSchema = z.enum(["free", "tentative", "busy", "oof", "workingElsewhere", "unknown"]);

const attendeeSchema = z.object({ email: emailAddress, name: z.string().nullable() });

/** Sandbox only: a simulated mailbox item the preview page can open in its stubbed Office host. */
export const previewItemSchema = z.object({
  itemType: z.enum(["message", "appointment"]),
  ewsItemId: z.string(),
  restItemId: z.string().nullable(),
  internetMessageId: z.string().nullable(),
  subject: z.string(),
  from: attendeeSchema.nullable(),
  to: z.array(attendeeSchema),
  cc: z.array(attendeeSchema),
  start: isoDateTime.nullable(),
  end: isoDateTime.nullable(),
  location: z.string().nullable(),
  dateTimeCreated: isoDateTime,
  bodyText: z.string(),
  attachments: z.array(z.object({ id: z.string(), name: z.string(), size: z.number().int().nonnegative() })),
});
export type PreviewItem = z.infer<typeof previewItemSchema>;

export type RouteDefinition = {
  method: "GET" | "POST" | "PUT";
  path: string;
  /** False only for the unauthenticated bootstrap route. */
  authenticated: boolean;
  /** True for routes that exist only in sandbox mode (404 otherwise). */
  sandboxOnly: boolean;
  summary: string;
  request: z.ZodType;
  response: z.ZodType;
};

const route = <const R extends RouteDefinition>(definition: R): R => definition;
const noInput = z.object({});

export const addinRoutes = {
  /** Bootstrap: how the add-in should authenticate. Public, because the add-in needs it before it has a token. */
  config: route({
    method: "GET",
    path: "/api/addin/config",
    authenticated: false,
    sandboxOnly: false,
    summary: "Authentication settings and features for the add-in",
    request: noInput,
    response: z.object({
      bridgeVersion: z.string(),
      /** Office 365 users: request `scopes` via MSAL nested app authentication (redirect `brk-multihub://<origin>`). */
      naa: z.object({ clientId: z.string(), authority: z.url(), scopes: z.array(z.string()).min(1) }).nullable(),
      /** On-prem users: send the Exchange user identity token (getUserIdentityTokenAsync). */
      exchangeIdentity: z.boolean(),
      /** Sandbox: tokens come from `sandboxToken`. */
      sandbox: z.boolean(),
      zohoWebUrl: z.url().nullable(),
    }),
  }),

  context: route({
    method: "POST",
    path: "/api/addin/context",
    authenticated: true,
    sandboxOnly: false,
    summary: "CRM context for the sender and recipients of the open item",
    request: z.object({ emails: z.array(emailAddress).min(1).max(50) }),
    response: z.object({
      /** One entry per requested address, in request order; `records` empty means "not in CRM". */
      people: z.array(z.object({ email: z.string(), records: z.array(personRecordSchema) })),
    }),
  }),

  searchPeople: route({
    method: "GET",
    path: "/api/addin/people/search",
    authenticated: true,
    sandboxOnly: false,
    summary: "Find Contacts and Leads by name or e-mail (to add them as attendees)",
    request: z.object({ q: z.string().trim().min(2).max(100) }),
    response: z.object({
      records: z.array(personRecordSchema.pick({ module: true, id: true, name: true, email: true })),
    }),
  }),

  createPerson: route({
    method: "POST",
    path: "/api/addin/people",
    authenticated: true,
    sandboxOnly: false,
    summary: "Create a Contact or Lead from an e-mail's sender; returns the existing record if one has the address",
    request: z.object({
      module: personModuleSchema,
      firstName: z.string().trim().max(40).nullable(),
      lastName: nonEmpty.max(80),
      email: emailAddress,
      company: z.string().trim().max(200).nullable(),
      title: z.string().trim().max(100).nullable(),
      phone: z.string().trim().max(30).nullable(),
    }),
    response: z.object({ created: z.boolean(), record: personRecordSchema }),
  }),

  itemStatus: route({
    method: "GET",
    path: "/api/addin/items/status",
    authenticated: true,
    sandboxOnly: false,
    summary: "Whether the open item is in the CRM (e-mail associated, event/task synced) and why not",
    request: z.object({ itemType: z.enum(["message", "appointment"]), ...mailboxItemRefShape }).refine(hasSomeItemId, {
      message: "internetMessageId, restItemId or ewsItemId is required",
    }),
    response: z.object({
      state: z.enum(["synced", "not-synced", "pending", "failed"]),
      reason: z.object({ code: itemSyncReasonSchema, message: z.string() }).nullable(),
      /** For e-mails: every record the message is associated with (the "already in CRM" state). */
      crmRecords: z.array(recordRefSchema),
      lastSyncedAt: isoDateTime.nullable(),
    }),
  }),

  sendEmail: route({
    method: "POST",
    path: "/api/addin/emails",
    authenticated: true,
    sandboxOnly: false,
    summary: "Associate an e-mail with chosen CRM records; the bridge fetches the message itself; idempotent",
    request: z
      .object({
        internetMessageId: nonEmpty,
        restItemId: nonEmpty.optional(),
        ewsItemId: nonEmpty.optional(),
        targets: z
          .array(recordRefSchema.pick({ module: true, id: true }))
          .min(1)
          .max(20),
        includeAttachments: z.boolean(),
      })
      .describe("Errors: MESSAGE_NOT_FOUND, RECORD_NOT_FOUND, CRM_REJECTED"),
    response: z.object({
      internetMessageId: z.string(),
      results: z.array(
        z.object({
          target: recordRefSchema,
          status: z.enum(["associated", "already-associated", "failed"]),
          error: z.object({ code: z.string(), message: z.string() }).nullable(),
        }),
      ),
    }),
  }),

  createFollowUp: route({
    method: "POST",
    path: "/api/addin/follow-ups",
    authenticated: true,
    sandboxOnly: false,
    summary: "Create a Zoho Task or Event from the open e-mail",
    request: z.discriminatedUnion("kind", [
      z.object({
        kind: z.literal("task"),
        subject: nonEmpty.max(255),
        dueDate: isoDate.nullable(),
        priority: z.enum(["Highest", "High", "Normal", "Low", "Lowest"]).nullable(),
        description: z.string().max(32000).nullable(),
        who: recordRefSchema.pick({ id: true }).extend({ module: personModuleSchema }).nullable(),
        what: recordRefSchema
          .pick({ id: true })
          .extend({ module: z.enum(["Accounts", "Deals"]) })
          .nullable(),
        internetMessageId: nonEmpty.nullable(),
      }),
      z.object({
        kind: z.literal("event"),
        title: nonEmpty.max(255),
        start: isoDateTime,
        end: isoDateTime,
        venue: z.string().max(255).nullable(),
        description: z.string().max(32000).nullable(),
        participants: z.array(z.object({ module: personModuleSchema, id: nonEmpty })).max(50),
        what: recordRefSchema
          .pick({ id: true })
          .extend({ module: z.enum(["Accounts", "Deals"]) })
          .nullable(),
        internetMessageId: nonEmpty.nullable(),
      }),
    ]),
    response: z.object({
      module: z.enum(["Tasks", "Events"]),
      id: z.string(),
      name: z.string(),
      crmUrl: z.url().nullable(),
    }),
  }),

  mySyncStatus: route({
    method: "GET",
    path: "/api/addin/me/sync",
    authenticated: true,
    sandboxOnly: false,
    summary: "The signed-in user's own sync: modules, last sync, errors",
    request: noInput,
    response: mySyncStatusSchema,
  }),

  updateMySync: route({
    method: "PUT",
    path: "/api/addin/me/sync",
    authenticated: true,
    sandboxOnly: false,
    summary: "Turn the user's modules on or off where the admin allows (else MODULE_NOT_USER_CONTROLLED)",
    request: z.object({
      modules: z.array(z.object({ module: syncModuleSchema, enabled: z.boolean() })).min(1),
    }),
    response: mySyncStatusSchema,
  }),

  syncNow: route({
    method: "POST",
    path: "/api/addin/me/sync/run",
    authenticated: true,
    sandboxOnly: false,
    summary: "Queue a sync of the user's enabled modules (or the listed ones) now",
    request: z.object({ modules: z.array(syncModuleSchema).min(1).nullable() }),
    response: z.object({ queued: z.array(z.object({ module: syncModuleSchema, jobId: z.string() })) }),
  }),

  availability: route({
    method: "POST",
    path: "/api/addin/availability",
    authenticated: true,
    sandboxOnly: false,
    summary: "Free/busy of attendees for an appointment (Graph getSchedule / EWS GetUserAvailability)",
    request: z
      .object({
        emails: z.array(emailAddress).min(1).max(20),
        start: isoDateTime,
        end: isoDateTime,
        intervalMinutes: z.number().int().min(5).max(1440),
      })
      .refine((r) => Date.parse(r.end) > Date.parse(r.start), { message: "end must be after start" }),
    response: z.object({
      schedules: z.array(
        z.object({
          email: z.string(),
          /** One digit per interval as in Graph's availabilityView: 0 free, 1 tentative, 2 busy, 3 oof, 4 elsewhere. */
          availabilityView: z.string(),
          items: z.array(z.object({ start: isoDateTime, end: isoDateTime, status: freeBusyStatusSchema })),
          error: z.object({ code: z.string(), message: z.string() }).nullable(),
        }),
      ),
    }),
  }),

  sandboxItems: route({
    method: "GET",
    path: "/api/addin/sandbox/items",
    authenticated: false,
    sandboxOnly: true,
    summary: "Sandbox preview: simulated mailboxes and their items to open in the stubbed Office host",
    request: z.object({ mailbox: emailAddress.optional() }),
    response: z.object({
      mailboxes: z.array(
        z.object({
          address: z.string(),
          displayName: z.string(),
          server: z.enum(["office365", "exchange-onprem"]),
        }),
      ),
      items: z.array(previewItemSchema),
    }),
  }),

  sandboxToken: route({
    method: "POST",
    path: "/api/addin/sandbox/token",
    authenticated: false,
    sandboxOnly: true,
    summary: "Sandbox preview: a token for a simulated mailbox, as NAA (Graph simulator) or identity token (EWS)",
    request: z.object({ mailbox: emailAddress }),
    response: z.object({ tokenType: tokenTypeSchema, accessToken: z.string(), expiresOn: isoDateTime }),
  }),
} as const satisfies Record<string, RouteDefinition>;

export type AddinRoutes = typeof addinRoutes;
export type AddinRouteName = keyof AddinRoutes;
export type AddinRequest<N extends AddinRouteName> = z.input<AddinRoutes[N]["request"]>;
export type AddinResponse<N extends AddinRouteName> = z.output<AddinRoutes[N]["response"]>;
