/** Small value helpers shared by every mapping: wire "empty" (null, "", Zoho's "-None-") becomes absent. */
import type { PostalAddress } from "../model/index.js";

/** A wire string that carries a value, or undefined for null / undefined / "" (Zoho answers null for empty fields). */
export function present(value: string | null | undefined): string | undefined {
  return value === null || value === undefined || value === "" ? undefined : value;
}

/** Drops keys whose value is undefined, so canonical objects compare and hash by the keys they really hold. */
export function compact<T extends object>(value: T): T {
  // A loop, not entries/filter/fromEntries: every mapped record of every module passes here, several times.
  const kept: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const member = (value as Record<string, unknown>)[key];
    if (member !== undefined) kept[key] = member;
  }
  return kept as T;
}

/** Canonical optional → wire value that clears the field when absent (Zoho and Graph clear a field sent as null). */
export function orNull<T>(value: T | undefined): T | null {
  return value === undefined ? null : value;
}

/** The reverse of a one-to-one lookup table (canonical → wire from wire → canonical). */
export function invert<K extends string, V extends string>(table: Record<K, V>): Record<V, K> {
  return Object.fromEntries(Object.entries(table).map(([key, value]) => [value, key])) as Record<V, K>;
}

/** A canonical postal address from wire parts, or undefined when every part is empty. */
export function postalAddress(parts: {
  street?: string | null;
  city?: string | null;
  state?: string | null;
  postalCode?: string | null;
  country?: string | null;
}): PostalAddress | undefined {
  const address = compact({
    street: present(parts.street),
    city: present(parts.city),
    state: present(parts.state),
    postalCode: present(parts.postalCode),
    country: present(parts.country),
  });
  return Object.keys(address).length === 0 ? undefined : address;
}
