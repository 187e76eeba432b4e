// Vitest runs the crypto tests in Node (WebCrypto at globalThis.crypto); the same test modules
// run in headless Chromium through scripts/browser-tests.mjs.
import { readFileSync } from "node:fs";
import { type Plugin } from "vite";
import { defineConfig } from "vitest/config";

// Text files import as strings, as esbuild's text loader gives them in the bundle.
export const textLoader: Plugin = {
  name: "text-loader",
  enforce: "pre",
  load(id) {
    return id.endsWith(".txt") ? `export default ${JSON.stringify(readFileSync(id, "utf-8"))};` : null;
  },
};

export default defineConfig({
  plugins: [textLoader],
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
