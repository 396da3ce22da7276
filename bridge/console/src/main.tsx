/** Entry point: the bridge API lives on the page's own origin unless index.html names another (meta bridge-api). */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ADMIN_AUTH } from "../../src/api/admin.js";
import { App } from "./App.js";
import { createHttpAdminClient, readCookie } from "./api/client.js";

const root = document.getElementById("root");
if (root === null) throw new Error("index.html lacks #root");
const baseUrl = document.querySelector<HTMLMetaElement>('meta[name="bridge-api"]')?.content ?? "";
createRoot(root).render(
  <StrictMode>
    <App
      client={createHttpAdminClient({ baseUrl, csrfToken: () => readCookie(ADMIN_AUTH.csrfCookie) })}
      signInUrl={`${baseUrl}${ADMIN_AUTH.signInPath}`}
    />
  </StrictMode>,
);
