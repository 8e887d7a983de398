// Unit tests of the front end's pure modules (npm test): tests/frontend/*.test.js, in Node, no browser.
import { defineConfig } from "vitest/config";

export default defineConfig({ test: { include: ["tests/frontend/**/*.test.js"], environment: "node" } });
