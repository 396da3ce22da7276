/**
 * Field comparison and per-side content hashes.
 *
 * Invariants:
 * - Two field values are equal iff their `SyncModule.normalizeField` forms serialise identically with object keys
 *   sorted (so key order, `undefined` members and cosmetic differences the module normalises never count).
 * - A side's hash covers exactly the fields that side can hold (`sideFields[side]`), in their normal form. A change
 *   on a side is "version moved AND hash moved" (vdirsyncer), so re-reading our own write is never a change.
 */

import { hash } from "node:crypto";
import type { Side } from "../connectors/port.js";
import type { FieldOf, SyncModule } from "./module.js";

/** JSON with object keys sorted and `undefined` members dropped: a canonical text for hashing and equality. */
export function stableStringify(value: unknown): string {
  if (value === undefined) return "null";
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  const entries = Object.entries(value)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, member]) => `${JSON.stringify(key)}:${stableStringify(member)}`);
  return `{${entries.join(",")}}`;
}

/**
 * Normal-form texts already computed, per module and value object. A run compares and hashes each value's fields
 * many times (classification, matching, merge, the written relation's hashes), and normalising some fields is costly
 * (time zones, e-mail lists). Values are never mutated once read or merged, so a text stays valid while its value
 * lives; the weak keys let both go together.
 */
const normalTexts = new WeakMap<object, WeakMap<object, Map<string, string>>>();

function textsOf(module: object, value: object): Map<string, string> {
  let byValue = normalTexts.get(module);
  if (!byValue) {
    byValue = new WeakMap();
    normalTexts.set(module, byValue);
  }
  let texts = byValue.get(value);
  if (!texts) {
    texts = new Map();
    byValue.set(value, texts);
  }
  return texts;
}

function fieldText<T>(module: SyncModule<T>, field: FieldOf<T>, value: T | undefined): string {
  const raw = value === undefined || value === null ? undefined : value[field];
  // An absent field is empty on every side; the module normalises only values that are there.
  if (raw === undefined) return "null";
  const texts = typeof value === "object" && value !== null ? textsOf(module, value) : undefined;
  const known = texts?.get(field);
  if (known !== undefined) return known;
  const text = stableStringify(module.normalizeField(field, raw));
  texts?.set(field, text);
  return text;
}

/** True when `a` and `b` hold the same normalised value in `field` (an absent record counts as all-empty). */
export function fieldEquals<T>(module: SyncModule<T>, field: FieldOf<T>, a: T | undefined, b: T | undefined): boolean {
  return fieldText(module, field, a) === fieldText(module, field, b);
}

/** True when `value` holds nothing in `field` (absent, or empty in the module's normal form). */
export function fieldIsEmpty<T>(module: SyncModule<T>, field: FieldOf<T>, value: T): boolean {
  return fieldText(module, field, value) === "null";
}

/** True when `a` and `b` agree on every field `side` can hold, i.e. writing `a` over `b` on that side is a no-op. */
export function equalOnSide<T>(module: SyncModule<T>, side: Side, a: T, b: T): boolean {
  return module.sideFields[side].every((field) => fieldEquals(module, field, a, b));
}

/** Fields both sides hold. */
export function sharedFields<T>(module: SyncModule<T>): FieldOf<T>[] {
  return module.sideFields.exchange.filter((field) => module.sideFields.crm.includes(field));
}

/**
 * A match key of last resort: the normalised content of the fields both sides hold, so two identical items pair
 * even when the module finds no key for them (a contact with neither name nor e-mail).
 */
export function contentKey<T>(module: SyncModule<T>, value: T): string {
  const projection = sharedFields(module).map((field) => [field, fieldText(module, field, value)]);
  return `content:${hash("sha256", JSON.stringify(projection), "base64url")}`;
}

/** Content hash of what `side` can hold of `value`. */
export function sideHash<T>(module: SyncModule<T>, side: Side, value: T): string {
  const projection = module.sideFields[side].map((field) => [field, fieldText(module, field, value)]);
  return hash("sha256", JSON.stringify(projection), "base64url");
}
