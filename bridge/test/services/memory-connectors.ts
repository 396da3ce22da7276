/**
 * A `ConnectorFactory` over the in-memory connector pair: one Exchange mailbox and one CRM view per user, kept
 * across runs so tests can seed items, run syncs and observe both sides.
 */
import { createMemoryCrmPort, createMemoryExchangePort, MemoryRecordPort } from "../../src/connectors/memory/index.js";
import type { SyncModuleName } from "../../src/connectors/port.js";
import type { ConnectorFactory, MailboxPorts } from "../../src/services/connectors.js";
import type { BridgeUser } from "../../src/storage/user-repository.js";

export interface MemoryMailbox {
  exchange: Record<SyncModuleName, MemoryRecordPort<unknown>>;
  crm: Record<SyncModuleName, MemoryRecordPort<unknown>>;
}

function ports(prefix: string): Record<SyncModuleName, MemoryRecordPort<unknown>> {
  const port = (module: SyncModuleName) => new MemoryRecordPort<unknown>({ module, idPrefix: `${prefix}-${module}-` });
  return { contacts: port("contacts"), events: port("events"), tasks: port("tasks") };
}

export class MemoryConnectorFactory implements ConnectorFactory {
  readonly exchangeApi = "graph" as const;
  readonly mailboxes = new Map<string, MemoryMailbox>();
  /** Called on every open, e.g. to delay or fail it. */
  beforeOpen?: (user: BridgeUser) => Promise<void>;

  mailbox(mailbox: string): MemoryMailbox {
    let found = this.mailboxes.get(mailbox);
    if (!found) {
      found = { exchange: ports("ex"), crm: ports("crm") };
      this.mailboxes.set(mailbox, found);
    }
    return found;
  }

  async open(user: BridgeUser): Promise<MailboxPorts> {
    await this.beforeOpen?.(user);
    const mailbox = this.mailbox(user.mailbox);
    return {
      exchange: createMemoryExchangePort(user.mailbox, mailbox.exchange),
      crm: createMemoryCrmPort(mailbox.crm),
    };
  }
}
