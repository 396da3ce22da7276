/**
 * A stateful stand-in for the bridge's admin API, shaped by the fixtures: setup steps complete as the wizard saves
 * them, settings revisions advance, "sync now" makes the dashboard count what the selected users synced. The browser
 * journey runs against it until the real sandbox serves the same contract; every answer is contract-checked by the
 * stub server, like the fake client does.
 */
import type { AccessPolicy, AdminResponse, BridgeUser, SyncSettings } from "../../../src/api/admin.js";
import type { Handlers } from "./fakeClient.js";
import {
  at,
  credentialMode,
  dashboard,
  health,
  preview,
  runs,
  settings,
  setupFresh,
  users,
  zohoConnected,
} from "./fixtures.js";

const connectionPassed = (steps: Array<"dns" | "tls" | "authentication" | "impersonation" | "mailbox">) => ({
  ok: true,
  testedAt: at,
  steps: steps.map((step) => ({ step, status: "passed" as const, detail: `${step} checked`, reason: null })),
  failure: null,
});

export function createScenario(): Handlers {
  let zoho: AdminResponse<"zohoConnection"> = setupFresh.zoho;
  let exchange: AdminResponse<"exchangeConnection"> = { kind: "none" };
  let access: AccessPolicy | null = null;
  let stored: SyncSettings = settings;
  let people: BridgeUser[] = users.map((user) => ({ ...user, selected: false, syncState: "not-selected" }));
  let synced = false;
  let uninstalled = false;

  const setupStatus = (): AdminResponse<"setupStatus"> => {
    const steps = [
      { step: "zoho" as const, complete: zoho.status === "connected" },
      { step: "exchange" as const, complete: exchange.kind !== "none" },
      { step: "credentials" as const, complete: exchange.kind !== "none" },
      { step: "access" as const, complete: access !== null },
      { step: "settings" as const, complete: stored.revision > settings.revision },
      { step: "users" as const, complete: people.some((user) => user.selected) },
    ];
    return {
      steps,
      next: steps.find((step) => !step.complete)?.step ?? null,
      zoho,
      exchange,
      credentialMode: "impersonation",
      access: access ?? { audience: "admins", profileIds: [] },
    };
  };

  return {
    session: () => ({
      user: { ...zohoConnected.connectedAs, name: "Ada Admin" } as never,
      installed: !uninstalled && zoho.status === "connected",
      canAdminister: true,
    }),
    setupStatus,
    zohoConnection: () => zoho,
    connectZoho: (request) => {
      zoho = { ...zohoConnected, dataCentre: request.dataCentre, clientId: request.clientId };
      return zoho;
    },
    testZoho: () => connectionPassed(["dns", "tls", "authentication"]),
    zohoProfiles: () => ({
      profiles: [
        { id: "p1", name: "Administrator" },
        { id: "p2", name: "Standard" },
      ],
    }),
    exchangeConnection: () => exchange,
    testExchange: (request) =>
      connectionPassed(
        request.mailbox === undefined
          ? ["dns", "tls", "authentication", "mailbox"]
          : ["dns", "tls", "authentication", "impersonation", "mailbox"],
      ),
    saveExchangeConnection: (request) => {
      exchange =
        request.kind === "ews"
          ? {
              kind: "ews",
              endpoint: request.endpoint,
              resolvedEwsUrl: request.endpoint.mode === "url" ? request.endpoint.ewsUrl : null,
              emailAddress: request.emailAddress,
              username: request.username ?? request.emailAddress,
              password: request.password === undefined ? "not-set" : "set",
              domain: request.domain ?? "",
              authScheme: request.authScheme,
              serverVersion: request.serverVersion ?? "auto",
              detectedVersion: "Exchange2016",
            }
          : {
              kind: "graph",
              tenantId: request.tenantId,
              clientId: request.clientId,
              credentialType: request.credential?.type ?? null,
              clientSecret: request.credential?.type === "secret" ? "set" : "not-set",
              privateKey: request.credential?.type === "certificate" ? "set" : "not-set",
              certificate: null,
            };
      return exchange;
    },
    credentialMode: () => credentialMode,
    migrateCredentialMode: (request) => ({ to: request.to, applied: request.apply, steps: [], users: [] }),
    accessPolicy: () => access ?? { audience: "admins", profileIds: [] },
    saveAccessPolicy: (request) => {
      access = { audience: request.audience, profileIds: request.profileIds };
      return access;
    },
    syncSettings: () => stored,
    previewSync: () => preview,
    saveSyncSettings: (request) => {
      stored = { ...request, revision: stored.revision + 1, updatedAt: at } as SyncSettings;
      return stored;
    },
    users: () => ({ users: people }),
    selectUsers: (request) => {
      const rejected = request.select
        .filter((id) => people.find((user) => user.zohoUserId === id)?.zohoStatus !== "active")
        .map((zohoUserId) => ({ zohoUserId, reason: "inactive" as const }));
      people = people.map((user) => {
        if (request.deselect.includes(user.zohoUserId)) return { ...user, selected: false, syncState: "not-selected" };
        if (request.select.includes(user.zohoUserId) && user.zohoStatus === "active") {
          return { ...user, selected: true, syncState: "queued" };
        }
        return user;
      });
      return { users: people, rejected };
    },
    syncNow: () => {
      synced = true;
      people = people.map((user) => (user.selected ? { ...user, syncState: "in-sync", lastSyncAt: at } : user));
      return {
        queued: people
          .filter((user) => user.selected)
          .map((user) => ({ runId: `run-${user.zohoUserId}`, zohoUserId: user.zohoUserId })),
        skipped: [],
      };
    },
    dashboard: () =>
      synced
        ? {
            ...dashboard,
            users: people
              .filter((user) => user.selected)
              .map((user) => ({
                zohoUserId: user.zohoUserId,
                name: user.name,
                mailbox: user.mailbox,
                syncState: user.syncState,
                lastSyncAt: user.lastSyncAt,
                rows: [],
                initialSync: [{ module: "contacts" as const, done: 30, total: 120, finished: true }],
              })),
          }
        : {
            ...dashboard,
            totals: [],
            users: [],
            history: [],
            throttling: [],
            recentFailures: [],
            openConflicts: 0,
            openHolds: 0,
          },
    runs: () => (synced ? runs : { runs: [] }),
    conflicts: () => ({ conflicts: [] }),
    holds: () => ({ holds: [] }),
    searchAttendees: () => ({
      candidates: [{ kind: "contact", id: "c1", name: "Bob Buyer", email: "bob@fabrikam.com" }],
    }),
    availability: (request) => ({
      start: request.start,
      intervalMinutes: request.intervalMinutes,
      schedules: request.emails.map((email, row) => ({
        email,
        slots: Array.from({ length: 20 }, (_, slot) =>
          row === 1 && slot >= 4 && slot < 6 ? "busy" : slot === 10 ? "tentative" : "free",
        ),
        error: null,
      })),
    }),
    createMeeting: (request) => ({
      exchangeId: "AAMkEvent1",
      zohoEventId: "3652397000009853001",
      invitationsSent: request.kind === "meeting" ? request.attendees.length : 0,
    }),
    credentialHealth: () => health,
    updatePassword: () => ({
      ...health,
      credentials: health.credentials.map((entry) => ({ ...entry, status: "ok" as const })),
    }),
    uninstall: () => {
      uninstalled = true;
      return {
        removed: ["stored credentials", "change subscriptions", "scheduled jobs"],
        kept: "Every contact, event, task and e-mail already synced stays in Zoho CRM and in Exchange.",
      };
    },
  };
}
