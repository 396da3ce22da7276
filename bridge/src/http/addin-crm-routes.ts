/**
 * Add-in routes that reach Zoho CRM and the user's mailbox: context, people search/create, item status, send e-mail
 * to CRM, follow-ups and availability. Same rules as `addin-routes.ts`: the user is the verified token's subject, no
 * route takes a user or mailbox from the request. Connector failures become the contract's add-in codes:
 * not configured → CRM_NOT_CONNECTED (409), throttled → THROTTLED (429), Zoho refused the data → CRM_REJECTED (422).
 */
import { freeBusyStatusSchema } from "../api/addin.js";
import { ConnectorError } from "../connectors/port.js";
import { coqlString, personLike } from "../connectors/zoho/mail.js";
import { AddinCrm, type PersonModule, zohoDateTime } from "../services/addin-crm.js";
import { loadExchangeConnection } from "../services/connections.js";
import { loadSyncSettings } from "../services/sync-settings.js";
import type { FiledRecord } from "../storage/email-association-store.js";
import type { BridgeUser } from "../storage/user-repository.js";
import { addinRouteAdder } from "./addin-routes.js";
import type { AppContext } from "./context.js";
import { HttpError } from "./errors.js";
import type { RouteTable } from "./routes.js";

/** The field Zoho shows as a record's name, per module. */
const DISPLAY_FIELD = {
  Contacts: "Full_Name",
  Leads: "Full_Name",
  Accounts: "Account_Name",
  Deals: "Deal_Name",
} as const;
/** Messages the sandbox preview offers per mailbox. */
const PREVIEW_ITEMS = 8;

function translate(error: unknown): never {
  if (error instanceof ConnectorError) {
    const { failure } = error;
    if (failure.kind === "throttled") {
      throw new HttpError(429, "THROTTLED", "Zoho CRM is throttling requests; try again shortly", undefined, {
        "retry-after": String(Math.ceil(failure.retryAfterMs / 1000)),
      });
    }
    if (failure.kind === "mailbox-unavailable" || failure.kind === "auth-expired") {
      // A setup state, not a server fault: 409 as the admin API's `not-connected`.
      throw new HttpError(409, "CRM_NOT_CONNECTED", failure.message);
    }
    if (failure.kind === "invalid-record") throw new HttpError(422, "CRM_REJECTED", failure.message);
    if (failure.kind === "not-found") throw new HttpError(404, "RECORD_NOT_FOUND", failure.message);
  }
  throw error;
}

/** The add-in's CRM service for this process, reaching Zoho and the mailboxes through the process's connectors. */
export function addinCrmFor(context: AppContext): AddinCrm {
  return new AddinCrm(context.storage, context.connectors);
}

export function addAddinCrmRoutes(table: RouteTable, context: AppContext): void {
  const crm = addinCrmFor(context);

  const add = addinRouteAdder(table, translate);

  add("context", async ({ request }, { user }) => {
    const port = await crm.zoho(user as BridgeUser);
    const matches = await crm.peopleByEmail(port, request.emails);
    const people = [];
    for (const email of request.emails) {
      const records = [];
      for (const match of matches.get(email.toLowerCase()) ?? []) {
        const person = await crm.person(port, match.module, match.id);
        if (person) records.push(person);
      }
      people.push({ email, records });
    }
    return { people };
  });

  add("searchPeople", async ({ request }, { user }) => {
    const port = await crm.zoho(user as BridgeUser);
    const nameOrEmail = personLike(request.q);
    const records = [];
    for (const module of ["Contacts", "Leads"] as const) {
      const rows = await crm.coql(
        port,
        `select First_Name, Last_Name, Email from ${module} where ${nameOrEmail} limit 20`,
      );
      for (const row of rows) {
        if (typeof row.Email !== "string") continue;
        const name = [row.First_Name, row.Last_Name].filter((part) => typeof part === "string").join(" ");
        records.push({ module, id: String(row.id), name, email: row.Email });
      }
    }
    return { records };
  });

  add("createPerson", async ({ request }, { user }) => {
    const port = await crm.zoho(user as BridgeUser);
    const existing = (await crm.peopleByEmail(port, [request.email])).get(request.email.toLowerCase()) ?? [];
    const same = existing.find((match) => match.module === request.module) ?? existing[0];
    if (same) {
      const record = await crm.person(port, same.module, same.id);
      if (record) return { created: false, record };
    }
    const values: Record<string, unknown> = {
      Last_Name: request.lastName,
      Email: request.email,
      ...(request.firstName ? { First_Name: request.firstName } : {}),
      ...(request.title ? { [request.module === "Leads" ? "Designation" : "Title"]: request.title } : {}),
      ...(request.phone ? { Phone: request.phone } : {}),
    };
    if (request.company && request.module === "Leads") values.Company = request.company;
    if (request.company && request.module === "Contacts") {
      // Contacts link an existing Account by exact name; the add-in never creates Accounts implicitly.
      const [account] = await crm.coql(
        port,
        `select Account_Name from Accounts where Account_Name = ${coqlString(request.company)} limit 1`,
      );
      if (account) values.Account_Name = { id: String(account.id) };
    }
    const id = await crm.insert(port, request.module, values);
    const record = await crm.person(port, request.module, id);
    if (!record) throw new HttpError(502, "CRM_REJECTED", "Zoho did not return the record it just created");
    return { created: true, record };
  });

  add("itemStatus", async ({ request }, { user }) => {
    if (request.itemType === "message") {
      const filed = request.internetMessageId
        ? await crm.filedRecords(user as BridgeUser, request.internetMessageId)
        : [];
      if (filed.length > 0) return { state: "synced", reason: null, crmRecords: filed, lastSyncedAt: null };
      return {
        state: "not-synced",
        reason: { code: "not-sent-to-crm", message: "this e-mail has not been sent to the CRM" },
        crmRecords: [],
        lastSyncedAt: null,
      };
    }
    // Appointments: the calendar sync's relation for this item id, if it paired one (either id the add-in knows).
    const me = user as BridgeUser;
    const itemIds = new Set([request.restItemId, request.ewsItemId].filter((id) => id !== undefined));
    const relation = (await context.storage.syncState.listRelations({ mailboxId: me.id, module: "events" })).find(
      (row) => itemIds.has(row.exchangeId),
    );
    if (relation) return { state: "synced", reason: null, crmRecords: [], lastSyncedAt: relation.syncedAt };
    const settings = await loadSyncSettings(context.storage.settings);
    const enabled = settings.modules.events.enabled && me.moduleOverrides.events !== false;
    return {
      state: "not-synced",
      reason: enabled
        ? { code: "not-yet-synced", message: "the calendar sync has not paired this meeting with a Zoho event yet" }
        : { code: "module-disabled", message: "calendar sync is switched off for your mailbox" },
      crmRecords: [],
      lastSyncedAt: null,
    };
  });

  add("sendEmail", async ({ request }, { user }) => {
    const me = user as BridgeUser;
    const port = await crm.zoho(me);
    // Fetched only when some target still needs it, so a message filed before and then moved or deleted still
    // answers "already-associated" from the stored association.
    let message: Awaited<ReturnType<typeof crm.message>>;
    const fetchMessage = async () => {
      message ??= await crm.message(me, request.internetMessageId, request.includeAttachments);
      if (!message) throw new HttpError(404, "MESSAGE_NOT_FOUND", "the e-mail is not in your mailbox");
      return message;
    };
    const filed = await crm.filedRecords(me, request.internetMessageId);
    const results = [];
    for (const target of request.targets) {
      const record = await crm.record(port, target.module, target.id);
      if (!record) throw new HttpError(404, "RECORD_NOT_FOUND", `${target.module} ${target.id} does not exist`);
      const name = String(record[DISPLAY_FIELD[target.module]] ?? record.Last_Name ?? "");
      const ref: FiledRecord = { module: target.module, id: target.id, name };
      if (filed.some((entry) => entry.module === target.module && entry.id === target.id)) {
        results.push({ target: ref, status: "already-associated" as const, error: null });
        continue;
      }
      const { item, files } = await fetchMessage();
      const outcome = await port.mail.associateEmail(
        // associate_email takes any module with an Emails related list (Accounts and Deals too, zoho-crm-api.md
        // §4); the port's person type is narrower than the endpoint, and only module and id reach the request.
        { module: target.module as PersonModule, id: target.id, email: String(record.Email ?? "") },
        item,
        files,
      );
      if (outcome.ok) {
        await crm.rememberFiled(me, request.internetMessageId, ref);
        results.push({ target: ref, status: "associated" as const, error: null });
      } else {
        results.push({
          target: ref,
          status: "failed" as const,
          error: { code: "CRM_REJECTED", message: outcome.failure.message },
        });
      }
    }
    return { internetMessageId: request.internetMessageId, results };
  });

  add("createFollowUp", async ({ request }, { user }) => {
    const port = await crm.zoho(user as BridgeUser);
    const what = request.what ? { What_Id: { id: request.what.id }, $se_module: request.what.module } : {};
    if (request.kind === "task") {
      // A Lead can only be a task's What_Id; Who_Id takes Contacts (zoho-crm-api.md §3).
      const who =
        request.who?.module === "Contacts"
          ? { Who_Id: { id: request.who.id } }
          : request.who
            ? { What_Id: { id: request.who.id }, $se_module: "Leads" }
            : {};
      const id = await crm.insert(port, "Tasks", {
        Subject: request.subject,
        ...(request.dueDate ? { Due_Date: request.dueDate } : {}),
        ...(request.priority ? { Priority: request.priority } : {}),
        ...(request.description ? { Description: request.description } : {}),
        ...who,
        ...what,
      });
      return { module: "Tasks" as const, id, name: request.subject, crmUrl: null };
    }
    const id = await crm.insert(port, "Events", {
      Event_Title: request.title,
      Start_DateTime: zohoDateTime(request.start),
      End_DateTime: zohoDateTime(request.end),
      ...(request.venue ? { Venue: request.venue } : {}),
      ...(request.description ? { Description: request.description } : {}),
      Participants: request.participants.map((participant) => ({
        type: participant.module === "Contacts" ? "contact" : "lead",
        participant: participant.id,
      })),
      ...what,
    });
    return { module: "Events" as const, id, name: request.title, crmUrl: null };
  });

  add("sandboxItems", async ({ request }) => {
    const users = (await context.storage.users.list()).filter((user) => user.selected);
    const exchange = await loadExchangeConnection(context.storage);
    const mailboxes = users.map((user) => ({
      address: user.mailbox,
      displayName: user.fullName,
      server: exchange?.kind === "ews" ? ("exchange-onprem" as const) : ("office365" as const),
    }));
    const chosen = request.mailbox
      ? users.find((user) => user.mailbox.toLowerCase() === request.mailbox?.toLowerCase())
      : users[0];
    if (request.mailbox && !chosen)
      throw new HttpError(404, "MAILBOX_NOT_ENABLED", "no simulated mailbox with that address");
    return { mailboxes, items: chosen ? await crm.previewMessages(chosen, PREVIEW_ITEMS) : [] };
  });

  add("availability", async ({ request }, { user }) => {
    const schedules = await context.connectors.freeBusy(
      user as BridgeUser,
      request.emails,
      request.start,
      request.end,
      request.intervalMinutes,
    );
    if (!schedules) throw new HttpError(501, "NOT_SUPPORTED", "this mailbox's connector offers no free/busy");
    return {
      schedules: request.emails.map((email) => {
        const found = schedules.find((schedule) => schedule.address.toLowerCase() === email.toLowerCase());
        return {
          email,
          availabilityView: found?.availabilityView ?? "",
          items: (found?.busy ?? []).map((entry) => ({
            start: entry.start,
            end: entry.end,
            status: freeBusyStatusSchema.catch("unknown").parse(entry.status),
          })),
          error: found ? null : { code: "NO_SCHEDULE", message: "no free/busy information for this address" },
        };
      }),
    };
  });
}
