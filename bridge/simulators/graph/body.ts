/**
 * Item bodies in the format a GET asks for (outlook-get-html-or-text-body.md): Outlook keeps an item's body as
 * written and converts on the way out. HTML is the default; `Prefer: outlook.body-content-type="text"` asks for
 * text. Only events and messages (the items whose body Outlook converts) are affected; the response then carries
 * `Preference-Applied` with the preference.
 */
import type { Json } from "./store.js";

export type BodyType = "text" | "html";

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', nbsp: " " };

/** Outlook's text rendering of an HTML body: block ends and `<br>` become CRLF, tags go, entities are decoded. */
function textOf(html: string): string {
  const text = html
    .replace(/<(head|style|script)\b[^>]*>[\s\S]*?<\/\1>/gi, "")
    .replace(/<br\s*\/?>|<\/(p|div|li|tr)>/gi, "\r\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&(#\d+|[a-z]+);/gi, (whole, name: string) =>
      name.startsWith("#") ? String.fromCodePoint(Number(name.slice(1))) : (ENTITIES[name.toLowerCase()] ?? whole),
    )
    .trim();
  return text === "" ? "" : `${text}\r\n`;
}

/** The HTML document Outlook wraps a text body in. */
function htmlOf(text: string): string {
  const escaped = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r?\n/g, "<br>\r\n");
  return `<html>\r\n<head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\r\n</head>\r\n<body>\r\n${escaped}\r\n</body>\r\n</html>\r\n`;
}

/** A stored `itemBody` as it is returned for `wanted`. */
export function bodyAs(body: Json, wanted: BodyType): Json {
  const content = typeof body.content === "string" ? body.content : "";
  const stored: BodyType = String(body.contentType).toLowerCase() === "html" ? "html" : "text";
  if (stored === wanted) return body;
  return { contentType: wanted, content: wanted === "text" ? textOf(content) : htmlOf(content) };
}
