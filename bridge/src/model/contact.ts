/**
 * Canonical contact: the union of what Exchange contacts and Zoho Contacts/Leads can hold. Every optional field
 * absent means "empty on that side"; the mappings never write empty strings.
 */
import { z } from "zod";
import { categoriesSchema, localDateSchema } from "./primitives.js";

export const phoneKinds = [
  "business",
  "business2",
  "mobile",
  "home",
  "home2",
  "businessFax",
  "homeFax",
  "assistant",
  "other",
] as const;
export const phoneSchema = z.object({ kind: z.enum(phoneKinds), number: z.string().min(1) });
export type Phone = z.infer<typeof phoneSchema>;

export const addressKinds = ["business", "home", "other"] as const;
export const postalAddressSchema = z.object({
  kind: z.enum(addressKinds),
  street: z.string().optional(),
  city: z.string().optional(),
  state: z.string().optional(),
  postalCode: z.string().optional(),
  country: z.string().optional(),
});
export type PostalAddress = z.infer<typeof postalAddressSchema>;

export const contactSchema = z.object({
  salutation: z.string().optional(),
  givenName: z.string().optional(),
  middleName: z.string().optional(),
  /** Zoho requires Last_Name; the Zoho mapping falls back to the display name or e-mail when this is absent. */
  surname: z.string().optional(),
  displayName: z.string().optional(),
  companyName: z.string().optional(),
  jobTitle: z.string().optional(),
  department: z.string().optional(),
  assistantName: z.string().optional(),
  /** Ordered: the first is the primary address (Zoho `Email`, EWS `EmailAddress1`, Graph `emailAddresses[0]`). */
  emails: z.array(z.string().min(3)),
  phones: z.array(phoneSchema),
  addresses: z.array(postalAddressSchema),
  birthday: localDateSchema.optional(),
  website: z.string().optional(),
  /** Plain text (Zoho `Description`, Exchange notes/personalNotes). */
  notes: z.string().optional(),
  categories: categoriesSchema,
});
export type Contact = z.infer<typeof contactSchema>;
