/**
 * The in-memory connector pair: an Exchange mailbox and a CRM made of `MemoryRecordPort`s, for tests and the
 * contract suite's reference implementation.
 */

import type { CrmPort, ExchangePort, ModulePorts, ModuleValues } from "../port.js";

export { MemoryCrmMail, MemoryExchangeMail } from "./mail.js";
export { type MemoryMethod, MemoryRecordPort, type MemoryRecordPortOptions } from "./record-port.js";

export function createMemoryExchangePort<V extends ModuleValues>(
  mailbox: string,
  modules: ModulePorts<V>,
): ExchangePort<V> {
  return { side: "exchange", implementation: "memory", mailbox, modules, close: async () => {} };
}

export function createMemoryCrmPort<V extends ModuleValues>(modules: ModulePorts<V>): CrmPort<V> {
  return { side: "crm", implementation: "memory", modules, close: async () => {} };
}
