import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { ADDIN_STATIC_BASE } from "../bridge/src/api/addin.js";

// The bridge serves addin/dist under ADDIN_STATIC_BASE; every page is an entry.
export default defineConfig({
  base: ADDIN_STATIC_BASE,
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // Fluent UI and MSAL make one ~700 kB chunk; the pane loads once per Outlook session.
    chunkSizeWarningLimit: 1000,
    rollupOptions: {
      input: {
        taskpane: "taskpane.html",
        preview: "preview.html",
        "auth-dialog": "auth-dialog.html",
        support: "support.html",
      },
    },
  },
});
