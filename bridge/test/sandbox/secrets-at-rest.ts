/**
 * Shared by the end-to-end tests: every secret the bridge stored, decrypted with its key, so a test can grep raw
 * database bytes and logs for the plain text.
 */
import type { Storage } from "../../src/storage/index.js";

export async function storedSecretPlaintexts(storage: Storage): Promise<Map<string, string>> {
  const names = await storage.db.selectFrom("secrets").select("name").execute();
  const secrets = new Map<string, string>();
  for (const { name } of names) {
    const plain = await storage.secrets.get(name);
    if (plain) secrets.set(name, plain);
  }
  return secrets;
}

/** Names of the secrets whose plain text occurs in `haystack`. */
export function leakedSecrets(secrets: Map<string, string>, haystack: string): string[] {
  return [...secrets].filter(([, plain]) => haystack.includes(plain)).map(([name]) => name);
}
