/** Port decorators for tests; free of vitest so that child processes of tests can use them too. */
import type { RecordPort } from "../../src/connectors/port.js";

/**
 * Wraps a port so every write call (create / update / delete) is reported to `onWrite` before it is made: for
 * counting "a second sync makes zero writes", or announcing writes to a test that kills the process mid-write.
 */
export function observeWrites<T>(
  port: RecordPort<T>,
  onWrite: (operation: "create" | "update" | "delete") => void,
): RecordPort<T> {
  return {
    module: port.module,
    capabilities: port.capabilities,
    listChanges: (cursor) => port.listChanges(cursor),
    listAll: (token) => port.listAll(token),
    getMany: (ids) => port.getMany(ids),
    create: (requests) => {
      onWrite("create");
      return port.create(requests);
    },
    update: (requests) => {
      onWrite("update");
      return port.update(requests);
    },
    delete: (requests) => {
      onWrite("delete");
      return port.delete(requests);
    },
  };
}
