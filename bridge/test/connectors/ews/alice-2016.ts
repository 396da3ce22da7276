/** A simulator with validated responses and the connector signed in for alice as the impersonating service account. */
import { type ServerRelease, startEwsSimulator } from "../../../simulators/ews/index.js";
import type { SeedOptions } from "../../../simulators/ews/seed.js";
import {
  createEwsExchangePort,
  type EwsConnectionOptions,
  type EwsExchangePort,
  type EwsPortOptions,
  type EwsVersionName,
} from "../../../src/connectors/ews/index.js";
import { testPki } from "../../support/pki.js";

export interface Alice2016 {
  sim: Awaited<ReturnType<typeof startEwsSimulator>>;
  exchange: EwsExchangePort;
  /** How the connector signed in (for opening a raw session beside it). */
  connection: EwsConnectionOptions;
  close(): Promise<void>;
}

export interface AliceServer {
  release: ServerRelease;
  version: EwsVersionName;
  /** Seeds alice's Tasks folder; nothing else is seeded. */
  tasksPerMailbox?: number;
  portOptions?: EwsPortOptions;
  /** Further seeding (other mailboxes, mail) over the empty default. */
  seed?: SeedOptions;
  /** The simulator's clock, for tests that read the times it stamps. */
  now?: () => Date;
}

export async function connectAlice(server: AliceServer): Promise<Alice2016> {
  const sim = await startEwsSimulator({
    pki: await testPki(),
    release: server.release,
    validateResponses: true,
    ...(server.now ? { now: server.now } : {}),
  });
  sim.control.seed({
    mailboxes: 1,
    contactsPerMailbox: 0,
    meetingsPerMailbox: 0,
    tasksPerMailbox: server.tasksPerMailbox ?? 0,
    mailsPerMailbox: 0,
    ...server.seed,
  });
  const connection: EwsConnectionOptions = {
    mailbox: "alice@contoso.com",
    url: sim.ewsUrl,
    version: server.version,
    username: "CONTOSO\\svc-crm",
    password: "Pa55w.rd",
    auth: "basic",
    impersonate: true,
  };
  const exchange = await createEwsExchangePort(connection, server.portOptions);
  return {
    sim,
    exchange,
    connection,
    async close() {
      await exchange.close();
      await sim.close();
    },
  };
}

export function connectAlice2016(tasksPerMailbox = 0): Promise<Alice2016> {
  return connectAlice({ release: "2016", version: "Exchange2016", tasksPerMailbox });
}
