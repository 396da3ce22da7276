/** Canned bridge answers shaped by the admin API contract (the fake client checks them against it). */
import type {
  AdminResponse,
  BridgeUser,
  Conflict,
  Dashboard,
  MassDeleteHold,
  SyncSettings,
} from "../../../src/api/admin.js";

export const at = "2026-11-25T12:00:00+00:00";

export const session: AdminResponse<"session"> = {
  user: { zohoUserId: "1000000000000000001", name: "Ada Admin", email: "ada@contoso.com" },
  installed: true,
  canAdminister: true,
};

export const zohoNotConnected: AdminResponse<"zohoConnection"> = {
  status: "not-connected",
  dataCentre: null,
  clientId: null,
  clientSecret: "not-set",
  refreshToken: "not-set",
  apiDomain: null,
  organization: null,
  connectedAs: null,
  authorizeUrl: null,
  lastError: null,
};

export const zohoConnected: AdminResponse<"zohoConnection"> = {
  ...zohoNotConnected,
  status: "connected",
  dataCentre: "EU",
  clientId: "1000.ABC",
  clientSecret: "set",
  refreshToken: "set",
  apiDomain: "https://www.zohoapis.eu",
  organization: { id: "20001", name: "Contoso GmbH" },
  connectedAs: { zohoUserId: "1000000000000000001", email: "ada@contoso.com" },
};

export const setupFresh: AdminResponse<"setupStatus"> = {
  steps: [
    { step: "zoho", complete: false },
    { step: "exchange", complete: false },
    { step: "credentials", complete: false },
    { step: "access", complete: false },
    { step: "settings", complete: false },
    { step: "users", complete: false },
  ],
  next: "zoho",
  zoho: zohoNotConnected,
  exchange: { kind: "none" },
  credentialMode: "impersonation",
  access: { audience: "admins", profileIds: [] },
};

export const credentialMode: AdminResponse<"credentialMode"> = {
  mode: "impersonation",
  usersMissingCredentials: 0,
  permissionCommands: {
    onPremises: [
      "New-ManagementRoleAssignment -Name:BridgeImpersonation -Role:ApplicationImpersonation -User:svc-bridge@contoso.com",
    ],
    office365: [
      "New-ServicePrincipal -AppId 11111111-2222-3333-4444-555555555555 -ObjectId 66666666-7777-8888-9999-000000000000",
      'New-ManagementRoleAssignment -App 11111111-2222-3333-4444-555555555555 -Role "Application Calendars.ReadWrite"',
    ],
  },
};

const filters = {
  ownedRecordsOnly: true,
  zohoCustomViewId: null,
  exchangeCategory: null,
  includeLeads: false,
  pastDays: null,
};

export const settings: SyncSettings = {
  modules: {
    contacts: { enabled: true, direction: "two-way", conflictRule: "field-merge", filters },
    events: { enabled: true, direction: "two-way", conflictRule: "crm-wins", filters: { ...filters, pastDays: 30 } },
    tasks: { enabled: false, direction: "zoho-to-exchange", conflictRule: "crm-wins", filters },
    emails: { enabled: true, direction: "exchange-to-zoho", conflictRule: "manual", filters },
  },
  schedule: { intervalMinutes: 15, activeHours: null },
  massDeleteThresholdPercent: 20,
  revision: 3,
  updatedAt: at,
};

export const preview: AdminResponse<"previewSync"> = {
  generatedAt: at,
  usersPreviewed: 2,
  rows: [
    {
      module: "contacts",
      direction: "zoho-to-exchange",
      counts: { creates: 12, updates: 3, deletes: 0, conflicts: 0 },
    },
    { module: "contacts", direction: "exchange-to-zoho", counts: { creates: 0, updates: 0, deletes: 0, conflicts: 0 } },
    { module: "events", direction: "exchange-to-zoho", counts: { creates: 4, updates: 0, deletes: 1, conflicts: 2 } },
  ],
  invitations: [
    {
      subject: "Quarterly review",
      start: "2026-11-26T09:00:00+00:00",
      organizer: "ada@contoso.com",
      attendees: ["bob@fabrikam.com"],
    },
  ],
  warnings: [],
};

const baseUser: BridgeUser = {
  zohoUserId: "1000000000000000001",
  name: "Ada Admin",
  email: "ada@contoso.com",
  mailbox: "ada@contoso.com",
  profile: "Administrator",
  role: "CEO",
  zohoStatus: "active",
  selected: true,
  syncState: "in-sync",
  lastSyncAt: at,
  errorCount: 0,
  lastError: null,
  password: "not-set",
  credentialHealth: "ok",
};

export const users: BridgeUser[] = [
  baseUser,
  {
    ...baseUser,
    zohoUserId: "1000000000000000002",
    name: "Ben Sales",
    email: "ben@contoso.com",
    mailbox: "ben@contoso.com",
    profile: "Standard",
    selected: false,
    syncState: "not-selected",
    lastSyncAt: null,
  },
  {
    ...baseUser,
    zohoUserId: "1000000000000000003",
    name: "Cleo Former",
    email: "cleo@contoso.com",
    mailbox: "cleo@contoso.com",
    profile: "Standard",
    zohoStatus: "disabled",
    selected: false,
    syncState: "not-selected",
    lastSyncAt: null,
  },
];

export const dashboard: Dashboard = {
  generatedAt: at,
  range: "24h",
  totals: [
    {
      module: "contacts",
      direction: "zoho-to-exchange",
      counts: { creates: 42, updates: 5, deletes: 1, conflicts: 0 },
    },
    { module: "events", direction: "exchange-to-zoho", counts: { creates: 7, updates: 2, deletes: 0, conflicts: 1 } },
  ],
  users: [
    {
      zohoUserId: "1000000000000000001",
      name: "Ada Admin",
      mailbox: "ada@contoso.com",
      syncState: "initial-sync",
      lastSyncAt: at,
      rows: [],
      initialSync: [
        { module: "contacts", done: 30, total: 120, finished: true },
        { module: "events", done: 0, total: 0, finished: false },
      ],
    },
  ],
  history: [
    { at: "2026-11-25T10:00:00+00:00", synced: 10, errors: 0 },
    { at: "2026-11-25T11:00:00+00:00", synced: 40, errors: 2 },
  ],
  throttling: [
    {
      zohoUserId: "1000000000000000001",
      mailbox: "ada@contoso.com",
      by: "exchange",
      until: "2026-11-25T14:32:00+00:00",
      reason: "ErrorServerBusy: The server cannot service this request right now.",
    },
  ],
  recentFailures: [
    {
      id: "f1",
      at,
      zohoUserId: "1000000000000000001",
      mailbox: "ada@contoso.com",
      module: "contacts",
      direction: "exchange-to-zoho",
      item: { side: "exchange", module: "contacts", id: "AAMk1", title: "Dana Null" },
      code: "invalid-record",
      reason: "Zoho rejected the record: MANDATORY_NOT_FOUND",
      field: "Last_Name",
      willRetry: false,
    },
  ],
  openConflicts: 1,
  openHolds: 1,
  lastRunAt: at,
  nextRunAt: "2026-11-25T12:15:00+00:00",
};

export const conflict: Conflict = {
  id: "c1",
  zohoUserId: "1000000000000000001",
  module: "contacts",
  title: "Erin Example",
  detectedAt: at,
  base: { phone: "+49 1", email: "erin@example.com" },
  zoho: { id: "3652397000009851001", modifiedAt: at, fields: { phone: "+49 2", email: "erin@example.com" } },
  exchange: { id: "AAMk2", modifiedAt: at, fields: { phone: "+49 3", email: "erin@example.com" } },
  conflictingFields: ["phone"],
  labels: { phone: "Phone", email: "E-mail" },
};

export const hold: MassDeleteHold = {
  id: "h1",
  zohoUserId: "1000000000000000001",
  mailbox: "ada@contoso.com",
  module: "contacts",
  missingOn: "exchange",
  itemsBefore: 120,
  deletions: 100,
  detectedAt: at,
  sample: [{ side: "zoho", module: "contacts", id: "3652397000009851002", title: "Frank Gone" }],
};

export const ewsConnection: AdminResponse<"exchangeConnection"> = {
  kind: "ews",
  endpoint: { mode: "url", ewsUrl: "https://mail.contoso.com/EWS/Exchange.asmx" },
  resolvedEwsUrl: "https://mail.contoso.com/EWS/Exchange.asmx",
  emailAddress: "svc-bridge@contoso.com",
  username: "svc-bridge@contoso.com",
  password: "set",
  domain: "CONTOSO",
  authScheme: "ntlm",
  serverVersion: "auto",
  detectedVersion: "Exchange2016",
};

export const health: AdminResponse<"credentialHealth"> = {
  checkedAt: at,
  credentials: [
    { subject: "zoho-refresh-token", status: "ok", expiresAt: null, detail: "Token refreshed 5 minutes ago" },
    { subject: "exchange-service-account", status: "failed", expiresAt: null, detail: "401 Unauthorized" },
  ],
  usersFailing: [],
};

export const runs: AdminResponse<"runs"> = {
  runs: [
    {
      runId: "run-1",
      zohoUserId: "1000000000000000001",
      trigger: "initial",
      status: "partially-failed",
      startedAt: at,
      finishedAt: at,
      rows: [
        {
          module: "contacts",
          direction: "zoho-to-exchange",
          counts: { creates: 42, updates: 5, deletes: 1, conflicts: 0 },
        },
      ],
      failures: 1,
    },
  ],
};
