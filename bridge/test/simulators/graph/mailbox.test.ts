import { type Client, PageIterator, ResponseType } from "@microsoft/microsoft-graph-client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  appOnlyGraph,
  appOnlyToken,
  firstUsers,
  graphError,
  type RunningGraphSimulator,
  startSimulator,
} from "./support.js";

let sim: RunningGraphSimulator;
let graph: Client;
let alice: string;
let bob: string;

beforeAll(async () => {
  sim = await startSimulator({
    seed: { users: 3, contactsPerUser: 25, eventsPerUser: 4, tasksPerUser: 3, messagesPerUser: 5 },
  });
  graph = appOnlyGraph(sim);
  [alice = "", bob = ""] = firstUsers(sim, 2);
});
afterAll(() => sim.close());
beforeEach(() => sim.control.setAccessPolicy("2b8d6c4e-8f0a-4b1c-9d3e-5a7f9b1c3d5e", undefined));

const IMMUTABLE = 'IdType="ImmutableId"';

interface DeltaPage {
  "@odata.nextLink"?: string;
  "@odata.deltaLink"?: string;
  value: Array<Record<string, unknown>>;
}

/** Follows one delta round with the SDK's PageIterator; returns the items and the deltaLink. */
async function deltaRound(
  client: Client,
  url: string,
  pageSize = 10,
  extraPreference?: string,
): Promise<{ items: Array<Record<string, unknown>>; deltaLink: string }> {
  // Several preferences travel in one Prefer header, comma-separated.
  const prefer = [`odata.maxpagesize=${pageSize}`, extraPreference].filter(Boolean).join(", ");
  const first = (await client.api(url).header("Prefer", prefer).get()) as DeltaPage;
  const items: Array<Record<string, unknown>> = [];
  const iterator = new PageIterator(
    client,
    first,
    (item) => {
      items.push(item as Record<string, unknown>);
      return true;
    },
    { headers: { Prefer: prefer } },
  );
  await iterator.iterate();
  const deltaLink = iterator.getDeltaLink();
  if (!deltaLink) throw new Error("round ended without a deltaLink");
  return { items, deltaLink };
}

describe("contacts: CRUD with etags", () => {
  it("creates, reads, updates with If-Match and refuses a stale etag with 412", async () => {
    const created = await graph.api(`/users/${alice}/contacts`).post({
      givenName: "Pavel",
      surname: "Bansky",
      emailAddresses: [{ address: "pavelb@fabrikam.example", name: "Pavel Bansky" }],
      businessPhones: ["+1 732 555 0102"],
    });
    expect(created).toMatchObject({ displayName: "Pavel Bansky", "@odata.etag": `W/"${created.changeKey}"` });
    const updated = await graph
      .api(`/users/${alice}/contacts/${created.id}`)
      .header("If-Match", created["@odata.etag"])
      .patch({ jobTitle: "CFO" });
    expect(updated.jobTitle).toBe("CFO");
    expect(updated.changeKey).not.toBe(created.changeKey);
    const stale = await graphError(
      graph
        .api(`/users/${alice}/contacts/${created.id}`)
        .header("If-Match", created["@odata.etag"])
        .patch({ jobTitle: "CEO" }),
    );
    expect(stale.statusCode).toBe(412);
    expect(stale.code).toBe("ErrorIrresolvableConflict");
    await graph.api(`/users/${alice}/contacts/${created.id}`).delete();
    const gone = await graphError(graph.api(`/users/${alice}/contacts/${created.id}`).get());
    expect(gone.statusCode).toBe(404);
    expect(gone.code).toBe("ErrorItemNotFound");
  });

  it("rejects unknown and mistyped properties with RequestBodyRead", async () => {
    const unknown = await graphError(
      graph.api(`/users/${alice}/contacts`).post({ givenName: "X", favouriteColour: "blue" }),
    );
    expect(unknown.statusCode).toBe(400);
    expect(unknown.code).toBe("RequestBodyRead");
    const mistyped = await graphError(graph.api(`/users/${alice}/contacts`).post({ givenName: 42 }));
    expect(mistyped.code).toBe("RequestBodyRead");
  });

  it("stores a single-value extended property inline and finds the item by its value", async () => {
    const propertyId = "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name CrmId";
    const created = await graph
      .api(`/users/${alice}/contacts`)
      .post({ givenName: "Tagged", singleValueExtendedProperties: [{ id: propertyId, value: "zcrm_4711" }] });
    expect(created.singleValueExtendedProperties).toBeUndefined();
    const found = await graph
      .api(`/users/${alice}/contacts`)
      .filter(`singleValueExtendedProperties/Any(ep: ep/id eq '${propertyId}' and ep/value eq 'zcrm_4711')`)
      .expand(`singleValueExtendedProperties($filter=id eq '${propertyId}')`)
      .get();
    expect(found.value).toHaveLength(1);
    expect(found.value[0]).toMatchObject({
      id: created.id,
      singleValueExtendedProperties: [{ id: propertyId, value: "zcrm_4711" }],
    });
    const unsupported = await graphError(
      graph.api(`/users/${alice}/contacts`).filter("startswith(displayName,'A')").get(),
    );
    expect(unsupported.code).toBe("ErrorInvalidUrlQueryFilter");
  });
});

describe("mailbox scoping", () => {
  it("lets an app-only token reach every mailbox until an application access policy restricts it", async () => {
    expect((await graph.api(`/users/${bob}/contacts`).get()).value.length).toBeGreaterThan(0);
    sim.control.setAccessPolicy("2b8d6c4e-8f0a-4b1c-9d3e-5a7f9b1c3d5e", [alice]);
    const denied = await graphError(graph.api(`/users/${bob}/contacts`).get());
    expect(denied.statusCode).toBe(403);
    expect(denied.code).toBe("ErrorAccessDenied");
    expect(denied.message).toBe("Access to OData is disabled.");
    expect((await graph.api(`/users/${alice}/contacts`).get()).value.length).toBeGreaterThan(0);
  });

  it("answers /me with app-only tokens and unknown users as the service does", async () => {
    expect((await graphError(graph.api("/me/contacts").get())).statusCode).toBe(400);
    const missing = await graphError(graph.api("/users/nobody@contoso.onmicrosoft.com/contacts").get());
    expect(missing.statusCode).toBe(404);
    expect(missing.code).toBe("ErrorInvalidUser");
  });

  it("rejects requests without or with a forged token", async () => {
    const anonymous = await fetch(`${sim.url}/v1.0/users/${alice}/contacts`);
    expect(anonymous.status).toBe(401);
    const forged = await fetch(`${sim.url}/v1.0/users/${alice}/contacts`, {
      headers: { authorization: "Bearer eyJhbGciOiJub25lIn0.e30." },
    });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe("InvalidAuthenticationToken");
  });
});

describe("delta queries", () => {
  it("pages contacts with nextLinks, ends with a deltaLink, then returns only changes and @removed", async () => {
    const folder = (await graph.api(`/users/${bob}/contactFolders/contacts`).get()).id as string;
    const url = `/users/${bob}/contactFolders/${folder}/contacts/delta`;
    const initial = await deltaRound(graph, url, 7);
    expect(initial.items).toHaveLength(25);
    expect(
      initial.deltaLink.startsWith(`${sim.url}/v1.0/users/${bob}/contactFolders/${folder}/contacts/delta?$deltatoken=`),
    ).toBe(true);

    const [first, second] = initial.items;
    await sim.control.editContact(bob, String(first?.id), { jobTitle: "Director" });
    await graph.api(`/users/${bob}/contacts/${second?.id}`).delete();
    const created = await graph.api(`/users/${bob}/contacts`).post({ givenName: "New", surname: "Person" });
    const next = await deltaRound(graph, initial.deltaLink);
    expect(next.items).toHaveLength(3);
    expect(next.items.find((item) => item.id === first?.id)?.jobTitle).toBe("Director");
    expect(next.items.find((item) => item.id === second?.id)).toEqual({
      "@odata.type": "#microsoft.graph.contact",
      id: second?.id,
      "@removed": { reason: "deleted" },
    });
    expect(next.items.find((item) => item.id === created.id)?.displayName).toBe("New Person");
    const quiet = await deltaRound(graph, next.deltaLink);
    expect(quiet.items).toEqual([]);
  });

  it("answers an evicted delta token with 410 syncStateNotFound and a Location for a new initial sync", async () => {
    const folder = (await graph.api(`/users/${alice}/contactFolders/contacts`).get()).id as string;
    const { deltaLink } = await deltaRound(graph, `/users/${alice}/contactFolders/${folder}/contacts/delta`, 50);
    sim.control.evictDeltaTokens(alice);
    const expired = await graphError(graph.api(deltaLink).get());
    expect(expired.statusCode).toBe(410);
    expect(expired.code).toBe("syncStateNotFound");
    const raw = await fetch(deltaLink, { headers: { authorization: `Bearer ${await appOnlyToken(sim)}` } });
    expect(raw.status).toBe(410);
    expect(raw.headers.get("location")).toContain(`/users/${alice}/contactFolders/${folder}/contacts/delta?`);
    expect(
      (await deltaRound(graph, `/users/${alice}/contactFolders/${folder}/contacts/delta`, 50)).items.length,
    ).toBeGreaterThan(0);
  });

  it("replays the previous round's changes when asked to, and expires tokens older than the configured age", async () => {
    const folder = (await graph.api(`/users/${alice}/contactFolders/contacts`).get()).id as string;
    const url = `/users/${alice}/contactFolders/${folder}/contacts/delta`;
    sim.control.limits.deltaReplay = true;
    try {
      const initial = await deltaRound(graph, url, 100);
      const created = await graph.api(`/users/${alice}/contacts`).post({ givenName: "Replayed" });
      const first = await deltaRound(graph, initial.deltaLink);
      expect(first.items.map((item) => item.id)).toEqual([created.id]);
      const second = await deltaRound(graph, first.deltaLink);
      expect(second.items.map((item) => item.id)).toEqual([created.id]);
      const third = await deltaRound(graph, second.deltaLink);
      expect(third.items).toEqual([]);
    } finally {
      sim.control.limits.deltaReplay = false;
    }
    const { deltaLink } = await deltaRound(graph, url, 100);
    sim.control.limits.deltaTokenMaxAgeMs = 0;
    try {
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect((await graphError(graph.api(deltaLink).get())).statusCode).toBe(410);
    } finally {
      sim.control.limits.deltaTokenMaxAgeMs = undefined;
    }
  });

  it("reports a message moved out of a folder as @removed there, and keeps its immutable id", async () => {
    const immutable = appOnlyGraph(sim, { Prefer: IMMUTABLE });
    const inbox = await deltaRound(immutable, `/users/${alice}/mailFolders('inbox')/messages/delta`, 10, IMMUTABLE);
    const moved = inbox.items[0];
    const archive = (await graph.api(`/users/${alice}/mailFolders/archive`).get()).id as string;
    const afterMove = await immutable
      .api(`/users/${alice}/messages/${moved?.id}/move`)
      .post({ destinationId: archive });
    expect(afterMove.id).toBe(moved?.id);
    const next = await deltaRound(immutable, inbox.deltaLink, 10, IMMUTABLE);
    expect(next.items).toEqual([
      { "@odata.type": "#microsoft.graph.message", id: moved?.id, "@removed": { reason: "deleted" } },
    ]);
    const translated = await graph
      .api(`/users/${alice}/translateExchangeIds`)
      .post({ inputIds: [moved?.id], sourceIdType: "restImmutableEntryId", targetIdType: "restId" });
    expect(translated.value[0].targetId).not.toBe(moved?.id);
    expect((await graph.api(`/users/${alice}/messages/${translated.value[0].targetId}`).get()).parentFolderId).toBe(
      archive,
    );
  });

  it("expands recurring series in calendarView delta and reports a cancelled occurrence as @removed", async () => {
    const start = new Date(Date.now() - 86_400_000).toISOString().slice(0, 19);
    const end = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 19);
    const url = `/users/${alice}/calendarView/delta?startDateTime=${start}Z&endDateTime=${end}Z`;
    const initial = await deltaRound(graph, url, 5);
    const types = new Set(initial.items.map((item) => item.type));
    expect(types).toEqual(new Set(["singleInstance", "occurrence", "exception"]));
    const occurrence = initial.items.find((item) => item.type === "occurrence");
    await graph.api(`/users/${alice}/events/${occurrence?.id}`).delete();
    const next = await deltaRound(graph, initial.deltaLink);
    expect(next.items).toEqual([
      { "@odata.type": "#microsoft.graph.event", id: occurrence?.id, "@removed": { reason: "deleted" } },
    ]);
    const master = await graph.api(`/users/${alice}/events/${occurrence?.seriesMasterId}`).get();
    expect(master).toMatchObject({ type: "seriesMaster", recurrence: { pattern: { type: "weekly" } } });
  });
});

describe("series masters: what Graph returns only when selected", () => {
  it("returns cancelledOccurrences and expanded exceptionOccurrences only on a GET by id that selects them", async () => {
    const start = new Date(Date.now() - 86_400_000).toISOString().slice(0, 19);
    const end = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 19);
    const view = await deltaRound(
      graph,
      `/users/${bob}/calendarView/delta?startDateTime=${start}Z&endDateTime=${end}Z`,
    );
    const exception = view.items.find((item) => item.type === "exception");
    const masterId = String(exception?.seriesMasterId);
    const master = `/users/${bob}/events/${masterId}`;

    const plain = await graph.api(master).get();
    expect(plain.type).toBe("seriesMaster");
    expect(plain).not.toHaveProperty("cancelledOccurrences");
    expect(plain).not.toHaveProperty("exceptionOccurrences");
    const listed = await graph.api(`/users/${bob}/events`).select("id,cancelledOccurrences").top(100).get();
    for (const item of listed.value) expect(item).not.toHaveProperty("cancelledOccurrences");

    const selected = await graph
      .api(master)
      .select("subject,originalStart,cancelledOccurrences,exceptionOccurrences")
      .expand("exceptionOccurrences")
      .get();
    expect(selected.cancelledOccurrences).toEqual([expect.stringMatching(/^OID\..+\.\d{4}-\d{2}-\d{2}$/)]);
    expect(selected.exceptionOccurrences).toEqual([
      {
        "@odata.type": "#microsoft.graph.event",
        "@odata.etag": expect.any(String),
        id: exception?.id,
        subject: exception?.subject,
        originalStart: exception?.originalStart,
      },
    ]);
    const unexpanded = await graph.api(master).select("subject,exceptionOccurrences").get();
    expect(unexpanded).not.toHaveProperty("exceptionOccurrences");
  });
});

describe("body content type", () => {
  it("answers HTML unless Prefer asks for text, and says which it applied", async () => {
    const created = await graph.api(`/users/${alice}/events`).post({
      subject: "Bodies",
      body: { contentType: "html", content: "<p>Hello <b>there</b> &amp; welcome</p>" },
      start: { dateTime: "2026-12-01T09:00:00", timeZone: "UTC" },
      end: { dateTime: "2026-12-01T10:00:00", timeZone: "UTC" },
    });
    const item = `/users/${alice}/events/${created.id}`;
    const raw = async (prefer?: string) => {
      const request = graph.api(item).select("body").responseType(ResponseType.RAW);
      const response = (await (prefer ? request.header("Prefer", prefer) : request).get()) as Response;
      return {
        applied: response.headers.get("preference-applied"),
        body: ((await response.json()) as { body: unknown }).body,
      };
    };
    expect(await raw()).toEqual({
      applied: null,
      body: { contentType: "html", content: "<p>Hello <b>there</b> &amp; welcome</p>" },
    });
    expect(await raw('outlook.body-content-type="text"')).toEqual({
      applied: 'outlook.body-content-type="text"',
      body: { contentType: "text", content: "Hello there & welcome\r\n" },
    });

    const text = await graph.api(`/users/${alice}/events`).post({
      subject: "Text body",
      body: { contentType: "text", content: "line one\nline <two>" },
      start: { dateTime: "2026-12-01T11:00:00", timeZone: "UTC" },
      end: { dateTime: "2026-12-01T12:00:00", timeZone: "UTC" },
    });
    const asHtml = await graph.api(`/users/${alice}/events/${text.id}`).select("body").get();
    expect(asHtml.body.contentType).toBe("html");
    expect(asHtml.body.content).toContain("<body>\r\nline one<br>\r\nline &lt;two&gt;\r\n</body>");
    const asText = await graph
      .api(`/users/${alice}/events/${text.id}`)
      .header("Prefer", 'outlook.body-content-type="text"')
      .select("body")
      .get();
    expect(asText.body).toEqual({ contentType: "text", content: "line one\nline <two>" });
  });
});
