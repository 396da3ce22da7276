/**
 * Records API v8 handlers: list, get, insert, update, upsert, delete, deleted, count (zoho-crm-api.md §2).
 *
 * Listing rules enforced: `fields` required (≤50); `per_page` ≤200; `page` reaches only the first 2000 records
 * (`DISCRETE_PAGINATION_LIMIT_EXCEEDED`); `page_token` continues up to 100 000 records, expires (24 h by default),
 * is bound to the user and to every other parameter (`TOKEN_BOUND_DATA_MISMATCH`); `page`+`page_token` together is
 * ambiguous (v8 OAS; D7's contrary sentence is older); `If-Modified-Since` is inclusive and answers 304 when
 * nothing changed; an empty listing is 204.
 */
import { type ApiContext, type ApiResult, batchStatus } from "./context.js";
import type { ModuleDef } from "./modules.js";
import { type WriteResult, ZohoOrg } from "./org.js";
import { renderRecord } from "./render.js";
import { errors, formatZohoDateTime, type Json, type JsonObject, parseHeaderTime, ZohoApiError } from "./wire.js";

const MAX_FIELDS = 50;
const MAX_PER_PAGE = 200;
const DISCRETE_LIMIT = 2000;
const MAX_BATCH = 100;
const SORT_KEYS = ["id", "Modified_Time", "Created_Time"] as const;
type SortKey = (typeof SORT_KEYS)[number];

interface PageToken {
  userId: string;
  binding: string;
  offset: number;
  expiresAt: number;
}

export class RecordsApi {
  private readonly pageTokens = new Map<string, PageToken>();
  pageTokenTtlMs = 24 * 60 * 60 * 1000;
  pageTokenRecordLimit = 100_000;

  constructor(private readonly org: ZohoOrg) {}

  reset(): void {
    this.pageTokens.clear();
  }

  list(ctx: ApiContext, module: ModuleDef): ApiResult {
    const { query } = ctx;
    const fields = parseFields(module, query.get("fields"), true);
    const perPage = intParam(query, "per_page", MAX_PER_PAGE, 1, MAX_PER_PAGE);
    const sortBy = (query.get("sort_by") ?? "id") as SortKey;
    if (!SORT_KEYS.includes(sortBy)) throw errors.invalidParam("sort_by");
    const sortOrder = query.get("sort_order") ?? "desc";
    if (sortOrder !== "asc" && sortOrder !== "desc") throw errors.invalidParam("sort_order");
    const tokenValue = query.get("page_token");
    if (tokenValue !== null && query.has("page")) {
      throw new ZohoApiError(400, "AMBIGUITY_DURING_PROCESSING", "ambiguity while processing the request", {
        ambiguity_due_to: ["page", "page_token"],
      });
    }
    const since = headerTime(ctx, "if-modified-since");
    const binding = tokenBinding(module, query, since);
    let offset: number;
    if (tokenValue !== null) {
      offset = this.resolveToken(ctx, tokenValue, binding);
    } else {
      const page = intParam(query, "page", 1, 1, Number.MAX_SAFE_INTEGER);
      if (page * perPage > DISCRETE_LIMIT) {
        throw new ZohoApiError(
          400,
          "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
          "You can only get the first 2000 records without using page_token param",
          { limit: DISCRETE_LIMIT },
        );
      }
      offset = (page - 1) * perPage;
    }
    let candidates = this.org.moduleRecords(module.apiName).ascending(sortBy);
    const ids = query.get("ids");
    if (ids) {
      const wanted = new Set(ids.split(","));
      candidates = candidates.filter((record) => wanted.has(record.id));
    }
    if (since !== undefined) candidates = candidates.filter((record) => record.modifiedTime >= since);
    if (candidates.length === 0) return { status: since !== undefined ? 304 : 204 };
    const ordered = sortOrder === "asc" ? candidates : [...candidates].reverse();
    const page = ordered.slice(offset, offset + perPage);
    if (page.length === 0) return { status: 204 };
    const moreRecords = offset + perPage < ordered.length;
    let nextToken: string | null = null;
    let expiry: string | null = null;
    if (moreRecords) {
      nextToken = ZohoOrg.hexId(24);
      const expiresAt = this.org.nowMs() + this.pageTokenTtlMs;
      this.pageTokens.set(nextToken, { userId: ctx.user.id, binding, offset: offset + perPage, expiresAt });
      expiry = formatZohoDateTime(Math.floor(expiresAt / 1000), ctx.zone);
    }
    return {
      status: 200,
      body: {
        data: page.map((record) => renderRecord(this.org, module, record, { zone: ctx.zone, fields })),
        info: {
          call: false,
          per_page: perPage,
          next_page_token: nextToken,
          count: page.length,
          sort_by: sortBy,
          page: Math.floor(offset / perPage) + 1,
          previous_page_token: null,
          page_token_expiry: expiry,
          sort_order: sortOrder,
          email: false,
          more_records: moreRecords,
        },
      },
    };
  }

  private resolveToken(ctx: ApiContext, value: string, binding: string): number {
    const token = this.pageTokens.get(value);
    if (!token || token.userId !== ctx.user.id) {
      throw new ZohoApiError(400, "INVALID_DATA", "the page_token given seems to be invalid", {
        api_name: "page_token",
        json_path: "$.query.page_token",
      });
    }
    if (token.expiresAt <= this.org.nowMs()) {
      throw new ZohoApiError(400, "EXPIRED_VALUE", "Page token expired", {
        api_name: "page_token",
        json_path: "$.query.page_token",
      });
    }
    if (token.binding !== binding) {
      throw new ZohoApiError(
        400,
        "TOKEN_BOUND_DATA_MISMATCH",
        "The page_token given seems to be invalid or input param is added or altered or deleted",
        { param_name: "page_token" },
      );
    }
    if (token.offset >= this.pageTokenRecordLimit) {
      throw new ZohoApiError(
        400,
        "PAGINATION_LIMIT_EXCEEDED",
        "You can only get upto 100000 records using page_token param",
        { param_name: "page_token" },
      );
    }
    return token.offset;
  }

  get(ctx: ApiContext, module: ModuleDef, id: string): ApiResult {
    const record = this.org.findRecord(module.apiName, id);
    if (!record) return { status: 204 };
    const fields = parseFields(module, ctx.query.get("fields"), false);
    return { status: 200, body: { data: [renderRecord(this.org, module, record, { zone: ctx.zone, fields })] } };
  }

  count(ctx: ApiContext, module: ModuleDef): ApiResult {
    void ctx;
    return { status: 200, body: { count: this.org.moduleRecords(module.apiName).records.size } };
  }

  async insert(ctx: ApiContext, module: ModuleDef): Promise<ApiResult> {
    const inputs = await batchInput(ctx, "data");
    const results = this.org.insert(module, inputs, ctx.user.id);
    return writeReply(this.org, results, 201, ctx.zone);
  }

  async update(ctx: ApiContext, module: ModuleDef, pathId?: string): Promise<ApiResult> {
    const inputs = await batchInput(ctx, "data");
    if (pathId && inputs.length > 1) throw errors.limitExceeded("data", 1);
    const unmodifiedSince = headerTime(ctx, "if-unmodified-since");
    const results = this.org.update(module, inputs, ctx.user.id, { pathId, unmodifiedSince });
    return writeReply(this.org, results, 200, ctx.zone);
  }

  async upsert(ctx: ApiContext, module: ModuleDef): Promise<ApiResult> {
    if (!module.upsertField) {
      // Tasks/Events/Calls/Notes are not upsert modules (zoho-crm-api.md §2.2).
      throw new ZohoApiError(400, "NOT_SUPPORTED", "the module is not supported for upsert", {
        resource_path_index: 0,
      });
    }
    const body = await ctx.body();
    const inputs = batchFromBody(body, "data");
    const checkFields = duplicateCheckOrder(
      module,
      body.duplicate_check_fields,
      this.org.uniqueFields[module.apiName] ?? [],
    );
    const unmodifiedSince = headerTime(ctx, "if-unmodified-since");
    const results = this.org.upsert(module, inputs, ctx.user.id, checkFields, unmodifiedSince);
    return writeReply(this.org, results, 200, ctx.zone);
  }

  delete(ctx: ApiContext, module: ModuleDef, pathId?: string): ApiResult {
    const ids = pathId ? [pathId] : (ctx.query.get("ids") ?? "").split(",").filter(Boolean);
    if (ids.length === 0) throw errors.requiredParam("ids");
    if (ids.length > MAX_BATCH) throw errors.limitExceeded("ids", MAX_BATCH);
    const results = this.org.delete(module, ids, ctx.user.id);
    return {
      status: batchStatus(results, 200),
      body: {
        data: results.map(({ id, ok }) =>
          ok
            ? { code: "SUCCESS", details: { id }, message: "record deleted", status: "success" }
            : { code: "INVALID_DATA", details: { id }, message: "record not deleted", status: "error" },
        ),
      },
    };
  }

  deletedList(ctx: ApiContext, module: ModuleDef): ApiResult {
    const type = ctx.query.get("type") ?? "all";
    if (!["all", "recycle", "permanent"].includes(type)) throw errors.invalidParam("type");
    const perPage = intParam(ctx.query, "per_page", MAX_PER_PAGE, 1, MAX_PER_PAGE);
    const page = intParam(ctx.query, "page", 1, 1, Number.MAX_SAFE_INTEGER);
    const since = headerTime(ctx, "if-modified-since");
    const entries = (this.org.deleted.get(module.apiName) ?? [])
      .filter((entry) => type === "all" || entry.type === type)
      .filter((entry) => since === undefined || entry.deletedTime >= since)
      .toReversed();
    const slice = entries.slice((page - 1) * perPage, page * perPage);
    if (slice.length === 0) return { status: since !== undefined && entries.length === 0 ? 304 : 204 };
    return {
      status: 200,
      body: {
        data: slice.map((entry) => {
          const recycled = entry.type === "recycle";
          return {
            deleted_by: recycled ? this.org.userRef(entry.deletedBy) : null,
            id: entry.id,
            display_name: recycled ? entry.displayName : null,
            type: entry.type,
            created_by: recycled ? this.org.userRef(entry.createdBy) : null,
            deleted_time: formatZohoDateTime(entry.deletedTime, ctx.zone),
          };
        }),
        info: { per_page: perPage, count: slice.length, page, more_records: page * perPage < entries.length },
      },
    };
  }
}

export function intParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw errors.invalidParam(name);
  if (value > max) throw errors.limitExceeded(name, max);
  return value;
}

export function parseFields(module: ModuleDef, raw: string | null, required: boolean): string[] | undefined {
  if (raw === null || raw.trim() === "") {
    if (required) throw errors.requiredParam("fields");
    return undefined;
  }
  const fields = raw
    .split(",")
    .map((field) => field.trim())
    .filter(Boolean);
  if (fields.length > MAX_FIELDS) throw errors.limitExceeded("fields", MAX_FIELDS);
  for (const field of fields) {
    if (field !== "id" && !module.fields.has(field)) {
      throw new ZohoApiError(400, "INVALID_DATA", "the field name given seems to be invalid", {
        param_name: "fields",
        api_name: field,
      });
    }
  }
  return fields;
}

function headerTime(ctx: ApiContext, name: string): number | undefined {
  const raw = ctx.headers[name];
  if (typeof raw !== "string") return undefined;
  const parsed = parseHeaderTime(raw);
  if (parsed === undefined) {
    throw new ZohoApiError(400, "INVALID_DATA", "invalid data", { header_name: name });
  }
  return parsed;
}

/** Everything a page token is bound to: the module and every request parameter except the token itself. */
function tokenBinding(module: ModuleDef, query: URLSearchParams, since: number | undefined): string {
  const params = [...query]
    .filter(([key]) => key !== "page_token" && key !== "page")
    .sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([module.apiName, params, since ?? null]);
}

export function batchFromBody(body: JsonObject, key: string): JsonObject[] {
  const data = body[key];
  if (data === undefined || data === null) throw errors.mandatoryBodyKey(key);
  if (!Array.isArray(data)) {
    throw new ZohoApiError(400, "INVALID_DATA", "invalid data", {
      api_name: key,
      json_path: `$.${key}`,
      expected_data_type: "jsonarray",
    });
  }
  if (data.length === 0) throw errors.mandatoryBodyKey(key);
  // More than 100 records: exact error unconfirmed (zoho-crm-api.md §9); LIMIT_EXCEEDED is Zoho's code for limits.
  if (data.length > MAX_BATCH) {
    throw new ZohoApiError(400, "LIMIT_EXCEEDED", "limit exceeded", {
      api_name: key,
      json_path: `$.${key}`,
      limit: MAX_BATCH,
    });
  }
  return data.map((item, index) => {
    if (!item || typeof item !== "object" || Array.isArray(item)) {
      throw new ZohoApiError(400, "INVALID_DATA", "invalid data", {
        api_name: key,
        json_path: `$.${key}[${index}]`,
        expected_data_type: "jsonobject",
      });
    }
    return item;
  });
}

async function batchInput(ctx: ApiContext, key: string): Promise<JsonObject[]> {
  return batchFromBody(await ctx.body(), key);
}

/**
 * Upsert duplicate-check order (D7 upsert-records): no input → the system field; listing only other fields drops
 * the system field; otherwise the order given. Only the system field or unique fields are allowed.
 */
function duplicateCheckOrder(module: ModuleDef, raw: Json | undefined, uniqueFields: string[]): string[] {
  const system = module.upsertField as string;
  if (raw === undefined || raw === null) return [system, ...uniqueFields.filter((field) => field !== system)];
  if (!Array.isArray(raw) || raw.some((field) => typeof field !== "string")) {
    throw new ZohoApiError(400, "INVALID_DATA", "invalid data", {
      api_name: "duplicate_check_fields",
      json_path: "$.duplicate_check_fields",
      expected_data_type: "jsonarray",
    });
  }
  const fields = raw as string[];
  for (const field of fields) {
    if (field !== system && !uniqueFields.includes(field)) {
      throw new ZohoApiError(400, "INVALID_DATA", "the field is not unique or not supported for duplicate check", {
        api_name: field,
        json_path: "$.duplicate_check_fields",
      });
    }
  }
  return fields;
}

function writeReply(org: ZohoOrg, results: WriteResult[], success: number, zone: string): ApiResult {
  const failures = results.filter((result) => !result.ok);
  const preconditionFailed =
    failures.length === results.length && failures.every((result) => !result.ok && result.status === 412);
  return {
    status: preconditionFailed ? 412 : batchStatus(results, success),
    body: { data: results.map((result) => writeItem(org, result, zone)) },
  };
}

function writeItem(org: ZohoOrg, result: WriteResult, zone: string): JsonObject {
  if (!result.ok)
    return { code: result.error.code, details: result.error.details, message: result.error.message, status: "error" };
  const details = { ...org.recordStamp(result.record, zone), $approval_state: "approved" };
  const item: JsonObject = {
    code: "SUCCESS",
    details,
    message: result.action === "insert" ? "record added" : "record updated",
    status: "success",
  };
  if (result.duplicateField !== undefined) {
    item.duplicate_field = result.duplicateField;
    item.action = result.action;
  }
  return item;
}
