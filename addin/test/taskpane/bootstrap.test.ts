import { screen } from "@testing-library/react";
import { act } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { bridgeRootOf, startTaskpane } from "../../src/taskpane/bootstrap.js";

afterEach(() => vi.restoreAllMocks());

describe("bridge root of a page", () => {
  it.each([
    ["https://localhost:3000/addin/taskpane.html", "https://localhost:3000/"],
    ["https://crm.example.com/bridge/addin/preview.html?item=1", "https://crm.example.com/bridge/"],
    ["https://dev.example.com/taskpane.html", "https://dev.example.com/"],
  ])("%s → %s", (page, root) => {
    expect(bridgeRootOf(page)).toBe(root);
  });
});

describe("start without Office", () => {
  it("says so in the browser's language, since Outlook's is unknown", async () => {
    vi.spyOn(navigator, "language", "get").mockReturnValue("de-DE");
    const container = document.body.appendChild(document.createElement("div"));
    const root = await act(() => startTaskpane(undefined, container, "https://localhost:3000/addin/taskpane.html"));
    expect(
      await screen.findByText(
        "Die CRM-Bridge ist nicht erreichbar: Office.js wurde nicht geladen; öffnen Sie diese Seite aus Outlook",
      ),
    ).toBeTruthy();
    act(() => root.unmount());
  });
});
