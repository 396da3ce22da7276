/**
 * The whole task pane on a Mailbox 1.1 host (Exchange 2013, or any on-prem client at the manifest's minimum), with
 * Office mocked by office-addin-mock: nothing above 1.1 exists on the mock (no convertToRestId, body.getAsync,
 * ItemChanged, dialog API or NAA), so any call that is not feature-detected fails the test. Sign-in goes through
 * the on-prem route: identity token, and once a callback token to link the mailbox.
 */
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { OfficeMockObject } from "office-addin-mock";
import type { Root } from "react-dom/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareVersions, officeEnums } from "../../src/preview/office-stub.js";
import { startTaskpane } from "../../src/taskpane/bootstrap.js";
import { type ContractBridge, startContractBridge } from "../support/contract-bridge.js";
import { danaContact, messageFromDana } from "../support/fixtures.js";

type Callback = (result: object) => void;
const succeeded = (value: unknown) => ({ status: officeEnums.AsyncResultStatus.Succeeded, value });

let bridge: ContractBridge;
beforeAll(async () => {
  bridge = await startContractBridge("/nonexistent-dist", { onPrem: true });
});
afterAll(() => bridge.close());

function mailbox11Office(displayLanguage: string) {
  const requested: string[] = [];
  const mock = new OfficeMockObject({
    host: "outlook",
    ...officeEnums,
    onReady: () => Promise.resolve({ host: "Outlook", platform: "OfficeOnline" }),
    context: {
      displayLanguage,
      requirements: {
        isSetSupported: (name: string, version: string) => name === "Mailbox" && compareVersions(version, "1.1") <= 0,
      },
      mailbox: {
        item: {
          itemType: officeEnums.MailboxEnums.ItemType.Message,
          itemId: messageFromDana.ewsItemId,
          internetMessageId: messageFromDana.internetMessageId,
          subject: messageFromDana.subject,
          from: { emailAddress: danaContact.email, displayName: danaContact.name },
          to: [{ emailAddress: "me@contoso.com", displayName: "Me" }],
          cc: [],
          attachments: [],
        },
        userProfile: { emailAddress: "me@contoso.com", displayName: "Me", timeZone: "W. Europe Standard Time" },
        getUserIdentityTokenAsync: (callback: Callback) => {
          requested.push("identity");
          callback(succeeded("identity-jwt"));
        },
        getCallbackTokenAsync: (callback: Callback) => {
          requested.push("callback");
          callback(succeeded("callback-jwt"));
        },
      },
    },
  });
  return { office: mock as unknown as typeof Office, requested };
}

describe("task pane on a Mailbox 1.1 on-prem host", () => {
  let root: Root | undefined;
  afterAll(() => root?.unmount());

  it("signs in with the identity token, links the mailbox, and shows the CRM context in Outlook's language", async () => {
    const { office, requested } = mailbox11Office("de-DE");
    const container = document.body.appendChild(document.createElement("div"));
    root = await startTaskpane(office, container, `${bridge.url}addin/taskpane.html`);

    const card = await screen.findByRole("group", { name: `Kontakt ${danaContact.name}` }, { timeout: 10_000 });
    expect(within(card).getByText("Firma: Contoso Ltd")).toBeTruthy();
    expect(within(card).getByText(/Contoso renewal 2027 — Negotiation\/Review — 48\.000,00\s\$/)).toBeTruthy();
    await waitFor(() =>
      expect(bridge.calls).toEqual(expect.arrayContaining(["context", "itemStatus", "mySyncStatus"])),
    );

    // Every request was an identity-token request; the callback token rode along only until the bridge linked.
    expect(new Set(bridge.authentications.map((a) => a.tokenType))).toEqual(new Set(["exchange-identity"]));
    const linking = bridge.authentications.filter((a) => a.callbackToken !== null);
    expect(linking.length).toBeGreaterThan(0);
    expect(linking.every((a) => a.callbackToken === "callback-jwt")).toBe(true);
    expect(requested.filter((call) => call === "callback")).toHaveLength(linking.length);

    // A 1.1 host has no pinning or REST ids: the pane still offers sending by internetMessageId.
    expect(screen.getByRole("button", { name: "An CRM senden" })).toBeTruthy();
    expect(screen.queryByRole("tab", { name: "Teilnehmer" })).toBeNull();

    // Once linked, the identity token alone is enough: the next request carries no callback token.
    fireEvent.click(screen.getByRole("tab", { name: "Synchronisierung" }));
    fireEvent.click(await screen.findByRole("button", { name: "Jetzt synchronisieren" }));
    await screen.findByText("Synchronisierung eingereiht");
    expect(bridge.authentications.filter((a) => a.route === "syncNow")).toEqual([
      { route: "syncNow", tokenType: "exchange-identity", callbackToken: null },
    ]);
  });
});
