/**
 * Admin API routes for scheduling meetings from the console: attendee search, free/busy and creating the meeting in
 * Exchange (with invitations) and Zoho CRM, through `MeetingService`. Contract: `api/admin.ts`, nothing redeclared.
 * Connector failures keep the admin API's error shape: not configured / credentials → 409, throttled → 429, the
 * service rejected the meeting → 422.
 */
import { type AdminRouteName, adminRoutes } from "../api/admin.js";
import { ConnectorError } from "../connectors/port.js";
import { AddinCrm } from "../services/addin-crm.js";
import { MeetingService } from "../services/meetings.js";
import type { AppContext } from "./context.js";
import { HttpError, httpErrors } from "./errors.js";
import type { RouteHandler, RouteSpec, RouteTable } from "./routes.js";

type Spec<N extends AdminRouteName> = (typeof adminRoutes)[N];

/** Registers admin-only routes of the contract on `table` (the same shape `admin-routes.ts` uses). */
export function adminRouteAdder(table: RouteTable) {
  return <N extends AdminRouteName>(
    name: N,
    handler: RouteHandler<Spec<N>["params"], Spec<N>["request"], Spec<N>["response"]>,
  ) => {
    const spec = { ...adminRoutes[name], name, family: "admin", auth: "admin" } as RouteSpec<
      Spec<N>["params"],
      Spec<N>["request"],
      Spec<N>["response"]
    >;
    table.add(spec, handler);
  };
}

/** The meeting service, reaching mailboxes and Zoho exactly as the add-in's CRM routes do. */
export function meetingService(context: AppContext): MeetingService {
  return new MeetingService(context.storage, new AddinCrm(context.storage, context.connectors));
}

/** Connector failures as admin API errors; anything else is a bug and propagates (500). */
export function translateConnectorError(error: unknown): never {
  if (error instanceof ConnectorError) {
    const { failure } = error;
    if (failure.kind === "throttled") {
      throw new HttpError(429, "throttled", failure.message, undefined, {
        "retry-after": String(Math.ceil(failure.retryAfterMs / 1000)),
      });
    }
    if (failure.kind === "invalid-record") throw new HttpError(422, "rejected", failure.message);
    if (failure.kind === "mailbox-unavailable" || failure.kind === "auth-expired") {
      throw new HttpError(409, "not-connected", failure.message);
    }
    throw new HttpError(502, "upstream-failed", failure.message);
  }
  throw error;
}

export function addAdminMeetingRoutes(table: RouteTable, context: AppContext): void {
  const { storage } = context;
  const add = adminRouteAdder(table);
  const meetings = meetingService(context);
  const organizer = async (zohoUserId: string) => {
    const user = await storage.users.byZohoUserId(zohoUserId);
    if (!user) throw httpErrors.notFound("admin", `no user ${zohoUserId}`);
    return user;
  };

  add("searchAttendees", async ({ request }, { admin }) => {
    // Contacts and Leads are searched in the signed-in admin's CRM view, as the console shows them.
    const viewer = await organizer(admin?.zohoUserId ?? "");
    const candidates = await meetings
      .searchAttendees(viewer, request.search, request.kind)
      .catch(translateConnectorError);
    return { candidates };
  });

  add("availability", async ({ request }) => {
    if (Date.parse(request.end) <= Date.parse(request.start)) {
      throw httpErrors.invalid("admin", [{ path: "end", message: "The end must be after the start." }]);
    }
    const user = await organizer(request.organizerZohoUserId);
    return meetings.availability(user, request).catch(translateConnectorError);
  });

  add("createMeeting", async ({ request }, { admin }) => {
    const user = await organizer(request.organizerZohoUserId);
    const created = await meetings.create(user, request).catch(translateConnectorError);
    await storage.audit.record(admin?.zohoUserId ?? "unknown", "meeting.create", {
      organizer: user.zohoUserId,
      attendees: request.attendees.length,
    });
    return created;
  });
}
