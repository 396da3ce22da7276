/**
 * Canonical contact ⇄ Zoho Contacts / Leads records.
 *
 * Table-driven: each module lists the canonical text fields it holds and their API names; addresses map whole
 * (Contacts `Mailing_*` = business, `Other_*` = other; Leads' single address = business). Reads turn null, "" and
 * Zoho's picklist placeholder "-None-" into absent; writes send every held field, null when absent, so an update
 * clears what the canonical value no longer has. Fields a module lacks are listed in FIELDS.md and never written.
 */
import { type Contact, normaliseContact, type PostalAddress } from "../../model/index.js";
import { orNull, postalAddress, present } from "../values.js";
import type { ZohoLookup, ZohoRecord } from "./wire.js";

export type ZohoPersonModule = "Contacts" | "Leads";

type TextField = Exclude<keyof Contact, "categories" | "businessAddress" | "homeAddress" | "otherAddress">;
type AddressField = "businessAddress" | "otherAddress";
type AddressColumns = Record<keyof PostalAddress, string>;

interface ModuleLayout {
  text: [TextField, string][];
  addresses: [AddressField, AddressColumns][];
}

const PERSON: [TextField, string][] = [
  ["salutation", "Salutation"],
  ["givenName", "First_Name"],
  ["surname", "Last_Name"],
  ["email1", "Email"],
  ["email2", "Secondary_Email"],
  ["businessPhone", "Phone"],
  ["mobilePhone", "Mobile"],
  ["businessFax", "Fax"],
  ["notes", "Description"],
];

const prefixed = (prefix: string, zip: string): AddressColumns => ({
  street: `${prefix}Street`,
  city: `${prefix}City`,
  state: `${prefix}State`,
  postalCode: `${prefix}${zip}`,
  country: `${prefix}Country`,
});

const LAYOUTS: Record<ZohoPersonModule, ModuleLayout> = {
  Contacts: {
    text: [
      ...PERSON,
      ["jobTitle", "Title"],
      ["department", "Department"],
      ["assistantName", "Assistant"],
      ["homePhone", "Home_Phone"],
      ["otherPhone", "Other_Phone"],
      ["assistantPhone", "Asst_Phone"],
      ["birthday", "Date_of_Birth"],
    ],
    addresses: [
      ["businessAddress", prefixed("Mailing_", "Zip")],
      ["otherAddress", prefixed("Other_", "Zip")],
    ],
  },
  Leads: {
    text: [...PERSON, ["companyName", "Company"], ["jobTitle", "Designation"], ["website", "Website"]],
    addresses: [["businessAddress", prefixed("", "Zip_Code")]],
  },
};

/** Zoho shows "-None-" for an unset picklist (e.g. Salutation). */
const PICKLIST_NONE = "-None-";

function readText(record: ZohoRecord, field: string): string | undefined {
  const value = record[field];
  if (typeof value !== "string" || value === PICKLIST_NONE) return undefined;
  return present(value);
}

function readAddress(record: ZohoRecord, columns: AddressColumns): PostalAddress | undefined {
  return postalAddress({
    street: readText(record, columns.street),
    city: readText(record, columns.city),
    state: readText(record, columns.state),
    postalCode: readText(record, columns.postalCode),
    country: readText(record, columns.country),
  });
}

export function contactFromZoho(record: ZohoRecord, module: ZohoPersonModule): Contact {
  const layout = LAYOUTS[module];
  const contact: Contact = { categories: [] };
  for (const [field, column] of layout.text) {
    const value = readText(record, column);
    if (value !== undefined) contact[field] = value;
  }
  for (const [field, columns] of layout.addresses) {
    const address = readAddress(record, columns);
    if (address !== undefined) contact[field] = address;
  }
  const account = record.Account_Name as ZohoLookup | null | undefined;
  if (module === "Contacts" && account?.name) contact.companyName = account.name;
  return normaliseContact(contact);
}

export interface ContactToZohoOptions {
  /**
   * Contacts only: the id of the Account named `companyName`. `Account_Name` is a lookup, so the connector resolves
   * (or creates) the account first; without an id the field is left untouched. An absent companyName clears it.
   */
  accountId?: string;
}

/** Last_Name is mandatory in both modules (zoho-crm-api.md §3); fall back to the best name the contact has. */
function lastName(contact: Contact): string {
  return contact.surname ?? contact.displayName ?? contact.givenName ?? contact.companyName ?? contact.email1 ?? "—";
}

export function contactToZoho(
  contact: Contact,
  module: ZohoPersonModule,
  options: ContactToZohoOptions = {},
): ZohoRecord {
  const layout = LAYOUTS[module];
  const record: ZohoRecord = {};
  for (const [field, column] of layout.text) record[column] = orNull(contact[field]);
  record.Last_Name = lastName(contact);
  for (const [field, columns] of layout.addresses) {
    const address = contact[field] ?? {};
    for (const part of Object.keys(columns) as (keyof PostalAddress)[]) record[columns[part]] = orNull(address[part]);
  }
  if (module === "Contacts" && contact.companyName === undefined) record.Account_Name = null;
  else if (module === "Contacts" && options.accountId !== undefined) record.Account_Name = { id: options.accountId };
  return record;
}
