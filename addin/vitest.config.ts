import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "addin",
    environment: "jsdom",
    setupFiles: ["test/support/jsdom-setup.ts"],
    // The bridge's test PKI, trusted by every worker: on-prem sign-in tests run the real bridge against the HTTPS
    // EWS simulator.
    globalSetup: ["../bridge/test/support/global-setup.ts"],
    // The first Fluent UI render in a fresh jsdom takes seconds on a loaded 2-core CI runner.
    testTimeout: 20_000,
    include: ["test/**/*.test.{ts,tsx}", "src/**/*.test.{ts,tsx}"],
  },
});
