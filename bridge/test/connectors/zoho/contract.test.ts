/**
 * The shared connector contract suite, run against the Zoho connector for contacts, events and tasks, through real
 * HTTPS against the Zoho simulator. Out-of-band "user" actions go through the simulator's control object.
 */
import type { IncomingMessage } from "node:http";
import { afterAll, beforeAll } from "vitest";
import { serveHttps } from "../../../simulators/shared/server.js";
import { type RunningZohoSimulator, startZohoSimulator } from "../../../simulators/zoho/index.js";
import type { PushNotice, PushSubscription, RecordPort } from "../../../src/connectors/port.js";
import { contactToZoho } from "../../../src/mapping/zoho/contact.js";
import { eventToZoho } from "../../../src/mapping/zoho/event.js";
import { taskToZoho } from "../../../src/mapping/zoho/task.js";
import type { CalendarEvent, Contact, Task } from "../../../src/model/index.js";
import { testPki } from "../../support/pki.js";
import { type ContractHarness, runRecordPortContract } from "../contract.js";
import { connectZoho } from "./support.js";

let sim: RunningZohoSimulator;
beforeAll(async () => {
  sim = await startZohoSimulator({ pki: await testPki() });
});
afterAll(() => sim.close());

interface ModuleSpec<T> {
  name: "contacts" | "events" | "tasks";
  zohoModule: string;
  sample(n: number): T;
  same(read: T, written: T): boolean;
  toZoho(value: T, zone: string): Record<string, unknown>;
}

const contactSpec: ModuleSpec<Contact> = {
  name: "contacts",
  zohoModule: "Contacts",
  sample: (n) => ({
    givenName: `Given${n}`,
    surname: `Surname${n}`,
    email1: `person${n}@example.com`,
    businessPhone: `+1 555 010${n}`,
    categories: [],
  }),
  same: (read, written) =>
    read.givenName === written.givenName &&
    read.surname === written.surname &&
    read.email1 === written.email1 &&
    read.businessPhone === written.businessPhone,
  toZoho: (value) => contactToZoho(value, "Contacts"),
};

const eventSpec: ModuleSpec<CalendarEvent> = {
  name: "events",
  zohoModule: "Events",
  sample: (n) => ({
    subject: `Meeting ${n}`,
    span: { kind: "timed", start: `2026-04-0${n}T09:00:00Z`, end: `2026-04-0${n}T10:00:00Z` },
    location: `Room ${n}`,
    attendees: [],
    movedOccurrences: [],
    cancelledOccurrences: [],
    categories: [],
    sensitivity: "normal",
  }),
  same: (read, written) =>
    read.subject === written.subject &&
    read.location === written.location &&
    JSON.stringify(read.span) === JSON.stringify(written.span),
  toZoho: (value, zone) => eventToZoho(value, { userTimeZone: zone }) as Record<string, unknown>,
};

const taskSpec: ModuleSpec<Task> = {
  name: "tasks",
  zohoModule: "Tasks",
  sample: (n) => ({
    subject: `Task ${n}`,
    status: n % 2 === 0 ? "inProgress" : "notStarted",
    priority: "high",
    dueDate: `2026-05-0${n}`,
    categories: [],
  }),
  same: (read, written) =>
    read.subject === written.subject &&
    read.status === written.status &&
    read.priority === written.priority &&
    read.dueDate === written.dueDate,
  toZoho: (value, zone) => taskToZoho(value, { userTimeZone: zone }) as Record<string, unknown>,
};

function harnessFor<T>(spec: ModuleSpec<T>): () => Promise<ContractHarness<T>> {
  return async () => {
    sim.control.reset();
    sim.control.setSearchIndexLag(0);
    const { crm, refreshToken } = await connectZoho(sim);
    const port = crm.modules[spec.name] as unknown as RecordPort<T>;
    const zone = crm.userTimeZone;
    const actor = sim.control.actAs();
    const check = (result: Record<string, unknown> | undefined) => {
      if (result?.status !== "success") throw new Error(`simulator refused: ${JSON.stringify(result)}`);
      return String(result.id);
    };
    let receiver: { close(): Promise<void> } | undefined;
    return {
      port,
      sample: spec.sample,
      same: spec.same,
      remote: {
        create: async (value) => check(actor.insert(spec.zohoModule, [spec.toZoho(value, zone) as never])[0]),
        update: async (id, value) => {
          // A user edit lands at least a second after the last write (Modified_Time has 1-s precision).
          sim.control.advanceClock(1_000);
          check(actor.update(spec.zohoModule, [{ ...spec.toZoho(value, zone), id } as never])[0]);
        },
        remove: async (id) => {
          actor.delete(spec.zohoModule, [id]);
        },
      },
      setThrottled: async (retryAfterMs) => {
        sim.control.setFaults(retryAfterMs === undefined ? undefined : { rate: 1, kinds: ["throttled"], seed: 1 });
      },
      expireAuth: async () => {
        await fetch(`${sim.control.urls().tokenUrl}/revoke?token=${refreshToken}`, { method: "POST" });
        sim.control.expireAccessTokens();
      },
      subscribe: async (onNotice: (notice: PushNotice) => void): Promise<PushSubscription> => {
        let subscription: PushSubscription | undefined;
        const server = await serveHttps(
          (req: IncomingMessage, res) => {
            let text = "";
            req.on("data", (chunk) => {
              text += chunk;
            });
            req.on("end", () => {
              subscription?.acceptDelivery?.(JSON.parse(text));
              res.end();
            });
          },
          await testPki(),
        );
        receiver = server;
        const opened = await port.subscribe?.({
          callbackUrl: `${server.url}/zoho`,
          secret: "contract-secret",
          onNotice,
        });
        if (!opened) throw new Error("no subscribe");
        subscription = opened;
        return opened;
      },
      close: async () => {
        sim.control.setFaults(undefined);
        await receiver?.close();
        await crm.close();
      },
    };
  };
}

runRecordPortContract("zoho contacts", harnessFor(contactSpec));
runRecordPortContract("zoho events", harnessFor(eventSpec));
runRecordPortContract("zoho tasks", harnessFor(taskSpec));
