/** Small value helpers shared by every mapping: wire "empty" (null, "", Zoho's "-None-") becomes absent. */

/** A wire string that carries a value, or undefined for null / undefined / "" (Zoho answers null for empty fields). */
export function present(value: string | null | undefined): string | undefined {
  return value === null || value === undefined || value === "" ? undefined : value;
}

/** Drops keys whose value is undefined, so canonical objects compare and hash by the keys they really hold. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Canonical optional → wire value that clears the field when absent (Zoho and Graph clear a field sent as null). */
export function orNull<T>(value: T | undefined): T | null {
  return value === undefined ? null : value;
}
