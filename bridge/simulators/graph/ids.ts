/**
 * Outlook-style opaque ids. A REST id (`AAMk…`) changes when an item moves between folders; the immutable id
 * (`AAkAL…`) survives moves (outlook-immutable-id.md). Both are case-sensitive base64-like strings ending in `=`.
 */
import { randomBytes } from "node:crypto";

function opaque(prefix: string, bytes: number): string {
  return `${prefix}${randomBytes(bytes).toString("base64url")}=`;
}

export const newRestId = (): string => opaque("AAMkAG", 30);
export const newImmutableId = (): string => opaque("AAkALg", 30);
export const newFolderId = (): string => opaque("AAMkAF", 18);
export const newChangeKey = (): string => randomBytes(16).toString("base64");

/** Occurrences of a series have ids derived from the master id and the original start date (yyyymmdd). */
export function occurrenceId(masterId: string, originalDate: string): string {
  return `${masterId.slice(0, -1)}_OCC${originalDate.replaceAll("-", "")}=`;
}

export function parseOccurrenceId(id: string): { masterId: string; originalDate: string } | undefined {
  const match = /^(.*)_OCC(\d{4})(\d{2})(\d{2})=$/.exec(id);
  if (!match) return undefined;
  return { masterId: `${match[1]}=`, originalDate: `${match[2]}-${match[3]}-${match[4]}` };
}
