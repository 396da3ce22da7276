import { useCallback, useState } from "react";

export type ActionState<R> = { busy: boolean; error: string | null; result: R | null };

/** Runs an async action for a button: tracks busy, keeps the last result, turns a rejection into a message. */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>) {
  const [state, setState] = useState<ActionState<R>>({ busy: false, error: null, result: null });
  const run = useCallback(
    async (...args: A) => {
      setState((s) => ({ ...s, busy: true, error: null }));
      try {
        const result = await action(...args);
        setState({ busy: false, error: null, result });
      } catch (error) {
        setState({ busy: false, error: error instanceof Error ? error.message : String(error), result: null });
      }
    },
    [action],
  );
  return { ...state, run };
}
