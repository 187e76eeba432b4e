// ESLint (flat config): typescript-eslint's strict rules over the TypeScript sources and tests,
// ESLint's recommended rules over the Node scripts. Formatting is not linted here.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**"] },
  {
    files: ["**/*.ts"],
    extends: [js.configs.recommended, ...tseslint.configs.strict],
    rules: {
      // The protocol's validators reject control characters, so their patterns name them.
      "no-control-regex": "off",
      "@typescript-eslint/no-unused-vars": ["error", { varsIgnorePattern: "^_", argsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["**/*.mjs"],
    extends: [js.configs.recommended],
    languageOptions: {
      globals: {
        console: "readonly", process: "readonly", Buffer: "readonly", URL: "readonly", setTimeout: "readonly",
        clearTimeout: "readonly", TextEncoder: "readonly", TextDecoder: "readonly", fetch: "readonly",
        crypto: "readonly", performance: "readonly", window: "readonly", document: "readonly",
        globalThis: "readonly", AbortController: "readonly", structuredClone: "readonly",
        // Functions handed to page.evaluate run in the browser.
        customElements: "readonly", navigator: "readonly", history: "readonly", CustomEvent: "readonly",
      },
    },
  },
);
