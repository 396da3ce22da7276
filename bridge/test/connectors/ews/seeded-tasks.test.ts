/**
 * The demo seed's tasks list through the connector: every task carries the Importance Exchange always returns
 * (Normal by default), the responses stay valid against the 2016 schema, and none of them fails the listing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEwsSimulator } from "../../../simulators/ews/index.js";
import { createEwsExchangePort, type EwsModuleValues } from "../../../src/connectors/ews/index.js";
import type { ExchangePort, RemoteItem } from "../../../src/connectors/port.js";
import type { Task } from "../../../src/model/index.js";
import { testPki } from "../../support/pki.js";

describe("EWS connector over the demo seed's tasks", () => {
  let sim: Awaited<ReturnType<typeof startEwsSimulator>>;
  let exchange: ExchangePort<EwsModuleValues>;

  beforeAll(async () => {
    sim = await startEwsSimulator({ pki: await testPki(), release: "2016", validateResponses: true });
    sim.control.seed({
      mailboxes: 1,
      contactsPerMailbox: 0,
      meetingsPerMailbox: 0,
      tasksPerMailbox: 6,
      mailsPerMailbox: 0,
    });
    exchange = await createEwsExchangePort({
      mailbox: "alice@contoso.com",
      url: sim.ewsUrl,
      version: "Exchange2016",
      username: "CONTOSO\\svc-crm",
      password: "Pa55w.rd",
      auth: "basic",
      impersonate: true,
    });
  });
  afterAll(async () => {
    await exchange?.close();
    await sim?.close();
  });

  it("lists every seeded task with its status and normal priority", async () => {
    const tasks = exchange.modules.tasks;
    if (!tasks) throw new Error("no tasks port");
    const items: RemoteItem<Task>[] = [];
    let token: string | undefined;
    do {
      const page = await tasks.listAll(token);
      items.push(...page.items);
      token = page.nextPageToken;
    } while (token !== undefined);
    expect(items).toHaveLength(6);
    expect(new Set(items.map((item) => item.value.priority))).toEqual(new Set(["normal"]));
    expect(items.filter((item) => item.value.status === "completed")).toHaveLength(2);
    expect(sim.control.responseViolations()).toEqual([]);
  });
});
