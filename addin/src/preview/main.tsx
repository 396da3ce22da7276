/**
 * Sandbox preview page: the real task pane next to a picker of simulated mailbox items, with Office stubbed by
 * `createPreviewOffice`. Picking another item fires ItemChanged, exactly as a pinned pane in Outlook sees it.
 * URL parameters (`mailbox`, `item` = EWS item id, `mailboxVersion`) make a view reproducible and linkable.
 */
import { FluentProvider, MessageBar, MessageBarBody, webLightTheme } from "@fluentui/react-components";
import { createRoot } from "react-dom/client";
import type { PreviewItem } from "../../../bridge/src/api/addin.js";
import { createBridgeClient } from "../api/client.js";
import { bridgeRootOf, startTaskpane } from "../taskpane/bootstrap.js";
import { createPreviewOffice, newMeetingItem } from "./office-stub.js";
import { PreviewShell } from "./PreviewShell.js";

const params = new URL(window.location.href).searchParams;
const shellRoot = createRoot(document.getElementById("shell") as HTMLElement);
const paneContainer = document.getElementById("taskpane") as HTMLElement;

async function main() {
  const client = createBridgeClient(bridgeRootOf(window.location.href), null);
  const requested = params.get("mailbox");
  const listed = await client("sandboxItems", requested ? { mailbox: requested } : {});
  const { mailboxes } = listed;
  const mailbox = mailboxes.find((m) => m.address === requested) ?? mailboxes[0];
  if (!mailbox) throw new Error("The sandbox has no simulated mailboxes");
  const colleagues = mailboxes
    .filter((m) => m.address !== mailbox.address)
    .map((m) => ({ email: m.address, name: m.displayName }));
  const organiser = { email: mailbox.address, name: mailbox.displayName };
  const items = [...listed.items, newMeetingItem(organiser, colleagues, new Date())];
  const initial = items.find((i) => i.ewsItemId === params.get("item")) ?? items[0] ?? null;
  const stub = createPreviewOffice(
    {
      mailbox: { address: mailbox.address, displayName: mailbox.displayName, timeZone: "UTC" },
      mailboxVersion: params.get("mailboxVersion") ?? "1.5",
      displayLanguage: params.get("displayLanguage") ?? "en-US",
    },
    items,
  );

  const renderShell = (selected: PreviewItem | null) =>
    shellRoot.render(
      <FluentProvider theme={webLightTheme}>
        <PreviewShell
          mailboxes={mailboxes}
          mailbox={mailbox.address}
          items={items}
          selected={selected?.ewsItemId ?? null}
          onMailbox={(address) => {
            const next = new URL(window.location.href);
            next.search = new URLSearchParams({ mailbox: address }).toString();
            window.location.assign(next.href);
          }}
          onItem={(item) => {
            const next = new URL(window.location.href);
            next.searchParams.set("item", item.ewsItemId);
            window.history.replaceState(null, "", next.href);
            stub.selectItem(item);
            renderShell(item);
          }}
        />
      </FluentProvider>,
    );

  stub.selectItem(initial);
  renderShell(initial);
  await startTaskpane(stub.office, paneContainer, window.location.href);
}

main().catch((error: unknown) =>
  shellRoot.render(
    <FluentProvider theme={webLightTheme}>
      <MessageBar intent="error">
        <MessageBarBody>Preview unavailable: {error instanceof Error ? error.message : String(error)}</MessageBarBody>
      </MessageBar>
    </FluentProvider>,
  ),
);
