import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import { defineConfig, globalIgnores } from "eslint/config";

/** The session layer is copied into other apps as lib/session.ts with lib/session/types.ts and wire.ts, lib/session/redis/ for the Redis store, and lib/session/device-*.ts for device-bound sessions (README, "Use it in your app"). */
const sessionEntry =
  "lib/session.ts, with lib/session/types.ts and wire.ts, is copied into other apps: its one tie to this app is sessionConfig from @/lib/config.";
const redisBoundary =
  "lib/session/redis/ is copied into other apps beside lib/session.ts: it may import only itself, lib/session.ts (its types.ts and wire.ts) and packages.";
const deviceBoundary =
  "lib/session/device-bound.ts and device-offer.ts are copied into other apps beside lib/session.ts: they may import only each other, lib/session.ts (its types.ts and wire.ts), sessionConfig from @/lib/config and packages.";
const redisInternals =
  "Import the Redis store from lib/session/redis (its index.ts), its errors from errors.ts and the login throttle's connection from connection.ts: lib/config alone loads index.ts, on demand.";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    // Playwright fixtures call their continuation `use`, which is not React's hook.
    files: ["e2e/**"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  {
    files: ["lib/session.ts", "lib/session/types.ts", "lib/session/wire.ts"],
    rules: {
      "import/no-restricted-paths": [
        "error",
        {
          zones: [
            {
              target: ["./lib/session.ts", "./lib/session/types.ts", "./lib/session/wire.ts"],
              from: "./",
              except: ["./lib/config", "./lib/session/types.ts", "./lib/session/wire.ts", "./node_modules"],
              message: sessionEntry,
            },
          ],
        },
      ],
    },
  },
  {
    files: ["lib/session/redis/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "import/no-restricted-paths": [
        "error",
        {
          zones: [
            {
              target: "./lib/session/redis",
              from: "./",
              except: [
                "./lib/session/redis",
                "./lib/session.ts",
                "./lib/session/types.ts",
                "./lib/session/wire.ts",
                "./node_modules",
              ],
              message: redisBoundary,
            },
          ],
        },
      ],
    },
  },
  {
    files: ["lib/session/device-bound.ts", "lib/session/device-offer.ts"],
    rules: {
      "import/no-restricted-paths": [
        "error",
        {
          zones: [
            {
              target: ["./lib/session/device-bound.ts", "./lib/session/device-offer.ts"],
              from: "./",
              except: [
                "./lib/session/device-bound.ts",
                "./lib/session/device-offer.ts",
                "./lib/session.ts",
                "./lib/session/types.ts",
                "./lib/session/wire.ts",
                "./lib/config",
                "./node_modules",
              ],
              message: deviceBoundary,
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
        {
          zones: [
            {
              target: "./",
              from: "./lib/session/redis",
              except: ["./index.ts", "./errors.ts", "./connection.ts"],
              message: redisInternals,
            },
          ],
        },
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
