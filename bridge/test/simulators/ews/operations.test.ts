import {
  BasePropertySet,
  ConflictResolutionMode,
  Contact,
  ContactSchema,
  DeleteMode,
  EmailAddress,
  EmailAddressKey,
  FolderId,
  ItemId,
  ItemView,
  PropertySet,
  SyncFolderItemsScope,
  WellKnownFolderName,
} from "ews-javascript-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEwsSimulator, startEwsSimulator } from "../../../simulators/ews/index.js";
import { testPki } from "../../support/pki.js";
import { ewsClient, VERSIONS } from "./client.js";

for (const release of ["2007SP1", "2010SP2", "2016"] as const) {
  describe(`EWS simulator ${release} through ews-javascript-api`, () => {
    let sim: RunningEwsSimulator;
    beforeAll(async () => {
      sim = await startEwsSimulator({ pki: await testPki(), release, validateResponses: true });
      sim.control.seed({ mailboxes: 3, contactsPerMailbox: 7, mailsPerMailbox: 4 });
    });
    afterAll(async () => {
      expect(sim.control.responseViolations()).toEqual([]);
      await sim.close();
    });
    const client = () =>
      ewsClient({
        version: VERSIONS[release],
        url: sim.ewsUrl,
        user: "CONTOSO\\svc-crm",
        password: "Pa55w.rd",
        impersonate: "alice@contoso.com",
      });

    it("syncs contacts IdOnly, then reads them in a batch", async () => {
      const service = client();
      const changes = await service.SyncFolderItems(
        new FolderId(WellKnownFolderName.Contacts),
        new PropertySet(BasePropertySet.IdOnly),
        [],
        512,
        SyncFolderItemsScope.NormalItems,
        "",
      );
      expect(changes.Count).toBe(7);
      expect(changes.MoreChangesAvailable).toBe(false);
      const ids = changes.GetEnumerator().map((c) => c.ItemId);
      const items = await service.BindToItems(ids, new PropertySet(BasePropertySet.FirstClassProperties));
      expect(items.Responses.every((r) => r.Item instanceof Contact)).toBe(true);
      const again = await service.SyncFolderItems(
        new FolderId(WellKnownFolderName.Contacts),
        new PropertySet(BasePropertySet.IdOnly),
        [],
        512,
        SyncFolderItemsScope.NormalItems,
        changes.SyncState,
      );
      expect(again.Count).toBe(0);
    });

    it("creates, updates with ChangeKey and deletes a contact", async () => {
      const service = client();
      const contact = new Contact(service);
      contact.GivenName = "Zoe";
      contact.Surname = "Zed";
      contact.EmailAddresses._setItem(EmailAddressKey.EmailAddress1, new EmailAddress("zoe@example.org"));
      await contact.Save(new FolderId(WellKnownFolderName.Contacts));
      const id = contact.Id;
      const loaded = await Contact.Bind(service, new ItemId(id.UniqueId));
      expect(loaded.GivenName).toBe("Zoe");
      expect(loaded.EmailAddresses._getItem(EmailAddressKey.EmailAddress1).Address).toBe("zoe@example.org");
      loaded.Surname = "Zeta";
      await loaded.Update(ConflictResolutionMode.AutoResolve);
      const reloaded = await Contact.Bind(
        service,
        new ItemId(id.UniqueId),
        new PropertySet(BasePropertySet.IdOnly, [ContactSchema.Surname]),
      );
      expect(reloaded.Surname).toBe("Zeta");
      await reloaded.Delete(DeleteMode.HardDelete);
      const view = await service.FindItems(new FolderId(WellKnownFolderName.Contacts), new ItemView(100));
      expect(view.Items.some((i) => i.Id.UniqueId === id.UniqueId)).toBe(false);
    });
  });
}
