/**
 * The OData query options the Outlook endpoints accept, parsed into predicates: `$select`, `$top`, `$skip`,
 * `$expand` of extensions / extended properties / a series master's exception occurrences, and the `$filter` forms the bridge and the docs use
 * (`prop eq|ne|ge|gt|le|lt literal` joined by `and`, `emailAddresses/any(a:a/address eq '…')`,
 * `singleValueExtendedProperties/Any(ep: ep/id eq '…' and ep/value eq '…')`). Anything else is rejected the way
 * Graph rejects it (400 ErrorInvalidUrlQueryFilter) — a simulator that accepted it would hide a client bug.
 */
import { badRequest, GraphError } from "./errors.js";
import type { Item, Json } from "./store.js";

export type ItemPredicate = (item: Item, rendered: Json) => boolean;

const COMPARISON =
  /^([A-Za-z/]+)\s+(eq|ne|ge|gt|le|lt)\s+('(?:[^']|'')*'|true|false|null|-?\d+(?:\.\d+)?|\d{4}-\d{2}-\d{2}T[\d:.]+Z?)$/;
const ANY_ADDRESS =
  /^(emailAddresses|toRecipients|ccRecipients|attendees)\/any\(\s*(\w+)\s*:\s*\2\/(?:emailAddress\/)?address\s+eq\s+'((?:[^']|'')*)'\s*\)$/i;
const ANY_EXTENDED =
  /^singleValueExtendedProperties\/any\(\s*(\w+)\s*:\s*\1\/id\s+eq\s+'((?:[^']|'')*)'\s+and\s+\1\/value\s+eq\s+'((?:[^']|'')*)'\s*\)$/i;

function literal(token: string): unknown {
  if (token.startsWith("'")) return token.slice(1, -1).replaceAll("''", "'");
  if (token === "true") return true;
  if (token === "false") return false;
  if (token === "null") return null;
  if (/^\d{4}-/.test(token)) return token;
  return Number(token);
}

function valueAt(rendered: Json, path: string): unknown {
  let current: unknown = rendered;
  for (const part of path.split("/")) current = (current as Json | null | undefined)?.[part];
  if (current && typeof current === "object" && "dateTime" in current) return (current as Json).dateTime;
  return current;
}

function compare(actual: unknown, operator: string, expected: unknown): boolean {
  if (operator === "eq") return actual === expected || (actual === undefined && expected === null);
  if (operator === "ne") return actual !== expected;
  if (actual === undefined || actual === null) return false;
  const [a, b] =
    typeof expected === "string"
      ? [Date.parse(String(actual)), Date.parse(expected)]
      : [Number(actual), Number(expected)];
  if (operator === "ge") return a >= b;
  if (operator === "gt") return a > b;
  if (operator === "le") return a <= b;
  return a < b;
}

export function sameExtendedPropertyId(a: string, b: string): boolean {
  return a.replace(/\s+/g, " ").toLowerCase() === b.replace(/\s+/g, " ").toLowerCase();
}

/** Splits on top-level ` and ` (not inside parentheses or quotes). */
function splitAnd(filter: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < filter.length; i += 1) {
    const char = filter[i];
    if (char === "'") quoted = !quoted;
    else if (!quoted && char === "(") depth += 1;
    else if (!quoted && char === ")") depth -= 1;
    else if (!quoted && depth === 0 && filter.slice(i, i + 5).toLowerCase() === " and ") {
      parts.push(filter.slice(start, i).trim());
      start = i + 5;
    }
  }
  parts.push(filter.slice(start).trim());
  return parts;
}

const invalidFilter = (): GraphError =>
  new GraphError(400, "ErrorInvalidUrlQueryFilter", "The query filter contains one or more invalid nodes.");

export function parseFilter(filter: string | null): ItemPredicate | undefined {
  if (!filter) return undefined;
  const predicates = splitAnd(filter.trim()).map((clause): ItemPredicate => {
    const extended = ANY_EXTENDED.exec(clause);
    if (extended) {
      const [, , id = "", value = ""] = extended;
      return (item) => {
        for (const [key, stored] of item.extendedProperties) {
          if (sameExtendedPropertyId(key, id.replaceAll("''", "'"))) return stored === value.replaceAll("''", "'");
        }
        return false;
      };
    }
    const address = ANY_ADDRESS.exec(clause);
    if (address) {
      const [, collection = "", , wanted = ""] = address;
      const target = wanted.replaceAll("''", "'").toLowerCase();
      return (_item, rendered) =>
        ((rendered[collection] as Json[] | undefined) ?? []).some((entry) => {
          const nested = (entry.emailAddress as Json | undefined)?.address ?? entry.address;
          return typeof nested === "string" && nested.toLowerCase() === target;
        });
    }
    const comparison = COMPARISON.exec(clause);
    if (comparison) {
      const [, path = "", operator = "eq", token = ""] = comparison;
      const expected = literal(token);
      return (_item, rendered) => compare(valueAt(rendered, path), operator, expected);
    }
    throw invalidFilter();
  });
  return (item, rendered) => predicates.every((predicate) => predicate(item, rendered));
}

export interface ExpandOptions {
  extendedProperties?: ((id: string) => boolean) | undefined;
  extensions?: ((id: string) => boolean) | undefined;
  /** A series master's exceptions (honoured on a GET of the master by id). */
  exceptionOccurrences?: boolean;
}

const EXPAND_ITEM = /^(singleValueExtendedProperties|extensions)(?:\(\$filter=id\s+eq\s+'((?:[^']|'')*)'\))?$/i;

export function parseExpand(expand: string | null): ExpandOptions {
  const options: ExpandOptions = {};
  if (!expand) return options;
  for (const part of expand.split(/,(?![^(]*\))/)) {
    if (part.trim() === "exceptionOccurrences") {
      options.exceptionOccurrences = true;
      continue;
    }
    const match = EXPAND_ITEM.exec(part.trim());
    if (!match) throw badRequest(`Parsing OData Select and Expand failed: Could not find a property named '${part}'.`);
    const wanted = match[2]?.replaceAll("''", "'");
    const accept = (id: string) => wanted === undefined || sameExtendedPropertyId(id, wanted);
    if (match[1]?.toLowerCase() === "extensions") options.extensions = accept;
    else options.extendedProperties = accept;
  }
  return options;
}

export function parseSelect(select: string | null): string[] | undefined {
  if (!select) return undefined;
  return select
    .split(",")
    .map((field) => field.trim())
    .filter(Boolean);
}

export function parseTop(value: string | null, fallback: number, max: number): number {
  if (value === null) return fallback;
  const top = Number(value);
  if (!Number.isInteger(top) || top < 0) throw badRequest(`Invalid value '${value}' for $top query option found.`);
  return Math.min(top, max);
}

/** `Prefer: odata.maxpagesize=N` */
export function preferredPageSize(prefer: string | undefined): number | undefined {
  const match = /odata\.maxpagesize\s*=\s*(\d+)/i.exec(prefer ?? "");
  return match?.[1] ? Number(match[1]) : undefined;
}

/** `Prefer: outlook.body-content-type="text"|"html"`, or undefined when not asked. */
export function preferredBodyType(prefer: string | undefined): "text" | "html" | undefined {
  const match = /outlook\.body-content-type\s*=\s*"?(text|html)"?/i.exec(prefer ?? "");
  return match?.[1] ? (match[1].toLowerCase() as "text" | "html") : undefined;
}

/** `Prefer: IdType="ImmutableId"` */
export function prefersImmutableIds(prefer: string | undefined): boolean {
  return /IdType\s*=\s*"?ImmutableId"?/i.test(prefer ?? "");
}
