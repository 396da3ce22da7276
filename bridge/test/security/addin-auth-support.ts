/** An on-premises bridge for add-in sign-in tests: Exchange identity tokens accepted from the EWS simulators' host. */
import { startTestBridge, type TestBridge } from "../http/harness.js";

/** The add-in page URL the simulator addresses identity tokens to (the bridge's configured `addinUrl`). */
export const ADDIN_URL = "https://bridge.example/addin/taskpane.html";

/** Starts the real bridge trusting Exchange on 127.0.0.1, with a Zoho user (bridge account) for each of `mailboxes`. */
export async function startOnPremBridge(mailboxes: string[]): Promise<TestBridge> {
  const bridge = await startTestBridge({ sandbox: false, addinUrl: ADDIN_URL, ewsAllowedHosts: ["127.0.0.1"] });
  await bridge.storage.users.syncFromZoho(
    mailboxes.map((email, i) => ({
      zohoUserId: `z${i}`,
      email,
      fullName: email,
      profileId: "p-std",
      profile: "Standard",
      active: true,
    })),
  );
  return bridge;
}
