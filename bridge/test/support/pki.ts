/** The PKI that global setup created, for tests that start simulators. */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureTestPki, type TestPki } from "../../simulators/shared/pki.js";

let cached: Promise<TestPki> | undefined;

export function testPki(): Promise<TestPki> {
  cached ??= ensureTestPki(process.env.BRIDGE_TEST_PKI_DIR ?? join(tmpdir(), "bridge-test-pki"));
  return cached;
}
