/**
 * `POST /coql` — the COQL subset the bridge needs (zoho-crm-api.md §2.5):
 *   select f1, f2, Lookup.Field from Module where <cond> [order by f [asc|desc], …] [limit n | limit o, n | limit n offset o]
 * with `cond` built from `=, !=, <>, <, >, <=, >=, like, not like, in, not in, is null, is not null, between` joined by
 * and/or and parentheses, at most two criteria a level (`((A and B) or C)`; `A and B and C` is a SYNTAX_ERROR, as on
 * Zoho). A WHERE clause is mandatory; lookups come back as `{id}`; strings escape `'` as `''`.
 * LIMIT defaults to 200; the simulator accepts up to 2000 per call (docs disagree: 200 vs 2000, §2.5 [?]); offset +
 * limit may not pass 10 000 rows (`LIMIT_EXCEEDED`). `Email = '…'` is answered from an index (exact look-ups after
 * writes are what the bridge uses COQL for; unlike search, COQL has no index lag).
 */
import type { ApiContext, ApiResult } from "./context.js";
import type { ModuleDef } from "./modules.js";
import type { ZohoOrg } from "./org.js";
import { renderValue } from "./render.js";
import type { StoredRecord } from "./store.js";
import { type Comparable, coerceLiteral, compare, fieldValue, isQueryableField, joinedValue } from "./values.js";
import { type JsonObject, ZohoApiError } from "./wire.js";

const DEFAULT_LIMIT = 200;
const MAX_LIMIT = 2000;
const MAX_ROWS = 10_000;

type Token = { kind: "word" | "string" | "number" | "symbol"; text: string };

type Condition =
  | { kind: "compare"; field: string; operator: string; value: Comparable }
  | { kind: "in"; field: string; negated: boolean; values: Comparable[] }
  | { kind: "like"; field: string; negated: boolean; pattern: RegExp }
  | { kind: "null"; field: string; negated: boolean }
  | { kind: "between"; field: string; low: Comparable; high: Comparable }
  | { kind: "logic"; operator: "and" | "or"; left: Condition; right: Condition };

interface Query {
  fields: string[];
  module: string;
  where: Condition;
  orderBy: Array<{ field: string; descending: boolean }>;
  limit: number;
  offset: number;
}

function syntaxError(clause: string): ZohoApiError {
  return new ZohoApiError(400, "SYNTAX_ERROR", "error occured while parsing the query", { clause });
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const pattern =
    /\s*(?:('(?:[^']|'')*')|(\d+(?:\.\d+)?)(?![\w.])|([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)?)|(<>|!=|<=|>=|[=<>(),*]))/y;
  let position = 0;
  while (position < text.length) {
    if (/^\s*$/.test(text.slice(position))) break;
    pattern.lastIndex = position;
    const match = pattern.exec(text);
    if (!match) throw syntaxError("query");
    position = pattern.lastIndex;
    if (match[1] !== undefined) tokens.push({ kind: "string", text: match[1].slice(1, -1).replaceAll("''", "'") });
    else if (match[2] !== undefined) tokens.push({ kind: "number", text: match[2] });
    else if (match[3] !== undefined) tokens.push({ kind: "word", text: match[3] });
    else tokens.push({ kind: "symbol", text: match[4] });
  }
  return tokens;
}

class Parser {
  private position = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private next(clause: string): Token {
    const token = this.tokens[this.position];
    if (!token) throw syntaxError(clause);
    this.position += 1;
    return token;
  }

  private isKeyword(word: string): boolean {
    const token = this.peek();
    return token?.kind === "word" && token.text.toLowerCase() === word;
  }

  private expectKeyword(word: string, clause: string): void {
    if (!this.isKeyword(word)) throw syntaxError(clause);
    this.position += 1;
  }

  private expectSymbol(symbol: string, clause: string): void {
    const token = this.next(clause);
    if (token.kind !== "symbol" || token.text !== symbol) throw syntaxError(clause);
  }

  parse(): Query {
    this.expectKeyword("select", "select");
    const fields: string[] = [];
    do {
      const token = this.next("select");
      if (token.kind !== "word") throw syntaxError("select");
      fields.push(token.text);
    } while (this.consumeSymbol(","));
    this.expectKeyword("from", "from");
    const moduleToken = this.next("from");
    if (moduleToken.kind !== "word") throw syntaxError("from");
    if (!this.isKeyword("where")) {
      throw new ZohoApiError(400, "SYNTAX_ERROR", "where clause is missing in the query", { clause: "where" });
    }
    this.position += 1;
    const where = this.parseCriteria();
    const orderBy: Query["orderBy"] = [];
    if (this.isKeyword("order")) {
      this.position += 1;
      this.expectKeyword("by", "order by");
      do {
        const token = this.next("order by");
        if (token.kind !== "word") throw syntaxError("order by");
        let descending = false;
        if (this.isKeyword("desc")) {
          descending = true;
          this.position += 1;
        } else if (this.isKeyword("asc")) this.position += 1;
        orderBy.push({ field: token.text, descending });
      } while (this.consumeSymbol(","));
    }
    let limit = DEFAULT_LIMIT;
    let offset = 0;
    if (this.isKeyword("limit")) {
      this.position += 1;
      const first = this.number("limit");
      if (this.consumeSymbol(",")) {
        offset = first;
        limit = this.number("limit");
      } else {
        limit = first;
        if (this.isKeyword("offset")) {
          this.position += 1;
          offset = this.number("offset");
        }
      }
    }
    if (this.peek()) throw syntaxError("query");
    return { fields, module: moduleToken.text, where, orderBy, limit, offset };
  }

  private number(clause: string): number {
    const token = this.next(clause);
    if (token.kind !== "number" || !Number.isInteger(Number(token.text))) throw syntaxError(clause);
    return Number(token.text);
  }

  private consumeSymbol(symbol: string): boolean {
    const token = this.peek();
    if (token?.kind === "symbol" && token.text === symbol) {
      this.position += 1;
      return true;
    }
    return false;
  }

  /**
   * One criterion, or two joined by `and`/`or`. Zoho refuses a third at the same level: criteria must be paired with
   * parentheses, `((A and B) and C)` (COQL-Limitations v2–v8; Kaizen #171 Q2: `where A and B and C` throws an error).
   * The code is the v7/v8 "Possible Errors" SYNTAX_ERROR (HTTP 400) for a query without "proper criteria"; its message
   * is not documented, so the simulator's parse-error one is used. Pairing leaves no and/or precedence to resolve.
   */
  private parseCriteria(): Condition {
    const left = this.parsePrimary();
    const operator = this.logicOperator();
    if (!operator) return left;
    this.position += 1;
    const condition: Condition = { kind: "logic", operator, left, right: this.parsePrimary() };
    if (this.logicOperator()) throw syntaxError("where");
    return condition;
  }

  private logicOperator(): "and" | "or" | undefined {
    return this.isKeyword("and") ? "and" : this.isKeyword("or") ? "or" : undefined;
  }

  private literal(): Comparable {
    const token = this.next("where");
    if (token.kind === "string") return token.text;
    if (token.kind === "number") return Number(token.text);
    if (token.kind === "word" && ["true", "false"].includes(token.text.toLowerCase())) {
      return token.text.toLowerCase() === "true";
    }
    if (token.kind === "word" && token.text.toLowerCase() === "null") return null;
    throw syntaxError("where");
  }

  private parsePrimary(): Condition {
    if (this.consumeSymbol("(")) {
      const inner = this.parseCriteria();
      this.expectSymbol(")", "where");
      return inner;
    }
    const fieldToken = this.next("where");
    if (fieldToken.kind !== "word") throw syntaxError("where");
    const field = fieldToken.text;
    let negated = false;
    if (this.isKeyword("not")) {
      negated = true;
      this.position += 1;
    }
    if (this.isKeyword("in")) {
      this.position += 1;
      this.expectSymbol("(", "where");
      const values: Comparable[] = [];
      do values.push(this.literal());
      while (this.consumeSymbol(","));
      this.expectSymbol(")", "where");
      return { kind: "in", field, negated, values };
    }
    if (this.isKeyword("like")) {
      this.position += 1;
      const pattern = this.literal();
      if (typeof pattern !== "string") throw syntaxError("where");
      const escaped = pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replaceAll("%", ".*");
      return { kind: "like", field, negated, pattern: new RegExp(`^${escaped}$`, "is") };
    }
    if (negated) throw syntaxError("where");
    if (this.isKeyword("is")) {
      this.position += 1;
      if (this.isKeyword("not")) {
        negated = true;
        this.position += 1;
      }
      this.expectKeyword("null", "where");
      return { kind: "null", field, negated };
    }
    if (this.isKeyword("between")) {
      this.position += 1;
      const low = this.literal();
      this.expectKeyword("and", "where");
      return { kind: "between", field, low, high: this.literal() };
    }
    const operator = this.next("where");
    if (operator.kind !== "symbol" || !["=", "!=", "<>", "<", ">", "<=", ">="].includes(operator.text)) {
      throw syntaxError("where");
    }
    return { kind: "compare", field, operator: operator.text === "<>" ? "!=" : operator.text, value: this.literal() };
  }
}

function invalidColumn(column: string): ZohoApiError {
  return new ZohoApiError(400, "INVALID_QUERY", "invalid query formed", {
    column_name: column,
    reason: "column given seems to be invalid",
  });
}

/**
 * COQL-Limitations (v7/v8): Events' Participants field is not supported in COQL at all, and multi-line fields
 * (Description…) not in criteria. The error Zoho answers with is not documented; the invalid-column one is used.
 */
function checkColumn(module: ModuleDef, column: string, inCriteria: boolean): void {
  const [base, joined] = column.split(".");
  if (!isQueryableField(module, base)) throw invalidColumn(column);
  const type = module.fields.get(base)?.type;
  if (type === "participants" || (inCriteria && type === "textarea")) throw invalidColumn(column);
  if (joined !== undefined && type !== "lookup") throw invalidColumn(column);
}

function conditionFields(condition: Condition): string[] {
  return condition.kind === "logic"
    ? [...conditionFields(condition.left), ...conditionFields(condition.right)]
    : [condition.field];
}

/** The form in which `equal` compares: text case-insensitively, anything else as itself. */
function equalityKey(value: Comparable | undefined): string {
  return typeof value === "string" ? `s:${value.toLowerCase()}` : `${typeof value}:${String(value)}`;
}

class Evaluator {
  /** Per `in` condition, its coerced values by `equalityKey`: computed once a query, not once a record. */
  private readonly inSets = new Map<Condition, Set<string>>();

  constructor(
    private readonly org: ZohoOrg,
    private readonly module: ModuleDef,
  ) {}

  private inSet(condition: Extract<Condition, { kind: "in" }>): Set<string> {
    let set = this.inSets.get(condition);
    if (!set) {
      set = new Set(condition.values.map((value) => equalityKey(this.literal(condition.field, value))));
      this.inSets.set(condition, set);
    }
    return set;
  }

  value(record: StoredRecord, column: string): Comparable {
    return column.includes(".") ? joinedValue(this.org, this.module, record, column) : fieldValue(record, column);
  }

  private literal(column: string, literal: Comparable): Comparable | undefined {
    const base = column.includes(".") ? undefined : column;
    return base ? coerceLiteral(this.module, base, literal) : literal;
  }

  matches(record: StoredRecord, condition: Condition): boolean {
    switch (condition.kind) {
      case "logic":
        return condition.operator === "and"
          ? this.matches(record, condition.left) && this.matches(record, condition.right)
          : this.matches(record, condition.left) || this.matches(record, condition.right);
      case "null": {
        const isNull = this.value(record, condition.field) === null;
        return condition.negated ? !isNull : isNull;
      }
      case "like": {
        const actual = this.value(record, condition.field);
        const hit = actual !== null && condition.pattern.test(String(actual));
        return condition.negated ? !hit : hit;
      }
      case "in": {
        const hit = this.inSet(condition).has(equalityKey(this.value(record, condition.field)));
        return condition.negated ? !hit : hit;
      }
      case "between": {
        const actual = this.value(record, condition.field);
        const low = this.literal(condition.field, condition.low);
        const high = this.literal(condition.field, condition.high);
        return (
          actual !== null &&
          low !== undefined &&
          high !== undefined &&
          compare(actual, low) >= 0 &&
          compare(actual, high) <= 0
        );
      }
      case "compare": {
        const actual = this.value(record, condition.field);
        const expected = this.literal(condition.field, condition.value);
        if (expected === undefined) return false;
        if (condition.operator === "=") return equal(actual, expected);
        if (condition.operator === "!=") return !equal(actual, expected);
        if (actual === null || expected === null) return false;
        const order = compare(actual, expected);
        if (condition.operator === "<") return order < 0;
        if (condition.operator === ">") return order > 0;
        if (condition.operator === "<=") return order <= 0;
        return order >= 0;
      }
    }
  }
}

/** COQL `=` on text is case-insensitive, like Zoho's (its criteria are not case-sensitive). */
function equal(actual: Comparable, expected: Comparable | undefined): boolean {
  if (typeof actual === "string" && typeof expected === "string")
    return actual.toLowerCase() === expected.toLowerCase();
  return actual === expected;
}

/**
 * Candidate records from the e-mail index when the condition pins `Email` to values (`=` or `in`, through ANDs, or
 * through ORs whose every branch does); undefined when it does not.
 */
function indexedCandidates(org: ZohoOrg, module: ModuleDef, condition: Condition): StoredRecord[] | undefined {
  if (condition.kind === "logic" && condition.operator === "and") {
    return indexedCandidates(org, module, condition.left) ?? indexedCandidates(org, module, condition.right);
  }
  if (condition.kind === "logic") {
    const left = indexedCandidates(org, module, condition.left);
    const right = left && indexedCandidates(org, module, condition.right);
    return right && [...new Set([...(left ?? []), ...right])];
  }
  const pinned =
    condition.kind === "compare" && condition.operator === "="
      ? [condition.value]
      : condition.kind === "in" && !condition.negated
        ? condition.values
        : undefined;
  if (condition.field !== "Email" || !pinned) return undefined;
  const records = org.moduleRecords(module.apiName);
  const ids = new Set(
    pinned.flatMap((value) => (typeof value === "string" ? [...(records.byEmail.get(value.toLowerCase()) ?? [])] : [])),
  );
  return [...ids].flatMap((id) => records.records.get(id) ?? []);
}

export async function executeCoql(org: ZohoOrg, ctx: ApiContext): Promise<ApiResult> {
  const body = await ctx.body();
  const text = body.select_query;
  if (typeof text !== "string" || text.trim() === "") {
    throw new ZohoApiError(400, "REQUIRED_PARAM_MISSING", "required param is missing", { param_name: "select_query" });
  }
  const query = new Parser(tokenize(text.trim())).parse();
  const module = org.module(query.module);
  if (!module) throw new ZohoApiError(400, "INVALID_QUERY", "invalid query formed", { reason: "invalid module" });
  for (const column of [...query.fields, ...query.orderBy.map((o) => o.field)]) checkColumn(module, column, false);
  for (const column of conditionFields(query.where)) checkColumn(module, column, true);
  if (query.limit < 1 || query.limit > MAX_LIMIT) {
    throw new ZohoApiError(400, "LIMIT_EXCEEDED", "limit exceeded", { limit: MAX_LIMIT, clause: "limit" });
  }
  if (query.offset + query.limit > MAX_ROWS) {
    throw new ZohoApiError(400, "LIMIT_EXCEEDED", "Max records limit exceeded", { limit: MAX_ROWS, clause: "offset" });
  }
  const evaluator = new Evaluator(org, module);
  const indexed = indexedCandidates(org, module, query.where);
  const matched: StoredRecord[] = [];
  for (const record of indexed ?? org.moduleRecords(module.apiName).records.values()) {
    if (evaluator.matches(record, query.where)) matched.push(record);
  }
  // Without ORDER BY, COQL answers in ascending id order (COQL-Overview), which a scan (insertion order) already is.
  const orderBy = query.orderBy.length > 0 || !indexed ? query.orderBy : [{ field: "id", descending: false }];
  if (orderBy.length > 0) {
    matched.sort((a, b) => {
      for (const { field, descending } of orderBy) {
        const order = compare(evaluator.value(a, field), evaluator.value(b, field));
        if (order !== 0) return descending ? -order : order;
      }
      return 0;
    });
  }
  const page = matched.slice(query.offset, query.offset + query.limit);
  if (page.length === 0) return { status: 204 };
  const rows = page.map((record) => {
    const row: JsonObject = {};
    for (const column of query.fields) {
      if (column.includes(".")) {
        row[column] = evaluator.value(record, column);
      } else {
        row[column] = renderValue(org, module, record, column, { zone: ctx.zone, lookupsAsIdOnly: true }) ?? null;
      }
    }
    row.id = record.id;
    return row;
  });
  return {
    status: 200,
    body: { data: rows, info: { count: rows.length, more_records: query.offset + query.limit < matched.length } },
  };
}
