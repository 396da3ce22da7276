/**
 * Mail flow inside the simulated org: sent messages land in recipients' Inboxes, meeting requests put a
 * MeetingRequest in the attendee's Inbox and the meeting (same UID) on the attendee's calendar, cancellations
 * mark it cancelled. Recipients outside the org are dropped (there is no outside world here).
 */
import type { OperationContext } from "./context.js";
import { mailboxElement, recipientsOf } from "./items.js";
import type { Mailbox, Organisation, StoredItem } from "./store.js";
import { newInternetMessageId, prop, setProp } from "./store.js";
import { cloneNode, el, type XNode } from "./xml.js";

const MEETING_FIELDS = [
  "Subject",
  "Body",
  "Start",
  "End",
  "Location",
  "UID",
  "Recurrence",
  "RequiredAttendees",
  "OptionalAttendees",
  "StartTimeZone",
  "EndTimeZone",
  "MeetingTimeZone",
  "IsAllDayEvent",
];

function copyFields(item: StoredItem, names: string[]): XNode[] {
  return item.props.filter((p) => names.includes(p.name)).map(cloneNode);
}

export function deliver(
  org: Organisation,
  ctx: Pick<OperationContext, "now">,
  from: Mailbox,
  item: StoredItem,
  kind: "MeetingRequest" | "MeetingCancellation" | "Message",
): void {
  const now = ctx
    .now()
    .toISOString()
    .replace(/\.\d+Z$/, "Z");
  const sender = mailboxElement("From", from.displayName, from.smtp);
  // Transport stamps the submitter as Sender and gives every message it carries a Message-ID; meeting messages are
  // generated here, so theirs is minted once for all recipients (a sent Message got its own in createItem).
  const transport = [
    mailboxElement("Sender", from.displayName, from.smtp),
    ...(kind === "Message" ? [] : [el("InternetMessageId", {}, newInternetMessageId(org.domain))]),
  ];
  const received = (props: XNode[]) => [
    ...props,
    ...transport.filter((node) => !props.some((p) => p.name === node.name)),
  ];
  for (const address of new Set(recipientsOf(item).map((a) => a.toLowerCase()))) {
    const mailbox = org.findMailbox(address);
    if (!mailbox || mailbox === from) continue;
    const inbox = org.distinguishedFolder(mailbox, "inbox");
    const calendar = org.distinguishedFolder(mailbox, "calendar");
    if (!inbox || !calendar) continue;
    if (kind === "Message") {
      // The recipient's copy keeps the sender's DateTimeSent; its DateTimeReceived is this delivery's (store.ts).
      const props = item.props.filter((p) => p.name !== "IsRead" && p.name !== "DateTimeReceived").map(cloneNode);
      org.insertItem(mailbox, inbox.id, "Message", received([...props, sender, el("IsRead", {}, "false")]), [], now);
      continue;
    }
    const uid = prop(item, "UID")?.text;
    const existing = [...mailbox.items.values()].find(
      (i) => i.folderId === calendar.id && uid !== undefined && prop(i, "UID")?.text === uid,
    );
    const fields = copyFields(item, MEETING_FIELDS);
    org.insertItem(mailbox, inbox.id, kind, received([...fields, sender, el("IsRead", {}, "false")]), [], now);
    if (kind === "MeetingCancellation") {
      if (existing) {
        setProp(existing, el("IsCancelled", {}, "true"));
        org.touchItem(mailbox, existing, now);
      }
      continue;
    }
    const organizer = mailboxElement("Organizer", from.displayName, from.smtp);
    if (existing) {
      for (const field of fields) setProp(existing, field);
      org.touchItem(mailbox, existing, now);
    } else {
      org.insertItem(
        mailbox,
        calendar.id,
        "CalendarItem",
        [...fields, organizer, el("MyResponseType", {}, "NoResponseReceived"), el("IsMeeting", {}, "true")],
        [],
        now,
      );
    }
  }
}
