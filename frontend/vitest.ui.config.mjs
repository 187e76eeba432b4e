// Vitest for the panel's plain modules (src/**/*.test.ts: api schemas, player arithmetic, flows).
// The crypto suites have their own config (vitest.config.ts); the IndexedDB keystore and the
// screens run in headless Chromium (scripts/ui-browser-tests.mjs).
import { defineConfig } from "vitest/config";
import { textLoader } from "./vitest.config";

export default defineConfig({
  plugins: [textLoader],
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
