/**
 * Stored record → Zoho wire JSON, as the API user sees it.
 *
 * - DateTimes in the API user's time zone (all-day events in +00:00), one-second precision;
 * - lookups as `{name, id}` (COQL: `{id}` only, zoho-crm-api.md §2.5), owners as `{name, id, email}`;
 * - `What_Id` comes with its `$se_module`; Participants gain `invited`/`status`/`id` (§3 "Events details");
 * - a list call renders only the requested `fields` plus `id`; a single-record GET renders everything.
 */
import type { ModuleDef } from "./modules.js";
import type { ZohoOrg } from "./org.js";
import type { StoredRecord } from "./store.js";
import { formatZohoDateTime, type Json, type JsonObject } from "./wire.js";

export interface RenderOptions {
  zone: string;
  /** Field API names to include; all when absent. */
  fields?: readonly string[];
  /** COQL renders lookups as `{id}` only. */
  lookupsAsIdOnly?: boolean;
}

export function renderValue(
  org: ZohoOrg,
  module: ModuleDef,
  record: StoredRecord,
  fieldName: string,
  options: RenderOptions,
): Json | undefined {
  switch (fieldName) {
    case "id":
      return record.id;
    case "Owner":
      return options.lookupsAsIdOnly ? { id: record.ownerId } : org.userRef(record.ownerId, true);
    case "Created_By":
      return options.lookupsAsIdOnly ? { id: record.createdBy } : org.userRef(record.createdBy, true);
    case "Modified_By":
      return options.lookupsAsIdOnly ? { id: record.modifiedBy } : org.userRef(record.modifiedBy, true);
    case "Created_Time":
      return formatZohoDateTime(record.createdTime, options.zone);
    case "Modified_Time":
      return formatZohoDateTime(record.modifiedTime, options.zone);
    case "Last_Activity_Time":
      return record.lastActivityTime === null ? null : formatZohoDateTime(record.lastActivityTime, options.zone);
  }
  const field = module.fields.get(fieldName);
  if (!field) return fieldName.startsWith("$") ? record.values[fieldName] : undefined;
  const value = record.values[fieldName];
  if (value === undefined || value === null) return null;
  switch (field.type) {
    case "datetime": {
      const allDay = module.apiName === "Events" && record.values.All_day === true;
      return formatZohoDateTime(value as number, allDay ? "UTC" : options.zone);
    }
    case "lookup": {
      const target = field.lookupModule === "se_module" ? record.values.$se_module : field.lookupModule;
      if (options.lookupsAsIdOnly || typeof target !== "string") return { id: value };
      return { name: org.displayName(target, value as string), id: value };
    }
    case "ownerlookup":
    case "userlookup":
      return org.userRef(value as string);
    case "participants":
      return (value as JsonObject[]).map((participant, index) => ({
        ...participant,
        name: participant.name ?? participantName(org, participant),
        invited: false,
        status: "not_known",
        id: `${record.id.slice(0, -3)}${String(900 + index)}`,
      }));
    default:
      return value;
  }
}

function participantName(org: ZohoOrg, participant: JsonObject): Json {
  const target = participant.participant;
  if (typeof target !== "string") return null;
  if (participant.type === "contact") return org.displayName("Contacts", target);
  if (participant.type === "lead") return org.displayName("Leads", target);
  if (participant.type === "user") return org.userRef(target)?.name ?? null;
  return null;
}

const SYSTEM_KEYS: JsonObject = { $editable: true, $state: "save", $approval_state: "approved" };

export function renderRecord(
  org: ZohoOrg,
  module: ModuleDef,
  record: StoredRecord,
  options: RenderOptions,
): JsonObject {
  const out: JsonObject = {};
  const names = options.fields ?? [...module.fields.keys()];
  for (const name of names) {
    const value = renderValue(org, module, record, name, options);
    if (value !== undefined) out[name] = value;
    if (name === "What_Id" && value !== null && value !== undefined) out.$se_module = record.values.$se_module ?? null;
  }
  out.id = record.id;
  return options.lookupsAsIdOnly ? out : { ...out, ...SYSTEM_KEYS };
}
