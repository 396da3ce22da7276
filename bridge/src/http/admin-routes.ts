/**
 * Admin API routes, implemented from the contract in `api/admin.ts` (paths, params, request and response schemas
 * come from there; nothing is redeclared). Every route needs an administrator's session except `session`, which
 * tells the console whether anyone is signed in.
 */
import { z } from "zod";
import {
  AccessPolicy,
  type AdminRouteName,
  adminRoutes,
  type CredentialHealth,
  type DryRunPreview,
  type ExchangeConnectionInput,
  type SyncModule,
  zohoOAuthCallback,
} from "../api/admin.js";
import { SYNC_MODULES, type SyncModuleName } from "../connectors/port.js";
import type { CalendarEvent } from "../model/index.js";
import { SESSION_COOKIE } from "../security/admin-auth.js";
import { checkOutboundUrl, OutboundUrlRejected } from "../security/url-allow-list.js";
import { allowedAccountsServer } from "../security/zoho-accounts.js";
import { ewsLogonName, testExchangePassword } from "../services/connection-tests.js";
import {
  InvalidAppCertificate,
  loadCredentialMode,
  loadExchangeConnection,
  loadZohoConnection,
  presentExchangeConnection,
  presentZohoConnection,
  SECRET,
  saveCredentialMode,
  saveExchangeConnection,
  saveZohoConnection,
} from "../services/connections.js";
import { AutodiscoverFailed, autodiscoverEwsUrl } from "../services/ews-autodiscover.js";
import { enabledModules, loadSyncSettings, saveSyncSettings } from "../services/sync-settings.js";
import { releaseRemoteAccess } from "../services/uninstall.js";
import {
  beginZohoConnect,
  completeZohoConnect,
  refreshZohoUsersIfStale,
  takeZohoConnectState,
  ZOHO_ACCOUNTS,
  ZOHO_USERS_MAX_AGE_MS,
} from "../services/zoho-connection.js";
import type { Storage } from "../storage/index.js";
import type { SyncAction } from "../sync/plan.js";
import type { ConflictResolution } from "../sync/state.js";
import { unlessUnconfigured } from "./admin-connection-test-routes.js";
import { type AppContext, enqueueUser } from "./context.js";
import { buildDashboard } from "./dashboard.js";
import { HttpError, httpErrors } from "./errors.js";
import { presentConflict, presentRun, presentUser, type runRows, sumRows } from "./presenters.js";
import type { AuthRequirement, RouteHandler, RouteSpec, RouteTable } from "./routes.js";

type Spec<N extends AdminRouteName> = (typeof adminRoutes)[N];

export const ACCESS_POLICY_KEY = "access-policy";
const DEFAULT_ACCESS: AccessPolicy = { audience: "all-users", profileIds: [] };

export async function loadAccessPolicy(storage: Storage): Promise<AccessPolicy> {
  return (await storage.settings.get(ACCESS_POLICY_KEY, AccessPolicy)) ?? DEFAULT_ACCESS;
}

function notConfigured(what: string): HttpError {
  return new HttpError(409, "not-configured", `${what} is not set up yet`);
}

async function userOr404(storage: Storage, zohoUserId: string) {
  const user = await storage.users.byZohoUserId(zohoUserId);
  if (!user) throw httpErrors.notFound("admin", `no user ${zohoUserId}`);
  return user;
}

function syncedModules(modules: readonly z.infer<typeof SyncModule>[] | undefined): SyncModuleName[] {
  return SYNC_MODULES.filter((module) => !modules || modules.includes(module));
}

async function enabledAmong(storage: Storage, modules: readonly z.infer<typeof SyncModule>[] | undefined) {
  const enabled = enabledModules(await loadSyncSettings(storage.settings));
  return syncedModules(modules).filter((module) => enabled.includes(module));
}

type DryRunInvitation = z.input<typeof DryRunPreview>["invitations"][number];
type ExchangeWrite = NonNullable<SyncAction<unknown>["writes"]["exchange"]>;

/**
 * Which Exchange writes of an event mail its attendees. Graph always does when an event with attendees is created or
 * updated in the organiser's calendar (it has no "send to none"; connectors/graph/modules.ts), EWS only for writes
 * the plan marks `notifyAttendees` (SendToAllAndSaveCopy, else SendToNone).
 */
function invitationRule(exchange: "ews" | "graph" | undefined): (write: ExchangeWrite) => boolean {
  return (write) => write.op !== "delete" && (exchange === "graph" || write.notifyAttendees === true);
}

/** The meetings a dry run's plan would write to Exchange with invitations: who would be invited to which. */
function plannedInvitations(
  plan: readonly SyncAction<unknown>[],
  user: { mailbox: string },
  mailsAttendees: (write: ExchangeWrite) => boolean,
): DryRunInvitation[] {
  return plan.flatMap((action) => {
    const write = action.writes.exchange;
    if (!write || write.op === "delete" || !mailsAttendees(write)) return [];
    const event = write.value as CalendarEvent;
    if (event.attendees.length === 0) return [];
    return [
      {
        subject: event.subject,
        start: event.span.kind === "timed" ? event.span.start : `${event.span.startDate}T00:00:00Z`,
        organizer: event.organizer?.address ?? user.mailbox,
        attendees: event.attendees.map((attendee) => attendee.address),
      },
    ];
  });
}

/**
 * Autodiscover runs when an Autodiscover connection is saved, so the sync, the push channels and the connection
 * test all use the one EWS URL it found (and the allow-list checked); a failure is refused like a bad URL.
 */
async function autodiscoverOnSave(
  storage: Storage,
  request: Extract<ExchangeConnectionInput, { kind: "ews" }>,
  allowedHosts: readonly string[],
): Promise<string> {
  const password = request.password ?? (await storage.secrets.get(SECRET.exchangePassword));
  if (!password) throw httpErrors.invalid("admin", [{ path: "password", message: "Autodiscover needs the password" }]);
  try {
    return await autodiscoverEwsUrl({
      emailAddress: request.emailAddress,
      autodiscoverUrl: request.endpoint.mode === "autodiscover" ? request.endpoint.autodiscoverUrl : undefined,
      username: ewsLogonName(request.username ?? request.emailAddress, request.domain),
      password,
      authScheme: request.authScheme,
      allowedHosts,
    });
  } catch (error) {
    if (!(error instanceof AutodiscoverFailed)) throw error;
    throw httpErrors.invalid("admin", [
      { path: error.credentialsRefused ? "password" : "endpoint", message: error.message },
    ]);
  }
}

export function addAdminRoutes(table: RouteTable, context: AppContext): void {
  const { storage } = context;
  const add = <N extends AdminRouteName>(
    name: N,
    handler: RouteHandler<Spec<N>["params"], Spec<N>["request"], Spec<N>["response"]>,
    auth: AuthRequirement = "admin",
  ) => {
    const spec = { ...adminRoutes[name], name, family: "admin", auth } as RouteSpec<
      Spec<N>["params"],
      Spec<N>["request"],
      Spec<N>["response"]
    >;
    table.add(spec, handler);
  };
  const audit = (actor: string | undefined, action: string, detail: Record<string, unknown> = {}) =>
    storage.audit.record(actor ?? "unknown", action, detail);

  add(
    "session",
    async (_input, { koa }) => {
      const id = koa.cookies.get(SESSION_COOKIE);
      const session = id ? await storage.sessions.find(id) : undefined;
      const zoho = await loadZohoConnection(storage);
      return {
        user: session
          ? { zohoUserId: session.principal.zohoUserId, name: session.principal.name, email: session.principal.email }
          : null,
        installed: zoho.status === "connected",
        canAdminister: session?.principal.isAdmin ?? false,
      };
    },
    "public",
  );

  add("setupStatus", async () => {
    const zoho = await presentZohoConnection(storage);
    const exchange = await presentExchangeConnection(storage);
    const access = await loadAccessPolicy(storage);
    const settings = await loadSyncSettings(storage.settings);
    const anySelected = (await storage.users.listSyncable()).length > 0;
    const steps = [
      { step: "zoho" as const, complete: zoho.status === "connected" },
      { step: "exchange" as const, complete: exchange.kind !== "none" },
      { step: "credentials" as const, complete: exchange.kind !== "none" },
      {
        step: "access" as const,
        complete: (await storage.settings.get(ACCESS_POLICY_KEY, AccessPolicy)) !== undefined,
      },
      { step: "settings" as const, complete: settings.revision > 0 },
      { step: "users" as const, complete: anySelected },
    ];
    return {
      steps,
      next: steps.find((step) => !step.complete)?.step ?? null,
      zoho,
      exchange,
      credentialMode: await loadCredentialMode(storage),
      access,
    };
  });

  add("zohoConnection", async () => presentZohoConnection(storage));

  // Zoho's accounts server of the chosen data centre (spec §1) unless configured otherwise. The sandbox's Zoho
  // simulator serves every data centre's at `{base}/{dc}/accounts`, beside the one admins sign in at.
  const sandboxAccounts = context.settings.sandbox ? context.settings.zohoSignIn?.accountsUrl : undefined;
  const accountsFor = (dataCentre: string) =>
    context.settings.zohoAccountsUrls?.[dataCentre] ??
    sandboxAccounts?.replace(/\/[a-z]{2}\/accounts$/, `/${dataCentre.toLowerCase()}/accounts`) ??
    ZOHO_ACCOUNTS[dataCentre as "US"];
  const zohoRedirectUri = () => `${context.settings.publicUrl}${zohoOAuthCallback.path}`;

  add("connectZoho", async ({ request }, { admin }) => {
    const accountsUrl = accountsFor(request.dataCentre);
    if (request.clientSecret) await storage.secrets.put(SECRET.zohoClientSecret, request.clientSecret);
    if (!(await storage.secrets.has(SECRET.zohoClientSecret))) {
      throw httpErrors.invalid("admin", [
        { path: "clientSecret", message: "the client secret is required the first time" },
      ]);
    }
    if (request.grant.kind === "redirect") {
      await beginZohoConnect(storage, {
        dataCentre: request.dataCentre,
        accountsUrl,
        clientId: request.clientId,
        redirectUri: zohoRedirectUri(),
      });
    } else {
      await completeZohoConnect(storage, {
        dataCentre: request.dataCentre,
        accountsUrl,
        clientId: request.clientId,
        code: request.grant.code,
        redirectUri: zohoRedirectUri(),
      });
    }
    await audit(admin?.zohoUserId, "zoho.connect", { dataCentre: request.dataCentre, grant: request.grant.kind });
    return presentZohoConnection(storage);
  });

  table.add(
    {
      name: "zohoOAuthCallback",
      family: "admin",
      method: "GET",
      path: zohoOAuthCallback.path,
      auth: "admin",
      summary: "Zoho's consent page returns here; exchanges the code and goes back to the console's setup",
      params: z.object({}),
      request: zohoOAuthCallback.query,
      response: z.undefined(),
    },
    async ({ request }, { koa }) => {
      const pending = await takeZohoConnectState(storage);
      const connection = await loadZohoConnection(storage);
      const expected = pending ? accountsFor(pending.dataCentre) : undefined;
      const accountsUrl = expected && allowedAccountsServer(request["accounts-server"] ?? expected, expected);
      if (!pending) {
        // No consent in progress (a replayed or forged callback): change nothing.
      } else if (pending.state !== request.state || !accountsUrl || !connection.clientId || !request.code) {
        await saveZohoConnection(storage, {
          ...connection,
          status: "failed",
          authorizeUrl: null,
          lastError: request.error
            ? `Zoho refused: ${request.error}`
            : "the consent answer did not match this bridge's request",
        });
      } else {
        await completeZohoConnect(storage, {
          dataCentre: pending.dataCentre as "US",
          accountsUrl,
          clientId: connection.clientId,
          code: request.code,
          redirectUri: zohoRedirectUri(),
        });
      }
      koa.redirect("/admin/#/setup");
      return undefined;
    },
  );

  add("zohoProfiles", async () => {
    const zoho = await loadZohoConnection(storage);
    if (zoho.status !== "connected") throw notConfigured("the Zoho connection");
    const profiles = await storage.db
      .selectFrom("users")
      .select(["zoho_profile_id as id", "zoho_profile as name"])
      .distinct()
      .orderBy("zoho_profile")
      .execute();
    return { profiles };
  });
  add("exchangeConnection", async () => presentExchangeConnection(storage));

  add("saveExchangeConnection", async ({ request }, { admin }) => {
    if (request.kind === "ews" && request.endpoint.mode === "url") {
      try {
        checkOutboundUrl(request.endpoint.ewsUrl, context.settings.ewsAllowedHosts);
      } catch (error) {
        if (!(error instanceof OutboundUrlRejected)) throw error;
        throw httpErrors.invalid("admin", [
          { path: "endpoint.ewsUrl", message: "this host is not in BRIDGE_EWS_ALLOWED_HOSTS" },
        ]);
      }
    }
    const discoveredEwsUrl =
      request.kind === "ews" && request.endpoint.mode === "autodiscover"
        ? await autodiscoverOnSave(storage, request, context.settings.ewsAllowedHosts)
        : undefined;
    await saveExchangeConnection(storage, request, discoveredEwsUrl).catch((error: unknown) => {
      if (!(error instanceof InvalidAppCertificate)) throw error;
      throw httpErrors.invalid("admin", [{ path: "credential", message: error.message }]);
    });
    await audit(admin?.zohoUserId, "exchange.save", { kind: request.kind });
    return presentExchangeConnection(storage);
  });

  add("credentialMode", async () => {
    const mode = await loadCredentialMode(storage);
    const exchange = await loadExchangeConnection(storage);
    const selected = await storage.users.listSyncable();
    let missing = 0;
    if (mode === "individual") {
      for (const user of selected) if (!(await storage.secrets.has(SECRET.userPassword(user.id)))) missing += 1;
    }
    const account = exchange?.kind === "ews" ? (exchange.username ?? exchange.emailAddress) : "<service account>";
    const appId = exchange?.kind === "graph" ? exchange.clientId : "<application id>";
    return {
      mode,
      usersMissingCredentials: missing,
      permissionCommands: {
        onPremises: [
          `New-ManagementRoleAssignment -Name:ZohoBridgeImpersonation -Role:ApplicationImpersonation -User:${account}`,
        ],
        office365: [
          `New-ServicePrincipal -AppId ${appId} -ObjectId <enterprise application object id> -DisplayName "Zoho CRM Bridge"`,
          `New-ManagementScope -Name "Zoho CRM Bridge users" -RecipientRestrictionFilter "MemberOfGroup -eq '<group DN>'"`,
          ...["Application Contacts.ReadWrite", "Application Calendars.ReadWrite", "Application Mail.Read"].map(
            (role) =>
              `New-ManagementRoleAssignment -App ${appId} -Role "${role}" -CustomResourceScope "Zoho CRM Bridge users"`,
          ),
        ],
      },
    };
  });

  // Switching impersonation ⇄ individual credentials changes only how the bridge logs on to each mailbox: item ids
  // (EWS ItemId, Graph immutable id) do not depend on who logs on, so relations and cursors stay valid and the next
  // run creates no duplicates. Users who would have no usable credential are named before anything is applied.
  add("migrateCredentialMode", async ({ request }, { admin }) => {
    const current = await loadCredentialMode(storage);
    const exchange = await loadExchangeConnection(storage);
    if (!exchange) throw notConfigured("the Exchange connection");
    if (request.to === "individual" && exchange.kind !== "ews") {
      throw httpErrors.invalid("admin", [
        { path: "to", message: "individual credentials exist only for on-premises EWS" },
      ]);
    }
    const users = [];
    for (const user of await storage.users.listSyncable()) {
      const hasPassword = await storage.secrets.has(SECRET.userPassword(user.id));
      const outcome: "ready" | "needs-password" | "unchanged" =
        current === request.to ? "unchanged" : request.to === "individual" && !hasPassword ? "needs-password" : "ready";
      users.push({
        zohoUserId: user.zohoUserId,
        mailbox: user.mailbox,
        outcome,
        detail:
          outcome === "needs-password"
            ? "Store this user's Exchange password first; until then the user is not synced."
            : outcome === "ready"
              ? "Existing pairs are kept; the next run continues from the saved state."
              : "Already in this mode.",
      });
    }
    const serviceAccountReady =
      request.to === "individual" || (await storage.secrets.has(SECRET.exchangePassword)) || exchange.kind === "graph";
    const apply = request.apply && current !== request.to;
    if (apply) {
      await saveCredentialMode(storage, request.to);
      await audit(admin?.zohoUserId, "credential-mode.migrate", { from: current, to: request.to });
    }
    return {
      to: request.to,
      applied: apply,
      steps: [
        {
          title: request.to === "impersonation" ? "Service account with impersonation rights" : "Users' own passwords",
          done:
            request.to === "impersonation"
              ? serviceAccountReady
              : users.every((user) => user.outcome !== "needs-password"),
          detail:
            request.to === "impersonation"
              ? "Grant ApplicationImpersonation (on-premises) or RBAC for Applications (Office 365); see Credential mode."
              : "Each user's password is stored sealed; users without one pause until it is entered.",
        },
        {
          title: "Keep relations (no duplicates)",
          done: true,
          detail: "Relations, cursors and conflicts are kept as they are.",
        },
        {
          title: "Switch the mode",
          done: apply || current === request.to,
          detail: request.apply ? "Applied." : "Preview only.",
        },
      ],
      users,
    };
  });

  add("accessPolicy", async () => loadAccessPolicy(storage));
  add("saveAccessPolicy", async ({ request }, { admin }) => {
    await storage.settings.put(ACCESS_POLICY_KEY, request);
    await audit(admin?.zohoUserId, "access.save", { audience: request.audience });
    return request;
  });

  add("syncSettings", async () => loadSyncSettings(storage.settings));
  add("saveSyncSettings", async ({ request }, { admin }) => {
    const saved = await saveSyncSettings(storage.settings, request, context.now());
    if (!saved) throw new HttpError(409, "stale-revision", "the settings were saved by someone else; reload them");
    await audit(admin?.zohoUserId, "settings.save", { revision: saved.revision });
    return saved;
  });

  add("previewSync", async ({ request }) => {
    const preview = context.preview;
    if (!preview) throw notConfigured("the sync service");
    const users = request.zohoUserIds
      ? (await Promise.all(request.zohoUserIds.map((id) => storage.users.byZohoUserId(id)))).filter(
          (user) => user !== undefined,
        )
      : await storage.users.listSyncable();
    const settings = { ...request.settings, revision: 0, updatedAt: null };
    const mailsAttendees = invitationRule((await loadExchangeConnection(storage))?.kind);
    const rows: ReturnType<typeof runRows> = [];
    const warnings: string[] = [];
    const invitations: DryRunInvitation[] = [];
    for (const user of users) {
      for (const outcome of await preview(user.id, settings)) {
        const run = "runId" in outcome ? await storage.runs.byId(outcome.runId) : undefined;
        if (!run) {
          warnings.push(`${user.mailbox}: ${"reason" in outcome ? outcome.reason : outcome.kind}`);
          continue;
        }
        if (run.status === "held")
          warnings.push(`${user.mailbox} ${run.module}: would stop for confirmation (${run.reason ?? "mass delete"})`);
        if (run.module === "events") invitations.push(...plannedInvitations(outcome.plan ?? [], user, mailsAttendees));
        for (const [side, direction] of [
          ["crm", "exchange-to-zoho"],
          ["exchange", "zoho-to-exchange"],
        ] as const) {
          const planned = run.planned[side];
          if (!planned) continue;
          rows.push({
            module: run.module as "contacts",
            direction,
            counts: {
              creates: planned.creates,
              updates: planned.updates,
              deletes: planned.deletes,
              conflicts: side === "crm" ? (run.totals.conflict ?? 0) : 0,
            },
          });
        }
      }
    }
    if (invitations.length > 0)
      warnings.push(`${invitations.length} meeting invitation(s) or update(s) would be sent by Exchange`);
    return {
      generatedAt: context.now().toISOString(),
      usersPreviewed: users.length,
      rows: sumRows(rows),
      invitations,
      warnings,
    };
  });

  add("users", async ({ request }) => {
    // The admin looks at the list to pick people: a rep added in Zoho minutes ago must be in it.
    await refreshZohoUsersIfStale(
      storage,
      () => context.connectors.orgCrm(),
      context.now(),
      ZOHO_USERS_MAX_AGE_MS.onView,
    ).catch((error: unknown) =>
      context.logger.warn({ err: error }, "Zoho user list not refreshed; showing the stored one"),
    );
    const search = request.search?.toLowerCase();
    const users = (await storage.users.list()).filter(
      (user) =>
        (!search || `${user.fullName} ${user.email} ${user.mailbox}`.toLowerCase().includes(search)) &&
        (!request.zohoStatus || (request.zohoStatus === "active") === user.zohoActive),
    );
    return { users: await Promise.all(users.map((user) => presentUser(storage, user))) };
  });

  add("selectUsers", async ({ request }, { admin }) => {
    const rejected: { zohoUserId: string; reason: "inactive" | "unknown-user" }[] = [];
    const select: string[] = [];
    const deselect: string[] = [];
    for (const [ids, into] of [
      [request.select, select],
      [request.deselect, deselect],
    ] as const) {
      for (const zohoUserId of ids) {
        const user = await storage.users.byZohoUserId(zohoUserId);
        if (!user) rejected.push({ zohoUserId, reason: "unknown-user" });
        else if (into === select && !user.zohoActive) rejected.push({ zohoUserId, reason: "inactive" });
        else into.push(user.id);
      }
    }
    await storage.users.setSelected(select, true);
    await storage.users.setSelected(deselect, false);
    const modules = await enabledAmong(storage, undefined);
    for (const id of select) await enqueueUser(context, id, modules, "initial");
    await audit(admin?.zohoUserId, "users.select", { selected: select.length, deselected: deselect.length });
    const users = await storage.users.list();
    return { users: await Promise.all(users.map((user) => presentUser(storage, user))), rejected };
  });

  add("updateUser", async ({ params, request }, { admin }) => {
    const user = await userOr404(storage, params.zohoUserId);
    if (request.mailbox) await storage.users.setMailbox(user.id, request.mailbox);
    if (request.password) await storage.secrets.put(SECRET.userPassword(user.id), request.password);
    await audit(admin?.zohoUserId, "user.update", { zohoUserId: user.zohoUserId, mailbox: Boolean(request.mailbox) });
    return presentUser(storage, (await storage.users.byId(user.id)) ?? user);
  });

  add("resetUser", async ({ params, request }, { admin }) => {
    const user = await userOr404(storage, params.zohoUserId);
    // Forgetting relations is safe: the next run's first-sync matching re-pairs items present on both sides.
    await storage.syncState.forget(user.id, syncedModules(request.modules));
    await audit(admin?.zohoUserId, "user.reset", { zohoUserId: user.zohoUserId, modules: request.modules ?? "all" });
    return presentUser(storage, user);
  });

  add("syncNow", async ({ request }, { admin }) => {
    const candidates = request.zohoUserIds
      ? await Promise.all(request.zohoUserIds.map(async (id) => ({ id, user: await storage.users.byZohoUserId(id) })))
      : (await storage.users.listSyncable()).map((user) => ({ id: user.zohoUserId, user }));
    const queued: { runId: string; zohoUserId: string }[] = [];
    const skipped: { zohoUserId: string; reason: string }[] = [];
    for (const { id, user } of candidates) {
      if (!user) skipped.push({ zohoUserId: id, reason: "unknown user" });
      else if (!user.zohoActive) skipped.push({ zohoUserId: id, reason: "inactive in Zoho" });
      else if (!user.selected) skipped.push({ zohoUserId: id, reason: "not selected" });
      else {
        for (const job of await enqueueUser(context, user.id, await enabledAmong(storage, request.modules), "manual")) {
          queued.push({ runId: job.jobId, zohoUserId: id });
        }
      }
    }
    await audit(admin?.zohoUserId, "sync.now", { queued: queued.length });
    return { queued, skipped };
  });

  add("runs", async ({ request }) => {
    const user = request.zohoUserId ? await userOr404(storage, request.zohoUserId) : undefined;
    const runs = await storage.runs.recent({ ...(user ? { mailboxId: user.id } : {}), limit: request.limit ?? 50 });
    const users = new Map((await storage.users.list()).map((u) => [u.id, u.zohoUserId]));
    return { runs: runs.map((run) => presentRun(run, users.get(run.mailboxId) ?? run.mailboxId)) };
  });

  add("dashboard", async ({ request }) => buildDashboard(storage, request.range ?? "24h", context.now()));

  add("explainItem", async ({ request }) => {
    const item = { side: request.side, module: request.module, id: request.id, title: request.id };
    for (const user of await storage.users.list()) {
      const trail = await storage.runs.itemTrail(
        user.id,
        request.side === "exchange" ? { exchangeId: request.id } : { crmId: request.id },
      );
      const newest = trail[0];
      if (!newest) continue;
      const counterpartId = request.side === "exchange" ? newest.crmId : newest.exchangeId;
      return {
        item,
        counterpart: counterpartId
          ? {
              side: request.side === "exchange" ? ("zoho" as const) : ("exchange" as const),
              module: request.module,
              id: counterpartId,
              title: counterpartId,
            }
          : null,
        summary: `${newest.status}${newest.reason ? `: ${newest.reason}` : ""} (mailbox ${user.mailbox})`,
        events: trail.map((entry) => ({
          at: entry.at,
          action: `${entry.status}${entry.side ? ` on ${entry.side === "crm" ? "Zoho" : "Exchange"}` : ""}${entry.reason ? ` — ${entry.reason}` : ""}`,
          outcome:
            entry.status === "error"
              ? ("failed" as const)
              : entry.status === "conflict"
                ? ("conflict" as const)
                : entry.status === "skipped" || entry.status === "unchanged"
                  ? ("skipped" as const)
                  : ("applied" as const),
        })),
      };
    }
    return { item, counterpart: null, summary: "No sync run has seen this item yet.", events: [] };
  });

  add("conflicts", async () => {
    const users = new Map((await storage.users.list()).map((u) => [u.id, u.zohoUserId]));
    const entries = await storage.syncState.listAllConflicts();
    return {
      conflicts: entries
        .filter((entry) => !entry.resolution)
        .map((entry) => presentConflict(entry, users.get(entry.scope.mailboxId) ?? entry.scope.mailboxId)),
    };
  });

  add("resolveConflict", async ({ params, request }, { admin }) => {
    const entry = (await storage.syncState.listAllConflicts()).find((candidate) => candidate.id === params.id);
    if (!entry) throw httpErrors.notFound("admin", `no conflict ${params.id}`);
    if (entry.resolution) throw new HttpError(409, "already-resolved", "this conflict was resolved meanwhile");
    let resolution: ConflictResolution;
    if (request.resolution === "merge") {
      const missing = entry.fields.filter((field) => !(field in request.fields));
      if (missing.length > 0) {
        throw httpErrors.invalid("admin", [{ path: "fields", message: `choose a side for ${missing.join(", ")}` }]);
      }
      const merged: Record<string, unknown> = { ...(entry.crm.value as Record<string, unknown>) };
      const exchangeValue = entry.exchange.value as Record<string, unknown>;
      for (const [field, side] of Object.entries(request.fields))
        if (side === "exchange") merged[field] = exchangeValue[field];
      resolution = { keep: "merged", value: merged };
    } else {
      resolution = { keep: request.resolution === "keep-zoho" ? "crm" : "exchange" };
    }
    await storage.syncState.resolveConflict(entry.scope, entry.id, resolution);
    const job = await context.queue.enqueue({
      mailboxId: entry.scope.mailboxId,
      module: entry.scope.module,
      trigger: "manual",
    });
    await audit(admin?.zohoUserId, "conflict.resolve", { id: entry.id, resolution: request.resolution });
    return { id: entry.id, status: "queued" as const, runId: job.jobId };
  });

  add("credentialHealth", async () => credentialHealth(context));

  // The console says "updated and checked": the new password is tried against Exchange first, and a refused one is
  // not stored (the old one stays), with the failing check and Exchange's own words in the error.
  add("updatePassword", async ({ request }, { admin }) => {
    const user = request.zohoUserId ? await userOr404(storage, request.zohoUserId) : undefined;
    const exchange = await loadExchangeConnection(storage);
    if (exchange?.kind !== "ews") throw notConfigured("an on-premises Exchange connection");
    const check = await unlessUnconfigured(() =>
      testExchangePassword(storage, { password: request.password, user }, context.now()),
    );
    if (check.failure) {
      const { step, code, message, hint } = check.failure;
      throw new HttpError(
        502,
        "upstream-failed",
        `The new password was not stored: the ${step} check against Exchange failed (${code}): ${message}. The old password is kept. ${hint}`,
        { reason: code, step },
      );
    }
    if (user) {
      await storage.secrets.put(SECRET.userPassword(user.id), request.password);
      if (user.status === "needs-reauthorization") await storage.users.setStatus(user.id, "pending");
    } else {
      await storage.secrets.put(SECRET.exchangePassword, request.password);
    }
    await audit(admin?.zohoUserId, "password.update", { zohoUserId: request.zohoUserId ?? "service-account" });
    return credentialHealth(context);
  });

  add("uninstall", async ({ request }, { admin }) => {
    const removed: string[] = [];
    const selected = (await storage.users.list()).filter((user) => user.selected);
    await storage.users.setSelected(
      selected.map((user) => user.id),
      false,
    );
    removed.push(`sync for ${selected.length} user(s) stopped`);
    // Before the secrets go: remote channels are deleted and Zoho tokens revoked while we can still authenticate.
    removed.push(...(await releaseRemoteAccess(storage, context.push, context.logger, request.revokeZohoToken)));
    removed.push(`${await storage.subscriptions.removeAll()} change subscription record(s)`);
    await storage.secrets.deleteByPrefix("");
    removed.push("stored credentials (Zoho tokens, Exchange passwords and app secrets)");
    const zoho = await loadZohoConnection(storage);
    await storage.settings.put("zoho-connection", { ...zoho, status: "not-connected", authorizeUrl: null });
    await audit(admin?.zohoUserId, "uninstall", { users: selected.length });
    return {
      removed,
      kept: "Every contact, event, task and e-mail already synced stays in Zoho CRM and in Exchange; relations are kept so a re-install creates no duplicates.",
    };
  });
}

/** A secret or certificate this close to its expiry is reported "expiring", so a renewal fits in the admin's month. */
const CERTIFICATE_WARNING_MS = 30 * 24 * 3_600_000;

async function credentialHealth(context: AppContext): Promise<z.input<typeof CredentialHealth>> {
  const { storage } = context;
  const zoho = await loadZohoConnection(storage);
  const exchange = await loadExchangeConnection(storage);
  const failing = (await storage.users.list()).filter(
    (user) => user.selected && user.status === "needs-reauthorization",
  );
  const status = async (name: string, ok: boolean) =>
    (await storage.secrets.has(name)) ? (ok ? ("ok" as const) : ("failed" as const)) : ("not-set" as const);
  const credentials: z.input<typeof CredentialHealth>["credentials"] = [
    {
      subject: "zoho-refresh-token",
      status: await status(SECRET.zohoRefreshToken, zoho.status !== "failed"),
      expiresAt: null,
      detail: zoho.lastError ?? "Zoho refresh tokens do not expire until revoked.",
    },
  ];
  if (exchange?.kind === "ews") {
    credentials.push({
      subject: "exchange-service-account",
      status: await status(SECRET.exchangePassword, failing.length === 0),
      expiresAt: null,
      detail: "Password of the EWS service account.",
    });
  }
  if (exchange?.kind === "graph") {
    const certificate = exchange.credentialType === "certificate";
    const expiresAt = exchange.credentialExpiresAt ?? exchange.certificate?.notAfter ?? null;
    const left = expiresAt === null ? Number.POSITIVE_INFINITY : Date.parse(expiresAt) - context.now().getTime();
    const stored = await status(certificate ? SECRET.graphPrivateKey : SECRET.graphClientSecret, left > 0);
    credentials.push({
      subject: certificate ? "graph-certificate" : "graph-app-secret",
      status: stored === "ok" && left < CERTIFICATE_WARNING_MS ? "expiring" : stored,
      expiresAt,
      detail:
        left <= 0
          ? `The ${certificate ? "certificate" : "client secret"} has expired: add a new one to the Entra app registration, then save it here.`
          : "Credential of the Entra app registration.",
    });
  }
  return {
    checkedAt: context.now().toISOString(),
    credentials,
    usersFailing: failing.map((user) => ({
      zohoUserId: user.zohoUserId,
      mailbox: user.mailbox,
      status: "failed" as const,
    })),
  };
}
