import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MappingError } from "../../src/mapping/errors.js";
import { contactFromGraph, contactToGraph } from "../../src/mapping/graph/contact.js";
import { eventFromGraph, eventToGraph, type GraphEventWrite, instanceKey } from "../../src/mapping/graph/event.js";
import { emailFromGraph } from "../../src/mapping/graph/message.js";
import { taskFromGraph, taskToGraph } from "../../src/mapping/graph/task.js";
import type { GraphEvent, GraphMessage, GraphTodoTask } from "../../src/mapping/graph/wire.js";
import * as arb from "./arbitraries.js";
import { type CalendarEvent, contactSyncModule, eventSyncModule, taskSyncModule } from "./support.js";

const CONFORMANCE = "/work/shared/conformance/graph";
/** The JSON body of a recorded `.http` exchange. */
function httpBody<T>(name: string): T {
  const text = readFileSync(`${CONFORMANCE}/${name}`, "utf8");
  return JSON.parse(text.slice(text.indexOf("{"))) as T;
}

/**
 * What Graph would list after the connector applied a write: the master with its server-side read-only parts, the
 * patched exception instances and the master's cancelledOccurrences ids. Lets the round trip cover occurrences.
 */
function asStored(write: GraphEventWrite, original: CalendarEvent): { master: GraphEvent; exceptions: GraphEvent[] } {
  const zone = original.timeZone ?? "UTC";
  const master: GraphEvent = {
    ...write.event,
    id: "AAMk1",
    type: write.event.recurrence ? "seriesMaster" : "singleInstance",
    originalStartTimeZone: write.event.start?.timeZone ?? null,
    organizer: original.organizer ? { emailAddress: original.organizer } : null,
    iCalUId: original.uid ?? null,
    onlineMeeting: original.onlineMeetingUrl ? { joinUrl: original.onlineMeetingUrl } : null,
    cancelledOccurrences: write.cancelledOccurrences.map(
      (key) => `OID.AAMk1.${key.length === 10 ? key : dateIn(key, zone)}`,
    ),
  };
  const exceptions = write.exceptions.map(({ originalStart, patch }) => ({
    ...write.event,
    ...patch,
    type: "exception" as const,
    originalStart: originalStart.length === 10 ? `${originalStart}T00:00:00Z` : originalStart,
  }));
  return { master, exceptions };
}
const dateIn = (instant: string, zone: string) => new Date(instant).toLocaleDateString("sv-SE", { timeZone: zone });

describe("Graph contacts", () => {
  const sync = contactSyncModule("graph");

  it("reads the delta example and rounds the birthday to its date", () => {
    const [first] = httpBody<{ value: object[] }>("delta/contacts-delta.response.http").value;
    const contact = contactFromGraph(first ?? {});
    expect(contact).toMatchObject({
      givenName: "givenName-value",
      displayName: "displayName-value",
      birthday: "2016-10-19",
    });
    expect(contactFromGraph({ birthday: "1974-07-21T22:00:00Z" }).birthday).toBe("1974-07-22");
  });

  it("fills e-mail and phone slots from the first, as Graph arrays do", () => {
    const contact = contactFromGraph({
      emailAddresses: [{ address: "" }, { address: "b@example.com" }],
      homePhones: ["1", "2"],
    });
    expect(contact).toMatchObject({ email1: "b@example.com", homePhone: "1", homePhone2: "2" });
    expect(contact.email2).toBeUndefined();
  });

  it("round-trips every field Graph holds (property)", () => {
    fc.assert(
      fc.property(arb.contact, (contact) => {
        arb.expectSameOn(sync, sync.sideFields.exchange, contact, contactFromGraph(contactToGraph(contact)));
      }),
    );
  });
});

describe("Graph events", () => {
  const sync = eventSyncModule("graph");

  it("reads the create-event example (Windows zone, responses, organizer, iCalUId, html body)", () => {
    const event = eventFromGraph(httpBody<GraphEvent>("calendar/create-event-with-attendees.response.http"));
    expect(event).toMatchObject({
      subject: "Let's go brunch",
      span: { kind: "timed", start: "2017-04-15T18:00:00Z", end: "2017-04-15T19:00:00Z" },
      timeZone: "America/Los_Angeles",
      location: "Harry's Bar",
      body: "Does late morning work for you?",
      organizer: { address: "danas@contoso.onmicrosoft.com", name: "Dana Swope" },
      attendees: [
        { address: "samanthab@contoso.onmicrosoft.com", name: "Samantha Booth", type: "required", response: "unknown" },
      ],
      reminderMinutesBefore: 15,
      sensitivity: "normal",
    });
    expect(event.uid).toMatch(/^040000008200E000/);
  });

  it("maps a weekly series across the DST change with one moved and one cancelled occurrence", () => {
    // Mondays 09:00 Berlin from 16 March 2026; DST starts 29 March, so UTC start moves from 08:00 to 07:00.
    const series: CalendarEvent = {
      subject: "Jour fixe – Größenplanung",
      span: { kind: "timed", start: "2026-03-16T08:00:00Z", end: "2026-03-16T09:00:00Z" },
      timeZone: "Europe/Berlin",
      attendees: [],
      recurrence: { frequency: "weekly", interval: 1, byWeekday: ["MO"], end: { type: "count", count: 5 } },
      movedOccurrences: [
        {
          originalStart: "2026-03-30T07:00:00Z",
          span: { kind: "timed", start: "2026-03-31T12:00:00Z", end: "2026-03-31T13:00:00Z" },
          subject: "Jour fixe (Dienstag)",
        },
      ],
      cancelledOccurrences: ["2026-04-06T07:00:00Z"],
      categories: ["Kunde"],
      sensitivity: "private",
    };
    const write = eventToGraph(series, { mailboxTimeZone: "UTC" });
    expect(write.event.start).toEqual({ dateTime: "2026-03-16T09:00:00", timeZone: "W. Europe Standard Time" });
    expect(write.event.recurrence).toEqual({
      pattern: { type: "weekly", interval: 1, daysOfWeek: ["monday"], firstDayOfWeek: "monday" },
      range: {
        type: "numbered",
        startDate: "2026-03-16",
        numberOfOccurrences: 5,
        recurrenceTimeZone: "W. Europe Standard Time",
      },
    });
    expect(write.exceptions[0]?.patch.start).toEqual({
      dateTime: "2026-03-31T14:00:00",
      timeZone: "W. Europe Standard Time",
    });

    const stored = asStored(write, series);
    expect(stored.master.cancelledOccurrences).toEqual(["OID.AAMk1.2026-04-06"]);
    const back = eventFromGraph(stored.master, { exceptions: stored.exceptions });
    expect(back).toEqual({ ...series, body: undefined, location: undefined } satisfies CalendarEvent);
    expect(instanceKey(back, { originalStart: "2026-03-30T07:00:00.0000000Z" })).toBe("2026-03-30T07:00:00Z");
  });

  it("keeps an all-day event's dates whatever zone Graph renders it in", () => {
    const graph: GraphEvent = {
      subject: "Betriebsausflug",
      isAllDay: true,
      start: { dateTime: "2026-10-25T00:00:00.0000000", timeZone: "Pacific Standard Time" },
      end: { dateTime: "2026-10-26T00:00:00.0000000", timeZone: "Pacific Standard Time" },
      originalStartTimeZone: "Tokyo Standard Time",
    };
    const event = eventFromGraph(graph);
    expect(event.span).toEqual({ kind: "allDay", startDate: "2026-10-25", endDate: "2026-10-26" });
    expect(event.timeZone).toBe("Asia/Tokyo");
    expect(eventToGraph(event, { mailboxTimeZone: "UTC" }).event.start).toEqual({
      dateTime: "2026-10-25T00:00:00",
      timeZone: "Tokyo Standard Time",
    });
  });

  it("reports an unknown time zone instead of guessing an instant", () => {
    expect(() =>
      eventFromGraph({
        start: { dateTime: "2026-01-01T10:00:00", timeZone: "Mars Standard Time" },
        end: { dateTime: "2026-01-01T11:00:00", timeZone: "UTC" },
      }),
    ).toThrow(MappingError);
  });

  it("round-trips every field Graph holds, with occurrences (property)", () => {
    fc.assert(
      fc.property(arb.event(), (event) => {
        const write = eventToGraph(event, { mailboxTimeZone: "UTC" });
        const stored = asStored(write, event);
        arb.expectSameOn(
          sync,
          sync.sideFields.exchange,
          event,
          eventFromGraph(stored.master, { exceptions: stored.exceptions }),
        );
      }),
      arb.EVENT_RUNS,
    );
  });
});

describe("Graph To Do tasks", () => {
  const sync = taskSyncModule();

  it("reads the delta example", () => {
    const [first] = httpBody<{ value: GraphTodoTask[] }>("delta/todotask-delta.response.http").value;
    expect(taskFromGraph(first ?? {}, { mailboxTimeZone: "UTC" })).toEqual({
      subject: "empty task3",
      status: "notStarted",
      priority: "normal",
      categories: [],
    });
  });

  it("reads a due date stored as local midnight or as UTC midnight", () => {
    const due = { title: "x", dueDateTime: { dateTime: "2026-05-31T22:00:00.0000000", timeZone: "UTC" } };
    expect(taskFromGraph(due, { mailboxTimeZone: "Europe/Berlin" }).dueDate).toBe("2026-06-01");
    expect(taskFromGraph(due, { mailboxTimeZone: "America/New_York" }).dueDate).toBe("2026-06-01");
    const utcMidnight = { title: "x", dueDateTime: { dateTime: "2026-06-01T00:00:00.0000000", timeZone: "UTC" } };
    expect(taskFromGraph(utcMidnight, { mailboxTimeZone: "Pacific/Honolulu" }).dueDate).toBe("2026-06-01");
  });

  it("round-trips every field To Do holds, for owners in any zone (property)", () => {
    fc.assert(
      fc.property(arb.task, fc.constantFrom(...arb.ZONES), (task, mailboxTimeZone) => {
        const back = taskFromGraph(taskToGraph(task, { mailboxTimeZone }), { mailboxTimeZone });
        arb.expectSameOn(sync, sync.sideFields.exchange, task, back);
      }),
    );
  });
});

describe("Graph messages", () => {
  const message: GraphMessage = {
    internetMessageId: "<AM0PR@eurprd.outlook.com>",
    from: { emailAddress: { address: "Dana@Contoso.com", name: "Dana Swope" } },
    toRecipients: [{ emailAddress: { address: "ann@zylker.com", name: "Ann Ørsted" } }],
    ccRecipients: [],
    sentDateTime: "2026-03-29T00:59:59Z",
    receivedDateTime: "2026-03-29T01:00:03Z",
    subject: "Angebot für 2026 🚀",
    body: { contentType: "html", content: "<p>Hallo</p>" },
    attachments: [{ name: "offer.pdf", contentType: "application/pdf", size: 1024, isInline: false }],
  };

  it("maps a sent message, dated by sentDateTime", () => {
    expect(emailFromGraph(message, { mailboxAddress: "dana@contoso.com" })).toEqual({
      messageId: "<AM0PR@eurprd.outlook.com>",
      from: { address: "Dana@Contoso.com", name: "Dana Swope" },
      to: [{ address: "ann@zylker.com", name: "Ann Ørsted" }],
      cc: [],
      date: "2026-03-29T00:59:59Z",
      subject: "Angebot für 2026 🚀",
      body: { format: "html", content: "<p>Hallo</p>" },
      direction: "sent",
      attachments: [{ name: "offer.pdf", contentType: "application/pdf", size: 1024, isInline: false }],
    });
    expect(emailFromGraph(message, { mailboxAddress: "ann@zylker.com" })).toMatchObject({
      direction: "received",
      date: "2026-03-29T01:00:03Z",
    });
  });

  it("rejects a message without internet Message-ID (the delta example selects none)", () => {
    const [first] = httpBody<{ value: GraphMessage[] }>("delta/messages-delta-1-initial.response.json").value;
    expect(() => emailFromGraph(first ?? {}, { mailboxAddress: "x@contoso.com" })).toThrow(/internetMessageId/);
  });
});
