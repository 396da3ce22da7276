/**
 * The conflict queue end to end, through the real server and both simulators: the same person on both sides with
 * different details is paired at the first sync and, under the default rule (field-level merge, the admin decides
 * what both sides hold differently), queued; the admin's per-field choice is written to both sides by the run the
 * resolution queues, and the queue is empty afterwards.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Conflict } from "../../src/api/admin.js";
import { InProcessScheduler } from "../../src/jobs/in-process-scheduler.js";
import { type RunningServer, startServer } from "../../src/server.js";
import { ADMIN } from "../http/harness.js";
import { type OneUserBridge, openOneUserBridge, syncEveryoneNow } from "../support/one-user-bridge.js";

let setup: OneUserBridge;
let server: RunningServer;

beforeAll(async () => {
  setup = await openOneUserBridge({ modules: ["contacts"] });
  await setup.graph.control.actAsUser(setup.mailbox, "POST", "/contacts", {
    givenName: "Carla",
    surname: "Customer",
    emailAddresses: [{ address: "carla@acme.example", name: "Carla Customer" }],
    jobTitle: "Buyer",
    mobilePhone: "+1 206 555 0100",
  });
  setup.zoho.control.actAs().insert("Contacts", [
    {
      First_Name: "Carla",
      Last_Name: "Customer",
      Email: "carla@acme.example",
      Title: "Head of Purchasing",
      Mobile: "+1 206 555 0199",
    },
  ]);
  server = await startServer(setup.runtime);
  await syncEveryoneNow(server);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await setup?.close();
});

async function admin(method: "GET" | "POST", path: string, body?: unknown) {
  const session = await setup.runtime.storage.sessions.create(ADMIN, 60_000);
  const response = await fetch(`${server.url}/api/admin${path}`, {
    method,
    headers: {
      cookie: `bridge_session=${session.id}`,
      "x-csrf-token": session.csrfToken,
      "content-type": "application/json",
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

it("lists a first-sync difference, and writes the admin's per-field choice to both sides", async () => {
  const listed = (await admin("GET", "/conflicts")).json.conflicts as Conflict[];
  expect(listed).toHaveLength(1);
  const [conflict] = listed;
  expect(conflict).toMatchObject({ module: "contacts", title: "Carla Customer" });
  expect(conflict?.conflictingFields.sort()).toEqual(["jobTitle", "mobilePhone"]);

  // Every conflicting field must be given a side.
  const partial = await admin("POST", `/conflicts/${encodeURIComponent(conflict?.id ?? "")}/resolution`, {
    resolution: "merge",
    fields: { jobTitle: "zoho" },
  });
  expect(partial.status).toBe(400);

  const resolved = await admin("POST", `/conflicts/${encodeURIComponent(conflict?.id ?? "")}/resolution`, {
    resolution: "merge",
    fields: { jobTitle: "zoho", mobilePhone: "exchange" },
  });
  expect(resolved).toMatchObject({ status: 200, json: { status: "queued" } });
  if (server.queue instanceof InProcessScheduler) await server.queue.idle();

  const [contact] = setup.graph.control.items(setup.mailbox, "contact");
  expect(contact).toMatchObject({ jobTitle: "Head of Purchasing", mobilePhone: "+1 206 555 0100" });
  const [record] = setup.zoho.control.records("Contacts").filter((r) => r.Email === "carla@acme.example");
  expect(record).toMatchObject({ Title: "Head of Purchasing", Mobile: "+1 206 555 0100" });
  expect((await admin("GET", "/conflicts")).json.conflicts).toEqual([]);
  // Paired, not duplicated, on either side.
  expect(setup.graph.control.items(setup.mailbox, "contact")).toHaveLength(1);
  expect(setup.zoho.control.records("Contacts").filter((r) => r.Email === "carla@acme.example")).toHaveLength(1);
});
