/**
 * The Zoho connector's CRM-sent mail feed over HTTPS against the simulator: the records with recent activity are
 * listed past COQL's 2 000 rows per call, and a record's Emails related list is read only down to the cursor's
 * window (it comes newest first), so old mail on a busy record costs no extra page on later runs. A mail belongs to
 * its sender (its owner), whoever owns the record, and one scan of the org serves every mailbox's port.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
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

  describe("two CRM users", () => {
    const alice = () => sim.control.primaryUser().id;
    let bob: string;
    beforeEach(() => {
      bob = sim.control.addUser({ firstName: "Bob", lastName: "Colleague", email: "bob@example.org" }).id;
    });
    const contactOf = (owner: string, name: string) =>
      String(sim.control.actAs(owner).insert("Contacts", [{ Last_Name: name, Email: `${name}@example.org` }])[0]?.id);
    const send = (sender: string, recordId: string, subject: string) =>
      sim.control.sendEmailFromCrm("Contacts", recordId, {
        to: ["customer@example.org"],
        subject,
        content: `<p>${subject}</p>`,
        sender,
      });
    const ids = (page: { messages: readonly { messageId: string }[] }) => page.messages.map((m) => m.messageId);

    it("lists a mail for its sender only, whoever owns the record, once", async () => {
      const { crm } = await connectZoho(sim);
      const [aliceMail, bobMail] = [crm.mail.ownedBy(alice()), crm.mail.ownedBy(bob)];
      const alicesContact = contactOf(alice(), "alices");
      const bobsContact = contactOf(bob, "bobs");
      const bobToAlices = send(bob, alicesContact, "Bob writes to Alice's contact");
      const aliceToBobs = send(alice(), bobsContact, "Alice writes to Bob's contact");

      const forAlice = await aliceMail.listSentEmails(undefined);
      const forBob = await bobMail.listSentEmails(undefined);
      expect(ids(forAlice)).toEqual([`<${aliceToBobs}@crm.zoho>`]);
      expect(ids(forBob)).toEqual([`<${bobToAlices}@crm.zoho>`]);
      expect(forAlice.messages[0]?.value.from.address).toBe(sim.control.primaryUser().email);
      expect(forBob.messages[0]?.value.from.address).toBe("bob@example.org");

      expect(ids(await aliceMail.listSentEmails(forAlice.cursor))).toEqual([]);
      expect(ids(await bobMail.listSentEmails(forBob.cursor))).toEqual([]);
    });

    it("scans the org once for every mailbox's port, and again for the next run", async () => {
      const { crm } = await connectZoho(sim);
      const mailboxes = [alice(), bob].map((user) => crm.mail.ownedBy(user));
      const records = Array.from({ length: 6 }, (_, n) => contactOf(n % 2 ? bob : alice(), `owned${n}`));
      for (const [n, recordId] of records.entries()) send(n % 3 ? alice() : bob, recordId, `First ${n}`);
      sim.control.resetCallCounts();

      const first = await Promise.all(mailboxes.map((port) => port.listSentEmails(undefined)));
      // Contacts and Leads once (not once per mailbox), each record with activity once, each mail read once.
      expect(sim.control.callCounts().coql).toBe(2);
      expect(sim.control.callCounts()["emails.list"]).toBe(6);
      expect(sim.control.callCounts()["emails.get"]).toBe(6);
      expect(first.map((page) => page.messages.length)).toEqual([4, 2]);

      // The next cycle, a minute on (only the clock moves: the cursors' times are whole seconds).
      vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 60_000 });
      try {
        const later = send(bob, records[0] ?? "", "Later");
        sim.control.resetCallCounts();
        const second = await Promise.all(mailboxes.map((port, n) => port.listSentEmails(first[n]?.cursor)));
        expect(second.map(ids)).toEqual([[], [`<${later}@crm.zoho>`]]);
        // One new scan for both: the first cycle's activity is in its overlap window, so the 6 records are listed again.
        expect(sim.control.callCounts().coql).toBe(2);
        expect(sim.control.callCounts()["emails.list"]).toBe(6);
        expect(sim.control.callCounts()["emails.get"]).toBe(1);
      } finally {
        vi.useRealTimers();
      }
    });

    it("shares a finished scan with a mailbox that has not taken it for a minute only", async () => {
      const { crm } = await connectZoho(sim);
      send(bob, contactOf(alice(), "customer"), "Bob's");
      const carol = sim.control.addUser({ firstName: "Carol", lastName: "Late", email: "carol@example.org" }).id;
      await crm.mail.ownedBy(alice()).listSentEmails(undefined);

      sim.control.resetCallCounts();
      expect((await crm.mail.ownedBy(bob).listSentEmails(undefined)).messages).toHaveLength(1);
      expect(sim.control.callCounts().coql ?? 0).toBe(0);

      vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 61_000 });
      try {
        expect((await crm.mail.ownedBy(carol).listSentEmails(undefined)).messages).toEqual([]);
        expect(sim.control.callCounts().coql).toBe(2);
      } finally {
        vi.useRealTimers();
      }
    });
  });
});
