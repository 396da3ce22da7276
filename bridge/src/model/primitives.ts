/**
 * Primitive value formats shared by every canonical record.
 *
 * Invariant: each format has exactly one textual normal form, so two canonical values are equal exactly when their
 * JSON is equal — the sync core hashes and compares them as strings. Instants are UTC with whole seconds because Zoho
 * keeps no milliseconds (spec zoho-crm-api.md §8.5); dates are floating `yyyy-MM-dd`.
 */
import { IANAZone } from "luxon";
import { z } from "zod";
import { remembered } from "./timezone.js";

/** A point in time, UTC, whole seconds: `2026-03-29T07:00:00Z`. */
export const instantSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, "expected a UTC instant yyyy-MM-ddTHH:mm:ssZ");
export type Instant = z.infer<typeof instantSchema>;

/** A floating calendar date with no zone: `2026-03-29`. */
export const localDateSchema = z.iso.date();
export type LocalDate = z.infer<typeof localDateSchema>;

/** Luxon answers by building an Intl formatter each time; every parsed event asks. */
const knownZone = remembered((zone: string) => IANAZone.isValidZone(zone));

/** An IANA time-zone name known to the runtime's ICU data (`Europe/Berlin`, `UTC`). */
export const ianaZoneSchema = z.string().refine(knownZone, "expected an IANA time-zone name");
export type IanaZone = z.infer<typeof ianaZoneSchema>;

/** A mailbox: lower-case-insensitive address plus an optional display name. */
export const mailboxSchema = z.object({
  address: z.string().min(3),
  name: z.string().optional(),
});
export type Mailbox = z.infer<typeof mailboxSchema>;

/** Free-text categories (Outlook categories, Zoho tags): kept sorted and unique so order never registers as a change. */
export const categoriesSchema = z.array(z.string().min(1));
