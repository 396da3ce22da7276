import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "addin",
    environment: "jsdom",
    include: ["test/**/*.test.{ts,tsx}", "src/**/*.test.{ts,tsx}"],
  },
});
