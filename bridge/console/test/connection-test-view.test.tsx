/** The connection-test step list: every step says its own outcome, never a success text for a failed or skipped one. */
import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { AdminResponse } from "../../src/api/admin.js";
import { ConnectionTestView } from "../src/components/ConnectionTestView.js";
import { at } from "./support/fixtures.js";
import { renderWithClient } from "./support/render.js";

type Result = AdminResponse<"testExchange">;

function outcomes(): Record<string, string> {
  const list = screen.getByRole("list", { name: "Connection test steps" });
  return Object.fromEntries(
    within(list)
      .getAllByRole("listitem")
      .map((item) => [item.dataset.step, item.querySelector("[data-outcome]")?.textContent ?? ""]),
  );
}

describe("connection test steps", () => {
  it("says why a step failed and why the later ones were skipped", () => {
    const refused: Result = {
      ok: false,
      testedAt: at,
      steps: [
        { step: "tls", status: "passed", detail: "TLS certificate for mail.contoso.com is trusted", reason: null },
        {
          step: "authentication",
          status: "failed",
          detail: "svc-crm@contoso.com signed in to mail.contoso.com",
          reason: "The request failed with HTTP status 401: Unauthorized",
        },
        {
          step: "impersonation",
          status: "skipped",
          detail: "svc-crm@contoso.com may act as ben@contoso.com (ApplicationImpersonation)",
          reason: "the authentication check failed first",
        },
      ],
      failure: {
        step: "authentication",
        code: "invalid-credentials",
        message: "The request failed with HTTP status 401: Unauthorized",
        hint: "Check the account name and password.",
      },
    };
    renderWithClient(<ConnectionTestView result={refused} />, {});
    expect(outcomes()).toEqual({
      tls: "— Passed",
      authentication: "— Failed: The request failed with HTTP status 401: Unauthorized",
      impersonation: "— Skipped because the authentication check failed first",
    });
    expect(screen.getByRole("alert").textContent).toContain("Sign-in failed (invalid-credentials)");
    expect(screen.queryByText("Connection works")).toBeNull();
  });

  it("warns instead of claiming success when a step could not be tested", () => {
    const untested: Result = {
      ok: true,
      testedAt: at,
      steps: [
        { step: "tls", status: "passed", detail: "TLS certificate is trusted", reason: null },
        { step: "authentication", status: "passed", detail: "svc-crm signed in", reason: null },
        {
          step: "impersonation",
          status: "skipped",
          detail: "svc-crm may act as a user",
          reason: "no mailbox to impersonate was given, so impersonation was not tested",
        },
      ],
      failure: null,
    };
    renderWithClient(<ConnectionTestView result={untested} />, {});
    expect(outcomes().impersonation).toBe(
      "— Skipped because no mailbox to impersonate was given, so impersonation was not tested",
    );
    expect(screen.getByText("Partly tested")).toBeTruthy();
    expect(screen.getByText(/not tested: Impersonation role\./)).toBeTruthy();
    expect(screen.queryByText("Connection works")).toBeNull();
  });
});
