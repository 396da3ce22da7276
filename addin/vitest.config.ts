import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "addin",
    environment: "jsdom",
    setupFiles: ["test/support/jsdom-setup.ts"],
    include: ["test/**/*.test.{ts,tsx}", "src/**/*.test.{ts,tsx}"],
  },
});
