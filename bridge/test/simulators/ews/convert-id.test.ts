import {
  AlternateId,
  Contact,
  ExchangeVersion,
  FolderId,
  IdFormat,
  ServiceError,
  ServiceResult,
  WellKnownFolderName,
} from "ews-javascript-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEwsSimulator, type ServerRelease, startEwsSimulator } from "../../../simulators/ews/index.js";
import { testPki } from "../../support/pki.js";
import { ewsClient } from "./client.js";

const FORMATS = [IdFormat.EwsLegacyId, IdFormat.EntryId, IdFormat.HexEntryId, IdFormat.OwaId, IdFormat.StoreId];

const SERVERS: [ServerRelease, ExchangeVersion][] = [
  ["2007SP1", ExchangeVersion.Exchange2007_SP1],
  ["2010SP2", ExchangeVersion.Exchange2010_SP2],
  ["2016", ExchangeVersion.Exchange2016],
];

describe.each(SERVERS)("ConvertId on %s through ews-javascript-api", (release, version) => {
  let sim: RunningEwsSimulator;
  beforeAll(async () => {
    sim = await startEwsSimulator({ pki: await testPki(), release, validateResponses: true });
    sim.control.seed({
      mailboxes: 2,
      contactsPerMailbox: 0,
      meetingsPerMailbox: 0,
      tasksPerMailbox: 0,
      mailsPerMailbox: 0,
    });
  });
  afterAll(async () => {
    expect(sim.control.responseViolations()).toEqual([]);
    await sim.close();
  });
  const client = () =>
    ewsClient({
      version,
      url: sim.ewsUrl,
      user: "CONTOSO\\svc-crm",
      password: "Pa55w.rd",
      impersonate: "alice@contoso.com",
    });

  it("converts an item id into every format and back to the same EwsId", async () => {
    const service = client();
    const contact = new Contact(service);
    contact.GivenName = "Ida";
    await contact.Save(new FolderId(WellKnownFolderName.Contacts));
    const ewsId = contact.Id.UniqueId;
    for (const format of FORMATS) {
      const converted = (await service.ConvertId(
        new AlternateId(IdFormat.EwsId, ewsId, "alice@contoso.com"),
        format,
      )) as AlternateId;
      expect(converted.Format).toBe(format);
      expect(converted.UniqueId).not.toBe(ewsId);
      const back = (await service.ConvertId(
        new AlternateId(format, converted.UniqueId, "alice@contoso.com"),
        IdFormat.EwsId,
      )) as AlternateId;
      expect(back.UniqueId).toBe(ewsId);
    }
    const hex = (await service.ConvertId(
      new AlternateId(IdFormat.EwsId, ewsId, "alice@contoso.com"),
      IdFormat.HexEntryId,
    )) as AlternateId;
    // A 70-byte MAPI message entry id (MS-OXCDATA 2.2.4.3), type 0x0007 at byte 20.
    expect(hex.UniqueId).toMatch(/^[0-9A-F]{140}$/);
    expect(hex.UniqueId.slice(40, 44)).toBe("0700");
    const owa = (await service.ConvertId(
      new AlternateId(IdFormat.EwsId, ewsId, "alice@contoso.com"),
      IdFormat.OwaId,
    )) as AlternateId;
    expect(owa.UniqueId.startsWith("RgAAAA")).toBe(true);
  });

  it("answers ErrorInvalidIdMalformed per id and still converts the others in the batch", async () => {
    const service = client();
    const results = await service.ConvertIds(
      [
        new AlternateId(IdFormat.HexEntryId, "NOTHEX", "alice@contoso.com"),
        new AlternateId(IdFormat.EntryId, Buffer.alloc(70).toString("base64"), "alice@contoso.com"),
      ],
      IdFormat.EwsId,
    );
    expect(results.Responses.map((r) => [r.Result, r.ErrorCode])).toEqual([
      [ServiceResult.Error, ServiceError.ErrorInvalidIdMalformed],
      [ServiceResult.Error, ServiceError.ErrorInvalidIdMalformed],
    ]);
    expect(results.Responses[0]?.ErrorMessage).toBe("Id is malformed.");
  });

  it("needs the right Mailbox to turn an entry id back into an EwsId", async () => {
    const service = client();
    const contact = new Contact(service);
    contact.GivenName = "Moe";
    await contact.Save(new FolderId(WellKnownFolderName.Contacts));
    const entry = (await service.ConvertId(
      new AlternateId(IdFormat.EwsId, contact.Id.UniqueId, "alice@contoso.com"),
      IdFormat.EntryId,
    )) as AlternateId;
    const wrongMailbox = service.ConvertId(
      new AlternateId(IdFormat.EntryId, entry.UniqueId, "bob@contoso.com"),
      IdFormat.EwsId,
    );
    await expect(wrongMailbox).rejects.toMatchObject({ message: "Id is malformed." });
  });
});
