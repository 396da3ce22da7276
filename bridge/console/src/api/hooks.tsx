/**
 * React glue for the admin client: the client comes from context (injected by main.tsx or a test), queries are
 * keyed by route name + request so a changed request refetches, and stale answers from an earlier request are
 * dropped (the `current` guard) so a slow reply never overwrites a newer one.
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useRef, useState } from "react";
import type { AdminRequest, AdminResponse, AdminRouteName } from "../../../src/api/admin.js";
import { AdminApiError, type AdminClient, type ParamsArgument } from "./client.js";

const AdminClientContext = createContext<AdminClient | null>(null);

export function AdminClientProvider({ client, children }: { client: AdminClient; children: ReactNode }) {
  return <AdminClientContext.Provider value={client}>{children}</AdminClientContext.Provider>;
}

export function useAdminClient(): AdminClient {
  const client = useContext(AdminClientContext);
  if (client === null) throw new Error("useAdminClient outside AdminClientProvider");
  return client;
}

export type QueryState<T> =
  | { status: "loading" }
  | { status: "error"; error: AdminApiError }
  | { status: "ready"; data: T; refreshing: boolean };

export interface Query<T> {
  state: QueryState<T>;
  reload: () => void;
  /** Replace the data with a newer answer (e.g. a mutation's reply) without refetching. */
  replace: (data: T) => void;
}

export function asAdminError(error: unknown): AdminApiError {
  return error instanceof AdminApiError ? error : new AdminApiError("internal", String(error), 0);
}

export function useAdminQuery<N extends AdminRouteName>(
  name: N,
  request: AdminRequest<N>,
  options: { refreshMs?: number; params?: ParamsArgument<N> } = {},
): Query<AdminResponse<N>> {
  const client = useAdminClient();
  const [state, setState] = useState<QueryState<AdminResponse<N>>>({ status: "loading" });
  const [generation, setGeneration] = useState(0);
  const key = JSON.stringify([name, request, options.params]);
  const latestKey = useRef(key);
  latestKey.current = key;
  const params = options.params ?? ([] as unknown as ParamsArgument<N>);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for name, request and params
  useEffect(() => {
    let current = true;
    setState((previous) => (previous.status === "ready" ? { ...previous, refreshing: true } : { status: "loading" }));
    client.call(name, request, ...params).then(
      (data) => {
        if (current && latestKey.current === key) setState({ status: "ready", data, refreshing: false });
      },
      (error: unknown) => {
        if (current && latestKey.current === key) setState({ status: "error", error: asAdminError(error) });
      },
    );
    return () => {
      current = false;
    };
  }, [client, key, generation]);

  useEffect(() => {
    if (options.refreshMs === undefined) return;
    const timer = setInterval(() => setGeneration((value) => value + 1), options.refreshMs);
    return () => clearInterval(timer);
  }, [options.refreshMs]);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  const replace = useCallback((data: AdminResponse<N>) => setState({ status: "ready", data, refreshing: false }), []);
  return { state, reload, replace };
}

export type MutationState<T> =
  | { status: "idle" }
  | { status: "running" }
  | { status: "error"; error: AdminApiError }
  | { status: "done"; data: T };

/** One admin call triggered by the user (save, test, resolve…), with its progress and outcome. */
export function useAdminMutation<N extends AdminRouteName>(name: N) {
  const client = useAdminClient();
  const [state, setState] = useState<MutationState<AdminResponse<N>>>({ status: "idle" });
  const run = useCallback(
    async (request: AdminRequest<N>, ...params: ParamsArgument<N>): Promise<AdminResponse<N> | undefined> => {
      setState({ status: "running" });
      try {
        const data = await client.call(name, request, ...params);
        setState({ status: "done", data });
        return data;
      } catch (error) {
        setState({ status: "error", error: asAdminError(error) });
        return undefined;
      }
    },
    [client, name],
  );
  const clear = useCallback(() => setState({ status: "idle" }), []);
  return { state, run, clear };
}
