import { MessageBar, MessageBarBody, Spinner } from "@fluentui/react-components";
import type { ReactNode } from "react";
import { useI18n } from "../../i18n/index.js";
import type { LoadState } from "../types.js";

/** Renders a spinner, an error bar, or the loaded data. */
export function Loadable<T>({
  state,
  label,
  children,
}: {
  state: LoadState<T>;
  label: string;
  children: (data: T) => ReactNode;
}) {
  const { t } = useI18n();
  switch (state.status) {
    case "loading":
      return <Spinner size="tiny" label={t.pane.loading(label)} />;
    case "error":
      return (
        <MessageBar intent="error">
          <MessageBarBody>{state.message}</MessageBarBody>
        </MessageBar>
      );
    case "unavailable":
      return (
        <MessageBar intent="info">
          <MessageBarBody>{state.message}</MessageBarBody>
        </MessageBar>
      );
    case "ready":
      return <>{children(state.data)}</>;
  }
}

export function ErrorBar({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <MessageBar intent="error">
      <MessageBarBody>{message}</MessageBarBody>
    </MessageBar>
  );
}
