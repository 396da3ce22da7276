/**
 * Starts the task pane in a container: waits for Office.onReady, builds the host adapter, asks the bridge how to
 * authenticate, then renders. Used by the real task pane (office.js) and the sandbox preview (stub host) alike.
 */
import { FluentProvider, MessageBar, MessageBarBody, webLightTheme } from "@fluentui/react-components";
import type { ReactNode } from "react";
import { createRoot, type Root } from "react-dom/client";
import { ADDIN_STATIC_BASE } from "../../../bridge/src/api/addin.js";
import { type BridgeClient, createBridgeClient } from "../api/client.js";
import { createTokenSource } from "../auth/tokens.js";
import { createI18n, I18nProvider } from "../i18n/index.js";
import { createOfficeHost, type OfficeHost, whenOfficeReady } from "../office/host.js";
import { TaskPane } from "./components/TaskPane.js";
import { useTaskpane } from "./useTaskpane.js";

function ConnectedTaskPane({ host, client }: { host: OfficeHost; client: BridgeClient }) {
  const { data, actions } = useTaskpane(host, client);
  return <TaskPane data={data} actions={actions} />;
}

const themed = (node: ReactNode, displayLanguage: string | null) => (
  <FluentProvider theme={webLightTheme}>
    <I18nProvider displayLanguage={displayLanguage}>{node}</I18nProvider>
  </FluentProvider>
);

/** The bridge's root URL for a page served under ADDIN_STATIC_BASE (e.g. https://bridge/addin/taskpane.html). */
export function bridgeRootOf(pageUrl: string): string {
  const url = new URL(pageUrl);
  const at = url.pathname.lastIndexOf(ADDIN_STATIC_BASE);
  return new URL(at >= 0 ? url.pathname.slice(0, at + 1) : "/", url.origin).href;
}

/** `office` is undefined when office.js could not load (offline, blocked CDN): the pane then says so. */
export async function startTaskpane(
  office: typeof Office | undefined,
  container: HTMLElement,
  pageUrl: string,
): Promise<Root> {
  const root = createRoot(container);
  // Until Office answers (or when it is missing), the browser's language stands in for Outlook's.
  const { t } = createI18n(navigator.language);
  try {
    if (!office) throw new Error(t.pane.officeMissing);
    await whenOfficeReady(office);
    const host = createOfficeHost(office);
    const bridgeRoot = bridgeRootOf(pageUrl);
    const publicClient = createBridgeClient(bridgeRoot, null);
    const config = await publicClient("config", {});
    const tokenSource = createTokenSource({
      config,
      host,
      client: publicClient,
      dialogUrl: new URL(`${ADDIN_STATIC_BASE.slice(1)}auth-dialog.html`, bridgeRoot).href,
    });
    root.render(
      themed(
        <ConnectedTaskPane host={host} client={createBridgeClient(bridgeRoot, tokenSource)} />,
        host.displayLanguage,
      ),
    );
  } catch (error) {
    root.render(
      themed(
        <MessageBar intent="error">
          <MessageBarBody>
            {t.pane.cannotReachBridge(error instanceof Error ? error.message : String(error))}
          </MessageBarBody>
        </MessageBar>,
        navigator.language,
      ),
    );
  }
  return root;
}
