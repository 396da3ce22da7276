/**
 * Conformance: Zoho's official `@zohocrm/typescript-sdk-8.0`, unchanged, against the simulator. The SDK reads field
 * metadata (`settings/modules`, `settings/fields`), refreshes its token with a multipart form, resolves the current
 * user and parses every answer with its own models, so it catches shape errors a hand-written client would not.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Environment,
  FileStore,
  InitializeBuilder,
  Levels,
  LogBuilder,
  OAuthBuilder,
  ParameterMap,
  SDKConfigBuilder,
  Users,
  Record as ZRecord,
} from "@zohocrm/typescript-sdk-8.0";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CLIENT } from "../../../simulators/zoho/index.js";
import { useZohoSimulator } from "./support.js";

const SEEDED_CONTACTS = 2_150;

async function records(operations: ZRecord.RecordOperations, params: Array<[string, string | number]>) {
  const map = new ParameterMap();
  for (const [name, value] of params) {
    const param = {
      fields: ZRecord.GetRecordsParam.FIELDS,
      per_page: ZRecord.GetRecordsParam.PER_PAGE,
      page_token: ZRecord.GetRecordsParam.PAGE_TOKEN,
    }[name];
    if (!param) throw new Error(name);
    await map.add(param as never, value as never);
  }
  const response = await operations.getRecords(map);
  return response;
}

function actionResults(response: { getObject(): unknown }) {
  const wrapper = response.getObject();
  if (!(wrapper instanceof ZRecord.ActionWrapper)) throw new Error(`unexpected answer ${JSON.stringify(wrapper)}`);
  return wrapper.getData();
}

describe("official Zoho TypeScript SDK v8 against the simulator", () => {
  const zoho = useZohoSimulator();

  beforeAll(async () => {
    zoho.sim.control.seedDemo({ contacts: SEEDED_CONTACTS, accounts: 5, leads: 3, deals: 3, events: 3, tasks: 3 });
    const { apiDomain, tokenUrl } = zoho.sim.control.urls();
    const resourceDir = mkdtempSync(join(tmpdir(), "zoho-sdk-"));
    const refreshToken = zoho.sim.control.issueRefreshToken();
    await new InitializeBuilder()
      .environment(new Environment(apiDomain, tokenUrl, apiDomain))
      .token(
        new OAuthBuilder()
          .clientId(DEFAULT_CLIENT.clientId)
          .clientSecret(DEFAULT_CLIENT.clientSecret)
          .refreshToken(refreshToken)
          .build(),
      )
      .store(new FileStore(join(resourceDir, "tokens.txt")))
      .SDKConfig(new SDKConfigBuilder().autoRefreshFields(false).pickListValidation(false).build())
      .resourcePath(resourceDir)
      .logger(new LogBuilder().level(Levels.OFF).build())
      .initialize();
  }, 60_000);

  let createdId: bigint;

  it("inserts records and reads per-record results", async () => {
    const contact = new ZRecord.Record();
    contact.addKeyValue("Last_Name", "Sdk-Tester");
    contact.addKeyValue("First_Name", "Ada");
    contact.addKeyValue("Email", "ada.sdk@example.com");
    const body = new ZRecord.BodyWrapper();
    body.setData([contact]);
    const response = await new ZRecord.RecordOperations("Contacts").createRecords(body);
    expect(response.getStatusCode()).toBe(201);
    const [result] = actionResults(response);
    expect(result).toBeInstanceOf(ZRecord.SuccessResponse);
    const success = result as ZRecord.SuccessResponse;
    expect(success.getCode().getValue()).toBe("SUCCESS");
    createdId = BigInt(String(success.getDetails().get("id")));
    expect(String(createdId)).toMatch(/^\d{18,19}$/);
  });

  it("gets one record by id with typed fields", async () => {
    const response = await new ZRecord.RecordOperations("Contacts").getRecord(createdId);
    expect(response.getStatusCode()).toBe(200);
    const wrapper = response.getObject() as ZRecord.ResponseWrapper;
    const [record] = wrapper.getData();
    expect(record.getKeyValue("Last_Name")).toBe("Sdk-Tester");
    expect(record.getKeyValue("Email")).toBe("ada.sdk@example.com");
    expect(record.getCreatedTime()).toBeInstanceOf(Date);
  });

  it("lists beyond 2000 records by following page tokens", async () => {
    const operations = new ZRecord.RecordOperations("Contacts");
    const seen = new Set<string>();
    let token: string | undefined;
    for (let pageNumber = 0; pageNumber < 20; pageNumber += 1) {
      const params: Array<[string, string | number]> = [
        ["fields", "Last_Name,Email"],
        ["per_page", 200],
      ];
      if (token) params.push(["page_token", token]);
      const response = await records(operations, params);
      expect(response.getStatusCode()).toBe(200);
      const wrapper = response.getObject() as ZRecord.ResponseWrapper;
      for (const record of wrapper.getData()) seen.add(String(record.getId()));
      const info = wrapper.getInfo();
      if (!info.getMoreRecords()) break;
      token = info.getNextPageToken();
    }
    expect(seen.size).toBe(SEEDED_CONTACTS + 1);
  });

  it("updates a record", async () => {
    const contact = new ZRecord.Record();
    contact.setId(createdId);
    contact.addKeyValue("Title", "Chief Tester");
    const body = new ZRecord.BodyWrapper();
    body.setData([contact]);
    const response = await new ZRecord.RecordOperations("Contacts").updateRecords(body);
    expect(response.getStatusCode()).toBe(200);
    const [result] = actionResults(response);
    expect((result as ZRecord.SuccessResponse).getMessage().getValue()).toBe("record updated");
    expect(zoho.sim.control.record("Contacts", String(createdId))?.Title).toBe("Chief Tester");
  });

  it("upserts by the system duplicate field", async () => {
    const contact = new ZRecord.Record();
    contact.addKeyValue("Last_Name", "Sdk-Tester-Renamed");
    contact.addKeyValue("Email", "ada.sdk@example.com");
    const body = new ZRecord.BodyWrapper();
    body.setData([contact]);
    body.setDuplicateCheckFields(["Email"]);
    const response = await new ZRecord.RecordOperations("Contacts").upsertRecords(body);
    expect(response.getStatusCode()).toBe(200);
    const [result] = actionResults(response) as ZRecord.SuccessResponse[];
    expect(String(result.getDetails().get("id"))).toBe(String(createdId));
    expect(zoho.sim.control.record("Contacts", String(createdId))?.Last_Name).toBe("Sdk-Tester-Renamed");
  });

  it("searches by criteria", async () => {
    const map = new ParameterMap();
    await map.add(ZRecord.SearchRecordsParam.CRITERIA, "(Last_Name:equals:Sdk-Tester-Renamed)");
    const response = await new ZRecord.RecordOperations("Contacts").searchRecords(map);
    expect(response.getStatusCode()).toBe(200);
    const wrapper = response.getObject() as ZRecord.ResponseWrapper;
    expect(wrapper.getData().map((record) => String(record.getId()))).toEqual([String(createdId)]);
  });

  it("deletes a record and lists it among deleted records", async () => {
    const map = new ParameterMap();
    await map.add(ZRecord.DeleteRecordsParam.IDS, String(createdId));
    const response = await new ZRecord.RecordOperations("Contacts").deleteRecords(map);
    expect(response.getStatusCode()).toBe(200);
    const [result] = actionResults(response);
    expect((result as ZRecord.SuccessResponse).getMessage().getValue()).toBe("record deleted");
    const gone = await new ZRecord.RecordOperations("Contacts").getRecord(createdId);
    expect(gone.getStatusCode()).toBe(204);

    const deletedParams = new ParameterMap();
    await deletedParams.add(ZRecord.GetDeletedRecordsParam.TYPE, "recycle");
    const deleted = await new ZRecord.RecordOperations("Contacts").getDeletedRecords(deletedParams);
    expect(deleted.getStatusCode()).toBe(200);
    const wrapper = deleted.getObject() as ZRecord.DeletedRecordsWrapper;
    const entry = wrapper.getData().find((item) => String(item.getId()) === String(createdId));
    expect(entry?.getType()).toBe("recycle");
    expect(entry?.getDeletedTime()).toBeInstanceOf(Date);
  });

  it("lists active users", async () => {
    const map = new ParameterMap();
    await map.add(Users.GetUsersParam.TYPE, "ActiveUsers");
    const response = await new Users.UsersOperations().getUsers(map);
    expect(response.getStatusCode()).toBe(200);
    const wrapper = response.getObject() as Users.ResponseWrapper;
    const users = wrapper.getUsers();
    expect(users.length).toBeGreaterThan(0);
    expect(users.every((user) => user.getStatus() === "active")).toBe(true);
    expect(users[0].getProfile()?.getName()).toBe("Administrator");
  });
});
