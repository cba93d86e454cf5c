import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";

/**
 * End-to-end tests against the production build (`next build` runs first, in
 * `npm run test:e2e`). Each test file gets a `next start` of its own through
 * the fixtures in e2e/support/fixtures.ts, with the environment it needs.
 *
 * Browser: the system's Chromium (Debian's `chromium`, /usr/bin/chromium) when
 * there is one, otherwise Playwright's own (`npx playwright install chromium`).
 * PLAYWRIGHT_CHROMIUM_PATH picks any other; set but empty, Playwright's own.
 */
const systemChromium = "/usr/bin/chromium";
const override = process.env.PLAYWRIGHT_CHROMIUM_PATH;
// Set but empty: Playwright's own Chromium even where the system has one.
const executablePath =
  override !== undefined ? override || undefined : existsSync(systemChromium) ? systemChromium : undefined;

export default defineConfig<object, { storeEnv: Record<string, string>; npmStart: boolean }>({
  testDir: "./e2e",
  fullyParallel: false,
  workers: 2,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  // Generous: a loaded 2-core CI machine runs two workers, their servers and browsers at once.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  globalSetup: "./e2e/support/global-setup.ts",
  // Which project runs a spec is the folder it is in (e2e/support/global-setup.ts refuses a spec elsewhere):
  // e2e/flows/ in both stores, e2e/site/ once, e2e/redis/ with Redis only, e2e/attack/ last.
  projects: [
    // Sessions in the encrypted cookie (the default store): the flows, and what does not depend on the store.
    { name: "e2e", testMatch: ["flows/**/*.spec.ts", "site/**/*.spec.ts"] },
    // The same flows with SESSION_STORE=redis, plus what only a server-side store can do.
    {
      name: "redis",
      testMatch: ["flows/**/*.spec.ts", "redis/**/*.spec.ts"],
      use: { storeEnv: { SESSION_STORE: "redis" } },
    },
    // The Redis store on a Redis Cluster and on a Sentinel set, each started once for its file.
    { name: "ha", testMatch: ["ha/**/*.spec.ts"] },
    // "Use it in your app" (docs/use-it.md), followed in a new create-next-app app (its own install and builds).
    { name: "copy", testMatch: ["copy/**/*.spec.ts"], timeout: 600_000 },
    // The attack suites saturate the server: run them after the timing-sensitive tests, not beside them.
    // Against `npm start`, the production server the README tells people to run.
    { name: "attack", testMatch: ["attack/**/*.spec.ts"], dependencies: ["e2e", "redis"], use: { npmStart: true } },
    // `npm start` behind a real nginx (the README's block): client addresses, a secret rotated in a rolling
    // deploy, restarts under load. After the timing-sensitive tests, as their load is heavy too.
    { name: "proxy", testMatch: ["proxy/**/*.spec.ts"], dependencies: ["e2e", "redis"] },
    // `npm run screenshots` only.
    { name: "screenshots", testMatch: ["screenshots/**/*.spec.ts"] },
  ],
  use: {
    trace: "retain-on-first-failure",
    ...devices["Desktop Chrome"],
    launchOptions: {
      executablePath,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
});
