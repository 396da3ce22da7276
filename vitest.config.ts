import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: ["bridge", "bridge/console", "addin"],
  },
});
