/**
 * E-mail association scenarios: Exchange messages associated to matching CRM Contacts/Leads, CRM-sent mail filed into
 * Sent Items; idempotent by Message-ID across replays, failures retried from the unsaved cursor.
 */

import { describe, expect, it } from "vitest";
import { MemoryCrmMail, MemoryExchangeMail } from "../../src/connectors/memory/index.js";
import { runMailSync } from "../../src/sync/mail.js";
import { MemorySyncStateStore } from "../../src/sync/memory-state.js";

interface Message {
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
}

function setup(pageSize = 2) {
  const exchange = new MemoryExchangeMail<Message>(pageSize);
  const crm = new MemoryCrmMail<Message>(pageSize);
  crm.people.push(
    { module: "Contacts", id: "c1", email: "ann@customer.example" },
    { module: "Leads", id: "l1", email: "Bob@Prospect.example" },
    { module: "Contacts", id: "me", email: "me@ours.example" },
  );
  const store = new MemorySyncStateStore();
  const sync = () =>
    runMailSync({
      mailboxId: "mailbox-1",
      exchange,
      crm,
      store,
      addressesOf: (message) => [message.from, ...message.to],
      ownAddresses: ["ME@ours.example"],
    });
  return { exchange, crm, sync };
}

describe("e-mail association", () => {
  it("associates messages to every matching Contact and Lead (not the mailbox owner), once", async () => {
    const { exchange, crm, sync } = setup();
    exchange.receive("<1@x>", { from: "ann@customer.example", to: ["me@ours.example"], subject: "Hi" });
    exchange.receive("<2@x>", {
      from: "me@ours.example",
      to: ["BOB@prospect.example", "ann@customer.example"],
      subject: "Offer",
    });
    exchange.receive("<3@x>", { from: "stranger@else.example", to: ["me@ours.example"], subject: "Spam" });
    const first = await sync();
    // Every message read counts, also the one that matches nobody.
    expect(first).toMatchObject({ status: "completed", associated: 3, read: 3 });
    expect([...crm.associations].sort()).toEqual(["c1 <1@x>", "c1 <2@x>", "l1 <2@x>"]);
    const second = await sync();
    expect(second).toMatchObject({ associated: 0, read: 0 });
  });

  it("files CRM-sent e-mails into Sent Items, idempotently by Message-ID", async () => {
    const { exchange, crm, sync } = setup();
    crm.sent.items.push(
      {
        id: "e1",
        messageId: "<crm-1@zoho>",
        value: { from: "me@ours.example", to: ["ann@customer.example"], subject: "Quote" },
      },
      {
        id: "e2",
        messageId: "<crm-2@zoho>",
        value: { from: "me@ours.example", to: ["bob@prospect.example"], subject: "Intro" },
      },
      { id: "e3", messageId: "<crm-3@zoho>", value: { from: "me@ours.example", to: ["x@y.example"], subject: "More" } },
    );
    expect((await sync()).filed).toBe(3);
    expect(exchange.sentItems.size).toBe(3);
    expect((await sync()).filed).toBe(0);
    expect(exchange.log.items).toHaveLength(3);
  });

  it("a rejected association keeps the page's cursor; the retry does not duplicate the others", async () => {
    const { exchange, crm, sync } = setup(5);
    exchange.receive("<1@x>", { from: "ann@customer.example", to: [], subject: "a" });
    exchange.receive("<2@x>", { from: "ann@customer.example", to: [], subject: "b" });
    crm.rejected.set("<2@x>", { kind: "invalid-record", message: "mail too large" });
    const failedRun = await sync();
    expect(failedRun.outcomes).toContainEqual(
      expect.objectContaining({ status: "error", failureKind: "invalid-record" }),
    );
    crm.rejected.clear();
    const retry = await sync();
    expect(retry.status).toBe("completed");
    expect([...crm.associations].sort()).toEqual(["c1 <1@x>", "c1 <2@x>"]);
    expect((await sync()).associated).toBe(0);
  });

  it("a global failure (revoked token) aborts the run; the next run catches up", async () => {
    const { exchange, crm, sync } = setup();
    exchange.receive("<1@x>", { from: "ann@customer.example", to: [], subject: "a" });
    crm.sent.failNext({ kind: "auth-expired", message: "revoked" });
    const aborted = await sync();
    expect(aborted).toMatchObject({ status: "aborted", associated: 0 });
    expect(aborted.reason).toMatch(/auth-expired/);
    expect((await sync()).associated).toBe(1);
  });
});
