/**
 * Users, profiles, roles, org and the metadata endpoints (zoho-crm-api.md §6; `settings/modules` and
 * `settings/fields` are what the official SDK reads before any record call to learn field types).
 */
import type { ApiContext, ApiResult } from "./context.js";
import type { FieldDef, ModuleDef } from "./modules.js";
import { ORG_ID, type ZohoOrg } from "./org.js";
import { intParam } from "./records.js";
import type { SimUser } from "./store.js";
import { formatZohoDateTime, type JsonObject, parseHeaderTime, ZohoApiError } from "./wire.js";

const USER_TYPES: Record<string, (user: SimUser, org: ZohoOrg) => boolean> = {
  AllUsers: () => true,
  ActiveUsers: (user) => user.status === "active",
  DeactiveUsers: (user) => user.status === "disabled",
  DeletedUsers: (user) => user.status === "deleted",
  ConfirmedUsers: (user) => user.confirm,
  NotConfirmedUsers: (user) => !user.confirm,
  ActiveConfirmedUsers: (user) => user.status === "active" && user.confirm,
  AdminUsers: (user, org) => org.profiles.get(user.profileId)?.name === "Administrator",
  ActiveConfirmedAdmins: (user, org) =>
    user.status === "active" && user.confirm && org.profiles.get(user.profileId)?.name === "Administrator",
};

export function renderUser(org: ZohoOrg, user: SimUser, zone: string): JsonObject {
  const profile = org.profiles.get(user.profileId);
  const role = org.roles.get(user.roleId);
  return {
    role: role ? { name: role.name, id: role.id } : null,
    locale: user.locale,
    Modified_By: org.userRef(org.primaryUser.id),
    id: user.id,
    first_name: user.firstName,
    email: user.email,
    Reporting_To: null,
    created_time: formatZohoDateTime(user.createdTime, zone),
    Modified_Time: formatZohoDateTime(user.modifiedTime, zone),
    time_zone: user.timeZone,
    profile: profile ? { name: profile.name, id: profile.id } : null,
    last_name: user.lastName,
    created_by: org.userRef(org.primaryUser.id),
    zuid: user.zuid,
    confirm: user.confirm,
    full_name: `${user.firstName} ${user.lastName}`.trim(),
    status: user.status,
    microsoft: false,
    $shift_effective_from: null,
    $current_shift: null,
    $next_shift: null,
    alias: null,
    sandboxDeveloper: false,
    status_reason__s: null,
    decimal_separator: "Period",
    image_link: `https://profile.zoho.com/file?ID=${user.zuid}&fs=thumb`,
    phone: null,
    date_format: "MM/dd/yyyy",
    type__s: "paid",
  };
}

export function listUsers(org: ZohoOrg, ctx: ApiContext, userId?: string): ApiResult {
  if (userId) {
    const user = org.users.get(userId);
    return user ? { status: 200, body: { users: [renderUser(org, user, ctx.zone)] } } : { status: 204 };
  }
  const type = ctx.query.get("type") ?? "AllUsers";
  const filter = type === "CurrentUser" ? (user: SimUser) => user.id === ctx.user.id : USER_TYPES[type];
  if (!filter) throw new ZohoApiError(400, "INVALID_DATA", "invalid data", { param_name: "type" });
  const perPage = intParam(ctx.query, "per_page", 200, 1, 200);
  const page = intParam(ctx.query, "page", 1, 1, Number.MAX_SAFE_INTEGER);
  const since = parseHeaderTime(
    typeof ctx.headers["if-modified-since"] === "string" ? ctx.headers["if-modified-since"] : undefined,
  );
  const ids = ctx.query.get("ids")?.split(",");
  const users = [...org.users.values()].filter(
    (user) =>
      filter(user, org) && (!ids || ids.includes(user.id)) && (since === undefined || user.modifiedTime >= since),
  );
  const slice = users.slice((page - 1) * perPage, page * perPage);
  if (slice.length === 0) return { status: since === undefined ? 204 : 304 };
  return {
    status: 200,
    body: {
      users: slice.map((user) => renderUser(org, user, ctx.zone)),
      info: { per_page: perPage, count: slice.length, page, more_records: page * perPage < users.length },
    },
  };
}

export function listProfiles(org: ZohoOrg): ApiResult {
  return {
    status: 200,
    body: {
      profiles: [...org.profiles.values()].map((profile) => ({
        display_label: profile.name,
        created_time: null,
        modified_time: null,
        name: profile.name,
        modified_by: null,
        description: null,
        id: profile.id,
        category: false,
        custom: profile.custom,
        created_by: null,
      })),
    },
  };
}

export function listRoles(org: ZohoOrg): ApiResult {
  return {
    status: 200,
    body: {
      roles: [...org.roles.values()].map((role) => ({
        display_label: role.name,
        name: role.name,
        id: role.id,
        reporting_to: null,
        admin_user: role.name === "CEO",
      })),
    },
  };
}

export function getOrg(org: ZohoOrg, ctx: ApiContext, edition: string): ApiResult {
  const admin = org.primaryUser;
  return {
    status: 200,
    body: {
      org: [
        {
          country: null,
          hierarchy_preferences: { type: "Role_Hierarchy" },
          photo_id: null,
          mc_status: false,
          gapps_enabled: false,
          lite_users_enabled: false,
          translation_enabled: false,
          deletable_org_account: false,
          zia_portal_id: null,
          hipaa_compliance_enabled: false,
          city: null,
          description: null,
          type: "production",
          domain_name: `org${ORG_ID}`,
          street: null,
          alias: null,
          currency: "US Dollar - USD",
          id: `${ORG_ID}000000000001`,
          state: null,
          fax: null,
          employee_count: "10",
          zip: null,
          created_time: formatZohoDateTime(admin.createdTime, ctx.zone),
          website: null,
          currency_symbol: "$",
          mobile: null,
          currency_locale: "en_US",
          primary_zuid: admin.zuid,
          time_zone: org.defaultTimeZone,
          zgid: ORG_ID,
          country_code: "US",
          license_details: {
            paid_expiry: null,
            users_license_purchased: org.users.size,
            trial_type: null,
            trial_expiry: null,
            paid: edition !== "free",
            paid_type: edition,
            portal_users_license_purchased: 0,
          },
          phone: null,
          company_name: "Zylker (simulated)",
          privacy_settings: false,
          primary_email: admin.email,
          iso_code: "USD",
        },
      ],
    },
  };
}

export function listModules(org: ZohoOrg): ApiResult {
  return {
    status: 200,
    body: {
      modules: [...org.modules.values()].map((module) => ({
        api_name: module.apiName,
        api_supported: true,
        generated_type: "default",
        module_name: module.apiName,
        id: module.id,
        singular_label: module.singular,
        plural_label: module.plural,
        creatable: true,
        editable: true,
        deletable: true,
        viewable: true,
      })),
    },
  };
}

const JSON_TYPES: Partial<Record<FieldDef["type"], string>> = {
  boolean: "boolean",
  integer: "integer",
  bigint: "integer",
  double: "double",
  currency: "double",
  lookup: "jsonobject",
  ownerlookup: "jsonobject",
  userlookup: "jsonobject",
  multiselectpicklist: "jsonarray",
  multireminder: "jsonarray",
  participants: "jsonarray",
  ALARM: "jsonobject",
  RRULE: "jsonobject",
};

function renderField(org: ZohoOrg, module: ModuleDef, field: FieldDef, index: number): JsonObject {
  const lookupTarget = field.lookupModule
    ? org.module(field.lookupModule === "se_module" ? "Accounts" : field.lookupModule)
    : undefined;
  return {
    api_name: field.apiName,
    id: `${module.id.slice(0, -4)}${String(1000 + index)}`,
    field_label: field.label,
    display_label: field.label,
    data_type: field.type === "participants" ? "multiselectlookup" : field.type,
    json_type: JSON_TYPES[field.type] ?? "string",
    system_mandatory: field.mandatory === true,
    custom_field: false,
    read_only: field.readOnly === true,
    length: field.maxLength ?? null,
    lookup:
      field.type === "lookup"
        ? field.lookupModule === "se_module"
          ? { module: { api_name: "se_module", id: null } }
          : { module: { api_name: lookupTarget?.apiName ?? null, id: lookupTarget?.id ?? null } }
        : null,
    pick_list_values:
      field.type === "picklist"
        ? (field.values ?? []).map((value, position) => ({
            display_value: value,
            actual_value: value,
            id: `${module.id.slice(0, -5)}${String(20000 + index * 50 + position)}`,
            sequence_number: position + 1,
          }))
        : [],
  };
}

export function listFields(org: ZohoOrg, ctx: ApiContext): ApiResult {
  const name = ctx.query.get("module");
  if (!name)
    throw new ZohoApiError(400, "REQUIRED_PARAM_MISSING", "required param is missing", { param_name: "module" });
  const module = org.module(name);
  if (!module)
    throw new ZohoApiError(400, "INVALID_MODULE", "the module name given seems to be invalid", {
      param_name: "module",
    });
  return {
    status: 200,
    body: { fields: [...module.fields.values()].map((field, index) => renderField(org, module, field, index)) },
  };
}
