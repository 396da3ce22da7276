/**
 * A small element tree for SOAP bodies: parsed safely, navigated by local name, rendered back with fixed prefixes.
 *
 * Invariants: names are local names (prefixes are the client's choice and carry no meaning once the request has
 * passed schema validation, which checked the namespaces); a document with a DOCTYPE is refused before parsing,
 * as Exchange's .NET reader prohibits DTDs, so no entity can ever be expanded (an XML bomb costs nothing).
 */
import { XMLParser } from "fast-xml-parser";

export interface XNode {
  name: string;
  attrs: Record<string, string>;
  children: XNode[];
  text: string;
}

export const NS = {
  soap: "http://schemas.xmlsoap.org/soap/envelope/",
  messages: "http://schemas.microsoft.com/exchange/services/2006/messages",
  types: "http://schemas.microsoft.com/exchange/services/2006/types",
  errors: "http://schemas.microsoft.com/exchange/services/2006/errors",
} as const;

export class XmlRejected extends Error {}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  htmlEntities: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

type Ordered = Record<string, unknown>;

function convert(entry: Ordered): XNode | undefined {
  const name = Object.keys(entry).find((key) => key !== ":@");
  if (!name || name === "#text" || name.startsWith("?") || name === "#comment") return undefined;
  const attrs: Record<string, string> = {};
  const rawAttrs = (entry[":@"] ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(rawAttrs)) {
    if (key === "xmlns" || key.startsWith("xmlns:")) continue;
    attrs[key.includes(":") ? key.slice(key.indexOf(":") + 1) : key] = String(value);
  }
  const node: XNode = { name, attrs, children: [], text: "" };
  for (const child of (entry[name] ?? []) as Ordered[]) {
    if ("#text" in child) node.text += String(child["#text"]);
    else {
      const converted = convert(child);
      if (converted) node.children.push(converted);
    }
  }
  return node;
}

/** Parses a request; throws XmlRejected for a DTD or a document that is not well-formed. */
export function parseXml(source: string): XNode {
  if (/<!DOCTYPE/i.test(source)) throw new XmlRejected("DTD is prohibited in this XML document.");
  let parsed: Ordered[];
  try {
    parsed = parser.parse(source, true) as Ordered[];
  } catch (error) {
    throw new XmlRejected(error instanceof Error ? error.message : String(error));
  }
  for (const entry of parsed) {
    const node = convert(entry);
    if (node) return node;
  }
  throw new XmlRejected("Root element is missing.");
}

export function child(node: XNode | undefined, name: string): XNode | undefined {
  return node?.children.find((c) => c.name === name);
}

export function children(node: XNode | undefined, name: string): XNode[] {
  return node?.children.filter((c) => c.name === name) ?? [];
}

export function childText(node: XNode | undefined, name: string): string | undefined {
  return child(node, name)?.text;
}

export function el(
  name: string,
  attrs: Record<string, string | undefined> = {},
  content: XNode[] | string = [],
): XNode {
  const definedAttrs: Record<string, string> = {};
  for (const [key, value] of Object.entries(attrs)) if (value !== undefined) definedAttrs[key] = value;
  return typeof content === "string"
    ? { name, attrs: definedAttrs, children: [], text: content }
    : { name, attrs: definedAttrs, children: content, text: "" };
}

export function escapeXml(value: string): string {
  return value.replace(/[&<>"]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;"));
}

/** Renders a node whose whole subtree lives in one namespace prefix (EWS types are all `t:`). */
export function render(node: XNode, prefix: string): string {
  const tag = prefix ? `${prefix}:${node.name}` : node.name;
  let attrs = "";
  for (const [key, value] of Object.entries(node.attrs)) attrs += ` ${key}="${escapeXml(value)}"`;
  if (node.children.length === 0 && node.text === "") return `<${tag}${attrs}/>`;
  const inner = node.children.length > 0 ? node.children.map((c) => render(c, prefix)).join("") : escapeXml(node.text);
  return `<${tag}${attrs}>${inner}</${tag}>`;
}

export function cloneNode(node: XNode): XNode {
  return { name: node.name, attrs: { ...node.attrs }, children: node.children.map(cloneNode), text: node.text };
}
