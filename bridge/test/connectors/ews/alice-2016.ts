/** A 2016 simulator with validated responses and the connector signed in as the impersonating service account. */
import { startEwsSimulator } from "../../../simulators/ews/index.js";
import { createEwsExchangePort, type EwsModuleValues } from "../../../src/connectors/ews/index.js";
import type { ExchangePort } from "../../../src/connectors/port.js";
import { testPki } from "../../support/pki.js";

export interface Alice2016 {
  sim: Awaited<ReturnType<typeof startEwsSimulator>>;
  exchange: ExchangePort<EwsModuleValues>;
  close(): Promise<void>;
}

/** `tasksPerMailbox` seeds alice's Tasks folder; nothing else is seeded. */
export async function connectAlice2016(tasksPerMailbox = 0): Promise<Alice2016> {
  const sim = await startEwsSimulator({ pki: await testPki(), release: "2016", validateResponses: true });
  sim.control.seed({ mailboxes: 1, contactsPerMailbox: 0, meetingsPerMailbox: 0, tasksPerMailbox, mailsPerMailbox: 0 });
  const exchange = await createEwsExchangePort({
    mailbox: "alice@contoso.com",
    url: sim.ewsUrl,
    version: "Exchange2016",
    username: "CONTOSO\\svc-crm",
    password: "Pa55w.rd",
    auth: "basic",
    impersonate: true,
  });
  return {
    sim,
    exchange,
    async close() {
      await exchange.close();
      await sim.close();
    },
  };
}
