/**
 * Authenticated encryption of stored secrets (passwords, refresh tokens, MSAL token caches) with AES-256-GCM.
 *
 * Invariants:
 * - every ciphertext names the key that sealed it (`v1:<keyId>:<iv>:<tag>:<data>`, base64url parts), so a key
 *   rotation can run while old ciphertexts are still readable;
 * - a fresh 96-bit IV per seal (NIST SP 800-38D's recommended IV length for GCM); the 128-bit tag is verified on open,
 *   so a tampered or wrongly keyed ciphertext throws instead of yielding garbage;
 * - the key comes from BRIDGE_SECRET_KEY (base64, 32 bytes; older keys in BRIDGE_SECRET_KEY_PREVIOUS) or from a key
 *   file created with mode 0600 on first start. Keys never leave this module.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";

const KEY_BYTES = 32;
const IV_BYTES = 12;
const FORMAT = "v1";

export class SecretDecryptionError extends Error {
  constructor(readonly reason: "unknown-key" | "malformed" | "tampered") {
    super(`stored secret cannot be decrypted (${reason})`);
    this.name = "SecretDecryptionError";
  }
}

/** A short, stable, non-secret name for a key: the first 8 hex chars of its SHA-256. */
function keyIdOf(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 8);
}

function decodeKey(base64: string): Buffer {
  const key = Buffer.from(base64.trim(), "base64");
  if (key.length !== KEY_BYTES) throw new Error(`a secret key must be ${KEY_BYTES} bytes, base64-encoded`);
  return key;
}

export class SecretBox {
  private readonly keys = new Map<string, Buffer>();
  readonly activeKeyId: string;

  /** `active` seals; `previous` keys only open (they are kept during a rotation). */
  constructor(active: Buffer, previous: Buffer[] = []) {
    for (const key of [active, ...previous]) this.keys.set(keyIdOf(key), key);
    this.activeKeyId = keyIdOf(active);
  }

  seal(plaintext: string): string {
    const key = this.keys.get(this.activeKeyId) as Buffer;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), data].map((part) => part.toString("base64url"));
    return [FORMAT, this.activeKeyId, ...parts].join(":");
  }

  open(sealed: string): string {
    const [format, keyId, iv, tag, data] = sealed.split(":");
    if (format !== FORMAT || !keyId || iv === undefined || tag === undefined || data === undefined) {
      throw new SecretDecryptionError("malformed");
    }
    const key = this.keys.get(keyId);
    if (!key) throw new SecretDecryptionError("unknown-key");
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
    } catch {
      throw new SecretDecryptionError("tampered");
    }
  }

  /** The id of the key a ciphertext was sealed with (for rotation bookkeeping). */
  static keyIdOf(sealed: string): string | undefined {
    return sealed.split(":")[1];
  }
}

const keyFileSchema = z.object({ active: z.string(), previous: z.array(z.string()).default([]) });
type KeyFile = z.infer<typeof keyFileSchema>;

export interface KeySource {
  /** Base64 key from the environment; wins over the key file. */
  envKey?: string;
  /** Comma-separated base64 keys still accepted for opening. */
  envPreviousKeys?: string;
  /** Where the key file lives (created with 0600 when missing and no env key is set). */
  keyFile: string;
}

async function readKeyFile(path: string): Promise<KeyFile | undefined> {
  try {
    return keyFileSchema.parse(JSON.parse(await readFile(path, "utf8")));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

async function writeKeyFile(path: string, content: KeyFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(content), { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}

export async function loadSecretBox(source: KeySource): Promise<SecretBox> {
  if (source.envKey) {
    const previous = (source.envPreviousKeys ?? "").split(",").filter(Boolean).map(decodeKey);
    return new SecretBox(decodeKey(source.envKey), previous);
  }
  let file = await readKeyFile(source.keyFile);
  if (!file) {
    file = { active: randomBytes(KEY_BYTES).toString("base64"), previous: [] };
    await writeKeyFile(source.keyFile, file);
  }
  return new SecretBox(decodeKey(file.active), file.previous.map(decodeKey));
}

/**
 * First half of a key-file rotation: a new active key, the old one kept for opening. The caller re-seals every
 * stored secret and then calls `retirePreviousKeys`. With an environment key the operator swaps the variables
 * instead (new key in BRIDGE_SECRET_KEY, old in BRIDGE_SECRET_KEY_PREVIOUS) and only the re-seal runs.
 */
export async function addKeyToFile(keyFile: string): Promise<SecretBox> {
  const current = await readKeyFile(keyFile);
  if (!current) throw new Error(`no key file at ${keyFile}`);
  const next: KeyFile = {
    active: randomBytes(KEY_BYTES).toString("base64"),
    previous: [current.active, ...current.previous],
  };
  await writeKeyFile(keyFile, next);
  return new SecretBox(decodeKey(next.active), next.previous.map(decodeKey));
}

export async function retirePreviousKeys(keyFile: string): Promise<void> {
  const current = await readKeyFile(keyFile);
  if (current) await writeKeyFile(keyFile, { active: current.active, previous: [] });
}
