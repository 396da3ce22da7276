/**
 * Compares the shape of a simulator answer with a documented example: every key of the example must exist in the
 * answer with the same JSON type (null on either side matches anything, since nullness depends on the data; arrays
 * compare their first elements). Objects under a `lenient` path (CRM records, users) are compared on the keys both
 * have, because real orgs carry custom and feature fields the example happens to show.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const FIXTURE_DIR = "/work/shared/conformance/zoho";

// biome-ignore lint/suspicious/noExplicitAny: fixtures are arbitrary JSON walked by the tests
export function fixture(name: string): any {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, name), "utf8"));
}

function kind(value: unknown): string {
  if (Array.isArray(value)) return "array";
  return value === null ? "null" : typeof value;
}

export function shapeMismatches(
  actual: unknown,
  expected: unknown,
  lenient: readonly string[] = [],
  path = "$",
): string[] {
  if (expected === null || actual === null || expected === undefined) return [];
  if (kind(actual) !== kind(expected)) return [`${path}: expected ${kind(expected)}, got ${kind(actual)}`];
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length === 0) return [];
    if (actual.length === 0) return [`${path}: expected a non-empty array`];
    return shapeMismatches(actual[0], expected[0], lenient, `${path}[]`);
  }
  if (typeof expected !== "object") return [];
  const actualObject = actual as Record<string, unknown>;
  const mismatches: string[] = [];
  for (const [key, value] of Object.entries(expected as Record<string, unknown>)) {
    if (!(key in actualObject)) {
      if (!lenient.includes(path)) mismatches.push(`${path}.${key}: missing`);
      continue;
    }
    mismatches.push(...shapeMismatches(actualObject[key], value, lenient, `${path}.${key}`));
  }
  return mismatches;
}
