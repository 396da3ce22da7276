/**
 * The demo seed's tasks list through the connector: every task carries the Importance Exchange always returns
 * (Normal by default), the responses stay valid against the 2016 schema, and none of them fails the listing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EwsModuleValues } from "../../../src/connectors/ews/index.js";
import type { ExchangePort, RemoteItem } from "../../../src/connectors/port.js";
import type { Task } from "../../../src/model/index.js";
import { type Alice2016, connectAlice2016 } from "./alice-2016.js";

describe("EWS connector over the demo seed's tasks", () => {
  let world: Alice2016;
  let exchange: ExchangePort<EwsModuleValues>;

  beforeAll(async () => {
    world = await connectAlice2016(6);
    exchange = world.exchange;
  });
  afterAll(async () => {
    await world?.close();
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
    expect(world.sim.control.responseViolations()).toEqual([]);
  });
});
