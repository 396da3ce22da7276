import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "bridge",
    environment: "node",
    include: ["test/**/*.test.ts", "src/**/*.test.ts", "simulators/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
