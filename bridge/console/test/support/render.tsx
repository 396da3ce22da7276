/** Renders a console page the way the app does (theme + injected client), without a bridge. */
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { AdminClientProvider } from "../../src/api/hooks.js";
import { type FakeClient, fakeClient, type Handlers } from "./fakeClient.js";

export function renderWithClient(
  page: ReactElement,
  handlers: Handlers,
): { client: FakeClient } & ReturnType<typeof render> {
  const client = fakeClient(handlers);
  const view = render(
    <FluentProvider theme={webLightTheme}>
      <AdminClientProvider client={client}>{page}</AdminClientProvider>
    </FluentProvider>,
  );
  return { client, ...view };
}
