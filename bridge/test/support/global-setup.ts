/**
 * Vitest global setup: creates (or reuses) the local test PKI before any test worker starts, and makes every
 * worker process trust its CA through NODE_EXTRA_CA_CERTS — the same mechanism the sandbox launcher uses.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureTestPki } from "../../simulators/shared/pki.js";

export default async function setup(): Promise<void> {
  const pki = await ensureTestPki(process.env.BRIDGE_TEST_PKI_DIR ?? join(tmpdir(), "bridge-test-pki"));
  process.env.NODE_EXTRA_CA_CERTS = pki.caCertFile;
  process.env.BRIDGE_TEST_PKI_DIR ??= join(tmpdir(), "bridge-test-pki");
}
