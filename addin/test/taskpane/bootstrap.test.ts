import { describe, expect, it } from "vitest";
import { bridgeRootOf } from "../../src/taskpane/bootstrap.js";

describe("bridge root of a page", () => {
  it.each([
    ["https://localhost:3000/addin/taskpane.html", "https://localhost:3000/"],
    ["https://crm.example.com/bridge/addin/preview.html?item=1", "https://crm.example.com/bridge/"],
    ["https://dev.example.com/taskpane.html", "https://dev.example.com/"],
  ])("%s → %s", (page, root) => {
    expect(bridgeRootOf(page)).toBe(root);
  });
});
