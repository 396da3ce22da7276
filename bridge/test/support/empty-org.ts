/** An Office 365 tenant of empty mailboxes and an empty Zoho org, for the tests that run real bridge processes. */
import { startGraphSimulator } from "../../simulators/graph/index.js";
import { startZohoSimulator } from "../../simulators/zoho/index.js";
import { EMPTY_SEED } from "../connectors/graph/harness.js";
import { testPki } from "./pki.js";

export async function startEmptyOrg(mailboxes: number) {
  const pki = await testPki();
  const graph = await startGraphSimulator({ pki, seed: { ...EMPTY_SEED, users: mailboxes } });
  const zoho = await startZohoSimulator({ pki });
  return { graph, zoho };
}

export type EmptyOrg = Awaited<ReturnType<typeof startEmptyOrg>>;
