/**
 * The auth dialog page (fallback when nested app authentication is unavailable): runs standard MSAL with a redirect
 * inside the Office dialog window and hands the access token to the task pane through messageParent, as in
 * Microsoft's NAA sample's dialog fallback. The parameters come from the task pane (the bridge's `config`).
 */
import { createStandardPublicClientApplication } from "@azure/msal-browser";
import { sendToDialogParent, whenOfficeReady } from "../office/host.js";
import type { DialogResult } from "./tokens.js";

async function signIn(): Promise<DialogResult> {
  const params = new URLSearchParams(window.location.search);
  const clientId = params.get("clientId") ?? sessionStorage.getItem("addin.dialog.clientId");
  const authority = params.get("authority") ?? sessionStorage.getItem("addin.dialog.authority");
  const scopes = (params.get("scopes") ?? sessionStorage.getItem("addin.dialog.scopes") ?? "").split(" ");
  if (!clientId || !authority || scopes[0] === "") return { error: "missing sign-in parameters" };
  // Only the non-secret parameters survive the redirect; tokens stay in MSAL's memory cache.
  sessionStorage.setItem("addin.dialog.clientId", clientId);
  sessionStorage.setItem("addin.dialog.authority", authority);
  sessionStorage.setItem("addin.dialog.scopes", scopes.join(" "));
  const app = await createStandardPublicClientApplication({
    auth: { clientId, authority, redirectUri: `${window.location.origin}${window.location.pathname}` },
    cache: { cacheLocation: "memoryStorage" },
  });
  const redirected = await app.handleRedirectPromise();
  if (!redirected) {
    await app.acquireTokenRedirect({ scopes });
    return { error: "redirecting" };
  }
  return { accessToken: redirected.accessToken, expiresOn: (redirected.expiresOn ?? new Date()).toISOString() };
}

await whenOfficeReady(Office);
const result = await signIn().catch((error: unknown) => ({ error: String(error) }));
if (!("error" in result && result.error === "redirecting")) sendToDialogParent(Office, JSON.stringify(result));
