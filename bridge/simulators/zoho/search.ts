/**
 * `GET /{module}/search` (zoho-crm-api.md §2.4): one of criteria > email > phone > word (that precedence), ≤10
 * criteria, at most 2000 results (`LIMIT_REACHED`), 204 when nothing matches.
 *
 * Surprising but documented (D7 search-records): `equals` behaves like *contains* for text, and records written in
 * the last `searchIndexLagMs` are not indexed yet — read-after-write must use COQL.
 */
import type { ApiContext, ApiResult } from "./context.js";
import type { ModuleDef } from "./modules.js";
import type { ZohoOrg } from "./org.js";
import { intParam } from "./records.js";
import { renderRecord } from "./render.js";
import type { StoredRecord } from "./store.js";
import { type Comparable, coerceLiteral, compare, fieldValue, isQueryableField } from "./values.js";
import { ZohoApiError } from "./wire.js";

const MAX_CRITERIA = 10;
const MAX_RESULTS = 2000;
const OPERATORS = new Set([
  "equals",
  "not_equal",
  "starts_with",
  "in",
  "greater_than",
  "greater_equal",
  "less_than",
  "less_equal",
  "between",
]);

type Criterion =
  | { kind: "leaf"; field: string; operator: string; values: string[] }
  | { kind: "group"; joiner: "and" | "or"; children: Criterion[] };

function invalidQuery(message: string, details: Record<string, string> = {}): ZohoApiError {
  return new ZohoApiError(400, "INVALID_QUERY", message, details);
}

/** Splits on unescaped commas and removes the `\` escapes of `(`, `)` and `,`. */
function splitValues(raw: string): string[] {
  return raw.split(/(?<!\\),/).map((value) => value.replace(/\\([(),\\])/g, "$1"));
}

function parseCriteria(text: string): Criterion {
  let position = 0;
  const parseLeaf = (body: string): Criterion => {
    const first = body.indexOf(":");
    const second = body.indexOf(":", first + 1);
    if (first < 0 || second < 0) throw invalidQuery("invalid query formed", { criteria: body });
    const operator = body.slice(first + 1, second);
    if (!OPERATORS.has(operator)) throw invalidQuery("invalid operator found", { operator });
    return { kind: "leaf", field: body.slice(0, first), operator, values: splitValues(body.slice(second + 1)) };
  };
  const parseTerm = (): Criterion => {
    if (text[position] !== "(") {
      const body = text.slice(position);
      position = text.length;
      return parseLeaf(body);
    }
    position += 1;
    if (text[position] === "(") {
      const group = parseExpression();
      if (text[position] !== ")") throw invalidQuery("invalid query formed");
      position += 1;
      return group;
    }
    let end = position;
    while (end < text.length && !(text[end] === ")" && text[end - 1] !== "\\")) end += 1;
    if (end >= text.length) throw invalidQuery("invalid query formed");
    const leaf = parseLeaf(text.slice(position, end));
    position = end + 1;
    return leaf;
  };
  const parseExpression = (): Criterion => {
    const children = [parseTerm()];
    let joiner: "and" | "or" = "and";
    for (;;) {
      const rest = text.slice(position).toLowerCase();
      const next = rest.startsWith("and") ? "and" : rest.startsWith("or") ? "or" : undefined;
      if (!next) break;
      joiner = next;
      position += next.length;
      children.push(parseTerm());
    }
    return children.length === 1 ? children[0] : { kind: "group", joiner, children };
  };
  const criterion = parseExpression();
  if (position !== text.length) throw invalidQuery("invalid query formed");
  return criterion;
}

function countLeaves(criterion: Criterion): number {
  return criterion.kind === "leaf" ? 1 : criterion.children.reduce((sum, child) => sum + countLeaves(child), 0);
}

function matchesLeaf(module: ModuleDef, record: StoredRecord, leaf: Extract<Criterion, { kind: "leaf" }>): boolean {
  const actual = fieldValue(record, leaf.field);
  const literals = leaf.values.map((value) => coerceLiteral(module, leaf.field, value));
  const [first, second] = literals;
  const text = (value: Comparable | undefined) => String(value ?? "").toLowerCase();
  switch (leaf.operator) {
    case "equals":
      // Search `equals` is a contains match on text (D7: "ABC" matches "ABC Inc").
      return typeof actual === "string" && typeof first === "string"
        ? actual.toLowerCase().includes(first.toLowerCase())
        : actual === first;
    case "not_equal":
      return text(actual) !== text(first);
    case "starts_with":
      return text(actual).startsWith(text(first));
    case "in":
      return literals.some((literal) => text(literal) === text(actual));
    case "greater_than":
      return first !== undefined && actual !== null && compare(actual, first) > 0;
    case "greater_equal":
      return first !== undefined && actual !== null && compare(actual, first) >= 0;
    case "less_than":
      return first !== undefined && actual !== null && compare(actual, first) < 0;
    case "less_equal":
      return first !== undefined && actual !== null && compare(actual, first) <= 0;
    case "between":
      return (
        first !== undefined &&
        second !== undefined &&
        actual !== null &&
        compare(actual, first) >= 0 &&
        compare(actual, second) <= 0
      );
    default:
      return false;
  }
}

function matches(module: ModuleDef, record: StoredRecord, criterion: Criterion): boolean {
  if (criterion.kind === "leaf") return matchesLeaf(module, record, criterion);
  return criterion.joiner === "and"
    ? criterion.children.every((child) => matches(module, record, child))
    : criterion.children.some((child) => matches(module, record, child));
}

function checkFields(module: ModuleDef, criterion: Criterion): void {
  if (criterion.kind === "group") {
    for (const child of criterion.children) checkFields(module, child);
  } else if (!isQueryableField(module, criterion.field)) {
    throw invalidQuery("invalid query formed", { api_name: criterion.field });
  }
}

function fieldsOfType(module: ModuleDef, types: string[]): string[] {
  return [...module.fields.values()].filter((field) => types.includes(field.type)).map((field) => field.apiName);
}

function buildPredicate(module: ModuleDef, query: URLSearchParams): (record: StoredRecord) => boolean {
  const criteria = query.get("criteria");
  if (criteria) {
    const parsed = parseCriteria(criteria.trim());
    if (countLeaves(parsed) > MAX_CRITERIA) {
      throw new ZohoApiError(400, "LIMIT_EXCEEDED", "limit exceeded", { limit: MAX_CRITERIA, param_name: "criteria" });
    }
    checkFields(module, parsed);
    return (record) => matches(module, record, parsed);
  }
  const email = query.get("email");
  if (email) {
    const wanted = email.toLowerCase();
    const emailFields = fieldsOfType(module, ["email"]);
    return (record) => emailFields.some((field) => String(record.values[field] ?? "").toLowerCase() === wanted);
  }
  const phone = query.get("phone");
  if (phone) {
    const digits = phone.replace(/\D/g, "");
    const phoneFields = fieldsOfType(module, ["phone"]);
    return (record) =>
      digits.length > 0 &&
      phoneFields.some((field) =>
        String(record.values[field] ?? "")
          .replace(/\D/g, "")
          .includes(digits),
      );
  }
  const word = query.get("word");
  if (word !== null) {
    if (word.trim().length < 2)
      throw invalidQuery("the word should contain at least 2 characters", { param_name: "word" });
    const wanted = word.toLowerCase();
    const textFields = fieldsOfType(module, ["text", "textarea", "email", "phone", "website"]);
    return (record) =>
      textFields.some((field) =>
        String(record.values[field] ?? "")
          .toLowerCase()
          .includes(wanted),
      );
  }
  throw new ZohoApiError(400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", {
    param_name: "criteria,email,phone,word",
  });
}

export function searchRecords(org: ZohoOrg, ctx: ApiContext, module: ModuleDef): ApiResult {
  const perPage = intParam(ctx.query, "per_page", 200, 1, 200);
  const page = intParam(ctx.query, "page", 1, 1, Number.MAX_SAFE_INTEGER);
  if (page * perPage > MAX_RESULTS) {
    throw new ZohoApiError(400, "LIMIT_REACHED", "maximum limit reached", { limit: MAX_RESULTS });
  }
  const predicate = buildPredicate(module, ctx.query);
  const now = org.nowMs();
  const matched: StoredRecord[] = [];
  for (const record of org.moduleRecords(module.apiName).records.values()) {
    if (record.searchableFrom <= now && predicate(record)) matched.push(record);
  }
  const slice = matched.slice((page - 1) * perPage, page * perPage);
  if (slice.length === 0) return { status: 204 };
  const fields = ctx.query.get("fields")?.split(",").filter(Boolean);
  return {
    status: 200,
    body: {
      data: slice.map((record) => renderRecord(org, module, record, { zone: ctx.zone, fields })),
      info: {
        per_page: perPage,
        count: slice.length,
        sort_by: "id",
        page,
        sort_order: "asc",
        more_records: page * perPage < matched.length,
      },
    },
  };
}
