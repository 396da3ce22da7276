/**
 * The Zoho connector's CRM-sent mail feed over HTTPS against the simulator: the records with recent activity are
 * listed past COQL's 2 000 rows per call, and a record's Emails related list is read only down to the cursor's
 * window (it comes newest first), so old mail on a busy record costs no extra page on later runs.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunningZohoSimulator, startZohoSimulator } from "../../../simulators/zoho/index.js";
import { testPki } from "../../support/pki.js";
import { connectZoho } from "./support.js";

let sim: RunningZohoSimulator;
beforeAll(async () => {
  sim = await startZohoSimulator({ pki: await testPki(), searchIndexLagMs: 0 });
});
afterAll(() => sim.close());
beforeEach(() => sim.control.reset());

const DAY_MS = 86_400_000;

function insertContacts(count: number): string[] {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 100) {
    const batch = Array.from({ length: Math.min(100, count - start) }, (_, i) => ({
      Last_Name: `Busy${start + i}`,
      Email: `busy${start + i}@example.org`,
    }));
    for (const result of sim.control.actAs().insert("Contacts", batch)) ids.push(String(result.id));
  }
  return ids;
}

const sendTo = (id: string, subject: string) =>
  sim.control.sendEmailFromCrm("Contacts", id, { to: ["someone@example.org"], subject, content: `<p>${subject}</p>` });

describe("Zoho connector: CRM-sent mail feed", () => {
  it("finds the mail of a record beyond the first 2 000 with recent activity", async () => {
    const { crm } = await connectZoho(sim);
    const ids = insertContacts(2_001);
    for (let start = 0; start < ids.length; start += 100) {
      sim.control.actAs().update(
        "Contacts",
        ids.slice(start, start + 100).map((id) => ({ id, Title: "Edited" })),
      );
    }
    const last = ids.at(-1) ?? "";
    const zohoId = sendTo(last, "To the last one");
    sim.control.resetCallCounts();

    const page = await crm.mail.listSentEmails(undefined);
    expect(page.messages.map((message) => message.messageId)).toEqual([`<${zohoId}@crm.zoho>`]);
    // Contacts: 2 000 rows, then the last one; Leads: none.
    expect(sim.control.callCounts().coql).toBe(3);
    expect(sim.control.callCounts()["emails.list"]).toBe(2_001);
  }, 60_000);

  it("reads a busy record's Emails only down to the cursor's window", async () => {
    const { crm } = await connectZoho(sim);
    const [id = ""] = insertContacts(1);
    sim.control.advanceClock(-DAY_MS);
    for (let n = 0; n < 25; n++) sendTo(id, `Old ${n}`);
    sim.control.advanceClock(DAY_MS);
    const first = await crm.mail.listSentEmails(undefined);
    expect(first.messages).toHaveLength(25);

    const zohoId = sendTo(id, "New");
    sim.control.resetCallCounts();
    const next = await crm.mail.listSentEmails(first.cursor);
    expect(next.messages.map((message) => message.messageId)).toEqual([`<${zohoId}@crm.zoho>`]);
    // The first page (10, newest first) already reaches back a day: the other two pages are not read.
    expect(sim.control.callCounts()["emails.list"]).toBe(1);
  });
});
