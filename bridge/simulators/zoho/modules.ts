/**
 * The module and field metadata of a standard Zoho CRM org, as the simulator enforces and serves it
 * (`GET /settings/modules`, `GET /settings/fields?module=`).
 *
 * Field API names follow the official SDK's `record/field.ts`; types use Zoho's `data_type` vocabulary (the SDK maps
 * exactly these strings, see its `Utility.fillDataType`). Length limits are Zoho's documented defaults: single line
 * 255, phone 30, multi-line 32 000 (zoho-crm-api.md §3 "Field formats").
 */

export type FieldType =
  | "text"
  | "textarea"
  | "email"
  | "phone"
  | "website"
  | "picklist"
  | "multiselectpicklist"
  | "date"
  | "datetime"
  | "boolean"
  | "integer"
  | "double"
  | "currency"
  | "lookup"
  | "ownerlookup"
  | "userlookup"
  | "bigint"
  | "multireminder"
  | "ALARM"
  | "RRULE"
  | "participants";

export interface FieldDef {
  apiName: string;
  type: FieldType;
  label: string;
  maxLength?: number;
  /** system_mandatory: rejected with MANDATORY_NOT_FOUND when absent on insert or emptied on update. */
  mandatory?: boolean;
  readOnly?: boolean;
  /** Allowed values of a picklist. */
  values?: readonly string[];
  /**
   * A restricted picklist rejects values outside `values` with INVALID_DATA; an unrestricted one accepts new values
   * (zoho-crm-api.md §3: "picklist accepts new values"). Task Status/Priority are restricted here so that a bad
   * value is rejected, as issue 2 requires.
   */
  restricted?: boolean;
  /** Target module of a lookup; "se_module" for What_Id, whose target is named by the record's `$se_module`. */
  lookupModule?: string;
}

export interface ModuleDef {
  apiName: string;
  singular: string;
  plural: string;
  /** Numeric module id, served as `resource_id` and in metadata. */
  id: string;
  fields: Map<string, FieldDef>;
  /** Field whose value is the record's display name (lookups answer `{name, id}` with it). */
  displayField: string;
  /** Upsert's system duplicate-check field; absent = the module does not support upsert (zoho-crm-api.md §2.2). */
  upsertField?: string;
  /** Whether `/{module}/{id}/Emails` and associate_email are supported. */
  emails: boolean;
}

const SINGLE_LINE = 255;
const PHONE = 30;
const MULTI_LINE = 32_000;

type FieldSpec = [apiName: string, type: FieldType, extra?: Partial<FieldDef>];

const text = (apiName: string, extra: Partial<FieldDef> = {}): FieldSpec => [
  apiName,
  "text",
  { maxLength: SINGLE_LINE, ...extra },
];
const phone = (apiName: string): FieldSpec => [apiName, "phone", { maxLength: PHONE }];
const email = (apiName: string): FieldSpec => [apiName, "email", { maxLength: 100 }];
const area = (apiName: string): FieldSpec => [apiName, "textarea", { maxLength: MULTI_LINE }];
const lookup = (apiName: string, module: string, extra: Partial<FieldDef> = {}): FieldSpec => [
  apiName,
  "lookup",
  { lookupModule: module, ...extra },
];
const picklist = (apiName: string, values: readonly string[], restricted = false): FieldSpec => [
  apiName,
  "picklist",
  { values, restricted },
];

const SYSTEM_FIELDS: FieldSpec[] = [
  ["Owner", "ownerlookup"],
  ["Created_By", "userlookup", { readOnly: true }],
  ["Modified_By", "userlookup", { readOnly: true }],
  ["Created_Time", "datetime", { readOnly: true }],
  ["Modified_Time", "datetime", { readOnly: true }],
  /** Moves on edits and on activities such as mails associated or sent from the CRM. */
  ["Last_Activity_Time", "datetime", { readOnly: true }],
  area("Description"),
];

const LEAD_SOURCES = ["-None-", "Advertisement", "Cold Call", "Employee Referral", "External Referral", "Web Download"];

const PERSON_FIELDS: FieldSpec[] = [
  picklist("Salutation", ["-None-", "Mr.", "Mrs.", "Ms.", "Dr.", "Prof."]),
  text("First_Name", { maxLength: 40 }),
  text("Last_Name", { maxLength: 80, mandatory: true }),
  text("Full_Name", { readOnly: true }),
  email("Email"),
  email("Secondary_Email"),
  phone("Phone"),
  phone("Mobile"),
  phone("Fax"),
  text("Skype_ID"),
  text("Twitter"),
  ["Email_Opt_Out", "boolean"],
  picklist("Lead_Source", LEAD_SOURCES),
];

const CONTACT_FIELDS: FieldSpec[] = [
  ...PERSON_FIELDS,
  lookup("Account_Name", "Accounts"),
  lookup("Reporting_To", "Contacts"),
  text("Title", { maxLength: 100 }),
  text("Department"),
  text("Assistant"),
  phone("Home_Phone"),
  phone("Other_Phone"),
  phone("Asst_Phone"),
  ["Date_of_Birth", "date"],
  text("Mailing_Street"),
  text("Mailing_City"),
  text("Mailing_State"),
  text("Mailing_Zip"),
  text("Mailing_Country"),
  text("Other_Street"),
  text("Other_City"),
  text("Other_State"),
  text("Other_Zip"),
  text("Other_Country"),
];

const LEAD_FIELDS: FieldSpec[] = [
  ...PERSON_FIELDS,
  text("Company", { maxLength: 200 }),
  text("Designation", { maxLength: 100 }),
  picklist("Lead_Status", ["-None-", "Attempted to Contact", "Contact in Future", "Contacted", "Not Contacted"]),
  picklist("Industry", ["-None-", "ASP", "Data/Telecom OEM", "ERP", "Government/Military", "Large Enterprise"]),
  ["Annual_Revenue", "currency"],
  ["No_of_Employees", "integer"],
  picklist("Rating", ["-None-", "Acquired", "Active", "Market Failed", "Project Cancelled", "Shut Down"]),
  ["Website", "website", { maxLength: SINGLE_LINE }],
  text("Street"),
  text("City"),
  text("State"),
  text("Zip_Code"),
  text("Country"),
];

const ACCOUNT_FIELDS: FieldSpec[] = [
  text("Account_Name", { maxLength: 200, mandatory: true }),
  lookup("Parent_Account", "Accounts"),
  phone("Phone"),
  phone("Fax"),
  ["Website", "website", { maxLength: SINGLE_LINE }],
  picklist("Account_Type", ["-None-", "Analyst", "Competitor", "Customer", "Distributor", "Partner", "Prospect"]),
  picklist("Industry", ["-None-", "ASP", "Data/Telecom OEM", "ERP", "Government/Military", "Large Enterprise"]),
  ["Employees", "integer"],
  ["Annual_Revenue", "currency"],
  text("Billing_Street"),
  text("Billing_City"),
  text("Billing_State"),
  text("Billing_Code"),
  text("Billing_Country"),
  text("Shipping_Street"),
  text("Shipping_City"),
  text("Shipping_State"),
  text("Shipping_Code"),
  text("Shipping_Country"),
];

const DEAL_FIELDS: FieldSpec[] = [
  text("Deal_Name", { maxLength: 120, mandatory: true }),
  picklist(
    "Stage",
    [
      "Qualification",
      "Needs Analysis",
      "Value Proposition",
      "Proposal/Price Quote",
      "Negotiation/Review",
      "Closed Won",
      "Closed Lost",
    ],
    true,
  ),
  ["Amount", "currency"],
  ["Closing_Date", "date"],
  lookup("Account_Name", "Accounts"),
  lookup("Contact_Name", "Contacts"),
  ["Probability", "integer"],
  picklist("Type", ["-None-", "Existing Business", "New Business"]),
  picklist("Lead_Source", LEAD_SOURCES),
  text("Next_Step", { maxLength: 100 }),
];

const ACTIVITY_LINKS: FieldSpec[] = [lookup("What_Id", "se_module"), lookup("Who_Id", "Contacts")];

const EVENT_FIELDS: FieldSpec[] = [
  text("Event_Title", { mandatory: true }),
  ["Start_DateTime", "datetime", { mandatory: true }],
  ["End_DateTime", "datetime", { mandatory: true }],
  ["All_day", "boolean"],
  text("Venue"),
  ["Participants", "participants"],
  ["Remind_At", "multireminder"],
  ["Remind_Participants", "multireminder"],
  ["Recurring_Activity", "RRULE"],
  ...ACTIVITY_LINKS,
];

export const TASK_STATUSES = ["Not Started", "Deferred", "In Progress", "Completed", "Waiting for input"] as const;
export const TASK_PRIORITIES = ["High", "Highest", "Low", "Lowest", "Normal"] as const;

const TASK_FIELDS: FieldSpec[] = [
  text("Subject", { mandatory: true }),
  ["Due_Date", "date"],
  picklist("Status", TASK_STATUSES, true),
  picklist("Priority", TASK_PRIORITIES, true),
  ["Remind_At", "ALARM"],
  ["Recurring_Activity", "RRULE"],
  ["Send_Notification_Email", "boolean"],
  ["Closed_Time", "datetime", { readOnly: true }],
  ...ACTIVITY_LINKS,
];

const CALL_FIELDS: FieldSpec[] = [
  text("Subject", { mandatory: true }),
  picklist("Call_Type", ["Inbound", "Outbound", "Missed"], true),
  ["Call_Start_Time", "datetime", { mandatory: true }],
  text("Call_Duration", { maxLength: 10 }),
  picklist("Call_Purpose", ["-None-", "Prospecting", "Administrative", "Negotiation", "Demo", "Project", "Desk"]),
  picklist("Call_Result", ["-None-", "Interested", "Not interested", "No response", "Busy", "Requested more info"]),
  area("Call_Agenda"),
  picklist("Outgoing_Call_Status", ["Scheduled", "Completed", "Overdue", "Cancelled"]),
  ...ACTIVITY_LINKS,
];

const NOTE_FIELDS: FieldSpec[] = [
  text("Note_Title"),
  area("Note_Content"),
  lookup("Parent_Id", "se_module", { mandatory: true }),
];

function buildFields(specs: FieldSpec[]): Map<string, FieldDef> {
  const fields = new Map<string, FieldDef>();
  for (const [apiName, type, extra] of [...specs, ...SYSTEM_FIELDS]) {
    if (fields.has(apiName)) continue;
    fields.set(apiName, { apiName, type, label: apiName.replaceAll("_", " "), ...extra });
  }
  return fields;
}

interface ModuleSpec {
  apiName: string;
  singular: string;
  fields: FieldSpec[];
  displayField: string;
  upsertField?: string;
  emails?: boolean;
}

const MODULE_SPECS: ModuleSpec[] = [
  {
    apiName: "Leads",
    singular: "Lead",
    fields: LEAD_FIELDS,
    displayField: "Full_Name",
    upsertField: "Email",
    emails: true,
  },
  {
    apiName: "Contacts",
    singular: "Contact",
    fields: CONTACT_FIELDS,
    displayField: "Full_Name",
    upsertField: "Email",
    emails: true,
  },
  {
    apiName: "Accounts",
    singular: "Account",
    fields: ACCOUNT_FIELDS,
    displayField: "Account_Name",
    upsertField: "Account_Name",
    emails: true,
  },
  {
    apiName: "Deals",
    singular: "Deal",
    fields: DEAL_FIELDS,
    displayField: "Deal_Name",
    upsertField: "Deal_Name",
    emails: true,
  },
  { apiName: "Events", singular: "Meeting", fields: EVENT_FIELDS, displayField: "Event_Title" },
  { apiName: "Tasks", singular: "Task", fields: TASK_FIELDS, displayField: "Subject" },
  { apiName: "Calls", singular: "Call", fields: CALL_FIELDS, displayField: "Subject" },
  { apiName: "Notes", singular: "Note", fields: NOTE_FIELDS, displayField: "Note_Title" },
];

/** Modules a What_Id may point at (zoho-crm-api.md §3 "Events details"); Tasks also accept Leads there. */
export const WHAT_ID_MODULES = new Set(["Accounts", "Deals", "Leads"]);

export function buildModules(moduleIdPrefix: string): Map<string, ModuleDef> {
  const modules = new Map<string, ModuleDef>();
  MODULE_SPECS.forEach((spec, index) => {
    modules.set(spec.apiName, {
      apiName: spec.apiName,
      singular: spec.singular,
      plural: spec.apiName,
      id: `${moduleIdPrefix}${String(100 + index * 2).padStart(9, "0")}`,
      fields: buildFields(spec.fields),
      displayField: spec.displayField,
      upsertField: spec.upsertField,
      emails: spec.emails ?? false,
    });
  });
  return modules;
}

/** Case-insensitive module lookup: Zoho accepts `contacts` as well as `Contacts` in paths. */
export function findModule(modules: Map<string, ModuleDef>, name: string): ModuleDef | undefined {
  const exact = modules.get(name);
  if (exact) return exact;
  const lower = name.toLowerCase();
  for (const module of modules.values()) if (module.apiName.toLowerCase() === lower) return module;
  return undefined;
}
