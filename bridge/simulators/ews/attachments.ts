/**
 * File attachments of messages, as far as a client reads them (ews.md; learn.microsoft.com "Get attachments by using
 * EWS in Exchange"): GetItem shows `Attachments` (FileAttachment metadata, no content) and HasAttachments; the
 * content comes from GetAttachment by AttachmentId, as `t:Content` (base64). Item attachments are not simulated.
 *
 * Storage: an item's `Attachments` property keeps its FileAttachments with their Content, so they move with the item
 * (a move is a new item with the same properties). An AttachmentId is derived from the item's current id and the
 * attachment's position, so it changes when the item moves, as Exchange's do.
 */
import type { OperationContext } from "./context.js";
import { perItem } from "./items.js";
import { EwsResponseError, operationResponse } from "./soap.js";
import type { StoredItem } from "./store.js";
import { child, el, render, type XNode } from "./xml.js";

export interface FileToAttach {
  name: string;
  contentType: string;
  content: Buffer;
  isInline?: boolean;
}

/** The `Attachments` property of a new item holding these files (user actions and tests). */
export function fileAttachments(files: readonly FileToAttach[]): XNode {
  return el(
    "Attachments",
    {},
    files.map((file) =>
      el("FileAttachment", {}, [
        el("Name", {}, file.name),
        el("ContentType", {}, file.contentType),
        el("Size", {}, String(file.content.length)),
        el("IsInline", {}, String(file.isInline === true)),
        el("Content", {}, file.content.toString("base64")),
      ]),
    ),
  );
}

const attachmentId = (item: StoredItem, index: number) =>
  Buffer.from(`attachment|${item.id}|${index}`, "utf8").toString("base64");

export function hasAttachments(item: StoredItem): boolean {
  return (item.props.find((p) => p.name === "Attachments")?.children.length ?? 0) > 0;
}

/** One FileAttachment as the requested schema version has it, with or without its content. */
function renderFile(ctx: OperationContext, item: StoredItem, file: XNode, index: number, content: boolean): XNode {
  const order = ctx.schema.elementOrder(ctx.requested.schema, "FileAttachmentType");
  const nodes = [
    el("AttachmentId", { Id: attachmentId(item, index) }),
    ...file.children.filter((node) => node.name !== "Content" || content),
  ];
  const known = order.length === 0 ? nodes : nodes.filter((node) => order.includes(node.name));
  return el(
    "FileAttachment",
    {},
    known.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name)),
  );
}

/** The `Attachments` element GetItem shows: metadata only. */
export function attachmentsForItem(ctx: OperationContext, item: StoredItem, stored: XNode): XNode {
  return el(
    "Attachments",
    {},
    stored.children.map((file, index) => renderFile(ctx, item, file, index, false)),
  );
}

/** GetAttachment: each AttachmentId of the acting mailbox's items, with its content. */
export function getAttachment(ctx: OperationContext, body: XNode): string {
  const ids = child(body, "AttachmentIds")?.children ?? [];
  const messages = perItem("GetAttachment", ids, (ref) => {
    const [tag, itemId, position] = Buffer.from(ref.attrs.Id ?? "", "base64")
      .toString("utf8")
      .split("|");
    if (tag !== "attachment" || itemId === undefined || !/^\d+$/.test(position ?? "")) {
      throw new EwsResponseError("ErrorInvalidIdMalformed", "Id is malformed.");
    }
    const item = ctx.mailbox.items.get(itemId);
    const file = item?.props.find((p) => p.name === "Attachments")?.children[Number(position)];
    if (!item || !file) {
      throw new EwsResponseError(
        "ErrorItemNotFound",
        "The specified object was not found in the store., The process failed to get the correct properties.",
      );
    }
    return `<m:Attachments>${render(renderFile(ctx, item, file, Number(position), true), "t")}</m:Attachments>`;
  });
  return operationResponse("GetAttachment", messages);
}
