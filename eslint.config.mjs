import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import { defineConfig, globalIgnores } from "eslint/config";

/** The session layer is copied into other apps as lib/session.ts + lib/session/ (README, "Use it in your app"). */
const sessionBoundary = "lib/session/ is copied into other apps on its own: it may import only itself and packages.";
const sessionEntry =
  "lib/session.ts is copied into other apps with lib/session/: its one tie to this app is sessionConfig from lib/config.";
const sessionInternals = "Import the session from lib/session.ts, its one public entry point, not from lib/session/.";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    // Playwright fixtures call their continuation `use`, which is not React's hook.
    files: ["e2e/**"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  {
    files: ["lib/session/**/*.ts"],
    ignores: ["lib/session/**/*.test.ts", "lib/session/test-support.ts"],
    rules: {
      "import/no-restricted-paths": [
        "error",
        {
          zones: [
            {
              target: "./lib/session",
              from: "./",
              except: ["./lib/session", "./node_modules"],
              message: sessionBoundary,
            },
          ],
        },
      ],
    },
  },
  {
    files: ["lib/session.ts"],
    rules: {
      "import/no-restricted-paths": [
        "error",
        {
          zones: [
            {
              target: "./lib/session.ts",
              from: "./",
              except: ["./lib/session", "./lib/session.ts", "./lib/config", "./node_modules"],
              message: sessionEntry,
            },
          ],
        },
      ],
    },
  },
  {
    // The app, the middleware and the rest of lib/ (tests, scripts and benchmarks may look inside).
    files: ["app/**", "middleware.ts", "instrumentation.ts", "lib/**"],
    ignores: ["lib/session/**", "lib/session.ts", "**/*.test.ts"],
    rules: {
      "import/no-restricted-paths": [
        "error",
        { zones: [{ target: "./", from: "./lib/session", message: sessionInternals }] },
      ],
    },
  },
  globalIgnores([
    "**/.next/**",
    "node_modules/**",
    "**/next-env.d.ts",
    "test-results/**",
    "playwright-report/**",
    "bench/results/**",
    ".vercel/**",
  ]),
]);
