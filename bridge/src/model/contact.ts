/**
 * Canonical contact: the union of what Exchange contacts and Zoho Contacts/Leads can hold.
 *
 * Every multi-valued wire property (e-mail addresses, phones, postal addresses) is split into one top-level field
 * per slot, because the sync core merges field by field and a side must hold a field entirely or not at all: Zoho
 * keeps two e-mail addresses, so `email3` is a field Zoho lacks, instead of an array Zoho would silently truncate.
 * An absent optional field means "empty on that side"; mappings never produce empty strings.
 */
import { z } from "zod";
import { categoriesSchema, localDateSchema } from "./primitives.js";

export const postalAddressSchema = z.object({
  street: z.string().optional(),
  city: z.string().optional(),
  state: z.string().optional(),
  postalCode: z.string().optional(),
  country: z.string().optional(),
});
export type PostalAddress = z.infer<typeof postalAddressSchema>;

const text = z.string().min(1).optional();

export const contactSchema = z.object({
  salutation: text,
  givenName: text,
  middleName: text,
  /** Zoho requires Last_Name; the Zoho mapping falls back to other names or the e-mail when this is absent. */
  surname: text,
  displayName: text,
  companyName: text,
  jobTitle: text,
  department: text,
  assistantName: text,
  /** Primary address (Zoho `Email`, EWS `EmailAddress1`, Graph `emailAddresses[0]`). */
  email1: text,
  email2: text,
  email3: text,
  businessPhone: text,
  businessPhone2: text,
  mobilePhone: text,
  homePhone: text,
  homePhone2: text,
  otherPhone: text,
  assistantPhone: text,
  businessFax: text,
  homeFax: text,
  businessAddress: postalAddressSchema.optional(),
  homeAddress: postalAddressSchema.optional(),
  otherAddress: postalAddressSchema.optional(),
  birthday: localDateSchema.optional(),
  website: text,
  /** Plain text (Zoho `Description`, Graph `personalNotes`, EWS `Body`). */
  notes: text,
  categories: categoriesSchema,
});
export type Contact = z.infer<typeof contactSchema>;
export type ContactField = keyof Contact & string;
