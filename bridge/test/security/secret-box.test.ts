import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  addKeyToFile,
  loadSecretBox,
  retirePreviousKeys,
  SecretBox,
  SecretDecryptionError,
} from "../../src/security/secret-box.js";

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "bridge-keys-"));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("SecretBox (AES-256-GCM)", () => {
  it("round-trips, never repeats a ciphertext, and hides the plain text", () => {
    const box = new SecretBox(randomBytes(32));
    const a = box.seal("refresh-token-123");
    const b = box.seal("refresh-token-123");
    expect(a).not.toBe(b);
    expect(a).not.toContain("refresh-token");
    expect(box.open(a)).toBe("refresh-token-123");
    expect(SecretBox.keyIdOf(a)).toBe(box.activeKeyId);
  });

  it("refuses tampered, foreign-key and malformed ciphertexts with a typed error", () => {
    const box = new SecretBox(randomBytes(32));
    const sealed = box.seal("secret");
    const parts = sealed.split(":");
    const flipped = Buffer.from(parts[4] ?? "", "base64url");
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    parts[4] = flipped.toString("base64url");
    expect(() => box.open(parts.join(":"))).toThrow(SecretDecryptionError);
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow(/unknown-key/);
    expect(() => box.open("not a secret")).toThrow(/malformed/);
  });

  it("creates a 0600 key file on first start and reuses it", async () => {
    const keyFile = join(await tempDir(), "keys", "secret.key");
    const first = await loadSecretBox({ keyFile });
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const second = await loadSecretBox({ keyFile });
    expect(second.open(first.seal("x"))).toBe("x");
  });

  it("prefers the environment key and still opens ciphertexts of the previous keys", async () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const keyFile = join(await tempDir(), "unused.key");
    const sealedWithOld = new SecretBox(oldKey).seal("pw");
    const box = await loadSecretBox({
      keyFile,
      envKey: newKey.toString("base64"),
      envPreviousKeys: oldKey.toString("base64"),
    });
    expect(box.open(sealedWithOld)).toBe("pw");
    await expect(stat(keyFile)).rejects.toThrow();
    await expect(loadSecretBox({ keyFile, envKey: "c2hvcnQ=" })).rejects.toThrow(/32 bytes/);
  });

  it("rotates a key file: new active key, old key kept until retired", async () => {
    const keyFile = join(await tempDir(), "secret.key");
    const before = await loadSecretBox({ keyFile });
    const sealed = before.seal("token");
    const during = await addKeyToFile(keyFile);
    expect(during.activeKeyId).not.toBe(before.activeKeyId);
    expect(during.open(sealed)).toBe("token");
    await retirePreviousKeys(keyFile);
    const after = await loadSecretBox({ keyFile });
    expect(() => after.open(sealed)).toThrow(/unknown-key/);
    expect(JSON.parse(await readFile(keyFile, "utf8")).previous).toEqual([]);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
  });
});
