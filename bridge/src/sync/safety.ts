/**
 * Safety checks on a plan before anything is written.
 *
 * - Counts per side (creates / updates / deletes / invitations) for dry runs and run records.
 * - Circuit breaker: a plan that would delete more than `share` (default 20 %) of a side's paired items, or more than
 *   `count` items, is held until an admin confirms. Small deletions (≤ `floor`) never trip the share rule, so a user
 *   deleting two of five contacts is not a mass delete. (Deletions from incomplete listings never reach the plan:
 *   the planner infers deletions only from listings that completed.)
 */

import type { Side } from "../connectors/port.js";
import type { SyncAction } from "./plan.js";
import type { SideCounts } from "./state.js";

export interface BreakerSettings {
  /** Largest share of a side's paired items one run may delete without confirmation (0..1). */
  readonly share: number;
  /** Largest number of deletions per side one run may make without confirmation; undefined: no count limit. */
  readonly count?: number;
  /** Deletions up to this number never trip the share rule. */
  readonly floor: number;
}

type Mutable<R> = { -readonly [K in keyof R]: R[K] };

export const DEFAULT_BREAKER: BreakerSettings = { share: 0.2, floor: 5 };

/** Counts the actions' writes per side, added to `counts` when given (a plan decided and applied in slices). */
export function countPlan<T>(
  actions: readonly SyncAction<T>[],
  counts: Record<Side, Mutable<SideCounts>> = {
    exchange: { creates: 0, updates: 0, deletes: 0, invitations: 0 },
    crm: { creates: 0, updates: 0, deletes: 0, invitations: 0 },
  },
): Record<Side, SideCounts> {
  for (const action of actions) {
    for (const side of ["exchange", "crm"] as const) {
      const write = action.writes[side];
      if (!write) continue;
      if (write.op === "create") counts[side].creates++;
      else if (write.op === "update") counts[side].updates++;
      else counts[side].deletes++;
      if (write.op !== "delete" && write.notifyAttendees) {
        counts[side].invitations++;
      }
    }
  }
  return counts;
}

/** The reason the plan must be held, or undefined when it may run. `pairedItems` = relations before the run. */
export function breakerVerdict(
  counts: Record<Side, SideCounts>,
  pairedItems: number,
  settings: BreakerSettings,
): string | undefined {
  for (const side of ["exchange", "crm"] as const) {
    const deletes = counts[side].deletes;
    if (settings.count !== undefined && deletes > settings.count) {
      return `would delete ${deletes} ${side} items (limit ${settings.count}); confirm to proceed`;
    }
    if (deletes > settings.floor && deletes > settings.share * pairedItems) {
      const percent = Math.round((deletes / Math.max(pairedItems, 1)) * 100);
      return `would delete ${deletes} of ${pairedItems} ${side} items (${percent} %, limit ${Math.round(settings.share * 100)} %); confirm to proceed`;
    }
  }
  return undefined;
}
