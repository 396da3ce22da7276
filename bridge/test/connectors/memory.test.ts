import { MemoryRecordPort } from "../../src/connectors/memory/index.js";
import type { Person } from "../sync/fixtures.js";
import { runRecordPortContract } from "./contract.js";

runRecordPortContract<Person>("memory contacts", async () => {
  const port = new MemoryRecordPort<Person>({ module: "contacts", idPrefix: "x", pageSize: 2 });
  return {
    port,
    sample: (n) => ({ name: `Person ${n}`, email: `p${n}@example.com`, company: "Ünïcode GmbH" }),
    same: (read, written) => JSON.stringify(read) === JSON.stringify(written),
    remote: {
      create: async (value) => port.userCreate(value).id,
      update: async (id, value) => {
        port.userUpdate(id, value);
      },
      remove: async (id) => port.userDelete(id),
    },
    setThrottled: async (retryAfterMs) => {
      if (retryAfterMs !== undefined) {
        port.failNextCall({ kind: "throttled", message: "429 Too Many Requests", retryAfterMs });
      }
    },
    expireAuth: async () => port.setAuthExpired(true),
    close: async () => {},
  };
});
