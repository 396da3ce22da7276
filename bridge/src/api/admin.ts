/**
 * The admin API contract: every endpoint the admin console calls, as data.
 *
 * `adminRoutes` maps a route name to `{ method, path, params, request, response }` (zod v4 schemas). The bridge
 * implements each route from it (validating `params` against the path parameters, `request` against the JSON body
 * for POST/PUT/DELETE or the query string for GET, and shaping the reply with `response`), generates OpenAPI from it
 * (`z.toJSONSchema`), and the console's API client is typed by it. Nothing else is an admin endpoint.
 *
 * Invariants:
 * - Secrets go in, never come out: passwords, client secrets, private keys and tokens appear only in request
 *   schemas; every response reports them as `SecretState` ("set" / "not-set").
 * - A secret field omitted from an update keeps the stored value; an empty string is rejected.
 * - Every failure is `{ error: { code, message, details? } }` (`AdminError`) with an HTTP status from
 *   `adminErrorStatus`; classify by `code`, never by `message`.
 * - Timestamps are ISO-8601 strings with an offset; ids are opaque strings (Zoho ids are 18–19 digit strings).
 */
import { z } from "zod";

/** Where every admin route lives; the console itself is served elsewhere (default `/admin`). */
export const ADMIN_API_PREFIX = "/api/admin";

/**
 * How the console authenticates (implemented in bridge/src/security/admin-auth.ts): the browser signs in with Zoho
 * at `signInPath` (a redirect, not a JSON route) and gets an httpOnly session cookie plus a readable CSRF cookie;
 * every POST/PUT/DELETE repeats the CSRF cookie's value in the CSRF header (double submit). Without a session
 * every admin route answers 401 `unauthenticated`.
 */
export const ADMIN_AUTH = {
  signInPath: "/auth/zoho/login",
  csrfCookie: "bridge_csrf",
  csrfHeader: "x-csrf-token",
} as const;

const isoDateTime = z.iso.datetime({ offset: true });
const nonEmpty = z.string().trim().min(1);
const secret = z.string().min(1);
const empty = z.object({});

/** A secret's presence, the only thing a response may say about it. */
export const SecretState = z.enum(["set", "not-set"]);

// ─── Errors ────────────────────────────────────────────────────────────────────────────────────────────────────────

export const AdminErrorCode = z.enum([
  "invalid-request", // 400: body/query/params failed the route's schema; details.issues lists the paths
  "unauthenticated", // 401: no admin session
  "forbidden", // 403: signed in, but the access policy does not allow this user
  "not-found", // 404: unknown user, conflict, hold, run …
  "stale-revision", // 409: settings were saved by someone else since they were read
  "not-configured", // 409: the step this needs (Zoho or Exchange connection) is not done yet
  "already-resolved", // 409: the conflict or hold was resolved meanwhile
  "inactive-user", // 422: only active Zoho users may be selected for sync
  "rate-limited", // 429: too many requests to the bridge itself; details.retryAfterSeconds
  "upstream-failed", // 502: Zoho or Exchange answered with an error; details.reason says which and why
  "upstream-throttled", // 503: Zoho or Exchange throttled us; details.retryAt says when to retry
  "internal", // 500: a bug; the message is generic, the log has the rest
]);
export type AdminErrorCode = z.infer<typeof AdminErrorCode>;

export const AdminError = z.object({
  error: z.object({
    code: AdminErrorCode,
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type AdminError = z.infer<typeof AdminError>;

export const adminErrorStatus: Record<AdminErrorCode, number> = {
  "invalid-request": 400,
  unauthenticated: 401,
  forbidden: 403,
  "not-found": 404,
  "stale-revision": 409,
  "not-configured": 409,
  "already-resolved": 409,
  "inactive-user": 422,
  "rate-limited": 429,
  "upstream-failed": 502,
  "upstream-throttled": 503,
  internal: 500,
};

// ─── Session and access ────────────────────────────────────────────────────────────────────────────────────────────

export const Session = z.object({
  user: z.object({ zohoUserId: z.string(), name: z.string(), email: z.email() }).nullable(),
  /** False while nothing is set up yet: the first visitor runs the wizard. */
  installed: z.boolean(),
  canAdminister: z.boolean(),
});

/** Who may open the console and use the add-in's bridge features. */
export const AccessPolicy = z.object({
  audience: z.enum(["admins", "all-users", "profiles"]),
  /** Zoho profile ids; used only when audience is "profiles". */
  profileIds: z.array(z.string()),
});
export type AccessPolicy = z.infer<typeof AccessPolicy>;

export const ZohoProfile = z.object({ id: z.string(), name: z.string() });

// ─── Zoho connection ───────────────────────────────────────────────────────────────────────────────────────────────

/** Zoho data centres (accounts server and api_domain per DC: shared/spec/zoho-crm-api.md §1). */
export const ZohoDataCentre = z.enum(["US", "EU", "IN", "AU", "JP", "CA", "SA", "CN"]);
export type ZohoDataCentre = z.infer<typeof ZohoDataCentre>;

export const ZohoConnectRequest = z.object({
  dataCentre: ZohoDataCentre,
  clientId: nonEmpty,
  /** Omitted: keep the stored secret (reconnecting with the same client). */
  clientSecret: secret.optional(),
  /**
   * "redirect": the reply's authorizeUrl sends the browser to Zoho's consent page, which comes back to
   * `zohoOAuthCallback`. "self-client": a grant code made in Zoho's API console (Self Client) is exchanged directly.
   */
  grant: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("redirect") }),
    z.object({ kind: z.literal("self-client"), code: nonEmpty }),
  ]),
});

export const ZohoConnection = z.object({
  status: z.enum(["not-connected", "awaiting-consent", "connected", "failed"]),
  dataCentre: ZohoDataCentre.nullable(),
  clientId: z.string().nullable(),
  clientSecret: SecretState,
  refreshToken: SecretState,
  /** The api_domain Zoho returned with the token — the only host CRM calls go to. */
  apiDomain: z.string().nullable(),
  organization: z.object({ id: z.string(), name: z.string() }).nullable(),
  connectedAs: z.object({ zohoUserId: z.string(), email: z.email() }).nullable(),
  /** Set while status is "awaiting-consent": open it in the browser. */
  authorizeUrl: z.url().nullable(),
  lastError: z.string().nullable(),
});
export type ZohoConnection = z.infer<typeof ZohoConnection>;

/**
 * Zoho's consent page redirects the browser here (not a JSON route): `?code&location&accounts-server&state`, or
 * `?error=access_denied`. The bridge exchanges the code at the given accounts-server (multi-DC rule, spec §1) and
 * answers 302 to `{consoleBase}/#/setup` with the outcome visible in `GET zohoConnection`.
 */
export const zohoOAuthCallback = {
  method: "GET",
  path: `${ADMIN_API_PREFIX}/zoho/oauth/callback`,
  query: z.object({
    code: z.string().optional(),
    location: z.string().optional(),
    "accounts-server": z.url().optional(),
    state: z.string(),
    error: z.string().optional(),
  }),
} as const;

// ─── Exchange connection ───────────────────────────────────────────────────────────────────────────────────────────

export const EwsServerVersion = z.enum([
  "auto",
  "Exchange2007_SP1",
  "Exchange2010",
  "Exchange2010_SP1",
  "Exchange2010_SP2",
  "Exchange2013",
  "Exchange2013_SP1",
  "Exchange2016",
]);

const ewsEndpoint = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("url"), ewsUrl: z.url({ protocol: /^https$/ }) }),
  /**
   * POX Autodiscover for the e-mail address, run when the connection is saved. `autodiscoverUrl`: the organisation's
   * Autodiscover service URL (Exchange's AutoDiscoverServiceInternalUri, which domain-joined Outlook finds in Active
   * Directory); absent: https://<domain>/… then https://autodiscover.<domain>/autodiscover/autodiscover.xml.
   * Every host involved, the EWS URL Autodiscover answers included, must be on BRIDGE_EWS_ALLOWED_HOSTS.
   */
  z.object({ mode: z.literal("autodiscover"), autodiscoverUrl: z.url({ protocol: /^https$/ }).optional() }),
]);

/** On-premises Exchange 2007 SP1 – 2019 over EWS. */
export const EwsConnectionInput = z.object({
  kind: z.literal("ews"),
  endpoint: ewsEndpoint,
  /** The service (impersonation) account's or the first user's mailbox address. */
  emailAddress: z.email(),
  /** Logon name; defaults to the e-mail address. */
  username: nonEmpty.optional(),
  password: secret.optional(),
  /** NetBIOS domain for NTLM / DOMAIN\user Basic logons. */
  domain: z.string().trim().optional(),
  authScheme: z.enum(["basic", "ntlm"]),
  serverVersion: EwsServerVersion,
});

/** Exchange Online over Microsoft Graph with an app registration (client credentials). */
export const GraphConnectionInput = z.object({
  kind: z.literal("graph"),
  /** Directory (tenant) id or a verified domain. */
  tenantId: nonEmpty,
  clientId: nonEmpty,
  /** Omitted: keep the stored credential. */
  credential: z
    .discriminatedUnion("type", [
      z.object({
        type: z.literal("secret"),
        clientSecret: secret,
        /** The "Expires" date Entra shows for the secret (the value cannot be read back), for credential health. */
        expiresAt: isoDateTime.optional(),
      }),
      z.object({ type: z.literal("certificate"), certificatePem: nonEmpty, privateKeyPem: secret }),
    ])
    .optional(),
});

export const ExchangeConnectionInput = z.discriminatedUnion("kind", [EwsConnectionInput, GraphConnectionInput]);
export type ExchangeConnectionInput = z.infer<typeof ExchangeConnectionInput>;

export const ExchangeConnection = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("none") }),
  z.object({
    kind: z.literal("ews"),
    endpoint: ewsEndpoint,
    /** The EWS URL actually in use (from Autodiscover when endpoint.mode is "autodiscover"). */
    resolvedEwsUrl: z.string().nullable(),
    emailAddress: z.email(),
    username: z.string(),
    password: SecretState,
    domain: z.string(),
    authScheme: z.enum(["basic", "ntlm"]),
    serverVersion: EwsServerVersion,
    /** The version the server reported (ServerVersionInfo), null until a successful call. */
    detectedVersion: z.string().nullable(),
  }),
  z.object({
    kind: z.literal("graph"),
    tenantId: z.string(),
    clientId: z.string(),
    credentialType: z.enum(["secret", "certificate"]).nullable(),
    clientSecret: SecretState,
    /** When the credential expires: the certificate's notAfter, or the client secret's as the admin gave it. */
    credentialExpiresAt: isoDateTime.nullable().optional(),
    privateKey: SecretState,
    /** Certificate thumbprint and expiry, so the admin sees it coming. */
    certificate: z.object({ thumbprint: z.string(), notAfter: isoDateTime }).nullable(),
  }),
]);
export type ExchangeConnection = z.infer<typeof ExchangeConnection>;

/** Steps of a connection test, in the order they run; later steps are "skipped" after a failure. */
export const ConnectionTestStep = z.enum([
  "dns",
  "tls",
  "autodiscover",
  "authentication",
  "permissions",
  "impersonation",
  "mailbox",
  "api",
]);

/** Why a connection test failed — precise enough for the UI to tell the admin what to fix. */
export const ConnectionFailureCode = z.enum([
  "dns-not-found",
  "connection-refused",
  "timeout",
  "tls-untrusted-certificate",
  "tls-hostname-mismatch",
  "tls-expired-certificate",
  "autodiscover-failed",
  "invalid-credentials", // EWS 401, Graph AADSTS7000215 / invalid_client, Zoho invalid_client / invalid_code
  "auth-scheme-not-offered", // the server's WWW-Authenticate does not offer the chosen Basic/NTLM
  "consent-missing", // Graph app without admin consent for the application permissions
  "access-policy-denied", // Graph 403 ErrorAccessDenied from an application access policy / RBAC scope
  "impersonation-denied", // EWS ErrorImpersonateUserDenied: the ApplicationImpersonation role is missing
  "mailbox-not-found", // EWS ErrorNonExistentMailbox / Graph MailboxNotEnabledForRESTAPI / ResourceNotFound
  "wrong-data-centre", // Zoho: the account lives in another DC than the one chosen
  "scope-missing", // Zoho OAUTH_SCOPE_MISMATCH
  "server-error", // the service answered 5xx / a SOAP fault we do not classify further
]);

export const ConnectionTestResult = z.object({
  ok: z.boolean(),
  testedAt: isoDateTime,
  steps: z.array(
    z.object({
      step: ConnectionTestStep,
      status: z.enum(["passed", "failed", "skipped"]),
      /** What was checked, e.g. "TLS certificate for mail.contoso.com is trusted". */
      detail: z.string(),
      /** Why the step failed (the service's words) or was skipped (e.g. an earlier check failed); null: passed. */
      reason: z.string().nullable(),
    }),
  ),
  failure: z
    .object({
      step: ConnectionTestStep,
      code: ConnectionFailureCode,
      /** The service's own words (SOAP faultstring, Graph error.message, HTTP status line). */
      message: z.string(),
      /** What the admin should do next. */
      hint: z.string(),
    })
    .nullable(),
});
export type ConnectionTestResult = z.infer<typeof ConnectionTestResult>;

export const ExchangeTestRequest = z.object({
  /** A draft to test before saving; omitted: test the saved connection. Omitted secrets use the stored ones. */
  connection: ExchangeConnectionInput.optional(),
  /** A user's mailbox to open through impersonation / app access; omitted: the first selected user's, and with
   * none selected the impersonation and mailbox steps are skipped ("not tested"). */
  mailbox: z.email().optional(),
});

// ─── Credential mode ───────────────────────────────────────────────────────────────────────────────────────────────

export const CredentialModeKind = z.enum(["impersonation", "individual"]);

export const CredentialMode = z.object({
  /** "impersonation": one service account (EWS ApplicationImpersonation / Graph app-only) reaches every mailbox;
   * "individual": each user's own Exchange password (on-prem only). */
  mode: CredentialModeKind,
  /** Users without a stored password while mode is "individual" (they are not synced). */
  usersMissingCredentials: z.number().int().nonnegative(),
  /** Commands to copy, already filled in with this deployment's account / app id. */
  permissionCommands: z.object({
    /** Exchange Management Shell: New-ManagementRoleAssignment … -Role:ApplicationImpersonation -User:<account>. */
    onPremises: z.array(z.string()),
    /** Exchange Online PowerShell, RBAC for Applications: New-ServicePrincipal, New-ManagementScope,
     * New-ManagementRoleAssignment -App … -Role "Application Calendars.ReadWrite" … */
    office365: z.array(z.string()),
  }),
});
export type CredentialMode = z.infer<typeof CredentialMode>;

/** Switching modes is a guided migration: preview lists what changes per user, then apply. */
export const CredentialMigrationRequest = z.object({
  to: CredentialModeKind,
  /** false: only report what would happen. */
  apply: z.boolean(),
});

export const CredentialMigrationResult = z.object({
  to: CredentialModeKind,
  applied: z.boolean(),
  steps: z.array(z.object({ title: z.string(), done: z.boolean(), detail: z.string() })),
  users: z.array(
    z.object({
      zohoUserId: z.string(),
      mailbox: z.string(),
      outcome: z.enum(["ready", "needs-password", "impersonation-denied", "unchanged"]),
      detail: z.string(),
    }),
  ),
});

// ─── Setup overview ────────────────────────────────────────────────────────────────────────────────────────────────

export const SetupStep = z.enum(["zoho", "exchange", "credentials", "access", "settings", "users"]);

export const SetupStatus = z.object({
  steps: z.array(z.object({ step: SetupStep, complete: z.boolean() })),
  /** The first incomplete step, null when setup is complete. */
  next: SetupStep.nullable(),
  zoho: ZohoConnection,
  exchange: ExchangeConnection,
  credentialMode: CredentialModeKind,
  access: AccessPolicy,
});

// ─── Sync settings ─────────────────────────────────────────────────────────────────────────────────────────────────

export const SyncModule = z.enum(["contacts", "events", "tasks", "emails"]);
export type SyncModule = z.infer<typeof SyncModule>;

/** A one-way or the two-way direction of a module; also the direction a count or failure went. */
export const SyncDirection = z.enum(["two-way", "zoho-to-exchange", "exchange-to-zoho"]);
export const FlowDirection = z.enum(["zoho-to-exchange", "exchange-to-zoho"]);
export type FlowDirection = z.infer<typeof FlowDirection>;

/** "field-merge": non-overlapping field edits are merged, overlapping ones go to the conflict queue;
 * "manual": every conflict goes to the queue. */
export const ConflictRule = z.enum(["crm-wins", "exchange-wins", "field-merge", "manual"]);

export const ModuleFilters = z.object({
  /** Only records the user owns in Zoho. */
  ownedRecordsOnly: z.boolean(),
  /** A Zoho custom view limiting which records go to Exchange; null: all. Not applied by record sync yet. */
  zohoCustomViewId: z.string().nullable(),
  /** Only Exchange items with this category go to Zoho; null: all. */
  exchangeCategory: z.string().nullable(),
  /** Contacts: also sync Leads. Not applied by record sync yet. */
  includeLeads: z.boolean(),
  /** Events/tasks/e-mails: ignore items older than this many days; null: no limit. */
  pastDays: z.number().int().min(0).max(3650).nullable(),
  /** E-mails: file the mail's attachments with it (Zoho takes up to 10 MB per e-mail); absent: without. */
  includeAttachments: z.boolean().optional(),
  /**
   * Events: Exchange writes of meetings with attendees mail invitations and updates (EWS SendToAllAndSaveCopy);
   * absent or false: filed silently where the service allows it (EWS SendToNone; Graph always mails attendees).
   */
  sendInvitations: z.boolean().optional(),
});

export const ModuleSettings = z.object({
  enabled: z.boolean(),
  direction: SyncDirection,
  conflictRule: ConflictRule,
  filters: ModuleFilters,
});

export const SyncSchedule = z.object({
  /** Poll interval between syncs (change notifications trigger extra runs). */
  intervalMinutes: z.number().int().min(5).max(1440),
  /** Optional quiet hours in the bridge's time zone, e.g. "22:00"–"06:00"; null: always. */
  activeHours: z.object({ from: z.string().regex(/^\d{2}:\d{2}$/), to: z.string().regex(/^\d{2}:\d{2}$/) }).nullable(),
});

export const SyncSettingsInput = z.object({
  modules: z.object({
    contacts: ModuleSettings,
    events: ModuleSettings,
    tasks: ModuleSettings,
    emails: ModuleSettings,
  }),
  schedule: SyncSchedule,
  /** A run that would delete more than this share of a module's items on one side stops and waits (a hold). */
  massDeleteThresholdPercent: z.number().int().min(1).max(100),
});
export type SyncSettingsInput = z.infer<typeof SyncSettingsInput>;

export const SyncSettings = SyncSettingsInput.extend({
  /** Increases on every save; PUT must send the revision it read (409 stale-revision otherwise). */
  revision: z.number().int().nonnegative(),
  updatedAt: isoDateTime.nullable(),
});
export type SyncSettings = z.infer<typeof SyncSettings>;

export const SaveSyncSettingsRequest = SyncSettingsInput.extend({ revision: z.number().int().nonnegative() });

export const DryRunRequest = z.object({
  /** The settings to preview (usually unsaved edits). */
  settings: SyncSettingsInput,
  /** Users to preview for; omitted: all selected users. */
  zohoUserIds: z.array(z.string()).optional(),
});

export const ChangeCounts = z.object({
  creates: z.number().int().nonnegative(),
  updates: z.number().int().nonnegative(),
  deletes: z.number().int().nonnegative(),
  conflicts: z.number().int().nonnegative(),
});

export const DryRunPreview = z.object({
  generatedAt: isoDateTime,
  usersPreviewed: z.number().int().nonnegative(),
  rows: z.array(z.object({ module: SyncModule, direction: FlowDirection, counts: ChangeCounts })),
  /** Meeting invitations Exchange would send if the plan ran. */
  invitations: z.array(
    z.object({ subject: z.string(), start: isoDateTime, organizer: z.string(), attendees: z.array(z.string()) }),
  ),
  /** E.g. a hold that would trigger, a user whose mailbox could not be listed. */
  warnings: z.array(z.string()),
});
export type DryRunPreview = z.infer<typeof DryRunPreview>;

// ─── Users ─────────────────────────────────────────────────────────────────────────────────────────────────────────

export const CredentialHealthStatus = z.enum(["ok", "expiring", "failed", "not-set", "unknown"]);

export const UserSyncState = z.enum([
  "not-selected",
  "queued",
  "initial-sync",
  "in-sync",
  "syncing",
  "throttled",
  "error",
  "needs-credentials",
  "held", // a mass-delete hold waits for the admin
]);

export const BridgeUser = z.object({
  zohoUserId: z.string(),
  name: z.string(),
  email: z.string(),
  /** The Exchange mailbox synced for this user (defaults to the Zoho e-mail). */
  mailbox: z.string(),
  profile: z.string(),
  role: z.string(),
  /** Zoho's user status; only "active" users can be selected. */
  zohoStatus: z.enum(["active", "disabled", "deleted", "not-confirmed"]),
  selected: z.boolean(),
  syncState: UserSyncState,
  /** While `syncState` is "throttled": when Zoho or Exchange lets the bridge in again (the next sync is due then). */
  throttledUntil: isoDateTime.nullable().optional(),
  lastSyncAt: isoDateTime.nullable(),
  errorCount: z.number().int().nonnegative(),
  lastError: z.string().nullable(),
  /** Individual mode only: whether this user's Exchange password is stored and works. */
  password: SecretState,
  credentialHealth: CredentialHealthStatus,
});
export type BridgeUser = z.infer<typeof BridgeUser>;

export const UserListQuery = z.object({
  search: z.string().optional(),
  zohoStatus: z.enum(["active", "disabled", "deleted", "not-confirmed"]).optional(),
});

export const UserList = z.object({ users: z.array(BridgeUser) });

export const UserSelectionRequest = z.object({
  select: z.array(z.string()),
  deselect: z.array(z.string()),
});

export const UserSelectionResult = z.object({
  users: z.array(BridgeUser),
  /** Ids that could not be selected and why (e.g. inactive). The rest of the request was applied. */
  rejected: z.array(z.object({ zohoUserId: z.string(), reason: z.enum(["inactive", "unknown-user"]) })),
});

export const UserIdParams = z.object({ zohoUserId: nonEmpty });

export const UpdateUserRequest = z.object({
  mailbox: z.email().optional(),
  /** Individual mode: the user's Exchange password. */
  password: secret.optional(),
});

export const ResetUserRequest = z.object({
  /** Modules to forget (relations and cursors); the next run re-matches without duplicates. Omitted: all. */
  modules: z.array(SyncModule).optional(),
});

// ─── Sync runs ─────────────────────────────────────────────────────────────────────────────────────────────────────

export const SyncNowRequest = z.object({
  /** Omitted: every selected user. */
  zohoUserIds: z.array(z.string()).optional(),
  modules: z.array(SyncModule).optional(),
});

export const SyncNowResult = z.object({
  queued: z.array(z.object({ runId: z.string(), zohoUserId: z.string() })),
  /** Users skipped and why (not selected, inactive, already running, held). */
  skipped: z.array(z.object({ zohoUserId: z.string(), reason: z.string() })),
});

export const SyncRun = z.object({
  runId: z.string(),
  zohoUserId: z.string(),
  trigger: z.enum(["schedule", "notification", "manual", "initial"]),
  status: z.enum(["queued", "running", "succeeded", "partially-failed", "failed", "held"]),
  startedAt: isoDateTime.nullable(),
  finishedAt: isoDateTime.nullable(),
  rows: z.array(z.object({ module: SyncModule, direction: FlowDirection, counts: ChangeCounts })),
  failures: z.number().int().nonnegative(),
});

export const RunListQuery = z.object({
  zohoUserId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

// ─── Dashboard ─────────────────────────────────────────────────────────────────────────────────────────────────────

export const ItemRef = z.object({
  side: z.enum(["zoho", "exchange"]),
  module: SyncModule,
  id: z.string(),
  /** Subject / full name, for people to recognise the item. */
  title: z.string(),
});

export const SyncFailure = z.object({
  id: z.string(),
  at: isoDateTime,
  zohoUserId: z.string(),
  mailbox: z.string(),
  module: SyncModule,
  direction: FlowDirection,
  item: ItemRef,
  /** The connectors' shared classification. */
  code: z.enum(["precondition-failed", "not-found", "throttled", "auth-expired", "invalid-record", "other"]),
  /** The reason in words, with the service's own message. */
  reason: z.string(),
  /** Invalid-record failures name the field. */
  field: z.string().nullable(),
  willRetry: z.boolean(),
});
export type SyncFailure = z.infer<typeof SyncFailure>;

export const ThrottleState = z.object({
  zohoUserId: z.string().nullable(),
  mailbox: z.string().nullable(),
  by: z.enum(["exchange", "zoho"]),
  /** When the next request is allowed (Retry-After / BackOffMilliseconds / Zoho's limit window). */
  until: isoDateTime,
  reason: z.string(),
});

export const DashboardQuery = z.object({ range: z.enum(["24h", "7d", "30d"]).optional() });

export const Dashboard = z.object({
  generatedAt: isoDateTime,
  range: z.enum(["24h", "7d", "30d"]),
  /** Totals over the range, per module and direction. */
  totals: z.array(z.object({ module: SyncModule, direction: FlowDirection, counts: ChangeCounts })),
  users: z.array(
    z.object({
      zohoUserId: z.string(),
      name: z.string(),
      mailbox: z.string(),
      syncState: UserSyncState,
      lastSyncAt: isoDateTime.nullable(),
      rows: z.array(z.object({ module: SyncModule, direction: FlowDirection, counts: ChangeCounts })),
      /**
       * Initial sync progress per enabled module: the items its first run wrote (`done`) of those it planned to write
       * (`total`); `finished: false` while that run has not completed (its counts are not known yet). Null once every
       * enabled module has finished a run, and before the first sync starts.
       */
      initialSync: z
        .object({
          module: SyncModule,
          done: z.number().int().nonnegative(),
          total: z.number().int().nonnegative(),
          finished: z.boolean(),
        })
        .array()
        .nullable(),
    }),
  ),
  /** Buckets over the range (hourly for 24h, daily otherwise), oldest first. */
  history: z.array(
    z.object({ at: isoDateTime, synced: z.number().int().nonnegative(), errors: z.number().int().nonnegative() }),
  ),
  throttling: z.array(ThrottleState),
  recentFailures: z.array(SyncFailure),
  openConflicts: z.number().int().nonnegative(),
  openHolds: z.number().int().nonnegative(),
  lastRunAt: isoDateTime.nullable(),
  nextRunAt: isoDateTime.nullable(),
});
export type Dashboard = z.infer<typeof Dashboard>;

export const ExplainItemQuery = z.object({ side: z.enum(["zoho", "exchange"]), module: SyncModule, id: nonEmpty });

/** Why an item did or did not sync: its relation, the filters it met and the last decisions about it. */
export const ItemExplanation = z.object({
  item: ItemRef,
  counterpart: ItemRef.nullable(),
  /** E.g. "Skipped: the contact is not in custom view 'Key accounts'". */
  summary: z.string(),
  events: z.array(
    z.object({ at: isoDateTime, action: z.string(), outcome: z.enum(["applied", "skipped", "failed", "conflict"]) }),
  ),
});

// ─── Conflicts and mass-delete holds ───────────────────────────────────────────────────────────────────────────────

const fieldValues = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

export const Conflict = z.object({
  id: z.string(),
  zohoUserId: z.string(),
  module: SyncModule,
  title: z.string(),
  detectedAt: isoDateTime,
  /** Canonical field name → value, as last synced (null when unknown). */
  base: fieldValues.nullable(),
  zoho: z.object({ id: z.string(), modifiedAt: isoDateTime, fields: fieldValues }),
  exchange: z.object({ id: z.string(), modifiedAt: isoDateTime, fields: fieldValues }),
  /** Fields whose values differ between the two versions. */
  conflictingFields: z.array(z.string()),
  /** Field labels for display. */
  labels: z.record(z.string(), z.string()),
});
export type Conflict = z.infer<typeof Conflict>;

export const ConflictList = z.object({ conflicts: z.array(Conflict) });

export const ResolveConflictRequest = z.discriminatedUnion("resolution", [
  z.object({ resolution: z.literal("keep-zoho") }),
  z.object({ resolution: z.literal("keep-exchange") }),
  /** Per conflicting field, which side's value wins; every conflicting field must be named. */
  z.object({ resolution: z.literal("merge"), fields: z.record(z.string(), z.enum(["zoho", "exchange"])) }),
]);
export type ResolveConflictRequest = z.infer<typeof ResolveConflictRequest>;

export const Resolution = z.object({ id: z.string(), status: z.enum(["resolved", "queued"]), runId: z.string() });

export const MassDeleteHold = z.object({
  id: z.string(),
  zohoUserId: z.string(),
  mailbox: z.string(),
  module: SyncModule,
  /** The side the items disappeared from; confirming deletes them on the other side. */
  missingOn: z.enum(["zoho", "exchange"]),
  itemsBefore: z.number().int().nonnegative(),
  deletions: z.number().int().nonnegative(),
  detectedAt: isoDateTime,
  sample: z.array(ItemRef),
});
export type MassDeleteHold = z.infer<typeof MassDeleteHold>;

export const HoldList = z.object({ holds: z.array(MassDeleteHold) });

export const ResolveHoldRequest = z.object({
  /** "confirm": propagate the deletions; "reject": restore the missing items from the other side. */
  decision: z.enum(["confirm", "reject"]),
});

export const IdParams = z.object({ id: nonEmpty });

// ─── Meetings ──────────────────────────────────────────────────────────────────────────────────────────────────────

export const AttendeeKind = z.enum(["contact", "lead", "user"]);

export const AttendeeCandidate = z.object({
  kind: AttendeeKind,
  id: z.string(),
  name: z.string(),
  email: z.email(),
});
export type AttendeeCandidate = z.infer<typeof AttendeeCandidate>;

export const AttendeeSearchQuery = z.object({ search: z.string().trim().min(1), kind: AttendeeKind.optional() });

export const AttendeeSearchResult = z.object({ candidates: z.array(AttendeeCandidate) });

export const AvailabilityRequest = z.object({
  /** Whose mailbox asks (Graph getSchedule is called on the organizer). */
  organizerZohoUserId: nonEmpty,
  emails: z.array(z.email()).min(1).max(20),
  start: isoDateTime,
  end: isoDateTime,
  /** Slot length: Graph availabilityViewInterval 5..1440 (spec graph-and-addin.md §1.7). */
  intervalMinutes: z.number().int().min(5).max(1440),
});

/** Graph availabilityView digits 0..4, EWS GetUserAvailability FreeBusyViewType; "unknown" when not resolvable. */
export const FreeBusy = z.enum(["free", "tentative", "busy", "oof", "working-elsewhere", "unknown"]);
export type FreeBusy = z.infer<typeof FreeBusy>;

export const Availability = z.object({
  start: isoDateTime,
  intervalMinutes: z.number().int(),
  schedules: z.array(
    z.object({
      email: z.string(),
      /** One entry per slot from `start`. */
      slots: z.array(FreeBusy),
      /** Set when this attendee's schedule could not be read (not in the organisation, no permission). */
      error: z.string().nullable(),
    }),
  ),
});
export type Availability = z.infer<typeof Availability>;

export const CreateMeetingRequest = z
  .object({
    organizerZohoUserId: nonEmpty,
    /** "meeting" has attendees and sends invitations; "appointment" is only in the organizer's calendar. */
    kind: z.enum(["meeting", "appointment"]),
    subject: nonEmpty.max(255),
    attendees: z.array(AttendeeCandidate),
    location: z.string().max(255),
    start: isoDateTime,
    end: isoDateTime,
    /** IANA time zone the times were picked in. */
    timeZone: nonEmpty,
    reminder: z.object({ enabled: z.boolean(), minutesBefore: z.number().int().min(0).max(40320) }),
    description: z.string().max(32000),
  })
  .refine((meeting) => Date.parse(meeting.end) > Date.parse(meeting.start), {
    path: ["end"],
    message: "The end must be after the start.",
  })
  .refine((meeting) => meeting.kind === "appointment" || meeting.attendees.length > 0, {
    path: ["attendees"],
    message: "A meeting needs at least one attendee.",
  });
export type CreateMeetingRequest = z.infer<typeof CreateMeetingRequest>;

export const CreatedMeeting = z.object({
  exchangeId: z.string(),
  zohoEventId: z.string(),
  invitationsSent: z.number().int().nonnegative(),
});

// ─── Account ───────────────────────────────────────────────────────────────────────────────────────────────────────

export const PasswordUpdateRequest = z.object({
  /** Omitted: the service (impersonation) account's password; set: that user's (individual mode). */
  zohoUserId: z.string().optional(),
  password: secret,
});

export const CredentialHealth = z.object({
  checkedAt: isoDateTime,
  credentials: z.array(
    z.object({
      subject: z.enum(["zoho-refresh-token", "exchange-service-account", "graph-app-secret", "graph-certificate"]),
      status: CredentialHealthStatus,
      /** Secret / certificate expiry when known. */
      expiresAt: isoDateTime.nullable(),
      detail: z.string(),
    }),
  ),
  /** Individual mode: users whose stored password fails or is missing. */
  usersFailing: z.array(z.object({ zohoUserId: z.string(), mailbox: z.string(), status: CredentialHealthStatus })),
});
export type CredentialHealth = z.infer<typeof CredentialHealth>;

export const UninstallRequest = z.object({
  /** The console makes the admin type this, so an uninstall is never a misclick. */
  confirm: z.literal("UNINSTALL"),
  /** Revoke the Zoho refresh token at Zoho's accounts server as well. */
  revokeZohoToken: z.boolean(),
});

export const UninstallResult = z.object({
  /** What the bridge removed: credentials, subscriptions, relations, jobs. */
  removed: z.array(z.string()),
  /** Always states that contacts, events, tasks and e-mails already synced stay in Zoho and Exchange. */
  kept: z.string(),
});

// ─── The routes ────────────────────────────────────────────────────────────────────────────────────────────────────

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

export interface AdminRoute {
  method: HttpMethod;
  /** Koa-router style, `:name` for path parameters. */
  path: string;
  params: z.ZodType;
  /** The JSON body (POST/PUT/DELETE) or the query string (GET). */
  request: z.ZodType;
  response: z.ZodType;
}

function route<P extends z.ZodType, Q extends z.ZodType, R extends z.ZodType>(
  method: HttpMethod,
  path: string,
  params: P,
  request: Q,
  response: R,
) {
  return { method, path: `${ADMIN_API_PREFIX}${path}`, params, request, response };
}

export const adminRoutes = {
  session: route("GET", "/session", empty, empty, Session),
  setupStatus: route("GET", "/setup", empty, empty, SetupStatus),

  zohoConnection: route("GET", "/zoho/connection", empty, empty, ZohoConnection),
  connectZoho: route("POST", "/zoho/connection", empty, ZohoConnectRequest, ZohoConnection),
  testZoho: route("POST", "/zoho/test", empty, empty, ConnectionTestResult),
  zohoProfiles: route("GET", "/zoho/profiles", empty, empty, z.object({ profiles: z.array(ZohoProfile) })),

  exchangeConnection: route("GET", "/exchange/connection", empty, empty, ExchangeConnection),
  saveExchangeConnection: route("PUT", "/exchange/connection", empty, ExchangeConnectionInput, ExchangeConnection),
  testExchange: route("POST", "/exchange/test", empty, ExchangeTestRequest, ConnectionTestResult),

  credentialMode: route("GET", "/credential-mode", empty, empty, CredentialMode),
  migrateCredentialMode: route(
    "POST",
    "/credential-mode/migration",
    empty,
    CredentialMigrationRequest,
    CredentialMigrationResult,
  ),

  accessPolicy: route("GET", "/access", empty, empty, AccessPolicy),
  saveAccessPolicy: route("PUT", "/access", empty, AccessPolicy, AccessPolicy),

  syncSettings: route("GET", "/settings", empty, empty, SyncSettings),
  saveSyncSettings: route("PUT", "/settings", empty, SaveSyncSettingsRequest, SyncSettings),
  previewSync: route("POST", "/settings/preview", empty, DryRunRequest, DryRunPreview),

  users: route("GET", "/users", empty, UserListQuery, UserList),
  selectUsers: route("POST", "/users/selection", empty, UserSelectionRequest, UserSelectionResult),
  updateUser: route("PUT", "/users/:zohoUserId", UserIdParams, UpdateUserRequest, BridgeUser),
  reauthorizeUser: route("POST", "/users/:zohoUserId/reauthorize", UserIdParams, empty, ConnectionTestResult),
  resetUser: route("POST", "/users/:zohoUserId/reset", UserIdParams, ResetUserRequest, BridgeUser),

  syncNow: route("POST", "/sync", empty, SyncNowRequest, SyncNowResult),
  runs: route("GET", "/runs", empty, RunListQuery, z.object({ runs: z.array(SyncRun) })),

  dashboard: route("GET", "/dashboard", empty, DashboardQuery, Dashboard),
  explainItem: route("GET", "/items/explain", empty, ExplainItemQuery, ItemExplanation),

  conflicts: route("GET", "/conflicts", empty, empty, ConflictList),
  resolveConflict: route("POST", "/conflicts/:id/resolution", IdParams, ResolveConflictRequest, Resolution),
  holds: route("GET", "/holds", empty, empty, HoldList),
  resolveHold: route("POST", "/holds/:id/resolution", IdParams, ResolveHoldRequest, Resolution),

  searchAttendees: route("GET", "/meetings/attendees", empty, AttendeeSearchQuery, AttendeeSearchResult),
  availability: route("POST", "/meetings/availability", empty, AvailabilityRequest, Availability),
  createMeeting: route("POST", "/meetings", empty, CreateMeetingRequest, CreatedMeeting),

  updatePassword: route("PUT", "/account/password", empty, PasswordUpdateRequest, CredentialHealth),
  credentialHealth: route("GET", "/account/credentials", empty, empty, CredentialHealth),
  uninstall: route("POST", "/account/uninstall", empty, UninstallRequest, UninstallResult),
} satisfies Record<string, AdminRoute>;

export type AdminRoutes = typeof adminRoutes;
export type AdminRouteName = keyof AdminRoutes;
export type AdminParams<N extends AdminRouteName> = z.input<AdminRoutes[N]["params"]>;
export type AdminRequest<N extends AdminRouteName> = z.input<AdminRoutes[N]["request"]>;
export type AdminResponse<N extends AdminRouteName> = z.output<AdminRoutes[N]["response"]>;

/** Fills a route's `:name` segments, URI-encoded. Throws on a missing parameter — that is a caller bug. */
export function adminPath(path: string, params: Record<string, string>): string {
  return path.replace(/:([A-Za-z]+)/g, (_segment, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`missing path parameter ${name} for ${path}`);
    return encodeURIComponent(value);
  });
}
