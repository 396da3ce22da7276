/**
 * Listed items held compactly between a full listing and the slice that decides them.
 *
 * A run must hold a full listing until the circuit breaker has seen every deletion (no write before that), so a
 * 100k-item first sync holds 100k values. As objects a contact costs some 600 bytes of heap, and V8 sizes its heap
 * (and the process its resident set) by what is live. Here each value is kept as one JSON text of its member values
 * only: the member names are said once per listing, in a table of the value shapes (ordered member-name lists) seen
 * in it. The planner reads `value` rarely (filters, changed versions, first-sync keys); the engine reads it once more
 * per pair, just before deciding it (`unpacked`).
 *
 * Values are JSON data: the merge base is already stored and read back as JSON (`SyncModule.parse`), so a value that
 * survives that survives this; `undefined` members are left out, which no comparison or hash sees (`stableStringify`).
 */

import type { RemoteItem } from "../connectors/port.js";

class PackedItem<T> implements RemoteItem<T> {
  constructor(
    readonly id: string,
    readonly version: string,
    readonly owner: string | undefined,
    private readonly shape: readonly string[],
    /** JSON array of the value's members, in the order of `shape`. */
    private readonly members: string,
  ) {}

  get value(): T {
    const members = JSON.parse(this.members) as unknown[];
    const value: Record<string, unknown> = {};
    this.shape.forEach((name, index) => {
      value[name] = members[index];
    });
    return value as T;
  }
}

/** Packs the pages of one listing; the shapes are shared by every item of the listing. */
export class ListingPacker {
  private readonly shapes = new Map<string, readonly string[]>();

  pack<T>(items: readonly RemoteItem<T>[]): RemoteItem<T>[] {
    return items.map((item) => {
      const value = item.value as unknown;
      // Only plain records have members to factor out; anything else is kept as it came.
      if (typeof value !== "object" || value === null || Array.isArray(value)) return item;
      const record = value as Record<string, unknown>;
      const names = Object.keys(record).filter((name) => record[name] !== undefined);
      const key = names.join("\u0000");
      let shape = this.shapes.get(key);
      if (!shape) {
        shape = names;
        this.shapes.set(key, shape);
      }
      const members = JSON.stringify(names.map((name) => record[name]));
      return new PackedItem<T>(item.id, item.version, item.owner, shape, members);
    });
  }
}

/** The item with its value rebuilt once, so deciding a pair reads (and caches normal forms of) one value object. */
export function unpacked<T>(item: RemoteItem<T> | undefined): RemoteItem<T> | undefined {
  if (!(item instanceof PackedItem)) return item;
  const { id, version, owner, value } = item;
  return owner === undefined ? { id, version, value } : { id, version, owner, value };
}
