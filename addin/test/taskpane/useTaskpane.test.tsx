/**
 * The controller hook end to end without a browser: preview Office stub → useTaskpane → typed client → the
 * contract-checking bridge over real HTTP.
 */
import { act, renderHook, waitFor } from "@testing-library/react";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBridgeClient } from "../../src/api/client.js";
import { createOfficeHost } from "../../src/office/host.js";
import { createPreviewOffice } from "../../src/preview/office-stub.js";
import type { TaskPaneData } from "../../src/taskpane/types.js";
import { useTaskpane } from "../../src/taskpane/useTaskpane.js";
import { type ContractBridge, startContractBridge } from "../support/contract-bridge.js";
import { messageFromDana, messageFromStranger } from "../support/fixtures.js";

let bridge: ContractBridge;
beforeAll(async () => {
  bridge = await startContractBridge("/nonexistent-dist");
});
afterAll(() => bridge.close());

function setUp(mailboxVersion: string, onRender: (data: TaskPaneData) => void = () => {}) {
  const stub = createPreviewOffice(
    { mailbox: { address: "me@fabrikam.com", displayName: "Me", timeZone: "UTC" }, mailboxVersion },
    [messageFromDana, messageFromStranger],
  );
  stub.selectItem(messageFromDana);
  const host = createOfficeHost(stub.office);
  const token = { tokenType: "sandbox" as const, token: "t" };
  const client = createBridgeClient(bridge.url, () => Promise.resolve(token));
  return {
    stub,
    hook: renderHook(() => {
      const taskpane = useTaskpane(host, client);
      onRender(taskpane.data);
      return taskpane;
    }),
  };
}

describe("useTaskpane", () => {
  it("loads context, item status and sync status for the open message, without the user themself", async () => {
    const { hook } = setUp("1.5");
    await waitFor(() => expect(hook.result.current.data.context.status).toBe("ready"));
    expect(hook.result.current.data.people.map((p) => p.email)).toEqual(["dana@contoso.com", "lee@newco.io"]);
    await waitFor(() => expect(hook.result.current.data.itemStatus.status).toBe("ready"));
    await waitFor(() => expect(hook.result.current.data.sync.status).toBe("ready"));
    hook.unmount();
  });

  it("sync now refreshes the status in place, never back through loading (the panel keeps its confirmation)", async () => {
    const seen: string[] = [];
    const { hook } = setUp("1.5", (data) => seen.push(data.sync.status));
    await waitFor(() => expect(hook.result.current.data.sync.status).toBe("ready"));
    const calls = bridge.calls.length;
    seen.length = 0;
    await act(() => hook.result.current.actions.syncNow());
    expect(bridge.calls.slice(calls)).toEqual(["syncNow", "mySyncStatus"]);
    expect(new Set(seen)).toEqual(new Set(["ready"]));
    hook.unmount();
  });

  it("follows ItemChanged when pinned (Mailbox 1.5) and reloads for the new item", async () => {
    const { stub, hook } = setUp("1.5");
    await waitFor(() => expect(hook.result.current.data.context.status).toBe("ready"));
    act(() => stub.selectItem(messageFromStranger));
    await waitFor(() => expect(hook.result.current.data.item?.subject).toBe("Introduction"));
    await waitFor(() => expect(hook.result.current.data.people.map((p) => p.email)).toEqual(["lee@newco.io"]));
    hook.unmount();
  });

  it("on a Mailbox 1.1 host still reads the item and shows its CRM context (no REST id, no pinning)", async () => {
    const { stub, hook } = setUp("1.1");
    await waitFor(() => expect(hook.result.current.data.context.status).toBe("ready"));
    expect(hook.result.current.data.item?.restItemId).toBeNull();
    act(() => stub.selectItem(messageFromStranger));
    expect(hook.result.current.data.item?.subject).toBe("Renewal terms");
    hook.unmount();
  });

  it("a send reloads the item status from the server", async () => {
    const { hook } = setUp("1.5");
    await waitFor(() => expect(hook.result.current.data.itemStatus.status).toBe("ready"));
    await act(() => hook.result.current.actions.sendToCrm([{ module: "Contacts", id: "4150868000000224005" }], false));
    await waitFor(() => {
      const status = hook.result.current.data.itemStatus;
      expect(status.status === "ready" && status.data.crmRecords.map((r) => r.name)).toEqual(["Dana Kim"]);
    });
    hook.unmount();
  });
});
