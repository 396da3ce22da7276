/**
 * Per-record validation of write calls (insert/update/upsert), producing either normalized stored values or the
 * per-record error Zoho puts in `data[i]` (zoho-crm-api.md §2.2 "Per-record error shapes").
 *
 * Rules (in the order Zoho reports them; the first failing field wins, as in the OAS8 examples):
 * - unknown keys are ignored, read-only system fields are ignored;
 * - type: text/email/phone/website must be strings within `maxLength` (INVALID_DATA + `maximum_length`), e-mails
 *   must look like e-mails, numbers numbers, booleans booleans, Dates `yyyy-MM-dd`, DateTimes ISO with offset
 *   (INVALID_DATA + `expected_data_type`);
 * - restricted picklists only take their values (INVALID_DATA + `supported_values`);
 * - lookups must be `{id}` of an existing record; What_Id needs `$se_module`;
 * - mandatory fields must be present on insert and may not be emptied on update (MANDATORY_NOT_FOUND);
 * - Events: End ≥ Start, ≤ 50 Participants (LIMIT_EXCEEDED), RRULE must parse; all-day events are normalized to
 *   00:00:00 … 23:59:59 UTC of their dates.
 */
import { DateTime } from "luxon";
import rrule from "rrule";
import { type FieldDef, type ModuleDef, WHAT_ID_MODULES } from "./modules.js";
import type { StoredRecord, StoredValues } from "./store.js";
import { isZohoDate, type Json, type JsonObject, parseZohoDateTime } from "./wire.js";

export interface RecordError {
  code: string;
  message: string;
  details: JsonObject;
}

export interface LookupResolver {
  recordExists(module: string, id: string): boolean;
  userExists(id: string): boolean;
}

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_PARTICIPANTS = 50;

function invalid(field: string, index: number, extra: JsonObject = {}, message = "invalid data"): RecordError {
  return {
    code: "INVALID_DATA",
    message,
    details: { api_name: field, json_path: `$.data[${index}].${field}`, ...extra },
  };
}

function mandatory(field: string, index: number): RecordError {
  return {
    code: "MANDATORY_NOT_FOUND",
    message: "required field not found",
    details: { api_name: field, json_path: `$.data[${index}].${field}` },
  };
}

function isEmpty(value: Json | undefined): boolean {
  return value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0);
}

function lookupId(value: Json): string | undefined {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const id = value.id;
    if (typeof id === "string" && /^\d+$/.test(id)) return id;
    if (typeof id === "number") return String(id);
  }
  if (typeof value === "string" && /^\d+$/.test(value)) return value;
  return undefined;
}

/** Validates one field value; returns the stored form or an error. `undefined` result = clear the field. */
function normalizeField(
  module: ModuleDef,
  field: FieldDef,
  value: Json,
  input: JsonObject,
  index: number,
  resolver: LookupResolver,
): { value: Json } | RecordError {
  const name = field.apiName;
  if (value === null) return { value: null };
  switch (field.type) {
    case "text":
    case "textarea":
    case "email":
    case "phone":
    case "website": {
      if (typeof value !== "string") return invalid(name, index, { expected_data_type: field.type });
      const text = value;
      if (field.maxLength !== undefined && text.length > field.maxLength) {
        return invalid(name, index, { maximum_length: field.maxLength }, "invalid data");
      }
      if (field.type === "email" && text !== "" && !EMAIL_PATTERN.test(text)) {
        return invalid(name, index, { expected_data_type: "email" });
      }
      return { value: text };
    }
    case "picklist": {
      if (typeof value !== "string") return invalid(name, index, { expected_data_type: "picklist" });
      if (field.restricted && field.values && !field.values.includes(value)) {
        return invalid(name, index, { supported_values: [...field.values] }, "invalid data");
      }
      return { value };
    }
    case "multiselectpicklist":
      if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
        return invalid(name, index, { expected_data_type: "jsonarray" });
      }
      return { value };
    case "boolean":
      return typeof value === "boolean" ? { value } : invalid(name, index, { expected_data_type: "boolean" });
    case "integer":
    case "bigint":
      return typeof value === "number" && Number.isInteger(value)
        ? { value }
        : invalid(name, index, { expected_data_type: "integer" });
    case "double":
    case "currency":
      return typeof value === "number" ? { value } : invalid(name, index, { expected_data_type: "double" });
    case "date":
      return typeof value === "string" && isZohoDate(value)
        ? { value }
        : invalid(name, index, { expected_data_type: "date" });
    case "datetime": {
      const seconds = typeof value === "string" ? parseZohoDateTime(value) : undefined;
      return seconds === undefined ? invalid(name, index, { expected_data_type: "datetime" }) : { value: seconds };
    }
    case "ownerlookup":
    case "userlookup": {
      const id = lookupId(value);
      return id && resolver.userExists(id) ? { value: id } : invalid(name, index, { expected_data_type: "lookup" });
    }
    case "lookup": {
      const id = lookupId(value);
      if (!id) return invalid(name, index, { expected_data_type: "lookup" });
      let target = field.lookupModule ?? "";
      if (target === "se_module") {
        // Notes carry the parent module inside the lookup (v8 `Parent_Id.module.api_name`); activities use `$se_module`.
        const nested = value && typeof value === "object" && !Array.isArray(value) ? value.module : undefined;
        const nestedName = nested && typeof nested === "object" && !Array.isArray(nested) ? nested.api_name : undefined;
        const seModule = typeof nestedName === "string" ? nestedName : input.$se_module;
        if (typeof seModule !== "string") return mandatory("$se_module", index);
        if (module.apiName !== "Notes" && !WHAT_ID_MODULES.has(seModule)) {
          return invalid("$se_module", index, {}, "invalid data");
        }
        target = seModule;
      }
      return resolver.recordExists(target, id) ? { value: id } : invalid(name, index, { expected_data_type: "lookup" });
    }
    case "participants": {
      if (!Array.isArray(value)) return invalid(name, index, { expected_data_type: "jsonarray" });
      if (value.length > MAX_PARTICIPANTS) {
        return {
          code: "LIMIT_EXCEEDED",
          message: "limit exceeded",
          details: { api_name: name, json_path: `$.data[${index}].${name}`, limit: MAX_PARTICIPANTS },
        };
      }
      for (const participant of value) {
        if (!participant || typeof participant !== "object" || Array.isArray(participant)) {
          return invalid(name, index, { expected_data_type: "jsonobject" });
        }
        const type = participant.type;
        if (type !== "contact" && type !== "lead" && type !== "user" && type !== "email") {
          return invalid(name, index, { api_name: `${name}.type` });
        }
        const target = type === "email" ? (participant.Email ?? participant.participant) : participant.participant;
        if (typeof target !== "string" || target === "") return mandatory(`${name}.participant`, index);
      }
      return { value };
    }
    case "multireminder":
      return Array.isArray(value) ? { value } : invalid(name, index, { expected_data_type: "jsonarray" });
    case "ALARM":
      return value && typeof value === "object" && !Array.isArray(value) && typeof value.ALARM === "string"
        ? { value }
        : invalid(name, index, { expected_data_type: "jsonobject" });
    case "RRULE": {
      const rule = value && typeof value === "object" && !Array.isArray(value) ? value.RRULE : undefined;
      if (typeof rule !== "string" || !/FREQ=/.test(rule)) return invalid(name, index, { api_name: `${name}.RRULE` });
      try {
        rrule.rrulestr(
          rule
            .replace(/DTSTART=(\d{4})-(\d{2})-(\d{2})/, "DTSTART=$1$2$3")
            .replace(/UNTIL=(\d{4})-(\d{2})-(\d{2})/, "UNTIL=$1$2$3"),
        );
      } catch {
        return invalid(name, index, { api_name: `${name}.RRULE` });
      }
      return { value: { RRULE: rule } };
    }
  }
}

export interface NormalizedRecord {
  values: StoredValues;
  ownerId?: string;
  changedFields: string[];
}

/**
 * Validates an insert (`existing` undefined) or an update of `existing`, returning the values to store (merged over
 * the existing ones) and the names of the fields whose stored value changed.
 */
/** A layout rule that makes fields mandatory (records-insert-error-mandatory-not-found-layout-rule.json). */
export interface LayoutRule {
  id: string;
  name: string;
  requiredFields: string[];
}

export function normalizeRecord(
  module: ModuleDef,
  input: JsonObject,
  index: number,
  resolver: LookupResolver,
  existing?: StoredRecord,
  layoutRules: readonly LayoutRule[] = [],
): NormalizedRecord | RecordError {
  const values: StoredValues = existing ? { ...existing.values } : {};
  const changedFields: string[] = [];
  let ownerId: string | undefined;
  for (const [key, raw] of Object.entries(input)) {
    const field = module.fields.get(key);
    if (!field || field.readOnly) continue;
    const result = normalizeField(module, field, raw, input, index, resolver);
    if ("code" in result) return result;
    if (field.apiName === "Owner") {
      if (typeof result.value === "string") ownerId = result.value;
      continue;
    }
    if (JSON.stringify(values[key] ?? null) !== JSON.stringify(result.value)) changedFields.push(key);
    values[key] = result.value;
    if (field.lookupModule === "se_module" && typeof input.$se_module === "string")
      values.$se_module = input.$se_module;
  }
  for (const field of module.fields.values()) {
    if (field.mandatory && isEmpty(values[field.apiName])) return mandatory(field.apiName, index);
  }
  for (const rule of layoutRules) {
    const missing = rule.requiredFields.find((field) => isEmpty(values[field]));
    if (missing !== undefined) {
      const error = mandatory(missing, index);
      return { ...error, details: { layout_rule: { name: rule.name, id: rule.id }, ...error.details } };
    }
  }
  const moduleError = checkModuleRules(module, values, input, index);
  if (moduleError) return moduleError;
  if (module.displayField === "Full_Name") {
    values.Full_Name = [values.First_Name, values.Last_Name]
      .filter((part) => typeof part === "string" && part)
      .join(" ");
  }
  return { values, ownerId, changedFields };
}

function checkModuleRules(
  module: ModuleDef,
  values: StoredValues,
  input: JsonObject,
  index: number,
): RecordError | undefined {
  if (module.apiName !== "Events") return undefined;
  let start = values.Start_DateTime as number;
  let end = values.End_DateTime as number;
  if (values.All_day === true) {
    // All-day events keep only their dates (as written, in the sender's offset) and come back as
    // 00:00:00 … 23:59:59 in +00:00 (real capture records-get-event-real-response.json).
    start = allDayBound(input.Start_DateTime, start, "start");
    end = allDayBound(input.End_DateTime, end, "end");
    values.Start_DateTime = start;
    values.End_DateTime = end;
  }
  if (end < start) return invalid("End_DateTime", index, {}, "End_DateTime should be greater than Start_DateTime");
  return undefined;
}

function allDayBound(sent: Json | undefined, stored: number, bound: "start" | "end"): number {
  const utcDate =
    typeof sent === "string"
      ? DateTime.fromISO(sent.slice(0, 10), { zone: "UTC" })
      : DateTime.fromSeconds(stored, { zone: "UTC" }).startOf("day");
  return Math.floor((bound === "start" ? utcDate : utcDate.endOf("day")).toSeconds());
}
