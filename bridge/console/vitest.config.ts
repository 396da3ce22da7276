import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "console",
    environment: "jsdom",
    include: ["test/**/*.test.{ts,tsx}"],
    setupFiles: ["test/support/setup.ts"],
    testTimeout: 20_000,
    // Fluent UI is a large import; sharing the module cache between test files saves most of the run time.
    isolate: false,
  },
});
