/** Folder operations: GetFolder, FindFolder, SyncFolderHierarchy (folder state = high-water change sequence). */
import type { OperationContext } from "./context.js";
import { folderIdNode, perItem, resolveFolder } from "./items.js";
import { EwsResponseError, operationResponse } from "./soap.js";
import type { Folder, Mailbox } from "./store.js";
import { child, childText, el, render, type XNode } from "./xml.js";

const FOLDER_TYPE: Record<Folder["kind"], string> = {
  Folder: "FolderType",
  ContactsFolder: "ContactsFolderType",
  CalendarFolder: "CalendarFolderType",
  TasksFolder: "TasksFolderType",
  SearchFolder: "SearchFolderType",
};

function renderFolder(ctx: OperationContext, mailbox: Mailbox, folder: Folder, shape: string): string {
  const nodes: XNode[] = [el("FolderId", { Id: folder.id, ChangeKey: folder.changeKey })];
  if (shape !== "IdOnly") {
    const parent = folder.parentId ? mailbox.folders.get(folder.parentId) : undefined;
    const items = [...mailbox.items.values()].filter((i) => i.folderId === folder.id);
    if (parent) nodes.push(folderIdNode(parent));
    nodes.push(
      el("FolderClass", {}, folder.folderClass),
      el("DisplayName", {}, folder.displayName),
      el("TotalCount", {}, String(items.length)),
      el("ChildFolderCount", {}, String([...mailbox.folders.values()].filter((f) => f.parentId === folder.id).length)),
      el(
        "UnreadCount",
        {},
        String(items.filter((i) => i.props.some((p) => p.name === "IsRead" && p.text === "false")).length),
      ),
    );
  }
  const order = ctx.schema.elementOrder(ctx.requested.schema, FOLDER_TYPE[folder.kind]);
  const ordered =
    order.length === 0
      ? nodes
      : nodes.filter((n) => order.includes(n.name)).sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  return render(el(folder.kind, {}, ordered), "t");
}

function folderShape(body: XNode): string {
  return childText(child(body, "FolderShape"), "BaseShape") ?? "Default";
}

export function getFolder(ctx: OperationContext, body: XNode): string {
  const shape = folderShape(body);
  const messages = perItem("GetFolder", child(body, "FolderIds")?.children ?? [], (ref) => {
    const folder = resolveFolder(ctx, ref);
    const mailbox = ownerOf(ctx, folder);
    return `<m:Folders>${renderFolder(ctx, mailbox, folder, shape)}</m:Folders>`;
  });
  return operationResponse("GetFolder", messages);
}

function ownerOf(ctx: OperationContext, folder: Folder): Mailbox {
  for (const mailbox of ctx.org.mailboxes.values()) if (mailbox.folders.get(folder.id) === folder) return mailbox;
  return ctx.mailbox;
}

function descendants(mailbox: Mailbox, parentId: string, deep: boolean): Folder[] {
  const direct = [...mailbox.folders.values()].filter((f) => f.parentId === parentId);
  return deep ? direct.flatMap((f) => [f, ...descendants(mailbox, f.id, true)]) : direct;
}

export function findFolder(ctx: OperationContext, body: XNode): string {
  const shape = folderShape(body);
  const deep = body.attrs.Traversal === "Deep";
  const paging = child(body, "IndexedPageFolderView");
  const messages = perItem("FindFolder", child(body, "ParentFolderIds")?.children ?? [], (ref) => {
    const parent = resolveFolder(ctx, ref);
    const mailbox = ownerOf(ctx, parent);
    const all = descendants(mailbox, parent.id, deep);
    const offset = Number(paging?.attrs.Offset ?? "0");
    const max = Number(paging?.attrs.MaxEntriesReturned ?? "1000");
    const page = all.slice(offset, offset + max);
    const next = offset + page.length;
    return `<m:RootFolder IndexedPagingOffset="${next}" TotalItemsInView="${all.length}" IncludesLastItemInRange="${next >= all.length}"><t:Folders>${page.map((f) => renderFolder(ctx, mailbox, f, shape)).join("")}</t:Folders></m:RootFolder>`;
  });
  return operationResponse("FindFolder", messages);
}

export function syncFolderHierarchy(ctx: OperationContext, body: XNode): string {
  const shape = folderShape(body);
  const messages = perItem("SyncFolderHierarchy", [body], () => {
    const root = child(body, "SyncFolderId")?.children[0];
    const rootFolder = root ? resolveFolder(ctx, root) : ctx.org.distinguishedFolder(ctx.mailbox, "msgfolderroot");
    if (!rootFolder)
      throw new EwsResponseError("ErrorFolderNotFound", "The specified folder could not be found in the store.");
    const stateText = childText(body, "SyncState");
    let since = 0;
    if (stateText) {
      const [tag, mailbox, folder, seq] = Buffer.from(stateText, "base64").toString("utf8").split("|");
      if (
        tag !== "EWSSIMH" ||
        mailbox !== ctx.mailbox.smtp ||
        folder !== rootFolder.id ||
        !Number.isInteger(Number(seq))
      ) {
        throw new EwsResponseError(
          "ErrorInvalidSyncStateData",
          "Synchronization state data is corrupt or otherwise invalid.",
        );
      }
      since = Number(seq);
    }
    const changed = descendants(ctx.mailbox, rootFolder.id, true).filter((f) => f.seq > since);
    const state = Buffer.from(`EWSSIMH|${ctx.mailbox.smtp}|${rootFolder.id}|${ctx.mailbox.seq}`, "utf8").toString(
      "base64",
    );
    const changes = changed.map((f) => `<t:Create>${renderFolder(ctx, ctx.mailbox, f, shape)}</t:Create>`).join("");
    return `<m:SyncState>${state}</m:SyncState><m:IncludesLastFolderInRange>true</m:IncludesLastFolderInRange><m:Changes>${changes}</m:Changes>`;
  });
  return operationResponse("SyncFolderHierarchy", messages);
}
