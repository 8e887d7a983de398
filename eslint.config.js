// ESLint for the front end's ES modules and their tests (npm run lint; scripts/test.sh runs it in CI).
// no-unsanitized forbids innerHTML, outerHTML, insertAdjacentHTML and document.write with anything but a
// literal: DOM is built from text with h() (maps/frontend/common.js), so user text never becomes markup.
import js from "@eslint/js";
import globals from "globals";
import nounsanitized from "eslint-plugin-no-unsanitized";

export default [
  { ignores: ["**/static/**", "node_modules/**", ".venv/**", "var/**", ".pg/**", "tests/artifacts/**"] },
  js.configs.recommended,
  nounsanitized.configs.recommended,
  {
    files: ["**/frontend/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022, sourceType: "module",
      // Leaflet (with its plugins) and Chart.js are vendored scripts the templates load before the bundle.
      globals: { ...globals.browser, L: "readonly", Chart: "readonly" },
    },
    rules: { "no-unused-vars": ["error", { argsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true }] },
  },
  {
    files: ["scripts/**/*.mjs", "eslint.config.js", "vitest.config.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.node },
  },
  {
    files: ["tests/frontend/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: { ...globals.node } },
  },
];
