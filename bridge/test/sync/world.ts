/**
 * A two-sided test world: an in-memory mailbox and CRM (each keeping only the fields it can hold), a state store,
 * and `sync()` running the real engine between them.
 */

import { MemoryRecordPort } from "../../src/connectors/memory/index.js";
import type { RemoteItem } from "../../src/connectors/port.js";
import { runSync, type SyncRunOptions, type SyncRunResult } from "../../src/sync/engine.js";
import { MemorySyncStateStore } from "../../src/sync/memory-state.js";
import type { ModuleSettings } from "../../src/sync/plan.js";
import type { SyncScope } from "../../src/sync/state.js";
import { type Person, personModule } from "./fixtures.js";

export const scope: SyncScope = { mailboxId: "mailbox-1", module: "contacts" };

export function settingsOf<T = Person>(overrides: Partial<ModuleSettings<T>> = {}): ModuleSettings<T> {
  return {
    enabled: true,
    direction: "two-way",
    conflictRule: "crm-wins",
    modificationBeatsDeletion: true,
    ...overrides,
  };
}

export class World {
  readonly exchange: MemoryRecordPort<Person>;
  readonly crm: MemoryRecordPort<Person>;
  readonly store = new MemorySyncStateStore();
  private sequence = 0;

  constructor(options: { pageSize?: number; exchangeDelta?: boolean } = {}) {
    this.exchange = new MemoryRecordPort<Person>({
      module: "contacts",
      idPrefix: "ex-",
      holds: personModule.sideFields.exchange,
      pageSize: options.pageSize ?? 3,
      capabilities: { delta: options.exchangeDelta ?? true, maxBatchSize: 4 },
    });
    this.crm = new MemoryRecordPort<Person>({
      module: "contacts",
      idPrefix: "crm-",
      holds: personModule.sideFields.crm,
      pageSize: options.pageSize ?? 3,
      capabilities: { maxBatchSize: 100 },
    });
  }

  sync(settings: ModuleSettings<Person>, extra: Partial<SyncRunOptions<Person>> = {}): Promise<SyncRunResult<Person>> {
    return runSync({
      scope,
      module: personModule,
      exchange: this.exchange,
      crm: this.crm,
      store: this.store,
      settings,
      now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, this.sequence)),
      newId: () => `id-${++this.sequence}`,
      ...extra,
    });
  }

  writeCalls(): number {
    return this.exchange.writeCalls() + this.crm.writeCalls();
  }

  /** Both sides' items (values only, sorted by name) — the observable state of the world. */
  state(): { exchange: Person[]; crm: Person[] } {
    const values = (items: RemoteItem<Person>[]) =>
      items.map((item) => item.value).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { exchange: values(this.exchange.snapshot()), crm: values(this.crm.snapshot()) };
  }
}
