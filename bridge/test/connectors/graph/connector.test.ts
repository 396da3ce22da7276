import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_TENANT } from "../../../simulators/graph/index.js";
import { ConnectorError } from "../../../src/connectors/errors.js";
import {
  type CacheStore,
  createGraphExchangePort,
  delegatedTokens,
  encryptedCachePlugin,
  msalApp,
} from "../../../src/connectors/graph/index.js";
import type { PushNotice } from "../../../src/connectors/port.js";
import { type CalendarEvent, type Contact, eventSchema } from "../../../src/model/index.js";
import { drainChanges, listEverything } from "../contract.js";
import { connect, mailboxOf, type RunningSimulator, startEmptySimulator, startWebhook } from "./harness.js";

let sim: RunningSimulator;
let mailbox: string;

beforeAll(async () => {
  sim = await startEmptySimulator();
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.control.reset();
  mailbox = mailboxOf(sim);
});

const WEEKDAY_CODES = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];

const contact = (n: number): Contact => ({
  givenName: `G${n}`,
  surname: `S${n}`,
  email1: `c${n}@example.com`,
  categories: [],
});

function seedContacts(count: number): void {
  const directory = sim.control.directory;
  const box = sim.control.mailbox(mailbox);
  const folder = directory.defaultFolder(box, "contactFolder");
  for (let n = 0; n < count; n += 1)
    directory.createItem(box, folder, "contact", { givenName: `Seeded${n}`, surname: "Contact", emailAddresses: [] });
}

function deltaCalls(): number {
  return Object.entries(sim.control.callCounts())
    .filter(([endpoint]) => endpoint.endsWith("/contacts/delta"))
    .reduce((sum, [, count]) => sum + count, 0);
}

async function failureOf(call: Promise<unknown>): Promise<ConnectorError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ConnectorError) return error;
    throw error;
  }
  throw new Error("expected a ConnectorError");
}

describe("Graph connector: delta", () => {
  it("reads 2 500 contacts in delta pages of the maximum size, each page handing over its own cursor", async () => {
    seedContacts(2_500);
    const contacts = connect(sim, mailbox, { maxPageSize: 1_000 }).modules.contacts;
    if (!contacts) throw new Error("no contacts port");
    sim.control.resetCallCounts();
    const first = await contacts.listChanges(undefined);
    expect(first.changes).toHaveLength(1_000);
    expect(first.complete).toBe(false);
    const rest = await drainChanges(contacts, first.cursor);
    expect(rest.upserts.size).toBe(1_500);
    expect(deltaCalls()).toBe(3);
    const quiet = await contacts.listChanges(rest.cursor);
    expect(quiet).toMatchObject({ changes: [], complete: true });
  });

  it("turns an evicted delta token into cursor-invalid, and a full listing recovers", async () => {
    seedContacts(3);
    const contacts = connect(sim, mailbox).modules.contacts;
    if (!contacts) throw new Error("no contacts port");
    const { cursor } = await listEverything(contacts);
    sim.control.evictDeltaTokens(mailbox);
    const failure = await failureOf(contacts.listChanges(cursor));
    expect(failure.failure.kind).toBe("cursor-invalid");
    const again = await listEverything(contacts);
    expect(again.items).toHaveLength(3);
  });
});

describe("Graph connector: writes", () => {
  it("retries inner 429s of a $batch after their Retry-After and returns one result per request", async () => {
    Object.assign(sim.control.throttleLimits, { concurrentRequests: 2, concurrencyRetryAfterSeconds: 0.05 });
    try {
      const contacts = connect(sim, mailbox).modules.contacts;
      const results = await contacts?.create([1, 2, 3, 4, 5, 6].map((n) => ({ value: contact(n) })));
      expect(results?.map((result) => result.ok)).toEqual([true, true, true, true, true, true]);
      expect(sim.control.items(mailbox, "contact")).toHaveLength(6);
    } finally {
      Object.assign(sim.control.throttleLimits, { concurrentRequests: 4, concurrencyRetryAfterSeconds: 1 });
    }
  });

  it("stores the CRM id in a single-value extended property and finds the item by it", async () => {
    const port = connect(sim, mailbox);
    const [created] = (await port.modules.contacts?.create([{ value: contact(1) }])) ?? [];
    if (!created?.ok) throw new Error("create failed");
    await port.setCrmId("contacts", created.value.id, "zcrm_3652397000000624001");
    expect(await port.findByCrmId("contacts", "zcrm_3652397000000624001")).toEqual([created.value.id]);
    expect(await port.findByCrmId("contacts", "zcrm_other")).toEqual([]);
    const missing = await failureOf(port.setCrmId("contacts", "AAkALgGone=", "zcrm_1"));
    expect(missing.failure.kind).toBe("not-found");
  });

  it("reports a value the mapping rejects as invalid-record for that item only", async () => {
    const contacts = connect(sim, mailbox).modules.contacts;
    const broken = { ...contact(2), birthday: "not-a-date" } as Contact;
    const results = await contacts?.create([{ value: contact(1) }, { value: broken }]);
    expect(results?.[0]?.ok).toBe(true);
    expect(results?.[1]?.ok === false && results[1].failure.kind).toBe("invalid-record");
  });

  it("creates a recurring series with a moved and a cancelled occurrence, and reads it back through delta", async () => {
    const events = connect(sim, mailbox).modules.events;
    if (!events) throw new Error("no events port");
    const start = new Date(
      Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 7, 9),
    );
    const iso = (date: Date) => date.toISOString().replace(".000", "");
    const plus = (days: number, hours = 0) => new Date(start.getTime() + days * 86_400_000 + hours * 3_600_000);
    const series: CalendarEvent = eventSchema.parse({
      subject: "Weekly pipeline review",
      span: { kind: "timed", start: iso(start), end: iso(plus(0, 1)) },
      timeZone: "Europe/Berlin",
      attendees: [],
      recurrence: {
        frequency: "weekly",
        interval: 1,
        byWeekday: [WEEKDAY_CODES[start.getUTCDay()]],
        end: { type: "count", count: 5 },
      },
      movedOccurrences: [
        { originalStart: iso(plus(7)), span: { kind: "timed", start: iso(plus(7, 2)), end: iso(plus(7, 3)) } },
      ],
      cancelledOccurrences: [iso(plus(14))],
      categories: [],
      sensitivity: "normal",
    });
    const [created] = await events.create([{ value: series }]);
    if (!created?.ok) throw new Error(`create failed: ${JSON.stringify(created)}`);
    expect(created.value.value.movedOccurrences).toHaveLength(1);
    expect(created.value.value.cancelledOccurrences).toHaveLength(1);
    const { items } = await listEverything(events);
    expect(items.map((item) => item.id)).toEqual([created.value.id]);
    expect(items[0]?.value.recurrence).toMatchObject({ frequency: "weekly", end: { type: "count", count: 5 } });
    expect(items[0]?.value.movedOccurrences).toHaveLength(1);

    // The Outlook user deletes one more occurrence: delta reports only the occurrence's id as @removed, and the
    // connector turns it into a re-read of the series.
    const { cursor } = await listEverything(events);
    const instances = await sim.control.actAsUser(
      mailbox,
      "GET",
      `/events/${created.value.id}/instances?startDateTime=${iso(start)}&endDateTime=${iso(plus(60))}`,
    );
    const last = (instances.body as { value: Array<{ id: string; type: string }> }).value
      .filter((instance) => instance.type === "occurrence")
      .at(-1);
    expect((await sim.control.actAsUser(mailbox, "DELETE", `/events/${last?.id}`)).status).toBe(204);
    const changes = await drainChanges(events, cursor);
    expect(changes.upserts.get(created.value.id)?.value.cancelledOccurrences).toHaveLength(2);
  });
});

describe("Graph connector: push", () => {
  it("subscribes with the validation handshake, turns deliveries and lifecycle events into notices, renews and refuses forged bodies", async () => {
    const contacts = connect(sim, mailbox).modules.contacts;
    const webhook = await startWebhook();
    const notices: PushNotice[] = [];
    try {
      const subscription = await contacts?.subscribe?.({
        callbackUrl: webhook.url,
        secret: "s3cret",
        onNotice: (notice) => notices.push(notice),
      });
      if (!subscription) throw new Error("no subscription");
      webhook.attach(subscription);
      await sim.control.actAsUser(mailbox, "POST", "/contacts", { givenName: "Pushed" });
      await sim.control.notificationsIdle();
      expect(notices).toEqual([expect.objectContaining({ module: "contacts", reason: "changed" })]);
      await sim.control.lifecycle(subscription.id, "missed");
      expect(notices.at(-1)?.reason).toBe("missed");
      const before = subscription.expiresAt;
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(Date.parse(await subscription.renew())).toBeGreaterThan(Date.parse(before));
      expect(() =>
        subscription.acceptDelivery?.({ value: [{ subscriptionId: subscription.id, clientState: "forged" }] }),
      ).toThrow(ConnectorError);
      await subscription.close();
      await subscription.close();
      expect(sim.control.subscriptions()).toHaveLength(0);
    } finally {
      await webhook.close();
    }
  });
});

describe("Graph connector: mail", () => {
  it("lists Inbox then Sent Items from per-folder deltas and files CRM-sent mail idempotently by Message-ID", async () => {
    const port = connect(sim, mailbox);
    const mail = port.mail;
    if (!mail) throw new Error("no mail port");
    for (const subject of ["Quote request", "Order confirmation"]) {
      await sim.control.receiveMail(mailbox, {
        subject,
        from: { emailAddress: { address: "buyer@fabrikam.example", name: "Buyer" } },
      });
    }
    const messages = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages += 1) {
      const page = await mail.listMessages(cursor);
      messages.push(...page.messages);
      cursor = page.cursor;
      if (page.complete) break;
    }
    expect(messages.map((message) => message.value.subject).sort()).toEqual(["Order confirmation", "Quote request"]);
    expect(messages.every((message) => message.value.direction === "received")).toBe(true);

    const crmMail = {
      messageId: "<crm-4711@zoho.example>",
      from: { address: mailbox },
      to: [{ address: "buyer@fabrikam.example" }],
      cc: [],
      date: "2031-01-01T10:00:00Z",
      subject: "Your offer",
      body: { format: "html" as const, content: "<p>Offer attached</p>" },
      direction: "sent" as const,
      attachments: [],
    };
    const first = await mail.saveToSentItems(crmMail, crmMail.messageId);
    const second = await mail.saveToSentItems(crmMail, crmMail.messageId);
    expect(first.ok && second.ok && first.value.id === second.value.id).toBe(true);
    const sent = sim.control
      .items(mailbox, "message")
      .filter((message) => message.internetMessageId === crmMail.messageId);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.isDraft).toBe(false);
    const next = await mail.listMessages(cursor);
    const rest = next.complete ? next : await mail.listMessages(next.cursor);
    expect([...next.messages, ...rest.messages].map((message) => message.messageId)).toContain(crmMail.messageId);
  });
});

describe("Graph connector: free/busy and errors", () => {
  it("reads free/busy through getSchedule", async () => {
    const other = mailboxOf(sim, 1);
    await sim.control.actAsUser(other, "POST", "/events", {
      subject: "Blocked",
      start: { dateTime: "2031-05-05T10:00:00", timeZone: "UTC" },
      end: { dateTime: "2031-05-05T11:00:00", timeZone: "UTC" },
    });
    const [schedule] = await connect(sim, mailbox).freeBusy(
      [other],
      "2031-05-05T09:00:00Z",
      "2031-05-05T12:00:00Z",
      60,
    );
    expect(schedule).toEqual({
      address: other,
      availabilityView: "020",
      busy: [{ status: "busy", start: "2031-05-05T10:00:00Z", end: "2031-05-05T11:00:00Z" }],
    });
  });

  it("reports a mailbox outside the application access policy as mailbox-unavailable", async () => {
    sim.control.setAccessPolicy(DEMO_TENANT.bridgeApp.clientId, [mailboxOf(sim, 1)]);
    const failure = await failureOf(listEverything(connect(sim, mailbox).modules.contacts ?? (undefined as never)));
    expect(failure.failure.kind).toBe("mailbox-unavailable");
  });
});

describe("Graph connector: delegated access", () => {
  it("works from an encrypted, persisted MSAL cache after the user's one-time consent", async () => {
    let sealed: string | undefined;
    const store: CacheStore = {
      read: async () => sealed,
      write: async (data) => {
        sealed = data;
      },
    };
    const key = randomBytes(32);
    const options = {
      clientId: DEMO_TENANT.bridgeApp.clientId,
      clientSecret: DEMO_TENANT.bridgeApp.clientSecret,
      authority: sim.authority,
      knownAuthorities: [new URL(sim.url).host],
    };
    const consenting = msalApp({ ...options, cachePlugin: encryptedCachePlugin(store, key) });
    const verifier = randomBytes(32).toString("base64url");
    const scopes = ["Contacts.ReadWrite", "Calendars.ReadWrite", "Tasks.ReadWrite"];
    const user = sim.control.mailbox(mailbox).user;
    const code = sim.control.identity.authorize({
      tenant: DEMO_TENANT.id,
      clientId: DEMO_TENANT.bridgeApp.clientId,
      userId: user.id,
      redirectUri: DEMO_TENANT.redirectUri,
      scopes: [...scopes, "openid", "profile", "offline_access"],
      codeChallenge: createHash("sha256").update(verifier).digest("base64url"),
      codeChallengeMethod: "S256",
    });
    const consent = await consenting.acquireTokenByCode({
      code,
      scopes,
      redirectUri: DEMO_TENANT.redirectUri,
      codeVerifier: verifier,
    });
    expect(sealed).toBeDefined();
    expect(sealed).not.toContain("RefreshToken");

    // A later process: new MSAL instance, same encrypted store, no user interaction.
    const later = msalApp({ ...options, cachePlugin: encryptedCachePlugin(store, key) });
    const port = createGraphExchangePort({
      baseUrl: sim.url,
      tokens: delegatedTokens(later, consent.account?.homeAccountId ?? "", scopes),
      mailbox,
    });
    const [created] = (await port.modules.contacts?.create([{ value: contact(7) }])) ?? [];
    expect(created?.ok).toBe(true);
    const other = createGraphExchangePort({
      baseUrl: sim.url,
      tokens: delegatedTokens(later, consent.account?.homeAccountId ?? "", scopes),
      mailbox: mailboxOf(sim, 1),
    });
    expect((await failureOf(listEverything(other.modules.contacts ?? (undefined as never)))).failure.kind).toBe(
      "mailbox-unavailable",
    );
    const stranger = createGraphExchangePort({
      baseUrl: sim.url,
      tokens: delegatedTokens(later, "unknown.account", scopes),
      mailbox,
    });
    expect((await failureOf(listEverything(stranger.modules.contacts ?? (undefined as never)))).failure.kind).toBe(
      "auth-expired",
    );
  });
});
