import type { IncomingMessage, ServerResponse } from "node:http";
import type { Client } from "@microsoft/microsoft-graph-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveHttps } from "../../../simulators/shared/server.js";
import { testPki } from "../../support/pki.js";
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
let carol: string;

beforeAll(async () => {
  sim = await startSimulator({
    seed: { users: 3, contactsPerUser: 3, eventsPerUser: 3, tasksPerUser: 2, messagesPerUser: 2 },
    subscriptions: { validationTimeoutMs: 1_000, deliveryDelayMs: 10, retryDelaysMs: [30, 30] },
  });
  graph = appOnlyGraph(sim);
  [alice = "", bob = "", carol = ""] = firstUsers(sim, 3);
});
afterAll(() => sim.close());

interface BatchAnswer {
  responses: Array<{ id: string; status: number; headers: Record<string, string>; body?: Record<string, unknown> }>;
}

describe("$batch", () => {
  it("runs up to 20 requests, sequences dependsOn and answers 424 when a dependency failed", async () => {
    const answer = (await graph.api("/$batch").post({
      requests: [
        {
          id: "1",
          method: "POST",
          url: `/users/${alice}/contacts`,
          headers: { "Content-Type": "application/json" },
          body: { givenName: "Batch" },
        },
        { id: "2", method: "GET", url: `/users/${alice}/contacts/does-not-exist`, dependsOn: ["1"] },
        { id: "3", method: "GET", url: `/users/${alice}/contacts?$top=1`, dependsOn: ["2"] },
        { id: "4", method: "POST", url: `/users/${alice}/contacts`, body: { givenName: "No content type" } },
      ],
    })) as BatchAnswer;
    const byId = new Map(answer.responses.map((response) => [response.id, response]));
    expect(byId.get("1")?.status).toBe(201);
    expect(byId.get("2")).toMatchObject({ status: 404, body: { error: { code: "ErrorItemNotFound" } } });
    expect(byId.get("3")?.status).toBe(424);
    expect(byId.get("4")?.status).toBe(400);
  });

  it("refuses more than 20 requests and duplicate ids with an outer 400", async () => {
    const many = Array.from({ length: 21 }, (_, index) => ({
      id: String(index),
      method: "GET",
      url: `/users/${alice}`,
    }));
    expect((await graphError(graph.api("/$batch").post({ requests: many }))).statusCode).toBe(400);
    const duplicate = [
      { id: "1", method: "GET", url: `/users/${alice}` },
      { id: "1", method: "GET", url: `/users/${bob}` },
    ];
    expect((await graphError(graph.api("/$batch").post({ requests: duplicate }))).statusCode).toBe(400);
  });

  it("throttles parallel inner requests beyond the mailbox concurrency with inner 429 + Retry-After while the batch is 200", async () => {
    const requests = Array.from({ length: 6 }, (_, index) => ({
      id: String(index + 1),
      method: "POST",
      url: `/users/${bob}/contacts`,
      headers: { "Content-Type": "application/json" },
      body: { givenName: `Parallel ${index}` },
    }));
    const response = await fetch(`${sim.url}/v1.0/$batch`, {
      method: "POST",
      headers: { authorization: `Bearer ${await appOnlyToken(sim)}`, "content-type": "application/json" },
      body: JSON.stringify({ requests }),
    });
    expect(response.status).toBe(200);
    const { responses } = (await response.json()) as BatchAnswer;
    const throttled = responses.filter((inner) => inner.status === 429);
    expect(responses.filter((inner) => inner.status === 201)).toHaveLength(4);
    expect(throttled).toHaveLength(2);
    expect(throttled[0]?.headers["Retry-After"]).toBe("1");
    expect(throttled[0]?.body).toEqual({
      error: { code: "ApplicationThrottled", message: "Application is over its MailboxConcurrency limit." },
    });
  });
});

describe("throttling", () => {
  it("answers 429 TooManyRequests with a Retry-After once an app exceeds a mailbox's request budget, per mailbox", async () => {
    const limits = sim.control.throttleLimits;
    const saved = { ...limits };
    Object.assign(limits, { requestsPerWindow: 3, windowMs: 60_000 });
    sim.control.resetThrottling();
    try {
      const token = await appOnlyToken(sim);
      const get = (user: string) =>
        fetch(`${sim.url}/v1.0/users/${user}/contacts?$top=1`, { headers: { authorization: `Bearer ${token}` } });
      const answers = [await get(carol), await get(carol), await get(carol), await get(carol)];
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429]);
      const refused = answers[3];
      expect(Number(refused?.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(await refused?.json()).toMatchObject({
        error: {
          code: "TooManyRequests",
          message: "Please retry again later.",
          innerError: { code: "429", status: "429" },
        },
      });
      expect((await get(bob)).status).toBe(200);
    } finally {
      Object.assign(limits, saved);
    }
  });

  it("limits concurrent requests per app + mailbox", async () => {
    const token = await appOnlyToken(sim);
    const get = () =>
      fetch(`${sim.url}/v1.0/users/${alice}/contacts?$top=1`, { headers: { authorization: `Bearer ${token}` } });
    // Open six kept-alive TLS connections first, so the measured requests really overlap on a loaded machine.
    await Promise.all(
      Array.from({ length: 6 }, () => fetch(`${sim.url}/_sim/calls`).then((answer) => answer.arrayBuffer())),
    );
    sim.control.resetThrottling();
    sim.control.setLatency(500);
    try {
      const answers = await Promise.all(Array.from({ length: 6 }, get));
      const refused = answers.filter((answer) => answer.status === 429);
      expect(answers.filter((answer) => answer.status === 200).length).toBeLessThanOrEqual(4);
      expect(refused.length).toBeGreaterThanOrEqual(2);
      expect(await refused[0]?.json()).toEqual({
        error: { code: "ApplicationThrottled", message: "Application is over its MailboxConcurrency limit." },
      });
    } finally {
      sim.control.setLatency(0);
    }
  });

  it("renders injected faults in Graph's shape (503 with Retry-After)", async () => {
    sim.control.setFaults({ rate: 1, kinds: ["unavailable"], seed: 1, endpoints: /contacts/ });
    try {
      const token = await appOnlyToken(sim);
      const answer = await fetch(`${sim.url}/v1.0/users/${alice}/contacts`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(answer.status).toBe(503);
      expect(answer.headers.get("retry-after")).toBe("1");
      expect(await answer.json()).toMatchObject({ error: { code: "serviceNotAvailable" } });
    } finally {
      sim.control.setFaults(undefined);
    }
  });
});

/** A webhook receiver: answers validation handshakes and records notifications. */
async function startReceiver(behaviour: { echo?: boolean; status?: () => number } = {}) {
  const received: Array<{ value: Array<Record<string, unknown>> }> = [];
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "https://receiver");
    const token = url.searchParams.get("validationToken");
    let raw = "";
    req.on("data", (chunk) => {
      raw += chunk;
    });
    req.on("end", () => {
      if (token !== null) {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end(behaviour.echo === false ? "wrong" : token);
        return;
      }
      received.push(JSON.parse(raw));
      res.writeHead(behaviour.status?.() ?? 202);
      res.end();
    });
  };
  const server = await serveHttps(listener, await testPki());
  return { url: `${server.url}/notify?source=graph`, received, close: () => server.close() };
}

describe("change notifications", () => {
  it("validates the endpoint, delivers batched notifications with clientState, renews and deletes", async () => {
    const receiver = await startReceiver();
    try {
      const expiration = new Date(Date.now() + 3 * 24 * 3600_000).toISOString();
      const subscription = await graph.api("/subscriptions").post({
        changeType: "created,updated",
        notificationUrl: receiver.url,
        resource: `users/${alice}/mailFolders('Inbox')/messages`,
        expirationDateTime: expiration,
        clientState: "secretClientValue",
      });
      expect(subscription).toMatchObject({
        resource: `users/${alice}/mailFolders('Inbox')/messages`,
        clientState: "secretClientValue",
        changeType: "created,updated",
      });
      await sim.control.receiveMail(alice, {
        subject: "First",
        from: { emailAddress: { address: "x@fabrikam.example" } },
      });
      await sim.control.receiveMail(alice, {
        subject: "Second",
        from: { emailAddress: { address: "y@fabrikam.example" } },
      });
      await sim.control.notificationsIdle();
      const notifications = receiver.received.flatMap((batch) => batch.value);
      expect(notifications).toHaveLength(2);
      expect(receiver.received).toHaveLength(1);
      expect(notifications[0]).toMatchObject({
        subscriptionId: subscription.id,
        clientState: "secretClientValue",
        changeType: "created",
        resourceData: { "@odata.type": "#Microsoft.Graph.Message" },
      });
      expect(String(notifications[0]?.resource)).toMatch(/^Users\/[^/]+\/Messages\//);

      const renewed = await graph
        .api(`/subscriptions/${subscription.id}`)
        .patch({ expirationDateTime: new Date(Date.now() + 5 * 24 * 3600_000).toISOString() });
      expect(Date.parse(renewed.expirationDateTime)).toBeGreaterThan(Date.parse(expiration));
      const tooLong = await graphError(
        graph
          .api(`/subscriptions/${subscription.id}`)
          .patch({ expirationDateTime: new Date(Date.now() + 8 * 24 * 3600_000).toISOString() }),
      );
      expect(tooLong.statusCode).toBe(400);
      await graph.api(`/subscriptions/${subscription.id}`).delete();
      await sim.control.receiveMail(alice, { subject: "Third" });
      await sim.control.notificationsIdle();
      expect(receiver.received.flatMap((batch) => batch.value)).toHaveLength(2);
    } finally {
      await receiver.close();
    }
  });

  it("refuses a subscription whose endpoint fails the validation handshake or is not https", async () => {
    const receiver = await startReceiver({ echo: false });
    try {
      const body = {
        changeType: "created",
        resource: `users/${alice}/contacts`,
        expirationDateTime: new Date(Date.now() + 3600_000).toISOString(),
        clientState: "s",
      };
      const failed = await graphError(graph.api("/subscriptions").post({ ...body, notificationUrl: receiver.url }));
      expect(failed.statusCode).toBe(400);
      expect(failed.message).toMatch(/validation request failed/i);
      const plain = await graphError(
        graph.api("/subscriptions").post({ ...body, notificationUrl: "http://127.0.0.1:9/hook" }),
      );
      expect(plain.statusCode).toBe(400);
      expect(sim.control.subscriptions()).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });

  it("retries deliveries the endpoint does not acknowledge, and sends lifecycle events on demand", async () => {
    let calls = 0;
    const receiver = await startReceiver({ status: () => (++calls === 1 ? 503 : 202) });
    const lifecycle = await startReceiver();
    try {
      const subscription = await graph.api("/subscriptions").post({
        changeType: "created,updated,deleted",
        notificationUrl: receiver.url,
        lifecycleNotificationUrl: lifecycle.url,
        resource: `users/${bob}/contacts`,
        expirationDateTime: new Date(Date.now() + 3600_000).toISOString(),
        clientState: "state-1",
      });
      await graph.api(`/users/${bob}/contacts`).post({ givenName: "Retry" });
      await sim.control.notificationsIdle();
      expect(receiver.received).toHaveLength(2);
      expect(
        sim.control
          .deliveries()
          .filter((delivery) => delivery.url === receiver.url)
          .map((delivery) => delivery.status),
      ).toEqual([503, 202]);

      expect(await sim.control.lifecycle(subscription.id, "missed")).toBe(true);
      expect(lifecycle.received[0]?.value[0]).toMatchObject({
        subscriptionId: subscription.id,
        lifecycleEvent: "missed",
        clientState: "state-1",
      });
      await sim.control.lifecycle(subscription.id, "subscriptionRemoved");
      expect((await graphError(graph.api(`/subscriptions/${subscription.id}`).get())).statusCode).toBe(404);
    } finally {
      await receiver.close();
      await lifecycle.close();
    }
  });
});

describe("calendar", () => {
  it("creates an event with attendees: defaults, time zone, invitations, transactionId idempotency, cancellation on delete", async () => {
    const request = {
      subject: "Let's go for lunch",
      body: { contentType: "HTML", content: "Does noon work for you?" },
      start: { dateTime: "2030-04-15T12:00:00", timeZone: "Pacific Standard Time" },
      end: { dateTime: "2030-04-15T14:00:00", timeZone: "Pacific Standard Time" },
      location: { displayName: "Harry's Bar" },
      attendees: [{ emailAddress: { address: bob, name: "Bob" }, type: "required" }],
      allowNewTimeProposals: true,
      transactionId: "7E163156-7762-4BEB-A1C6-729EA81755A7",
    };
    const before = sim.control.invitations().length;
    const created = await graph
      .api(`/users/${alice}/events`)
      .header("Prefer", 'outlook.timezone="Pacific Standard Time"')
      .post(request);
    expect(created).toMatchObject({
      isReminderOn: true,
      reminderMinutesBeforeStart: 15,
      type: "singleInstance",
      start: { dateTime: "2030-04-15T12:00:00.0000000", timeZone: "Pacific Standard Time" },
      originalStartTimeZone: "Pacific Standard Time",
    });
    expect(created.iCalUId).toMatch(/^040000008200E00074C5B7101A82E008/);
    const utc = await graph.api(`/users/${alice}/events/${created.id}`).get();
    expect(utc.start).toEqual({ dateTime: "2030-04-15T19:00:00.0000000", timeZone: "UTC" });
    const retried = await graph.api(`/users/${alice}/events`).post(request);
    expect(retried.id).toBe(created.id);
    expect(sim.control.invitations().length - before).toBe(1);
    const bobInbox = sim.control
      .items(bob, "message")
      .filter((message) => message.meetingMessageType === "meetingRequest");
    expect(bobInbox.some((message) => message.subject === "Let's go for lunch")).toBe(true);
    await graph.api(`/users/${alice}/events/${created.id}`).delete();
    expect(sim.control.invitations().at(-1)).toMatchObject({ kind: "meetingCancelled", to: bob.toLowerCase() });
  });

  it("keeps all-day events on their dates in every response time zone and refuses ones not at midnight", async () => {
    const created = await graph.api(`/users/${alice}/events`).post({
      subject: "Trade fair",
      isAllDay: true,
      start: { dateTime: "2030-05-01T00:00:00", timeZone: "W. Europe Standard Time" },
      end: { dateTime: "2030-05-03T00:00:00", timeZone: "W. Europe Standard Time" },
    });
    const pacific = await graph
      .api(`/users/${alice}/events/${created.id}`)
      .header("Prefer", 'outlook.timezone="Pacific Standard Time"')
      .get();
    expect(pacific.start).toEqual({ dateTime: "2030-05-01T00:00:00.0000000", timeZone: "Pacific Standard Time" });
    expect(pacific.end.dateTime).toBe("2030-05-03T00:00:00.0000000");
    const notMidnight = await graphError(
      graph.api(`/users/${alice}/events`).post({
        subject: "Broken",
        isAllDay: true,
        start: { dateTime: "2030-05-01T09:00:00", timeZone: "UTC" },
        end: { dateTime: "2030-05-02T00:00:00", timeZone: "UTC" },
      }),
    );
    expect(notMidnight.statusCode).toBe(400);
  });

  it("answers getSchedule with availabilityView, scheduleItems and workingHours; findMeetingTimes only for delegated tokens", async () => {
    await graph.api(`/users/${bob}/events`).post({
      subject: "Busy block",
      start: { dateTime: "2031-03-15T09:00:00", timeZone: "UTC" },
      end: { dateTime: "2031-03-15T10:00:00", timeZone: "UTC" },
    });
    const schedule = await graph.api(`/users/${alice}/calendar/getSchedule`).post({
      schedules: [bob, "unknown@contoso.onmicrosoft.com"],
      startTime: { dateTime: "2031-03-15T08:00:00", timeZone: "UTC" },
      endTime: { dateTime: "2031-03-15T11:00:00", timeZone: "UTC" },
      availabilityViewInterval: 60,
    });
    expect(schedule.value[0]).toMatchObject({
      scheduleId: bob,
      availabilityView: "020",
      scheduleItems: [
        { status: "busy", subject: "Busy block", start: { dateTime: "2031-03-15T09:00:00.0000000", timeZone: "UTC" } },
      ],
      workingHours: { daysOfWeek: ["monday", "tuesday", "wednesday", "thursday", "friday"] },
    });
    expect(schedule.value[1].error).toBeDefined();
    const appOnly = await graphError(graph.api(`/users/${alice}/findMeetingTimes`).post({ attendees: [] }));
    expect(appOnly.statusCode).toBe(403);
  });
});

describe("To Do", () => {
  it("completes a task as the Outlook user and reports it through the list's delta", async () => {
    const lists = await graph.api(`/users/${alice}/todo/lists`).get();
    const listId = lists.value[0].id as string;
    const first = await graph.api(`/users/${alice}/todo/lists/${listId}/tasks/delta`).get();
    let page = first;
    while (page["@odata.nextLink"]) page = await graph.api(page["@odata.nextLink"]).get();
    const task = first.value[0];
    expect(task["@odata.etag"]).toMatch(/^W\/"/);
    await sim.control.completeTask(alice, task.id);
    const next = await graph.api(page["@odata.deltaLink"]).get();
    expect(next.value).toHaveLength(1);
    expect(next.value[0]).toMatchObject({ id: task.id, status: "completed" });
    expect(next.value[0].completedDateTime).toBeDefined();
  });
});
