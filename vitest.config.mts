import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      // `server-only` throws outside React Server Components; unit tests run lib/ code directly.
      "server-only": path.resolve(import.meta.dirname, "e2e/support/server-only-stub.ts"),
      "@": import.meta.dirname,
    },
  },
  test: {
    include: ["lib/**/*.test.ts", "scripts/**/*.test.ts", "bench/**/*.test.ts"],
    globalSetup: ["e2e/support/vitest-setup.ts"],
    environment: "node",
  },
});
