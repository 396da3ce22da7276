import { MemorySyncStateStore } from "../../src/sync/memory-state.js";
import { runSyncStateStoreContract } from "./state-store-contract.js";

runSyncStateStoreContract("memory", async () => ({ store: new MemorySyncStateStore(), close: async () => {} }));
