/**
 * Field values in comparable form, shared by `/search` criteria and COQL: DateTimes as epoch seconds, lookups and
 * owners as ids, text as text. Literals from a query are coerced into the same form for the field they are compared
 * with, so `Modified_Time >= '2024-01-01T00:00:00+05:30'` compares instants, not strings.
 */
import type { ModuleDef } from "./modules.js";
import type { ZohoOrg } from "./org.js";
import type { StoredRecord } from "./store.js";
import { parseZohoDateTime } from "./wire.js";

export type Comparable = string | number | boolean | null;

const SYSTEM_VALUES: Record<string, (record: StoredRecord) => Comparable> = {
  id: (record) => record.id,
  Owner: (record) => record.ownerId,
  Created_By: (record) => record.createdBy,
  Modified_By: (record) => record.modifiedBy,
  Created_Time: (record) => record.createdTime,
  Modified_Time: (record) => record.modifiedTime,
  Last_Activity_Time: (record) => record.lastActivityTime,
};

export function isQueryableField(module: ModuleDef, field: string): boolean {
  return field in SYSTEM_VALUES || module.fields.has(field);
}

export function fieldValue(record: StoredRecord, field: string): Comparable {
  const system = SYSTEM_VALUES[field];
  if (system) return system(record);
  const value = record.values[field];
  if (value === undefined || value === null) return null;
  if (typeof value === "object") return JSON.stringify(value);
  return value;
}

/** Coerces a literal to the comparable form of `field` (undefined when it cannot be one). */
export function coerceLiteral(module: ModuleDef, field: string, literal: Comparable): Comparable | undefined {
  if (literal === null) return null;
  const type = module.fields.get(field)?.type;
  if (type === "datetime") {
    if (typeof literal !== "string") return undefined;
    return parseZohoDateTime(literal);
  }
  if (type === "integer" || type === "double" || type === "currency" || type === "bigint") {
    const number = Number(literal);
    return Number.isFinite(number) ? number : undefined;
  }
  if (type === "boolean") {
    if (typeof literal === "boolean") return literal;
    return literal === "true" ? true : literal === "false" ? false : undefined;
  }
  return typeof literal === "string" ? literal : String(literal);
}

export function compare(a: Comparable, b: Comparable): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b));
}

/** Value of `Lookup.Field` (one join level): the looked-up record's field. */
export function joinedValue(org: ZohoOrg, module: ModuleDef, record: StoredRecord, path: string): Comparable {
  const [lookupField, targetField] = path.split(".");
  const def = module.fields.get(lookupField);
  const id = record.values[lookupField];
  if (!def || typeof id !== "string") return null;
  const targetModule = def.lookupModule === "se_module" ? record.values.$se_module : def.lookupModule;
  if (typeof targetModule !== "string") return null;
  const target = org.findRecord(targetModule, id);
  return target ? fieldValue(target, targetField) : null;
}
