// Vitest for the panel's plain modules (src/**/*.test.ts: api schemas, player arithmetic, flows).
// The crypto suites have their own config (vitest.config.ts); the IndexedDB keystore and the
// screens run in headless Chromium (scripts/ui-browser-tests.mjs).
import { readFileSync } from "node:fs";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    {
      name: "text-loader",
      enforce: "pre",
      load(id) {
        return id.endsWith(".txt") ? `export default ${JSON.stringify(readFileSync(id, "utf-8"))};` : null;
      },
    },
  ],
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
