/**
 * A small canonical-like contact for the sync-core tests, with fields both sides hold, one only Exchange holds
 * (`categories`) and one only the CRM holds (`leadSource`), so side-only fields are exercised everywhere.
 */

import type { SyncModule } from "../../src/sync/module.js";

export interface Person {
  readonly name: string;
  readonly email?: string;
  readonly phone?: string;
  readonly company?: string;
  readonly categories?: readonly string[];
  readonly leadSource?: string;
}

const shared = ["name", "email", "phone", "company"] as const;

export const personModule: SyncModule<Person> = {
  name: "contacts",
  schemaVersion: 1,
  fields: [...shared, "categories", "leadSource"],
  sideFields: { exchange: [...shared, "categories"], crm: [...shared, "leadSource"] },
  matchKeys: (value) => {
    const keys: string[] = [];
    if (value.email) keys.push(`email:${value.email.trim().toLowerCase()}`);
    keys.push(`name:${value.name.trim().toLowerCase()}|${(value.company ?? "").trim().toLowerCase()}`);
    return keys;
  },
  normalizeField: (field, value) => {
    if (field === "email" && typeof value === "string") return value.trim().toLowerCase();
    if (field === "categories" && Array.isArray(value)) return value.length === 0 ? undefined : [...value].sort();
    return typeof value === "string" ? value.trim() || undefined : value;
  },
  parse: (stored) => {
    if (typeof stored !== "object" || stored === null || typeof (stored as { name?: unknown }).name !== "string") {
      throw new Error("not a Person");
    }
    return stored as Person;
  },
};
