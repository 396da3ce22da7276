import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SecretBox } from "../../src/security/secret-box.js";
import { dropPostgresSchema } from "../../src/storage/database.js";
import { openStorage } from "../../src/storage/index.js";
import { databaseUrl, describeWithPostgres } from "../support/postgres.js";
import { runSyncStateStoreContract } from "./state-store-contract.js";

const box = () => new SecretBox(randomBytes(32));

runSyncStateStoreContract("Kysely on SQLite", async () => {
  const dir = await mkdtemp(join(tmpdir(), "sync-state-"));
  const storage = await openStorage({ kind: "sqlite", file: join(dir, "bridge.db") }, box());
  return {
    store: storage.syncState,
    close: async () => {
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describeWithPostgres("PostgreSQL", () => {
  runSyncStateStoreContract("Kysely on PostgreSQL", async () => {
    const schema = `s_${randomBytes(4).toString("hex")}`;
    const storage = await openStorage({ kind: "postgres", url: databaseUrl ?? "", schema }, box());
    return {
      store: storage.syncState,
      close: async () => {
        await storage.close();
        await dropPostgresSchema(databaseUrl ?? "", schema);
      },
    };
  });
});
