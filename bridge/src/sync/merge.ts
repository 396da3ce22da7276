/**
 * Field-level merge of the two sides of a pair.
 *
 * Algorithm (per field f of `SyncModule.fields`):
 * - A side that cannot hold f contributes the base's f (or, with no base, the other side's f): it can never have
 *   "changed" f, so fields only one side holds always flow from that side.
 * - Two-way, three-way with a base: equal on both sides → that value; only one side differs from the base → that
 *   side's value (non-overlapping edits are all kept); both differ from the base and from each other → a conflict,
 *   decided per field by the rule's winner (`crm-wins`/`exchange-wins`), or reported for the manual queue.
 * - Two-way without a base (first-sync match): a field empty on one side takes the other side's value (nothing is
 *   erased by linking); a field filled differently on both sides is a conflict.
 * - One-way from a source side: the source's value for every field it holds; the target keeps only fields the source
 *   cannot hold. Nothing is ever a conflict.
 * - A value taken from the CRM side passes through `SyncModule.carryDetails` with the base and the Exchange value, so
 *   details Zoho cannot hold (attendee types and responses) survive a CRM win.
 * Invariant: the result holds, for every field, a value one of the inputs held (up to such carried details); it never
 * invents content.
 */

import type { Side } from "../connectors/port.js";
import { fieldEquals, fieldIsEmpty } from "./compare.js";
import type { FieldOf, SyncModule } from "./module.js";

export type Direction = "two-way" | "exchange-to-crm" | "crm-to-exchange";
export type ConflictRule = "crm-wins" | "exchange-wins" | "manual";

export interface MergeInput<T> {
  readonly base: T | undefined;
  readonly exchange: T;
  readonly crm: T;
}

export interface MergeResult<T> {
  readonly value: T;
  /** Fields both sides changed to different values (decided by the rule, or to be parked under `manual`). */
  readonly conflicts: readonly FieldOf<T>[];
}

export function otherSide(side: Side): Side {
  return side === "exchange" ? "crm" : "exchange";
}

/** The side a one-way direction reads from, or undefined for two-way. */
export function sourceSide(direction: Direction): Side | undefined {
  if (direction === "exchange-to-crm") return "exchange";
  if (direction === "crm-to-exchange") return "crm";
  return undefined;
}

function holds<T>(module: SyncModule<T>, side: Side, field: FieldOf<T>): boolean {
  return module.sideFields[side].includes(field);
}

export function mergePair<T>(
  module: SyncModule<T>,
  input: MergeInput<T>,
  direction: Direction,
  rule: ConflictRule,
): MergeResult<T> {
  const merged: Partial<T> = {};
  const conflicts: FieldOf<T>[] = [];
  const source = sourceSide(direction);
  const ruleWinner: Side = rule === "crm-wins" ? "crm" : "exchange";
  for (const field of module.fields) {
    // What each side effectively says about the field (see the header for sides that cannot hold it).
    const say = (side: Side): T => {
      if (holds(module, side, field)) return input[side];
      return input.base ?? input[otherSide(side)];
    };
    let from: T;
    if (source !== undefined) {
      from = holds(module, source, field) ? input[source] : input[otherSide(source)];
    } else if (fieldEquals(module, field, say("exchange"), say("crm"))) {
      from = say("exchange");
    } else if (input.base === undefined && fieldIsEmpty(module, field, say("exchange"))) {
      from = say("crm");
    } else if (input.base === undefined && fieldIsEmpty(module, field, say("crm"))) {
      from = say("exchange");
    } else if (input.base !== undefined && fieldEquals(module, field, say("exchange"), input.base)) {
      from = say("crm");
    } else if (input.base !== undefined && fieldEquals(module, field, say("crm"), input.base)) {
      from = say("exchange");
    } else {
      conflicts.push(field);
      from = say(ruleWinner);
    }
    let value = from[field];
    if (from === input.crm && from !== input.exchange && value !== undefined && module.carryDetails) {
      const previous = input.base === undefined ? [input.exchange] : [input.base, input.exchange];
      value = module.carryDetails(field, value, previous);
    }
    if (value !== undefined) merged[field] = value;
  }
  return { value: merged as T, conflicts };
}
