/**
 * One test per documented example in `shared/conformance/zoho/` that applies to v8: the simulator answers the
 * documented request with the documented status and body shape (keys and types, not volatile values).
 *
 * Not covered, on purpose: the bulk read/write examples. They come from the v7 documentation (SOURCES.md), and the
 * Bulk API is not simulated: the bridge does not use it.
 */
import type { IncomingMessage } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveHttps } from "../../../simulators/shared/server.js";
import { DEFAULT_CLIENT, startZohoSimulator } from "../../../simulators/zoho/index.js";
import { testPki } from "../../support/pki.js";
import { fixture, shapeMismatches } from "./shape.js";
import { tokenRequest, useZohoSimulator, type ZohoReply } from "./support.js";

const RECORD = ["$.data[]"];

function expectShape(reply: ZohoReply, status: number, name: string, lenient: readonly string[] = []): void {
  expect({ status: reply.status, body: reply.text.slice(0, 600) }).toMatchObject({ status });
  expect(shapeMismatches(reply.json, fixture(name), lenient)).toEqual([]);
}

describe("documented Zoho examples against the simulator", () => {
  const zoho = useZohoSimulator({ pageTokenRecordLimit: 4 });
  const ids: Record<string, string> = {};
  const callbacks: Array<{ body: Record<string, unknown>; at: number }> = [];
  let receiverUrl = "";
  let closeReceiver: () => Promise<void> = async () => {};

  /** Points the example's lookups at records that exist in this org. */
  // biome-ignore lint/suspicious/noExplicitAny: rewriting arbitrary fixture JSON
  function bind(record: any): any {
    const copy = structuredClone(record);
    if (copy.Owner) copy.Owner = { id: zoho.sim.control.primaryUser().id };
    if (copy.Who_Id) copy.Who_Id = { id: ids.contact };
    if (copy.What_Id) copy.What_Id = { id: copy.$se_module === "Leads" ? ids.lead : ids.deal };
    if (copy.Account_Name?.id) copy.Account_Name = { id: ids.account };
    if (Array.isArray(copy.Participants)) {
      // biome-ignore lint/suspicious/noExplicitAny: fixture participants
      copy.Participants = copy.Participants.map((participant: any) =>
        participant.type === "email"
          ? participant
          : { ...participant, participant: participant.type === "lead" ? ids.lead : ids.contact },
      );
    }
    if (copy.Parent_Id) copy.Parent_Id = { module: { api_name: "Leads" }, id: ids.lead };
    if (copy.owner?.id) copy.owner = { id: zoho.sim.control.primaryUser().id };
    // Attachments name files uploaded to the file store (an unknown file id is INVALID_DATA).
    if (Array.isArray(copy.attachments)) {
      // biome-ignore lint/suspicious/noExplicitAny: fixture attachments
      copy.attachments = copy.attachments.map((attachment: any) => ({ ...attachment, id: ids.file }));
    }
    return copy;
  }

  // biome-ignore lint/suspicious/noExplicitAny: fixture bodies
  const bound = (name: string): any => {
    const body = fixture(name);
    if (Array.isArray(body.data)) body.data = body.data.map(bind);
    if (Array.isArray(body.Emails)) body.Emails = body.Emails.map(bind);
    return body;
  };

  beforeAll(async () => {
    const actor = zoho.sim.control.actAs();
    const insert = (module: string, record: Record<string, unknown>) => {
      const [result] = actor.insert(module, [record as never]);
      if (result.status !== "success") throw new Error(JSON.stringify(result));
      return result.id as string;
    };
    ids.account = insert("Accounts", { Account_Name: "Zylker" });
    ids.contact = insert("Contacts", {
      First_Name: "Patricia",
      Last_Name: "Boyle",
      Email: "p.boyle@zylker.com",
      Account_Name: { id: ids.account },
    });
    ids.lead = insert("Leads", {
      First_Name: "Steve",
      Last_Name: "Boyle",
      Email: "newcrmapi@zoho.com",
      Company: "ABC",
    });
    ids.lead2 = insert("Leads", { Last_Name: "Second", Email: "second@zoho.com" });
    ids.deal = insert("Deals", {
      Deal_Name: "Mega Deal",
      Stage: "Qualification",
      Contact_Name: { id: ids.contact },
      Account_Name: { id: ids.account },
    });
    const receiver = await serveHttps(
      (req: IncomingMessage, res) => {
        let text = "";
        req.on("data", (chunk) => {
          text += chunk;
        });
        req.on("end", () => {
          callbacks.push({ body: JSON.parse(text), at: Date.now() });
          res.end();
        });
      },
      await testPki(),
    );
    receiverUrl = `${receiver.url}/zoho/notify?tenant=7`;
    closeReceiver = receiver.close;
  });
  afterAll(() => closeReceiver());

  describe("OAuth", () => {
    const tokenUrl = () => zoho.sim.control.urls().tokenUrl;
    const client = { client_id: DEFAULT_CLIENT.clientId, client_secret: DEFAULT_CLIENT.clientSecret };

    it("oauth-token-authorization-code-response.json", async () => {
      const code = zoho.sim.control.createGrantCode();
      const reply = await tokenRequest(tokenUrl(), { ...client, grant_type: "authorization_code", code });
      expectShape(reply, 200, "oauth-token-authorization-code-response.json");
      expect(reply.json.api_domain).toBe(zoho.sim.control.urls().apiDomain);
    });

    it("oauth-token-authorization-code-response-eu.json: an EU org answers with its own api_domain", async () => {
      const eu = await startZohoSimulator({ dataCentre: "eu", pki: await testPki() });
      try {
        // The authorize page of the US accounts server sends an EU user to the EU accounts server.
        const authorize = new URL(`${eu.url}/us/accounts/oauth/v2/auth`);
        authorize.search = new URLSearchParams({
          scope: "ZohoCRM.modules.ALL",
          client_id: DEFAULT_CLIENT.clientId,
          response_type: "code",
          access_type: "offline",
          redirect_uri: "https://bridge.example/callback",
        }).toString();
        const redirect = await fetch(authorize, { redirect: "manual" });
        expect(redirect.status).toBe(302);
        const target = new URL(redirect.headers.get("location") ?? "");
        expect(target.searchParams.get("location")).toBe("eu");
        const accountsServer = target.searchParams.get("accounts-server") ?? "";
        expect(accountsServer).toBe(`${eu.url}/eu/accounts`);
        const code = target.searchParams.get("code") ?? "";
        const atUs = await tokenRequest(`${eu.url}/us/accounts/oauth/v2/token`, {
          ...client,
          grant_type: "authorization_code",
          code,
        });
        expect(atUs.json).toEqual({ error: "invalid_client" });
        const reply = await tokenRequest(`${accountsServer}/oauth/v2/token`, {
          ...client,
          grant_type: "authorization_code",
          redirect_uri: "https://bridge.example/callback",
          code,
        });
        expectShape(reply, 200, "oauth-token-authorization-code-response-eu.json");
        expect(reply.json.api_domain).toBe(`${eu.url}/eu`);
      } finally {
        await eu.close();
      }
    });

    it("oauth-token-refresh-response.json (no new refresh_token)", async () => {
      const refresh_token = zoho.sim.control.issueRefreshToken();
      const reply = await tokenRequest(tokenUrl(), { ...client, grant_type: "refresh_token", refresh_token });
      expectShape(reply, 200, "oauth-token-refresh-response.json");
      expect(reply.json.refresh_token).toBeUndefined();
    });

    it("oauth-token-error-invalid-code.json arrives with HTTP 200", async () => {
      const reply = await tokenRequest(tokenUrl(), { ...client, grant_type: "authorization_code", code: "1000.used" });
      expect(reply.status).toBe(200);
      expect(reply.json).toEqual(fixture("oauth-token-error-invalid-code.json"));
    });

    it("oauth-token-error-invalid-client.json arrives with HTTP 200", async () => {
      const reply = await tokenRequest(tokenUrl(), {
        client_id: DEFAULT_CLIENT.clientId,
        client_secret: "wrong",
        grant_type: "refresh_token",
        refresh_token: "x",
      });
      expect(reply.status).toBe(200);
      expect(reply.json).toEqual(fixture("oauth-token-error-invalid-client.json"));
    });
  });

  describe("request-level errors", () => {
    it("error-invalid-token.json", async () => {
      const reply = await zoho.call("GET", "Contacts?fields=Email", { token: "1000.garbage.token" });
      expect(reply.status).toBe(401);
      expect(reply.json).toEqual(fixture("error-invalid-token.json"));
    });

    it("error-authentication-failure.json (no Zoho-oauthtoken header)", async () => {
      const reply = await fetch(`${zoho.apiDomain}/crm/v8/Contacts?fields=Email`, {
        headers: { authorization: `Bearer ${zoho.accessToken}` },
      });
      expect(reply.status).toBe(401);
      expect(await reply.json()).toEqual(fixture("error-authentication-failure.json"));
    });

    it("error-oauth-scope-mismatch.json", async () => {
      const token = await zoho.login(["ZohoCRM.users.READ"]);
      const reply = await zoho.call("GET", "Contacts?fields=Email", { token });
      expectShape(reply, 401, "error-oauth-scope-mismatch.json");
      expect(reply.json.code).toBe("OAUTH_SCOPE_MISMATCH");
    });

    it("error-no-permission.json", async () => {
      const user = zoho.sim.control.addUser({ firstName: "Sam", lastName: "Rep", email: "sam@zylker.example" });
      zoho.sim.control.denyModule("Standard", "Leads");
      const refresh_token = zoho.sim.control.issueRefreshToken({ userId: user.id });
      const token = await tokenRequest(zoho.sim.control.urls().tokenUrl, {
        grant_type: "refresh_token",
        refresh_token,
        client_id: DEFAULT_CLIENT.clientId,
        client_secret: DEFAULT_CLIENT.clientSecret,
      });
      const reply = await zoho.call("GET", "Leads?fields=Email", { token: token.json.access_token });
      expectShape(reply, 403, "error-no-permission.json");
      expect(reply.json.details.permissions).toEqual(["Crm_Implied_View_Leads"]);
    });

    it("error-invalid-url-pattern.json", async () => {
      const reply = await zoho.call("GET", "Contacts/123/not/a/thing");
      expect(reply.status).toBe(404);
      expect(reply.json).toEqual(fixture("error-invalid-url-pattern.json"));
    });

    it("error-internal-error.json (injected server error)", async () => {
      zoho.sim.control.setFaults({ rate: 1, kinds: ["server-error"], seed: 1, endpoints: /^records\.count$/ });
      try {
        const reply = await zoho.call("GET", "Contacts/actions/count");
        expectShape(reply, 500, "error-internal-error.json");
      } finally {
        zoho.sim.control.setFaults(undefined);
      }
    });
  });

  describe("Get Records", () => {
    it("records-get-v8-response.json", async () => {
      const reply = await zoho.call(
        "GET",
        "Leads?fields=Company,First_Name,Last_Name,Email,Owner,Created_Time&per_page=1",
      );
      expectShape(reply, 200, "records-get-v8-response.json", RECORD);
      expect(reply.json.info.more_records).toBe(true);
      expect(reply.json.info.next_page_token).toMatch(/^[0-9a-f]+$/);
    });

    it("records-get-response.json and records-get-page-token-response.json", async () => {
      const first = await zoho.call("GET", "Leads?fields=Last_Name,Email&per_page=1");
      expectShape(first, 200, "records-get-response.json", RECORD);
      const second = await zoho.call(
        "GET",
        `Leads?fields=Last_Name,Email&per_page=1&page_token=${first.json.info.next_page_token}`,
      );
      expectShape(second, 200, "records-get-page-token-response.json", RECORD);
      expect(second.json.data[0].id).not.toBe(first.json.data[0].id);
    });

    it("records-get-error-invalid-module.json", async () => {
      const reply = await zoho.call("GET", "Contactz?fields=Email");
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual(fixture("records-get-error-invalid-module.json"));
    });

    it("records-get-error-required-param-missing-fields.json", async () => {
      const reply = await zoho.call("GET", "Contacts");
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual(fixture("records-get-error-required-param-missing-fields.json"));
    });

    it("records-get-error-limit-exceeded-fields.json", async () => {
      const fields = Array.from({ length: 51 }, () => "Email").join(",");
      const reply = await zoho.call("GET", `Contacts?fields=${fields}`);
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual(fixture("records-get-error-limit-exceeded-fields.json"));
    });

    it("records-get-error-discrete-pagination-limit.json (page 11 × 200)", async () => {
      const reply = await zoho.call("GET", "Contacts?fields=Email&page=11&per_page=200");
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual(fixture("records-get-error-discrete-pagination-limit.json"));
    });

    it("records-get-error-token-bound-data-mismatch.json", async () => {
      const first = await zoho.call("GET", "Leads?fields=Email&per_page=1");
      const reply = await zoho.call(
        "GET",
        `Leads?fields=Email,Last_Name&per_page=1&page_token=${first.json.info.next_page_token}`,
      );
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual(fixture("records-get-error-token-bound-data-mismatch.json"));
    });

    it("records-get-error-pagination-limit-exceeded.json (limit scaled down to 4 records)", async () => {
      let token = "";
      let reply: ZohoReply | undefined;
      for (let page = 0; page < 6; page += 1) {
        reply = await zoho.call("GET", `Leads?fields=Email&per_page=2${token ? `&page_token=${token}` : ""}`);
        if (reply.status !== 200) break;
        token = reply.json.info.next_page_token ?? "";
        if (!token) {
          zoho.sim.control.actAs().insert("Leads", [{ Last_Name: `Filler ${page}` }, { Last_Name: `Filler b${page}` }]);
          token = "";
        }
      }
      expect(reply?.status).toBe(400);
      expect(reply?.json).toEqual(fixture("records-get-error-pagination-limit-exceeded.json"));
    });

    it("records-get-error-expired-page-token.json", async () => {
      const first = await zoho.call("GET", "Leads?fields=Email&per_page=1");
      zoho.sim.control.advanceClock(25 * 60 * 60 * 1000);
      try {
        const fresh = await zoho.login();
        const reply = await zoho.call(
          "GET",
          `Leads?fields=Email&per_page=1&page_token=${first.json.info.next_page_token}`,
          {
            token: fresh,
          },
        );
        expect(reply.status).toBe(400);
        expect(reply.json).toEqual(fixture("records-get-error-expired-page-token.json"));
      } finally {
        zoho.sim.control.advanceClock(-25 * 60 * 60 * 1000);
      }
    });
  });

  describe("Insert / Update / Upsert / Delete", () => {
    const insertCases: Array<[request: string, module: string, response: string]> = [
      ["records-insert-request-leads-v8.json", "Leads", "records-insert-response.json"],
      ["records-insert-request-contacts-v8.json", "Contacts", "records-insert-response.json"],
      ["records-insert-request-tasks-v8.json", "Tasks", "records-insert-response.json"],
      ["records-insert-request-events-v8.json", "Events", "records-insert-response.json"],
      ["records-insert-request-leads.json", "Leads", "records-insert-response-two-records.json"],
      ["records-insert-request-call.json", "Calls", "records-insert-response.json"],
      ["records-insert-request-recurring-event.json", "Events", "records-insert-response-recurring-event.json"],
      ["records-insert-request-recurring-task.json", "Tasks", "records-insert-response-recurring-task.json"],
      ["records-insert-event-real-request.json", "Events", "records-insert-event-real-response.json"],
      ["notes-create-request.json", "Notes", "notes-create-response.json"],
    ];
    for (const [request, module, response] of insertCases) {
      it(`${request} → 201 ${response}`, async () => {
        const body = bound(request);
        const reply = await zoho.call("POST", module, { body });
        expectShape(reply, 201, response);
        // One result per input record, in order (the recurring examples' extra results are not inferred).
        expect(reply.json.data).toHaveLength(body.data.length);
      });
    }

    it("records-insert-task-real-response.json", async () => {
      const reply = await zoho.call("POST", "Tasks", { body: { data: [{ Subject: "Test Task from Nango" }] } });
      expectShape(reply, 201, "records-insert-task-real-response.json");
    });

    it("records-get-event-real-response.json: read back in the API user's zone", async () => {
      const created = await zoho.call("POST", "Events", { body: fixture("records-insert-event-real-request.json") });
      const reply = await zoho.call("GET", `Events/${created.json.data[0].details.id}`);
      expectShape(reply, 200, "records-get-event-real-response.json", RECORD);
      // Sent with +05:30 … returned in the user's zone (Asia/Kolkata here), the same instant.
      expect(Date.parse(reply.json.data[0].Start_DateTime)).toBe(Date.parse("2026-05-15T10:00:00+05:30"));
    });

    it("records-insert-207-mixed.json", async () => {
      const reply = await zoho.call("POST", "Leads", {
        body: { data: [{ Last_Name: "Good" }, { Last_Name: 42 }] },
      });
      expectShape(reply, 207, "records-insert-207-mixed.json");
      expect(reply.json.data[1].details.json_path).toBe("$.data[1].Last_Name");
    });

    it("records-insert-error-invalid-data-type.json", async () => {
      const reply = await zoho.call("POST", "Leads", { body: { data: [{ Last_Name: "X", No_of_Employees: "many" }] } });
      expectShape(reply, 400, "records-insert-error-invalid-data-type.json");
      expect(reply.json.data[0].details).toMatchObject({ api_name: "No_of_Employees", expected_data_type: "integer" });
    });

    it("records-insert-error-max-length.json", async () => {
      const reply = await zoho.call("POST", "Leads", { body: { data: [{ Last_Name: "x".repeat(81) }] } });
      expectShape(reply, 400, "records-insert-error-max-length.json");
      expect(reply.json.data[0].details.maximum_length).toBe(80);
    });

    it("records-insert-error-duplicate-data.json and records-insert-error-multiple-errors.json", async () => {
      zoho.sim.control.setUniqueFields("Accounts", ["Account_Name", "Phone"]);
      try {
        await zoho.call("POST", "Accounts", { body: { data: [{ Account_Name: "Unique Co", Phone: "555-1" }] } });
        const one = await zoho.call("POST", "Accounts", { body: { data: [{ Account_Name: "Unique Co" }] } });
        expectShape(one, 400, "records-insert-error-duplicate-data.json");
        const two = await zoho.call("POST", "Accounts", {
          body: { data: [{ Account_Name: "Unique Co", Phone: "555-1" }] },
        });
        expectShape(two, 400, "records-insert-error-multiple-errors.json");
      } finally {
        zoho.sim.control.setUniqueFields("Accounts", []);
      }
    });

    it("records-insert-error-mandatory-not-found-layout-rule.json", async () => {
      const ruleId = zoho.sim.control.addLayoutRule("Leads", { name: "Layout Rule", requiredFields: ["Phone"] });
      try {
        const reply = await zoho.call("POST", "Leads", { body: { data: [{ Last_Name: "Rule" }] } });
        expectShape(reply, 400, "records-insert-error-mandatory-not-found-layout-rule.json");
        expect(reply.json.data[0].details).toMatchObject({
          layout_rule: { name: "Layout Rule", id: ruleId },
          api_name: "Phone",
          json_path: "$.data[0].Phone",
        });
        const passing = await zoho.call("POST", "Leads", { body: { data: [{ Last_Name: "Rule", Phone: "555-2" }] } });
        expect(passing.status).toBe(201);
      } finally {
        zoho.sim.control.clearLayoutRules("Leads");
      }
    });

    it("records-update-request-deals.json → records-update-response.json", async () => {
      const body = fixture("records-update-request-deals.json");
      body.data[0].id = ids.deal;
      const reply = await zoho.call("PUT", "Deals", { body });
      expectShape(reply, 200, "records-update-response.json");
      expect(zoho.sim.control.record("Deals", ids.deal)?.Stage).toBe("Closed Won");
    });

    it("records-update-error-already-modified-412.json", async () => {
      const reply = await zoho.call("PUT", "Deals", {
        body: { data: [{ id: ids.deal, Amount: 5 }] },
        headers: { "if-unmodified-since": "2020-01-01T00:00:00+00:00" },
      });
      expectShape(reply, 412, "records-update-error-already-modified-412.json");
    });

    it("records-upsert-request-v8.json → records-upsert-response.json (user-unique Phone)", async () => {
      zoho.sim.control.setUniqueFields("Leads", ["Phone"]);
      try {
        const body = fixture("records-upsert-request-v8.json");
        delete body.data[0].id;
        const inserted = await zoho.call("POST", "Leads/upsert", { body });
        expectShape(inserted, 200, "records-upsert-real-response-insert.json");
        expect(inserted.json.data[0].action).toBe("insert");
        const again = await zoho.call("POST", "Leads/upsert", { body });
        expectShape(again, 200, "records-upsert-response.json");
        expect(again.json.data[0]).toMatchObject({ action: "update", duplicate_field: "Phone" });
      } finally {
        zoho.sim.control.setUniqueFields("Leads", []);
      }
    });

    it("records-upsert-207-mixed.json", async () => {
      const reply = await zoho.call("POST", "Leads/upsert", {
        body: {
          data: [
            { Last_Name: "Up", Email: "up@zoho.com" },
            { Last_Name: "Bad", Company: 5 },
          ],
        },
      });
      expectShape(reply, 207, "records-upsert-207-mixed.json");
    });

    it("records-delete-response.json, records-delete-207-mixed.json, records-delete-real-response.json", async () => {
      const created = await zoho.call("POST", "Contacts", {
        body: { data: [{ Last_Name: "D1" }, { Last_Name: "D2" }, { Last_Name: "D3" }, { Last_Name: "D4" }] },
      });
      const [a, b, c, d] = created.json.data.map((item: { details: { id: string } }) => item.details.id);
      expectShape(await zoho.call("DELETE", `Contacts?ids=${a},${b}`), 200, "records-delete-response.json");
      expectShape(
        await zoho.call("DELETE", `Contacts?ids=${c},1234567890123456789`),
        207,
        "records-delete-207-mixed.json",
      );
      expectShape(
        await zoho.call("DELETE", `Contacts/${d}?wf_trigger=false`),
        200,
        "records-delete-real-response.json",
      );
    });

    it("records-delete-error-required-param-missing.json", async () => {
      const reply = await zoho.call("DELETE", "Contacts");
      expectShape(reply, 400, "records-delete-error-required-param-missing.json");
    });

    it("records-deleted-list-response.json (recycle and permanent entries)", async () => {
      zoho.sim.control.purgeRecycleBin();
      const created = await zoho.call("POST", "Contacts", { body: { data: [{ Last_Name: "Recycled" }] } });
      await zoho.call("DELETE", `Contacts/${created.json.data[0].details.id}`);
      const reply = await zoho.call("GET", "Contacts/deleted?type=all");
      expectShape(reply, 200, "records-deleted-list-response.json");
      const types = new Set(reply.json.data.map((entry: { type: string }) => entry.type));
      expect(types).toEqual(new Set(["recycle", "permanent"]));
    });
  });

  describe("Search and COQL", () => {
    it("records-search-criteria-response.json", async () => {
      const reply = await zoho.call(
        "GET",
        "Leads/search?criteria=((Last_Name:equals:Boyle)and(Company:starts_with:AB))",
      );
      expectShape(reply, 200, "records-search-criteria-response.json", RECORD);
    });

    it("records-search-email-response.json", async () => {
      const reply = await zoho.call("GET", "Leads/search?email=newcrmapi@zoho.com");
      expectShape(reply, 200, "records-search-email-response.json", RECORD);
      expect(reply.json.data.map((lead: { id: string }) => lead.id)).toEqual([ids.lead]);
    });

    it("coql-response-basic.json", async () => {
      const reply = await zoho.call("POST", "coql", {
        body: {
          select_query:
            "select First_Name, Full_Name, Last_Name, Lead_Source from Leads where Last_Name = 'Boyle' limit 2",
        },
      });
      expectShape(reply, 200, "coql-response-basic.json", RECORD);
    });

    it("coql-response-lookup-join.json", async () => {
      const reply = await zoho.call("POST", "coql", {
        body: {
          select_query:
            "select First_Name, Full_Name, Last_Name, Account_Name.Account_Name, Account_Name from Contacts where Account_Name.Account_Name = 'Zylker'",
        },
      });
      expectShape(reply, 200, "coql-response-lookup-join.json", RECORD);
      expect(reply.json.data[0]).toMatchObject({
        "Account_Name.Account_Name": "Zylker",
        Account_Name: { id: ids.account },
      });
    });
  });

  describe("E-mails", () => {
    let messageId = "";

    beforeAll(async () => {
      const form = new FormData();
      form.append("file", new Blob(["an attachment"], { type: "text/plain" }), "Test File");
      const response = await fetch(`${zoho.apiDomain}/crm/v8/files`, {
        method: "POST",
        headers: { authorization: `Zoho-oauthtoken ${zoho.accessToken}` },
        body: form,
      });
      const uploaded = (await response.json()) as { data: Array<{ details: { id: string; name: string } }> };
      expect(uploaded.data.map((entry) => entry.details.name)).toEqual(["Test File"]);
      ids.file = uploaded.data[0]?.details.id ?? "";
    });

    it("associate-email-request.json → associate-email-response.json", async () => {
      const reply = await zoho.call("POST", `Contacts/${ids.contact}/actions/associate_email`, {
        body: bound("associate-email-request.json"),
      });
      expectShape(reply, 201, "associate-email-response.json");
      messageId = reply.json.Emails[0].details.message_id;
    });

    it("associate-email-request-admin-other-owner.json", async () => {
      const reply = await zoho.call("POST", `Contacts/${ids.contact}/actions/associate_email`, {
        body: bound("associate-email-request-admin-other-owner.json"),
      });
      expectShape(reply, 201, "associate-email-response.json");
    });

    it("associate-email-error-mandatory-not-found.json", async () => {
      const body = bound("associate-email-request.json");
      delete body.Emails[0].from;
      const reply = await zoho.call("POST", `Contacts/${ids.contact}/actions/associate_email`, { body });
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual(fixture("associate-email-error-mandatory-not-found.json"));
    });

    it("associate-email-error-max-length.json", async () => {
      const body = bound("associate-email-request.json");
      body.Emails.push(body.Emails[0]);
      const reply = await zoho.call("POST", `Contacts/${ids.contact}/actions/associate_email`, { body });
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual(fixture("associate-email-error-max-length.json"));
    });

    it("emails-related-list-response.json, on the contact and on its account", async () => {
      const reply = await zoho.call("GET", `Contacts/${ids.contact}/Emails`);
      expectShape(reply, 200, "emails-related-list-response.json");
      const onAccount = await zoho.call("GET", `Accounts/${ids.account}/Emails`);
      expectShape(onAccount, 200, "emails-related-list-response.json");
      expect(onAccount.json.Emails.map((mail: { message_id: string }) => mail.message_id)).toContain(messageId);
    });

    it("emails-related-single-response.json", async () => {
      const reply = await zoho.call("GET", `Contacts/${ids.contact}/Emails/${messageId}`);
      expectShape(reply, 200, "emails-related-single-response.json");
    });
  });

  describe("Notifications", () => {
    it("notifications-enable-request.json → notifications-enable-response.json, and the callback payload", async () => {
      const body = fixture("notifications-enable-request.json");
      body.watch[0].notify_url = receiverUrl;
      body.watch[0].events = ["Deals.all", "Leads.all"];
      body.watch[0].channel_expiry = undefined;
      const reply = await zoho.call("POST", "actions/watch", { body });
      expectShape(reply, 201, "notifications-enable-response.json");
      const before = Date.now();
      const created = await zoho.call("POST", "Leads", { body: { data: [{ Last_Name: "Notified" }] } });
      const id = created.json.data[0].details.id;
      await expect.poll(() => callbacks.some((callback) => (callback.body.ids as string[]).includes(id))).toBe(true);
      const callback = callbacks.find((entry) => (entry.body.ids as string[]).includes(id));
      expect(shapeMismatches(callback?.body, fixture("notifications-callback-payload.json"))).toEqual([]);
      expect(callback?.body).toMatchObject({
        module: "Leads",
        operation: "insert",
        channel_id: "10000",
        token: "deals.all.notif",
        query_params: { tenant: "7" },
      });
      expect((callback?.at ?? Number.POSITIVE_INFINITY) - before).toBeLessThan(200);
    });

    it("notifications-get-response.json", async () => {
      const reply = await zoho.call("GET", "actions/watch");
      expectShape(reply, 200, "notifications-get-response.json");
    });

    it("notifications-disable-specific-request.json → notifications-disable-specific-response.json", async () => {
      const body = fixture("notifications-disable-specific-request.json");
      body.watch[0].events = ["Leads.all"];
      const reply = await zoho.call("PATCH", "actions/watch", { body });
      expectShape(reply, 200, "notifications-disable-specific-response.json");
    });

    it("notifications-disable-response.json", async () => {
      const reply = await zoho.call("DELETE", "actions/watch?channel_ids=10000");
      expectShape(reply, 200, "notifications-disable-response.json");
    });

    it("notifications-enable-error-mandatory-not-found.json", async () => {
      const body = fixture("notifications-enable-request.json");
      delete body.watch[0].notify_url;
      const reply = await zoho.call("POST", "actions/watch", { body });
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual(fixture("notifications-enable-error-mandatory-not-found.json"));
    });
  });

  describe("Users and org", () => {
    it("users-get-response.json", async () => {
      const reply = await zoho.call("GET", "users?type=ActiveUsers");
      expectShape(reply, 200, "users-get-response.json");
    });

    it("users-get-response-v7.json (v8 keeps the core keys)", async () => {
      const reply = await zoho.call("GET", "users?type=AllUsers");
      expectShape(reply, 200, "users-get-response-v7.json", ["$.users[]"]);
    });

    it("org-get-response.json", async () => {
      const reply = await zoho.call("GET", "org");
      expectShape(reply, 200, "org-get-response.json");
    });
  });
});
