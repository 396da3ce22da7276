/**
 * Directory-style operations: GetUserAvailability (free/busy from calendars, meeting suggestions), ResolveNames.
 *
 * Suggestions (MS-OXWAVLS 3.1.4.1.4.3 SuggestionQuality): every MeetingDurationInMinutes-long slot starting on
 * the half hour inside the working day (08:00–17:00 Mon–Fri in the request's time zone, see request-zone.ts) of
 * each day of DetailedSuggestionsWindow is scored by the share of attendees with a
 * conflict: 0 % Excellent, <= GoodThreshold (default 25) Good, < 50 % Fair, otherwise Poor. Slots below
 * MinimumSuggestionQuality (default Fair) are dropped, the best MaximumResultsByDay (default 10) are kept in time
 * order, and a day's DayQuality is its best slot's quality (Poor when it has none).
 */

import { expandSeries, isRecurringMaster } from "./calendar.js";
import type { OperationContext } from "./context.js";
import { type RequestZone, requestZone } from "./request-zone.js";
import { operationResponse, responseMessage } from "./soap.js";
import { prop } from "./store.js";
import { child, children, childText, escapeXml, NS, type XNode } from "./xml.js";

interface BusySpan {
  start: string;
  end: string;
  busyType: string;
}

function busySpans(ctx: OperationContext, smtp: string, from: Date, to: Date): BusySpan[] | undefined {
  const mailbox = ctx.org.findMailbox(smtp);
  if (!mailbox) return undefined;
  const calendar = ctx.org.distinguishedFolder(mailbox, "calendar");
  const spans: BusySpan[] = [];
  for (const item of mailbox.items.values()) {
    if (item.folderId !== calendar?.id) continue;
    const busyType = prop(item, "LegacyFreeBusyStatus")?.text ?? "Busy";
    const instances = isRecurringMaster(item)
      ? expandSeries(item, ctx.timeZone, to)
          .filter((o) => !item.exceptions.get(o.index)?.deleted)
          .map((o) => ({ start: o.start, end: o.end }))
      : [{ start: prop(item, "Start")?.text ?? "", end: prop(item, "End")?.text ?? "" }];
    for (const i of instances) {
      if (Date.parse(i.start) < to.getTime() && Date.parse(i.end) > from.getTime()) spans.push({ ...i, busyType });
    }
  }
  return spans.sort((a, b) => a.start.localeCompare(b.start));
}

export function getUserAvailability(ctx: OperationContext, body: XNode): string {
  const zone = requestZone(body, ctx.timeZone);
  const window = child(child(body, "FreeBusyViewOptions"), "TimeWindow");
  const from = new Date(zone.toUtc(childText(window, "StartTime") ?? ""));
  const to = new Date(zone.toUtc(childText(window, "EndTime") ?? ""));
  const requestedView = childText(child(body, "FreeBusyViewOptions"), "RequestedView") ?? "Detailed";
  const responses = children(child(body, "MailboxDataArray"), "MailboxData").map((data) => {
    const smtp = childText(child(data, "Email"), "Address") ?? "";
    const spans = busySpans(ctx, smtp, from, to);
    if (!spans) {
      return `<m:FreeBusyResponse><m:ResponseMessage ResponseClass="Error"><m:MessageText>No mailbox with such SMTP address.</m:MessageText><m:ResponseCode>ErrorMailRecipientNotFound</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey></m:ResponseMessage><m:FreeBusyView><t:FreeBusyViewType>None</t:FreeBusyViewType></m:FreeBusyView></m:FreeBusyResponse>`;
    }
    // Free/busy times are wall-clock times in the request's zone.
    const events = spans
      .map(
        (s) =>
          `<t:CalendarEvent><t:StartTime>${zone.toLocal(Date.parse(s.start))}</t:StartTime><t:EndTime>${zone.toLocal(Date.parse(s.end))}</t:EndTime><t:BusyType>${s.busyType}</t:BusyType></t:CalendarEvent>`,
      )
      .join("");
    const view = requestedView.startsWith("Detailed") ? "Detailed" : "FreeBusy";
    return `<m:FreeBusyResponse><m:ResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode></m:ResponseMessage><m:FreeBusyView><t:FreeBusyViewType>${view}</t:FreeBusyViewType><t:CalendarEventArray>${events}</t:CalendarEventArray></m:FreeBusyView></m:FreeBusyResponse>`;
  });
  const suggestionOptions = child(body, "SuggestionsViewOptions");
  const freeBusy = child(body, "FreeBusyViewOptions")
    ? `<m:FreeBusyResponseArray>${responses.join("")}</m:FreeBusyResponseArray>`
    : "";
  const suggestions = suggestionOptions ? suggestionsResponse(ctx, body, suggestionOptions, zone) : "";
  return `<m:GetUserAvailabilityResponse xmlns:m="${NS.messages}" xmlns:t="${NS.types}">${freeBusy}${suggestions}</m:GetUserAvailabilityResponse>`;
}

const QUALITIES = ["Excellent", "Good", "Fair", "Poor"] as const;
type Quality = (typeof QUALITIES)[number];
const WORK_START_HOUR = 8;
const WORK_END_HOUR = 17;
const SLOT_STEP_MS = 30 * 60_000;
const DAY_MS = 24 * 3_600_000;

function quality(conflictPercent: number, goodThreshold: number): Quality {
  if (conflictPercent === 0) return "Excellent";
  if (conflictPercent <= goodThreshold) return "Good";
  return conflictPercent < 50 ? "Fair" : "Poor";
}

function intOption(options: XNode, name: string, fallback: number): number {
  const value = Number(childText(options, name));
  return childText(options, name) === undefined || Number.isNaN(value) ? fallback : value;
}

/**
 * Days and slots are walked on the request zone's wall clock, held as UTC-based milliseconds (`wall`); busy spans are
 * brought onto the same clock.
 */
function suggestionsResponse(ctx: OperationContext, body: XNode, options: XNode, zone: RequestZone): string {
  const window = child(options, "DetailedSuggestionsWindow");
  const wall = (utcMs: number) => Date.parse(`${zone.toLocal(utcMs)}Z`);
  const from = new Date(wall(zone.toUtc(childText(window, "StartTime") ?? "")));
  const to = new Date(wall(zone.toUtc(childText(window, "EndTime") ?? "")));
  const durationMs = intOption(options, "MeetingDurationInMinutes", 30) * 60_000;
  const goodThreshold = intOption(options, "GoodThreshold", 25);
  const maxPerDay = intOption(options, "MaximumResultsByDay", 10);
  const minimum = QUALITIES.indexOf((childText(options, "MinimumSuggestionQuality") ?? "Fair") as Quality);
  const utcFrom = new Date(zone.toUtc(childText(window, "StartTime") ?? ""));
  const utcTo = new Date(zone.toUtc(childText(window, "EndTime") ?? "") + DAY_MS);
  const attendees = children(child(body, "MailboxDataArray"), "MailboxData").map((data) =>
    busySpans(ctx, childText(child(data, "Email"), "Address") ?? "", utcFrom, utcTo)?.map((span) => ({
      ...span,
      start: wall(Date.parse(span.start)),
      end: wall(Date.parse(span.end)),
    })),
  );
  const days: string[] = [];
  for (
    let day = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
    day < to.getTime();
    day += DAY_MS
  ) {
    const weekday = new Date(day).getUTCDay();
    const slots: { start: number; quality: Quality; conflicts: string }[] = [];
    const workEnd = day + WORK_END_HOUR * 3_600_000;
    for (
      let start = day + WORK_START_HOUR * 3_600_000;
      weekday % 6 !== 0 && start + durationMs <= workEnd;
      start += SLOT_STEP_MS
    ) {
      const end = start + durationMs;
      const busy = attendees.map((spans) =>
        spans?.find((s) => s.busyType !== "Free" && s.start < end && s.end > start),
      );
      const conflicted = busy.filter((b) => b !== undefined).length;
      const slotQuality = quality(attendees.length ? (100 * conflicted) / attendees.length : 0, goodThreshold);
      if (QUALITIES.indexOf(slotQuality) > minimum) continue;
      const conflicts = attendees
        .map((spans, i) =>
          spans
            ? `<t:IndividualAttendeeConflictData><t:BusyType>${busy[i]?.busyType ?? "Free"}</t:BusyType></t:IndividualAttendeeConflictData>`
            : "<t:UnknownAttendeeConflictData/>",
        )
        .join("");
      slots.push({ start, quality: slotQuality, conflicts });
    }
    const kept = [...slots]
      .sort((a, b) => QUALITIES.indexOf(a.quality) - QUALITIES.indexOf(b.quality) || a.start - b.start)
      .slice(0, maxPerDay)
      .sort((a, b) => a.start - b.start);
    const dayQuality = QUALITIES[Math.min(...kept.map((s) => QUALITIES.indexOf(s.quality)), 3)];
    const suggestionXml = kept
      .map(
        (s) =>
          `<t:Suggestion><t:MeetingTime>${localTime(s.start)}</t:MeetingTime><t:IsWorkTime>true</t:IsWorkTime><t:SuggestionQuality>${s.quality}</t:SuggestionQuality><t:AttendeeConflictDataArray>${s.conflicts}</t:AttendeeConflictDataArray></t:Suggestion>`,
      )
      .join("");
    days.push(
      `<t:SuggestionDayResult><t:Date>${localTime(day)}</t:Date><t:DayQuality>${dayQuality}</t:DayQuality><t:SuggestionArray>${suggestionXml}</t:SuggestionArray></t:SuggestionDayResult>`,
    );
  }
  return `<m:SuggestionsResponse><m:ResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode></m:ResponseMessage><m:SuggestionDayResultArray>${days.join("")}</m:SuggestionDayResultArray></m:SuggestionsResponse>`;
}

/** A wall-clock millisecond value as the response writes it: no offset, like free/busy events. */
function localTime(wallMs: number): string {
  return new Date(wallMs).toISOString().slice(0, 19);
}

export function resolveNames(ctx: OperationContext, body: XNode): string {
  const needle = (childText(body, "UnresolvedEntry") ?? "").toLowerCase().replace(/^smtp:/, "");
  const matches = [...ctx.org.mailboxes.values()].filter(
    (m) => m.smtp.startsWith(needle) || m.displayName.toLowerCase().includes(needle),
  );
  const resolutions = matches
    .slice(0, 100)
    .map(
      (m) =>
        `<t:Resolution><t:Mailbox><t:Name>${escapeXml(m.displayName)}</t:Name><t:EmailAddress>${m.smtp}</t:EmailAddress><t:RoutingType>SMTP</t:RoutingType><t:MailboxType>Mailbox</t:MailboxType></t:Mailbox></t:Resolution>`,
    )
    .join("");
  const set = `<m:ResolutionSet TotalItemsInView="${matches.length}" IncludesLastItemInRange="true">${resolutions}</m:ResolutionSet>`;
  if (matches.length === 0) {
    return operationResponse("ResolveNames", [
      responseMessage("ResolveNames", "", { code: "ErrorNameResolutionNoResults", text: "No results were found." }),
    ]);
  }
  if (matches.length > 1) {
    return operationResponse("ResolveNames", [
      responseMessage(
        "ResolveNames",
        set,
        { code: "ErrorNameResolutionMultipleResults", text: "Multiple results were found." },
        true,
      ),
    ]);
  }
  return operationResponse("ResolveNames", [responseMessage("ResolveNames", set)]);
}
