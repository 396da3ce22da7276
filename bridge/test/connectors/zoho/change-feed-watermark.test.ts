/**
 * The Zoho change feed's watermark follows Zoho's clock (the answers' Date header), over HTTPS against the
 * simulator: after a burst of writes and a quiet spell, an idle pass is one call per feed, not a re-listing of the
 * burst that sat inside the overlap window of a watermark no later edit moved. Org-wide and owner-scoped feeds alike.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunningZohoSimulator, startZohoSimulator } from "../../../simulators/zoho/index.js";
import type { RecordPort } from "../../../src/connectors/port.js";
import type { ZohoCrmPort } from "../../../src/connectors/zoho/index.js";
import type { Contact } from "../../../src/model/index.js";
import { testPki } from "../../support/pki.js";
import { connectZoho } from "./support.js";

let sim: RunningZohoSimulator;
let crm: ZohoCrmPort;
let owner: string;

beforeAll(async () => {
  sim = await startZohoSimulator({ pki: await testPki(), searchIndexLagMs: 0 });
});
afterAll(() => sim.close());
beforeEach(async () => {
  sim.control.reset();
  owner = sim.control.addUser({ firstName: "Ann", lastName: "Lee", email: "ann@zylker.example" }).id;
  ({ crm } = await connectZoho(sim));
});

/** One incremental pass (all pages): the changes it delivered, its cursor and the Zoho calls it made. */
async function pass(port: RecordPort<Contact>, cursor: string) {
  sim.control.resetCallCounts();
  let changes = 0;
  let next = cursor;
  for (;;) {
    const page = await port.listChanges(next);
    changes += page.changes.length;
    next = page.cursor;
    if (page.complete) break;
  }
  const calls = Object.entries(sim.control.callCounts()).filter(([name]) => !name.startsWith("oauth"));
  return { changes, cursor: next, calls: calls.reduce((total, [, count]) => total + count, 0) };
}

describe("Zoho change feed watermark", () => {
  for (const scoped of [false, true]) {
    it(`an idle pass after a burst of writes costs one call per feed (${scoped ? "owner-scoped" : "org-wide"})`, async () => {
      const port = scoped ? crm.modules.contacts.ownedOnly(owner) : crm.modules.contacts;
      const start = await port.listAll(undefined);
      if (start.cursor === undefined) throw new Error("an empty org lists in one page");
      // 450 contacts written in one burst: three listing pages, all in the same second or two.
      sim.control.actAs(owner).insert(
        "Contacts",
        Array.from({ length: 450 }, (_, n) => ({
          Last_Name: `Burst${n}`,
          Email: `burst${n}@customer.example`,
          Owner: { id: owner },
        })),
      );
      const first = await pass(port, start.cursor);
      expect(first.changes).toBe(450);
      sim.control.advanceClock(10_000);
      // Still inside the overlap window of the first pass's watermark: read again, delivered once only.
      const second = await pass(port, first.cursor);
      expect(second.changes).toBe(0);
      const idle = await pass(port, second.cursor);
      expect(idle.changes).toBe(0);
      // The records feed answers "not modified" (or COQL nothing), and one /deleted call.
      expect(idle.calls).toBe(2);
      // A later edit is still delivered.
      const [edited] = sim.control.records("Contacts").filter((record) => record.Last_Name === "Burst7");
      sim.control.actAs(owner).update("Contacts", [{ id: String(edited?.id), Title: "Buyer" }]);
      expect((await pass(port, idle.cursor)).changes).toBe(1);
    });
  }
});
