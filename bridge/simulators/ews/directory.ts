/** Directory-style operations: GetUserAvailability (free/busy from calendars), ResolveNames, ConvertId. */

import { expandSeries, isRecurringMaster } from "./calendar.js";
import type { OperationContext } from "./context.js";
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

function absolute(value: string | undefined): Date {
  const text = value ?? "";
  return new Date(/(Z|[+-]\d\d:\d\d)$/.test(text) ? text : `${text}Z`);
}

const noOffset = (utc: string) => utc.replace(/Z$/, "");

export function getUserAvailability(ctx: OperationContext, body: XNode): string {
  const window = child(child(body, "FreeBusyViewOptions"), "TimeWindow");
  const from = absolute(childText(window, "StartTime"));
  const to = absolute(childText(window, "EndTime"));
  const requestedView = childText(child(body, "FreeBusyViewOptions"), "RequestedView") ?? "Detailed";
  const responses = children(child(body, "MailboxDataArray"), "MailboxData").map((data) => {
    const smtp = childText(child(data, "Email"), "Address") ?? "";
    const spans = busySpans(ctx, smtp, from, to);
    if (!spans) {
      return `<m:FreeBusyResponse><m:ResponseMessage ResponseClass="Error"><m:MessageText>No mailbox with such SMTP address.</m:MessageText><m:ResponseCode>ErrorMailRecipientNotFound</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey></m:ResponseMessage><m:FreeBusyView><t:FreeBusyViewType>None</t:FreeBusyViewType></m:FreeBusyView></m:FreeBusyResponse>`;
    }
    // Free/busy times are expressed in the request's TimeZone (the simulator asks clients for UTC bias 0).
    const events = spans
      .map(
        (s) =>
          `<t:CalendarEvent><t:StartTime>${noOffset(s.start)}</t:StartTime><t:EndTime>${noOffset(s.end)}</t:EndTime><t:BusyType>${s.busyType}</t:BusyType></t:CalendarEvent>`,
      )
      .join("");
    const view = requestedView.startsWith("Detailed") ? "Detailed" : "FreeBusy";
    return `<m:FreeBusyResponse><m:ResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode></m:ResponseMessage><m:FreeBusyView><t:FreeBusyViewType>${view}</t:FreeBusyViewType><t:CalendarEventArray>${events}</t:CalendarEventArray></m:FreeBusyView></m:FreeBusyResponse>`;
  });
  return `<m:GetUserAvailabilityResponse xmlns:m="${NS.messages}" xmlns:t="${NS.types}"><m:FreeBusyResponseArray>${responses.join("")}</m:FreeBusyResponseArray></m:GetUserAvailabilityResponse>`;
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

/** The simulator's ids are the same in every format; ConvertId echoes them in the requested format. */
export function convertId(_ctx: OperationContext, body: XNode): string {
  const format = body.attrs.DestinationFormat ?? "EwsId";
  const messages = (child(body, "SourceIds")?.children ?? []).map((source) =>
    responseMessage(
      "ConvertId",
      `<m:AlternateId xsi:type="t:AlternateIdType" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" Format="${format}" Id="${escapeXml(source.attrs.Id ?? "")}" Mailbox="${escapeXml(source.attrs.Mailbox ?? "")}"/>`,
    ),
  );
  return operationResponse("ConvertId", messages);
}
