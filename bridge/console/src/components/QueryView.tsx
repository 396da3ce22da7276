/** Loading, error and empty states for anything fetched from the bridge, so every page shows them the same way. */
import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
} from "@fluentui/react-components";
import type { ReactNode } from "react";
import type { AdminApiError } from "../api/client.js";
import type { Query } from "../api/hooks.js";

export function ErrorBar({ error, onRetry, title }: { error: AdminApiError; onRetry?: () => void; title?: string }) {
  return (
    <MessageBar intent="error" role="alert">
      <MessageBarBody>
        <MessageBarTitle>
          {title ?? (error.code === "network" ? "Bridge unreachable" : "Something went wrong")}
        </MessageBarTitle>
        {error.message}
      </MessageBarBody>
      {onRetry === undefined ? null : (
        <MessageBarActions>
          <Button onClick={onRetry}>Retry</Button>
        </MessageBarActions>
      )}
    </MessageBar>
  );
}

export function EmptyState({ children }: { children: ReactNode }) {
  return (
    <Text as="p" italic>
      {children}
    </Text>
  );
}

export function QueryView<T>({
  query,
  label,
  isEmpty,
  empty,
  children,
}: {
  query: Query<T>;
  /** What is loading, for the spinner's accessible label. */
  label: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  const { state } = query;
  if (state.status === "loading") return <Spinner size="small" label={`Loading ${label}…`} />;
  if (state.status === "error") return <ErrorBar error={state.error} onRetry={query.reload} />;
  if (isEmpty?.(state.data)) return <EmptyState>{empty}</EmptyState>;
  return <>{children(state.data)}</>;
}
