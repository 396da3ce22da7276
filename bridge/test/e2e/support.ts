/** Small helpers the end-to-end suites share: write-counting ports and unwrapping item results. */
import type { RecordPort } from "../../src/connectors/port.js";
import { observeWrites } from "../support/ports.js";

/** A record port whose write calls are counted, so "a repeated sync writes nothing" is measured, not assumed. */
export function counted<T>(port: RecordPort<T>): RecordPort<T> & { writes: () => number } {
  let writes = 0;
  return {
    ...observeWrites(port, () => {
      writes++;
    }),
    writes: () => writes,
  };
}

/** The value of a successful item result; throws with the failure message otherwise. */
export function must<V>(result: { ok: true; value: V } | { ok: false; failure: { message: string } } | undefined): V {
  if (!result?.ok) throw new Error(`write failed: ${result ? result.failure.message : "no result"}`);
  return result.value;
}
