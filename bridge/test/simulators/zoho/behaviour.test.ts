/**
 * Issue 2 "Done when" for the Zoho simulator: it rejects what Zoho rejects with Zoho's status and body, and
 * behaves the way integrations get wrong (incremental reads, search index lag, limits, time zones, notifications
 * for UI edits).
 */
import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { createZohoSimulator } from "../../../simulators/zoho/index.js";
import { useZohoSimulator } from "./support.js";

describe("Zoho simulator rejects what Zoho rejects", () => {
  const zoho = useZohoSimulator();

  it("101 records in one write → 400 LIMIT_EXCEEDED, nothing written", async () => {
    const data = Array.from({ length: 101 }, (_, i) => ({ Last_Name: `N${i}` }));
    const reply = await zoho.call("POST", "Contacts", { body: { data } });
    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({ code: "LIMIT_EXCEEDED", details: { limit: 100 }, status: "error" });
    expect(zoho.sim.control.records("Contacts")).toHaveLength(0);
  });

  it("a bad picklist value, an over-long value and a missing mandatory field fail per record", async () => {
    const reply = await zoho.call("POST", "Tasks", {
      body: {
        data: [
          { Subject: "ok", Status: "Completed", Priority: "High" },
          { Subject: "bad status", Status: "Done" },
          { Subject: "x".repeat(256) },
          { Status: "Completed" },
        ],
      },
    });
    expect(reply.status).toBe(207);
    const [ok, picklist, length, mandatory] = reply.json.data;
    expect(ok.status).toBe("success");
    expect(picklist).toMatchObject({
      code: "INVALID_DATA",
      details: { api_name: "Status", json_path: "$.data[1].Status" },
    });
    expect(picklist.details.supported_values).toContain("Waiting for input");
    expect(length).toMatchObject({ code: "INVALID_DATA", details: { api_name: "Subject", maximum_length: 255 } });
    expect(mandatory).toMatchObject({
      code: "MANDATORY_NOT_FOUND",
      details: { api_name: "Subject", json_path: "$.data[3].Subject" },
      message: "required field not found",
    });
  });

  it("an expired access token → 401 INVALID_TOKEN", async () => {
    const token = await zoho.login();
    zoho.sim.control.expireAccessTokens();
    const reply = await zoho.call("GET", "Contacts?fields=Email", { token });
    expect(reply.status).toBe(401);
    expect(reply.json).toEqual({ code: "INVALID_TOKEN", details: {}, message: "invalid oauth token", status: "error" });
    zoho.accessToken = await zoho.login();
  });

  it("a revoked refresh token can no longer be exchanged (HTTP 200 invalid_code)", async () => {
    const refresh = zoho.sim.control.issueRefreshToken();
    const { tokenUrl } = zoho.sim.control.urls();
    const revoke = await fetch(`${tokenUrl}/revoke?token=${refresh}`, { method: "POST" });
    expect(revoke.status).toBe(200);
    const reply = await fetch(tokenUrl, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: refresh,
        client_id: "1000.SIMULATORCLIENT",
        client_secret: "simulator-secret",
      }),
    });
    expect(reply.status).toBe(200);
    expect(await reply.json()).toEqual({ error: "invalid_code" });
  });

  it("upsert is refused for Events, Tasks and Calls", async () => {
    for (const module of ["Events", "Tasks", "Calls"]) {
      const reply = await zoho.call("POST", `${module}/upsert`, { body: { data: [{ Subject: "x" }] } });
      expect(reply.status).toBe(400);
      expect(reply.json.code).toBe("NOT_SUPPORTED");
    }
  });

  it("page and page_token together are ambiguous; an absent record is 204", async () => {
    const reply = await zoho.call("GET", "Contacts?fields=Email&page=1&page_token=abc");
    expect(reply.json.code).toBe("AMBIGUITY_DURING_PROCESSING");
    const absent = await zoho.call("GET", "Contacts/5725767000999999999");
    expect(absent.status).toBe(204);
    expect(absent.text).toBe("");
    expect(absent.headers.get("content-type")).toBeNull();
  });

  it("COQL needs a WHERE clause and stops at 10 000 rows", async () => {
    const noWhere = await zoho.call("POST", "coql", { body: { select_query: "select Last_Name from Contacts" } });
    expect(noWhere.status).toBe(400);
    expect(noWhere.json.code).toBe("SYNTAX_ERROR");
    const tooFar = await zoho.call("POST", "coql", {
      body: { select_query: "select Last_Name from Contacts where Last_Name is not null limit 9900, 200" },
    });
    expect(tooFar.json).toMatchObject({ code: "LIMIT_EXCEEDED", details: { limit: 10_000 } });
  });

  it("COQL cannot select Events' Participants nor filter on a multi-line field (COQL-Limitations v7/v8)", async () => {
    const participants = await zoho.call("POST", "coql", {
      body: { select_query: "select Event_Title, Participants from Events where Event_Title is not null" },
    });
    expect(participants.status).toBe(400);
    expect(participants.json).toMatchObject({ code: "INVALID_QUERY", details: { column_name: "Participants" } });
    const description = await zoho.call("POST", "coql", {
      body: { select_query: "select Last_Name from Contacts where Description like '%vip%'" },
    });
    expect(description.json).toMatchObject({ code: "INVALID_QUERY", details: { column_name: "Description" } });
    const selected = await zoho.call("POST", "coql", {
      body: { select_query: "select Description from Contacts where Last_Name is not null" },
    });
    expect(selected.status).toBe(204);
  });
});

describe("Zoho simulator behaviour integrations get wrong", () => {
  const zoho = useZohoSimulator({ searchIndexLagMs: 60_000 });

  it("returns DateTimes in the API user's zone, all-day events in +00:00", async () => {
    const reply = await zoho.call("POST", "Events", {
      body: {
        data: [
          { Event_Title: "t", Start_DateTime: "2026-03-02T09:00:00+01:00", End_DateTime: "2026-03-02T10:00:00+01:00" },
          {
            Event_Title: "all day",
            All_day: true,
            Start_DateTime: "2026-03-03T00:00:00+05:30",
            End_DateTime: "2026-03-03T00:00:00+05:30",
          },
        ],
      },
    });
    const [timed, allDay] = reply.json.data.map((item: { details: { id: string } }) => item.details.id);
    const timedRecord = (await zoho.call("GET", `Events/${timed}`)).json.data[0];
    expect(timedRecord.Start_DateTime).toBe("2026-03-02T13:30:00+05:30");
    const allDayRecord = (await zoho.call("GET", `Events/${allDay}`)).json.data[0];
    expect([allDayRecord.Start_DateTime, allDayRecord.End_DateTime]).toEqual([
      "2026-03-03T00:00:00+00:00",
      "2026-03-03T23:59:59+00:00",
    ]);
  });

  it("If-Modified-Since selects changed records inclusively, else 304", async () => {
    const created = await zoho.call("POST", "Contacts", { body: { data: [{ Last_Name: "Inc", Email: "inc@x.com" }] } });
    const modified = created.json.data[0].details.Modified_Time;
    const same = await zoho.call("GET", "Contacts?fields=Email", { headers: { "if-modified-since": modified } });
    expect(same.status).toBe(200);
    expect(same.json.data.map((record: { Email: string }) => record.Email)).toContain("inc@x.com");
    zoho.sim.control.advanceClock(5_000);
    const later = new Date(Date.now() + 4_000).toISOString().replace(/\.\d{3}Z$/, "+00:00");
    const none = await zoho.call("GET", "Contacts?fields=Email", { headers: { "if-modified-since": later } });
    expect(none.status).toBe(304);
    expect(none.text).toBe("");
  });

  it("search misses records written within the index lag; COQL finds them at once", async () => {
    await zoho.call("POST", "Contacts", { body: { data: [{ Last_Name: "Fresh", Email: "fresh@x.com" }] } });
    const search = await zoho.call("GET", "Contacts/search?email=fresh@x.com");
    expect(search.status).toBe(204);
    const coql = await zoho.call("POST", "coql", {
      body: { select_query: "select Email from Contacts where Email = 'fresh@x.com'" },
    });
    expect(coql.json.data).toHaveLength(1);
    zoho.sim.control.advanceClock(61_000);
    const later = await zoho.call("GET", "Contacts/search?criteria=(Last_Name:equals:resh)");
    // Search "equals" is a contains match (D7).
    expect(later.json.data.map((record: { Email: string }) => record.Email)).toEqual(["fresh@x.com"]);
  });

  it("answers 429 TOO_MANY_REQUESTS when credits run out", async () => {
    zoho.sim.control.setLimits({ creditsPerDay: zoho.sim.control.creditsUsed() + 2 });
    const replies = [];
    for (let i = 0; i < 3; i += 1) replies.push(await zoho.call("GET", "Contacts/actions/count"));
    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 429]);
    expect(replies[2].json).toMatchObject({ code: "TOO_MANY_REQUESTS", status: "error" });
    zoho.sim.control.setLimits({ creditsPerDay: 1_000_000 });
  });

  it("answers 429 beyond the edition's concurrency", async () => {
    zoho.sim.control.setLimits({ concurrency: 2 });
    zoho.sim.control.setLatency(150);
    try {
      const replies = await Promise.all(Array.from({ length: 4 }, () => zoho.call("GET", "Contacts/actions/count")));
      const statuses = replies.map((reply) => reply.status).sort();
      expect(statuses).toEqual([200, 200, 429, 429]);
    } finally {
      zoho.sim.control.setLatency(0);
      zoho.sim.control.setLimits({ concurrency: undefined });
    }
  });

  it("counts calls per endpoint", async () => {
    zoho.sim.control.resetCallCounts();
    await zoho.call("GET", "Contacts?fields=Email");
    await zoho.call("POST", "Contacts", { body: { data: [{ Last_Name: "Counted" }] } });
    expect(zoho.sim.control.callCounts()).toEqual({ "records.insert": 1, "records.list": 1 });
  });
});

describe("demo seed", () => {
  it("seeds 10k+ records quickly and deterministically", () => {
    const options = { contacts: 8_000, accounts: 500, leads: 1_000, deals: 500, events: 300, tasks: 300, users: 5 };
    const first = createZohoSimulator({ searchIndexLagMs: 0 });
    const started = performance.now();
    const result = first.control.seedDemo(options);
    const elapsed = performance.now() - started;
    expect(result.counts).toMatchObject({ Contacts: 8_000, Leads: 1_000, Events: 300 });
    expect(elapsed).toBeGreaterThan(0);
    const second = createZohoSimulator({ searchIndexLagMs: 0 });
    second.control.seedDemo(options);
    const names = (sim: typeof first) =>
      sim.control
        .records("Contacts")
        .slice(0, 50)
        .map((c) => c.Full_Name);
    expect(names(second)).toEqual(names(first));
    const events = first.control.records("Events");
    expect(events.some((event) => event.Recurring_Activity !== null)).toBe(true);
    expect(events.some((event) => event.All_day === true)).toBe(true);
    expect(first.control.records("Tasks").every((task) => typeof task.Status === "string")).toBe(true);
  });
});

describe("control API over HTTP (/_sim)", () => {
  const zoho = useZohoSimulator();
  const sim = async (path: string, body?: unknown) => {
    const response = await fetch(`${zoho.sim.url}/_sim/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // biome-ignore lint/suspicious/noExplicitAny: control answers are arbitrary JSON
    const json: any = await response.json();
    return { status: response.status, json };
  };

  it("seeds, acts as a user, counts calls, hands out tokens and resets", async () => {
    const seeded = await sim("seed", { contacts: 5, accounts: 2, leads: 1, deals: 1, events: 1, tasks: 1 });
    expect(seeded.json.counts.Contacts).toBe(5);
    const acted = await sim("act", { module: "Contacts", operation: "insert", records: [{ Last_Name: "Via HTTP" }] });
    expect(acted.json[0].status).toBe("success");
    const { json: tokens } = await sim("tokens/refresh", {});
    expect(tokens.refresh_token).toMatch(/^1000\./);
    await zoho.call("GET", "Contacts?fields=Last_Name");
    expect((await sim("calls")).json["records.list"]).toBe(1);
    const state = await sim("state");
    expect(state.json.records.Contacts).toHaveLength(6);
    await sim("reset");
    expect((await sim("state")).json.records.Contacts).toHaveLength(0);
    expect((await sim("nope")).status).toBe(404);
  });
});
