/**
 * "Act as the Outlook user": changes made directly in a mailbox, as Outlook would make them, so tests can
 * produce server-side changes (edit, move, delete, mark read, accept a meeting) that the bridge must pick up.
 */
import type { Delivery } from "./items.js";
import {
  DEFAULT_ITEM_CLASS,
  type ItemKind,
  type Mailbox,
  type Organisation,
  prop,
  type StoredItem,
  setProp,
} from "./store.js";
import { el, type XNode } from "./xml.js";

export type FieldValues = Record<string, string | XNode>;

function toNodes(fields: FieldValues): XNode[] {
  return Object.entries(fields).map(([name, value]) => (typeof value === "string" ? el(name, {}, value) : value));
}

export class UserActions {
  constructor(
    private readonly org: Organisation,
    private readonly now: () => Date,
    private readonly delivery: Delivery,
  ) {}

  private stamp(): string {
    return this.now()
      .toISOString()
      .replace(/\.\d+Z$/, "Z");
  }

  private mailbox(smtp: string): Mailbox {
    const mailbox = this.org.findMailbox(smtp);
    if (!mailbox) throw new Error(`no mailbox ${smtp}`);
    return mailbox;
  }

  item(smtp: string, id: string): StoredItem {
    const item = this.mailbox(smtp).items.get(id);
    if (!item) throw new Error(`no item ${id} in ${smtp}`);
    return item;
  }

  /** Items of a well-known folder (`contacts`, `calendar`, …). */
  list(smtp: string, folder: string): StoredItem[] {
    const mailbox = this.mailbox(smtp);
    const target = this.org.distinguishedFolder(mailbox, folder);
    return [...mailbox.items.values()].filter((i) => i.folderId === target?.id);
  }

  create(smtp: string, folder: string, kind: ItemKind, fields: FieldValues): StoredItem {
    const mailbox = this.mailbox(smtp);
    const target = this.org.distinguishedFolder(mailbox, folder);
    if (!target) throw new Error(`no folder ${folder}`);
    const props = toNodes(fields);
    if (!props.some((p) => p.name === "ItemClass")) props.unshift(el("ItemClass", {}, DEFAULT_ITEM_CLASS[kind]));
    return this.org.insertItem(mailbox, target.id, kind, props, [], this.stamp());
  }

  edit(smtp: string, id: string, fields: FieldValues): StoredItem {
    const item = this.item(smtp, id);
    for (const node of toNodes(fields)) setProp(item, node);
    this.org.touchItem(this.mailbox(smtp), item, this.stamp());
    return item;
  }

  markRead(smtp: string, id: string, isRead = true): StoredItem {
    const item = this.item(smtp, id);
    setProp(item, el("IsRead", {}, String(isRead)));
    this.org.touchItem(this.mailbox(smtp), item, this.stamp(), true);
    return item;
  }

  move(smtp: string, id: string, folder: string): StoredItem {
    const mailbox = this.mailbox(smtp);
    const target = this.org.distinguishedFolder(mailbox, folder);
    if (!target) throw new Error(`no folder ${folder}`);
    return this.org.moveItem(mailbox, this.item(smtp, id), target.id, this.stamp());
  }

  remove(smtp: string, id: string): void {
    this.org.removeItem(this.mailbox(smtp), this.item(smtp, id), this.stamp());
  }

  /** The attendee accepts: their copy says Accept and the organizer's attendee entry records the response. */
  acceptMeeting(smtp: string, calendarItemId: string): void {
    const mailbox = this.mailbox(smtp);
    const item = this.item(smtp, calendarItemId);
    setProp(item, el("MyResponseType", {}, "Accept"));
    this.org.touchItem(mailbox, item, this.stamp());
    const organizer = this.org.findMailbox(
      prop(item, "Organizer")?.children[0]?.children.find((c) => c.name === "EmailAddress")?.text ?? "",
    );
    const uid = prop(item, "UID")?.text;
    if (!organizer || !uid) return;
    const master = [...organizer.items.values()].find((i) => i.kind === "CalendarItem" && prop(i, "UID")?.text === uid);
    if (!master) return;
    for (const list of ["RequiredAttendees", "OptionalAttendees"]) {
      for (const attendee of prop(master, list)?.children ?? []) {
        const address = attendee.children
          .find((c) => c.name === "Mailbox")
          ?.children.find((c) => c.name === "EmailAddress")?.text;
        if (address?.toLowerCase() !== mailbox.smtp) continue;
        attendee.children = attendee.children.filter((c) => c.name === "Mailbox");
        attendee.children.push(el("ResponseType", {}, "Accept"), el("LastResponseTime", {}, this.stamp()));
      }
    }
    this.org.touchItem(organizer, master, this.stamp());
    void this.delivery;
  }
}
