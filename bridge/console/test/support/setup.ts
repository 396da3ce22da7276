/** jsdom lacks a few browser APIs Fluent UI's positioning uses; clean the DOM after every test. */
import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

class NoopResizeObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
}
globalThis.ResizeObserver ??= NoopResizeObserver;

// The CI machine has two cores shared by every project's tests; give renders time instead of flaking.
configure({ asyncUtilTimeout: 5000 });

afterEach(cleanup);
