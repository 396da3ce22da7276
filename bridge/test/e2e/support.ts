/**
 * Small helpers the end-to-end suites share: write-counting ports, unwrapping item results, and one module paired
 * between a mailbox and Zoho under each sync rule.
 */
import { expect } from "vitest";
import type { RecordPort } from "../../src/connectors/port.js";
import { runSync } from "../../src/sync/engine.js";
import { MemorySyncStateStore } from "../../src/sync/memory-state.js";
import type { SyncModule } from "../../src/sync/module.js";
import type { ModuleSettings } from "../../src/sync/plan.js";
import { observeWrites } from "../support/ports.js";

/** A record port whose write calls are counted, so "a repeated sync writes nothing" is measured, not assumed. */
export function counted<T>(port: RecordPort<T>): RecordPort<T> & { writes: () => number } {
  let writes = 0;
  return {
    ...observeWrites(port, () => {
      writes++;
    }),
    writes: () => writes,
  };
}

/** The value of a successful item result; throws with the failure message otherwise. */
export function must<V>(result: { ok: true; value: V } | { ok: false; failure: { message: string } } | undefined): V {
  if (!result?.ok) throw new Error(`write failed: ${result ? result.failure.message : "no result"}`);
  return result.value;
}

/** The conflict rules and directions every end-to-end module test runs under. */
export interface SyncRule {
  readonly name: string;
  readonly settings: Pick<ModuleSettings<unknown>, "direction" | "conflictRule">;
}

export const SYNC_RULES: readonly SyncRule[] = [
  { name: "two-way, CRM wins", settings: { direction: "two-way", conflictRule: "crm-wins" } },
  { name: "two-way, Exchange wins", settings: { direction: "two-way", conflictRule: "exchange-wins" } },
  { name: "Exchange → CRM only", settings: { direction: "exchange-to-crm", conflictRule: "crm-wins" } },
  { name: "CRM → Exchange only", settings: { direction: "crm-to-exchange", conflictRule: "crm-wins" } },
];

/** One module synced between one mailbox and Zoho under a rule, with its own state store and counted writes. */
export function pairing<T>(module: SyncModule<T>, exchangePort: RecordPort<T>, crmPort: RecordPort<T>, rule: SyncRule) {
  const exchange = counted(exchangePort);
  const crm = counted(crmPort);
  const store = new MemorySyncStateStore();
  const scope = { mailboxId: "mailbox-1", module: module.name };
  return {
    store,
    scope,
    writes: () => exchange.writes() + crm.writes(),
    async sync() {
      const run = await runSync({
        scope,
        module,
        exchange,
        crm,
        store,
        settings: { enabled: true, modificationBeatsDeletion: true, ...rule.settings },
      });
      expect(run.record.outcomes.filter((outcome) => outcome.status === "error")).toEqual([]);
      expect(run.record.status).toBe("completed");
      return run;
    },
    async partnerOf(side: "exchange" | "crm", id: string): Promise<string> {
      const rows = await store.listRelations(scope);
      const row = rows.find((candidate) => (side === "exchange" ? candidate.exchangeId : candidate.crmId) === id);
      if (!row) throw new Error(`no relation for ${id}`);
      return side === "exchange" ? row.crmId : row.exchangeId;
    },
  };
}

export async function readValue<T>(port: RecordPort<T>, id: string): Promise<T> {
  const [item] = await port.getMany([id]);
  return must(item).value;
}

/** Reads the item and writes `change` of it back, conditional on the version read. */
export async function edit<T>(port: RecordPort<T>, id: string, change: (value: T) => T): Promise<void> {
  const [item] = await port.getMany([id]);
  const current = must(item);
  must((await port.update([{ id, expectedVersion: current.version, value: change(current.value) }]))[0]);
}

/** Every value of a full listing. */
export async function all<T>(port: RecordPort<T>): Promise<T[]> {
  const values: T[] = [];
  let token: string | undefined;
  do {
    const page = await port.listAll(token);
    values.push(...page.items.map((item) => item.value));
    token = page.nextPageToken;
  } while (token);
  return values;
}
