/**
 * Meetings scheduled from the admin console: attendee look-up, free/busy and creating one meeting on both sides.
 *
 * Invariants:
 * - Both sides are written through the same record ports the sync engine uses (the organizer's mailbox and CRM view,
 *   opened as `AddinCrm` opens them), and the pair is then recorded as a relation with the ids, versions and side
 *   hashes the writes returned — exactly what the engine stores after its own create — so the next sync sees an
 *   unchanged pair and creates no duplicate on either side.
 * - The Exchange write is made first with `notifyAttendees` for a meeting (Exchange mails the invitations); if the
 *   Zoho write then fails, the Exchange event is left in place and the next sync creates its Zoho counterpart.
 * - Free/busy uses the mailbox port's call: Graph `getSchedule` or EWS GetUserAvailability, both answering Graph's
 *   availabilityView digits (0 free, 1 tentative, 2 busy, 3 oof, 4 working elsewhere; graph-and-addin.md §1.7).
 *   A port without one reports every slot "unknown" with an error per attendee instead of pretending they are free.
 */
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { Availability, AvailabilityRequest, CreateMeetingRequest, FreeBusy } from "../api/admin.js";
import {
  ConnectorError,
  type ExchangePort,
  type ItemResult,
  type RecordPort,
  type RemoteItem,
} from "../connectors/port.js";
import { personLike } from "../connectors/zoho/mail.js";
import type { CalendarEvent } from "../model/event.js";
import { eventSyncModule } from "../model/sync-modules.js";
import type { Storage } from "../storage/index.js";
import type { BridgeUser } from "../storage/user-repository.js";
import { sideHash } from "../sync/compare.js";
import type { AddinCrm } from "./addin-crm.js";
import { exchangeApiOf } from "./connectors.js";

const AVAILABILITY_VIEW: Record<string, FreeBusy> = {
  "0": "free",
  "1": "tentative",
  "2": "busy",
  "3": "oof",
  "4": "working-elsewhere",
};
const SEARCH_LIMIT = 20;

export interface AttendeeCandidate {
  kind: "contact" | "lead" | "user";
  id: string;
  name: string;
  email: string;
}

function failure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The one item a single-item create returned, or its failure thrown. */
function created<T>(results: readonly ItemResult<RemoteItem<T>>[]): RemoteItem<T> {
  const [result] = results;
  if (!result) throw new ConnectorError({ kind: "transient", message: "the service returned no result" });
  if (!result.ok) throw new ConnectorError(result.failure);
  return result.value;
}

export class MeetingService {
  constructor(
    private readonly storage: Storage,
    private readonly crm: AddinCrm,
  ) {}

  /** Contacts and Leads (exact COQL `like`, no search-index lag) and the bridge's Zoho users matching `search`. */
  async searchAttendees(organizer: BridgeUser, search: string, kind?: AttendeeCandidate["kind"]) {
    const candidates: AttendeeCandidate[] = [];
    const nameOrEmail = personLike(search);
    const modules = [
      ["Contacts", "contact"],
      ["Leads", "lead"],
    ] as const;
    const port = kind === "user" ? undefined : await this.crm.zoho(organizer);
    for (const [module, moduleKind] of modules) {
      if (!port || (kind && kind !== moduleKind)) continue;
      const rows = await this.crm.coql(
        port,
        `select First_Name, Last_Name, Email from ${module} where ${nameOrEmail} limit ${SEARCH_LIMIT}`,
      );
      for (const row of rows) {
        if (typeof row.Email !== "string") continue;
        const name = [row.First_Name, row.Last_Name].filter((part) => typeof part === "string").join(" ");
        candidates.push({ kind: moduleKind, id: String(row.id), name, email: row.Email });
      }
    }
    if (!kind || kind === "user") {
      const wanted = search.toLowerCase();
      for (const user of await this.storage.users.list()) {
        if (!user.zohoActive || !`${user.fullName} ${user.email}`.toLowerCase().includes(wanted)) continue;
        candidates.push({ kind: "user", id: user.zohoUserId, name: user.fullName, email: user.mailbox });
      }
    }
    return candidates;
  }

  async availability(
    organizer: BridgeUser,
    request: z.infer<typeof AvailabilityRequest>,
  ): Promise<z.input<typeof Availability>> {
    const slotCount = Math.ceil(
      (Date.parse(request.end) - Date.parse(request.start)) / (request.intervalMinutes * 60_000),
    );
    const unknown = (email: string, error: string) => ({
      email,
      slots: Array.from({ length: slotCount }, () => "unknown" as const),
      error,
    });
    const result = { start: request.start, intervalMinutes: request.intervalMinutes };
    const schedules = await this.crm.connectors.freeBusy(
      organizer,
      request.emails,
      new Date(request.start).toISOString(),
      new Date(request.end).toISOString(),
      request.intervalMinutes,
    );
    if (!schedules) {
      const reason = "this mailbox's connector offers no free/busy";
      return { ...result, schedules: request.emails.map((email) => unknown(email, reason)) };
    }
    return {
      ...result,
      schedules: request.emails.map((email) => {
        const found = schedules.find((schedule) => schedule.address.toLowerCase() === email.toLowerCase());
        if (!found) return unknown(email, "no free/busy information for this address");
        return {
          email,
          slots: Array.from(
            { length: slotCount },
            (_, index) => AVAILABILITY_VIEW[found.availabilityView[index] ?? ""] ?? "unknown",
          ),
          error: null,
        };
      }),
    };
  }

  /** Creates the Exchange event (inviting attendees for a meeting) and the Zoho Event, paired as one relation. */
  async create(organizer: BridgeUser, request: z.infer<typeof CreateMeetingRequest>) {
    const mailbox = await this.crm.mailbox(organizer);
    try {
      return await this.createIn(mailbox, organizer, request);
    } finally {
      await mailbox.close();
    }
  }

  private async createIn(mailbox: ExchangePort, organizer: BridgeUser, request: z.infer<typeof CreateMeetingRequest>) {
    const crmPort = await this.crm.zoho(organizer);
    const exchangeEvents = mailbox.modules.events as RecordPort<CalendarEvent> | undefined;
    const crmEvents = crmPort.modules.events as RecordPort<CalendarEvent> | undefined;
    if (!exchangeEvents || !crmEvents) {
      throw new ConnectorError({ kind: "mailbox-unavailable", message: "events are not available on both sides" });
    }
    const attendees = request.kind === "meeting" ? request.attendees : [];
    const event: CalendarEvent = {
      subject: request.subject,
      span: {
        kind: "timed",
        start: new Date(request.start).toISOString(),
        end: new Date(request.end).toISOString(),
      },
      timeZone: request.timeZone,
      ...(request.location ? { location: request.location } : {}),
      ...(request.description ? { body: request.description } : {}),
      attendees: attendees.map((attendee) => ({
        address: attendee.email,
        name: attendee.name,
        type: "required" as const,
        response: "notResponded" as const,
      })),
      ...(request.reminder.enabled ? { reminderMinutesBefore: request.reminder.minutesBefore } : {}),
      movedOccurrences: [],
      cancelledOccurrences: [],
      categories: [],
      sensitivity: "normal",
    };
    const exchangeItem = created(
      await exchangeEvents.create([{ value: event, notifyAttendees: attendees.length > 0 }]),
    );
    const crmItem = created(await crmEvents.create([{ value: event }]));
    const module = eventSyncModule(exchangeApiOf(mailbox));
    await this.storage.syncState.saveRelation(
      { mailboxId: organizer.id, module: "events" },
      {
        id: randomUUID(),
        exchangeId: exchangeItem.id,
        exchangeVersion: exchangeItem.version,
        exchangeHash: sideHash(module, "exchange", exchangeItem.value),
        crmId: crmItem.id,
        crmVersion: crmItem.version,
        crmHash: sideHash(module, "crm", crmItem.value),
        // Exchange holds every field (time zone, attendee types) Zoho lacks: the richer merge base.
        base: exchangeItem.value,
        schemaVersion: module.schemaVersion,
        syncedAt: new Date().toISOString(),
      },
    );
    return { exchangeId: exchangeItem.id, zohoEventId: crmItem.id, invitationsSent: attendees.length };
  }

  /** Re-checks a user's mailbox credentials by reading one page of contacts; failures keep the connector's kind. */
  async probeMailbox(user: BridgeUser): Promise<{ ok: true } | { ok: false; kind: string; message: string }> {
    try {
      const mailbox = await this.crm.mailbox(user);
      try {
        await mailbox.modules.contacts?.listAll(undefined);
      } finally {
        await mailbox.close();
      }
      return { ok: true };
    } catch (error) {
      if (error instanceof ConnectorError) return { ok: false, kind: error.failure.kind, message: error.message };
      return { ok: false, kind: "server-error", message: failure(error) };
    }
  }
}
