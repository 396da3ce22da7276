/**
 * What the sync core needs to know about one synced module (contacts, events, tasks), and nothing about services.
 *
 * The planner treats a canonical value as a record of top-level fields:
 * - `fields` are the fields the three-way merge works on, one by one;
 * - `sideFields` says which of them each side can hold (a field a side lacks is never "changed" by that side and is
 *   carried through from the other side / the merge base);
 * - `normalizeField` gives the form in which two values are compared and hashed, so cosmetic differences a service
 *   introduces (trailing spaces, e-mail case, set order) are neither changes nor conflicts;
 * - `matchKeys` pairs items that already exist on both sides during a first sync (no duplicates).
 *
 * Implemented for Contact/Event/Task by the model engineer in `bridge/src/model/`.
 */

import type { Side, SyncModuleName } from "../connectors/port.js";

/** Top-level field names of a canonical value. */
export type FieldOf<T> = keyof T & string;

export interface SyncModule<T> {
  readonly name: SyncModuleName;
  /** Schema version of the stored merge base; bump when `T` changes shape and teach `parse` the old shape. */
  readonly schemaVersion: number;
  /** Every field the merge considers; each is a top-level key of `T`. */
  readonly fields: readonly FieldOf<T>[];
  /** The subset of `fields` each side can hold (see the mapping's "fields each side lacks" table). */
  readonly sideFields: Readonly<Record<Side, readonly FieldOf<T>[]>>;
  /**
   * First-sync match keys, most specific first, each prefixed with its kind so different kinds never collide, e.g.
   * contacts `["email:ann@example.com", "name:ann lee|acme"]`, events `["uid:040000008200E0…", "start:2026-…|standup"]`,
   * tasks `["subject:call back|2026-05-01"]`. Items whose first shared key kind matches are paired. Empty: never match.
   */
  matchKeys(value: T): readonly string[];
  /**
   * False when two items that share a match key are nevertheless certainly different things (contacts with the same
   * name and company whose e-mail addresses all differ; same-titled meetings at the same time with different
   * attendees), so first-sync matching leaves them apart instead of pairing them into a conflict. Absent: any key
   * match pairs.
   */
  mayPair?(exchange: T, crm: T): boolean;
  /**
   * Comparable form of one field's value (must be JSON-serialisable; `undefined` means "empty"). Two values are
   * equal for the core iff their normal forms serialise identically.
   */
  normalizeField<K extends FieldOf<T>>(field: K, value: T[K]): unknown;
  /**
   * True when this value has attendees to invite (an event with attendees). With `ModuleSettings.sendInvitations` the
   * planner then asks Exchange to mail invitations/updates and counts them in the plan. Absent: never.
   */
  invitesAttendees?(value: T): boolean;
  /**
   * A field's value as the CRM side won it, enriched with details only Exchange holds (e.g. attendee types and
   * responses, which Zoho lacks), taken from `previous` (the merge base and the Exchange value, the latter last so
   * it counts most). Must not change the field's normal form. Absent: the CRM value as is.
   */
  carryDetails?<K extends FieldOf<T>>(field: K, next: T[K], previous: readonly T[]): T[K];
  /** Validates a stored merge base (JSON) of this or an older schema version; throws on anything else. */
  parse(stored: unknown): T;
}
