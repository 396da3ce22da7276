/**
 * Builds the console into bridge/console/dist, which the bridge serves under /admin. Asset URLs are relative
 * ("./"), so the same build works under any base path the bridge is configured with and inside a Zoho Web Tab;
 * CONSOLE_BASE overrides it for a fixed mount point.
 */
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  root: import.meta.dirname,
  base: process.env.CONSOLE_BASE ?? "./",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 500 },
});
