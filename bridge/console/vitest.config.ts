import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "console",
    environment: "jsdom",
    include: ["test/**/*.test.{ts,tsx}"],
    setupFiles: ["test/support/setup.ts"],
  },
});
