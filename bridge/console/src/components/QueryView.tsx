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

/** Field-level reasons from a 400 invalid-request (zod issues or `{ path, message }`), as "path: message". */
function issueLines(details: Record<string, unknown>): string[] {
  const issues = details.issues;
  if (!Array.isArray(issues)) return [];
  return issues.flatMap((issue: unknown) => {
    if (typeof issue !== "object" || issue === null) return [];
    const { path, message } = issue as { path?: unknown; message?: unknown };
    const where = Array.isArray(path) ? path.join(".") : typeof path === "string" ? path : "";
    return typeof message === "string" ? [where === "" ? message : `${where}: ${message}`] : [];
  });
}

export function ErrorBar({ error, onRetry, title }: { error: AdminApiError; onRetry?: () => void; title?: string }) {
  return (
    <MessageBar layout="multiline" intent="error" role="alert">
      <MessageBarBody>
        <MessageBarTitle>
          {title ?? (error.code === "network" ? "Bridge unreachable" : "Something went wrong")}
        </MessageBarTitle>
        {error.message}
        {issueLines(error.details).length === 0 ? null : (
          <ul style={{ margin: 0 }}>
            {issueLines(error.details).map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        )}
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
  wrap,
  children,
}: {
  query: Query<T>;
  /** What is loading, for the spinner's accessible label. */
  label: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  /** Frames the loading, error and empty states (the data's own rendering frames itself). */
  wrap?: (content: ReactNode) => ReactNode;
  children: (data: T) => ReactNode;
}) {
  const { state } = query;
  const frame = wrap ?? ((content: ReactNode) => content);
  if (state.status === "loading") return frame(<Spinner size="small" label={`Loading ${label}…`} />);
  if (state.status === "error") return frame(<ErrorBar error={state.error} onRetry={query.reload} />);
  if (isEmpty?.(state.data)) return frame(<EmptyState>{empty}</EmptyState>);
  return <>{children(state.data)}</>;
}
