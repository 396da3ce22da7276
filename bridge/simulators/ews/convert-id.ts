/**
 * ConvertId between the id formats Exchange names (IdFormatType): EwsId, EwsLegacyId, EntryId, HexEntryId, OwaId,
 * StoreId.
 *
 * Every format is a different encoding of one MAPI long-term entry id (70 bytes: 4 flag bytes, provider UID,
 * 2-byte type, folder database GUID + 6-byte global counter + 2 pad bytes, message database GUID + 6-byte counter
 * + 2 pad bytes; MS-OXCDATA 2.2.4.3 Message EntryID). The simulator derives it from its own EwsId: provider and
 * database GUIDs are the mailbox GUID, the counter is the object number, the type says folder (0x0001) or message
 * (0x0007). So a conversion round-trips exactly, and an EntryId names no mailbox — which is why the request's
 * Mailbox attribute is required to convert back to an EwsId.
 * Documented facts: HexEntryId is the entry id in hex (what Outlook/MAPI show), EntryId the same bytes in base64;
 * OwaId is URL-encoded base64 of a 4-byte little-endian length plus the entry id (hence the "RgAAAA" prefix of
 * the msdocs ConvertId sample: 0x46 = 70). The byte layouts of EwsLegacyId and StoreId are not documented; here
 * StoreId is base64 of the entry id followed by one object-type byte and EwsLegacyId base64 of the SMTP address
 * (length-prefixed) followed by the entry id — the simulator's choice, stable and reversible.
 * A malformed id answers ErrorInvalidIdMalformed per id; existence is not checked, as ConvertId is a pure
 * conversion on the real server too.
 */
import type { OperationContext } from "./context.js";
import { operationResponse, responseMessage } from "./soap.js";
import { child, escapeXml, type XNode } from "./xml.js";

type IdFormat = "EwsId" | "EwsLegacyId" | "EntryId" | "HexEntryId" | "OwaId" | "StoreId";
const ENTRY_ID_BYTES = 70;
const FOLDER_TYPE = 0x0001;
const MESSAGE_TYPE = 0x0007;
const EWS_PREFIX = { folder: "AAMkAGF", item: "AAMkAD" } as const;

interface ParsedId {
  smtp: string;
  kind: "folder" | "item";
  counter: number;
  guid: string;
}

class MalformedId extends Error {}

const guidBytes = (guid: string) => Buffer.from(guid.replace(/-/g, ""), "hex");
const guidText = (bytes: Buffer) =>
  bytes.toString("hex").replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5");

function entryId(id: ParsedId): Buffer {
  const bytes = Buffer.alloc(ENTRY_ID_BYTES);
  const guid = guidBytes(id.guid);
  guid.copy(bytes, 4);
  bytes.writeUInt16LE(id.kind === "folder" ? FOLDER_TYPE : MESSAGE_TYPE, 20);
  guid.copy(bytes, 22);
  guid.copy(bytes, 46);
  bytes.writeUIntBE(id.counter, 62, 6);
  return bytes;
}

function fromEntryId(bytes: Buffer, smtp: string): ParsedId {
  if (bytes.length !== ENTRY_ID_BYTES) throw new MalformedId();
  const type = bytes.readUInt16LE(20);
  if (type !== FOLDER_TYPE && type !== MESSAGE_TYPE) throw new MalformedId();
  return {
    smtp,
    kind: type === FOLDER_TYPE ? "folder" : "item",
    counter: bytes.readUIntBE(62, 6),
    guid: guidText(bytes.subarray(4, 20)),
  };
}

function decodeBase64(text: string): Buffer {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new MalformedId();
  return Buffer.from(text, "base64");
}

function parse(ctx: OperationContext, format: IdFormat, id: string, mailboxSmtp: string): ParsedId {
  const guidOf = (smtp: string) => {
    const mailbox = ctx.org.findMailbox(smtp);
    if (!mailbox) throw new MalformedId();
    return mailbox.guid;
  };
  switch (format) {
    case "EwsId": {
      const kind = id.startsWith(EWS_PREFIX.folder) ? "folder" : "item";
      if (!id.startsWith(EWS_PREFIX[kind])) throw new MalformedId();
      const match = /^(.+)\/(folder|item)\/(\d+)$/.exec(decodeBase64(id.slice(EWS_PREFIX[kind].length)).toString());
      if (!match || match[2] !== kind) throw new MalformedId();
      const smtp = match[1] ?? "";
      return { smtp, kind, counter: Number(match[3]), guid: guidOf(smtp) };
    }
    case "EwsLegacyId": {
      const bytes = decodeBase64(id);
      const length = bytes[0] ?? 0;
      return fromEntryId(bytes.subarray(1 + length), bytes.subarray(1, 1 + length).toString());
    }
    case "EntryId":
      return fromEntryId(decodeBase64(id), mailboxSmtp);
    case "HexEntryId":
      if (!/^([0-9A-Fa-f]{2})+$/.test(id)) throw new MalformedId();
      return fromEntryId(Buffer.from(id, "hex"), mailboxSmtp);
    case "OwaId": {
      const bytes = decodeBase64(decodeURIComponent(id));
      if (bytes.readUInt32LE(0) !== bytes.length - 4) throw new MalformedId();
      return fromEntryId(bytes.subarray(4), mailboxSmtp);
    }
    case "StoreId":
      return fromEntryId(decodeBase64(id).subarray(0, ENTRY_ID_BYTES), mailboxSmtp);
  }
}

function render(format: IdFormat, id: ParsedId): string {
  const entry = entryId(id);
  switch (format) {
    case "EwsId":
      return EWS_PREFIX[id.kind] + Buffer.from(`${id.smtp}/${id.kind}/${id.counter}`).toString("base64");
    case "EwsLegacyId":
      return Buffer.concat([Buffer.from([id.smtp.length]), Buffer.from(id.smtp), entry]).toString("base64");
    case "EntryId":
      return entry.toString("base64");
    case "HexEntryId":
      return entry.toString("hex").toUpperCase();
    case "OwaId": {
      const length = Buffer.alloc(4);
      length.writeUInt32LE(entry.length);
      return encodeURIComponent(Buffer.concat([length, entry]).toString("base64"));
    }
    case "StoreId":
      return Buffer.concat([entry, Buffer.from([id.kind === "folder" ? 0x01 : 0x02])]).toString("base64");
  }
}

export function convertId(ctx: OperationContext, body: XNode): string {
  const destination = (body.attrs.DestinationFormat ?? "EwsId") as IdFormat;
  const sources = child(body, "SourceIds")?.children ?? [];
  const messages = sources.map((source) => {
    const mailbox = source.attrs.Mailbox ?? "";
    try {
      const parsed = parse(ctx, (source.attrs.Format ?? "EwsId") as IdFormat, source.attrs.Id ?? "", mailbox);
      if (ctx.org.findMailbox(parsed.smtp)?.guid !== parsed.guid) throw new MalformedId();
      const converted = render(destination, parsed);
      return responseMessage(
        "ConvertId",
        `<m:AlternateId xsi:type="t:AlternateIdType" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" Format="${destination}" Id="${escapeXml(converted)}" Mailbox="${escapeXml(parsed.smtp || mailbox)}"/>`,
      );
    } catch (error) {
      if (!(error instanceof MalformedId || error instanceof RangeError)) throw error;
      return responseMessage("ConvertId", "", { code: "ErrorInvalidIdMalformed", text: "Id is malformed." });
    }
  });
  return operationResponse("ConvertId", messages);
}
