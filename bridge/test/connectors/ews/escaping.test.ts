/**
 * ews-javascript-api 0.15.3 writes element text verbatim, without XML escaping, so a company called "Smith & Sons"
 * or a subject with "<" would make a malformed request (ErrorSchemaValidation). The connector escapes what it hands
 * the library; these round trips prove text with XML's special characters survives every writable module.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EwsModuleValues } from "../../../src/connectors/ews/index.js";
import type { ExchangePort, RecordPort, RemoteItem } from "../../../src/connectors/port.js";
import { type Alice2016, connectAlice2016 } from "./alice-2016.js";

const AWKWARD = `Smith & Sons <Ltd> "quoted" 'single' ]]> &amp;`;

function created<T>(results: readonly { ok: boolean; value?: RemoteItem<T> }[]): RemoteItem<T> {
  const [result] = results;
  if (!result?.ok || !result.value) throw new Error(`write failed: ${JSON.stringify(result)}`);
  return result.value;
}

function required<T>(port: RecordPort<T> | undefined): RecordPort<T> {
  if (!port) throw new Error("module port missing");
  return port;
}

describe("EWS connector escapes text that ews-javascript-api writes verbatim", () => {
  let world: Alice2016;
  let exchange: ExchangePort<EwsModuleValues>;

  beforeAll(async () => {
    world = await connectAlice2016(0);
    exchange = world.exchange;
  });
  afterAll(async () => {
    await world?.close();
  });

  it("round-trips a contact's names, company and notes", async () => {
    const contacts = required(exchange.modules.contacts);
    const item = created(
      await contacts.create([
        {
          value: { givenName: AWKWARD, surname: "O'Brien & Co", companyName: AWKWARD, notes: AWKWARD, categories: [] },
        },
      ]),
    );
    const [read] = await contacts.getMany([item.id]);
    expect(read?.ok && read.value.value).toMatchObject({ givenName: AWKWARD, companyName: AWKWARD, notes: AWKWARD });
    const updated = created(
      await contacts.update([
        { id: item.id, expectedVersion: item.version, value: { ...item.value, jobTitle: AWKWARD } },
      ]),
    );
    expect(updated.value).toMatchObject({ jobTitle: AWKWARD, companyName: AWKWARD });
  });

  it("round-trips a task's subject and body", async () => {
    const tasks = required(exchange.modules.tasks);
    const item = created(
      await tasks.create([
        { value: { subject: AWKWARD, body: AWKWARD, status: "notStarted", priority: "normal", categories: [] } },
      ]),
    );
    const [read] = await tasks.getMany([item.id]);
    expect(read?.ok && read.value.value).toMatchObject({ subject: AWKWARD, body: AWKWARD });
  });

  it("round-trips an event's subject, location and body", async () => {
    const events = required(exchange.modules.events);
    const item = created(
      await events.create([
        {
          value: {
            subject: AWKWARD,
            location: AWKWARD,
            body: AWKWARD,
            span: { kind: "timed", start: "2026-06-02T09:00:00Z", end: "2026-06-02T10:00:00Z" },
            timeZone: "Europe/Berlin",
            attendees: [],
            movedOccurrences: [],
            cancelledOccurrences: [],
            categories: [],
            sensitivity: "normal",
          },
        },
      ]),
    );
    const [read] = await events.getMany([item.id]);
    expect(read?.ok && read.value.value).toMatchObject({ subject: AWKWARD, location: AWKWARD, body: AWKWARD });
  });
});
