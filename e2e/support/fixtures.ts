import { test as base, expect, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { hashPassword } from "../../lib/auth/password";
import { startServer, type RunningServer } from "./server";

export { flip } from "./tamper";

/** Test accounts (cheaper scrypt parameters than production's, to keep the suite fast). */
export const USERS = {
  alice: "correct horse battery staple",
  bob: "tr0ub4dor&3-but-longer",
} as const;

export const TEST_SECRET = "e2e-secret-0123456789abcdefghijklmnopqrstuvwxyz";
export const COOKIE = "__Host-session";

let authUsers: Promise<string> | undefined;
/** AUTH_USERS for the test accounts, hashed once per worker. */
export function testAuthUsers(): Promise<string> {
  authUsers ??= Promise.all(
    Object.entries(USERS).map(
      async ([name, password]) => `${name}:${await hashPassword(password, { logN: 14, r: 8, p: 1 })}`,
    ),
  ).then((entries) => entries.join(","));
  return authUsers;
}

let servers = 0;

/** The redis-server of this run (e2e/support/global-setup.ts). */
export const testRedisUrl = () => process.env.TEST_REDIS_URL!;

/** The environment of a server with the test accounts (and with SESSION_STORE=redis, the run's Redis). */
export async function testEnv(env: Record<string, string | undefined>): Promise<Record<string, string | undefined>> {
  return {
    SESSION_SECRET: TEST_SECRET,
    AUTH_USERS: await testAuthUsers(),
    // Keys of the server's own in the shared Redis, unless the test passes a prefix to share.
    REDIS_KEY_PREFIX: `e2e-${process.pid}-${++servers}:`,
    REDIS_URL: env.SESSION_STORE === "redis" ? testRedisUrl() : undefined,
    // The tests sign in and start sessions far more often than a person: e2e/redis/outages.spec.ts tests the bound.
    SESSION_NEW_PER_ADDRESS: "1000",
    ...env,
  };
}

/**
 * A production server with the test accounts: `next start`, or with `npmStart` what `npm start` runs
 * (scripts/start.mjs: its own server in front of Next's handler; one worker unless `workers` or
 * WEB_CONCURRENCY says, "per core" being npm start's default). `port`: a given one rather than a free one.
 */
export async function serverWith(
  env: Record<string, string | undefined>,
  { npmStart = false, workers = 1, port }: { npmStart?: boolean; workers?: number | "per core"; port?: number } = {},
): Promise<RunningServer> {
  const count = npmStart && workers !== "per core" ? { WEB_CONCURRENCY: String(workers) } : {};
  return startServer({ ...count, ...(await testEnv(env)) }, { cluster: npmStart, port });
}

type WorkerFixtures = {
  /** The environment a test file needs (test.use). */
  serverEnv: Record<string, string>;
  /** The session store, set by the Playwright project (cookie by default, or SESSION_STORE=redis). */
  storeEnv: Record<string, string>;
  /** Whether the project's servers are `npm start` (the attack suites) rather than `next start`. */
  npmStart: boolean;
  storeKind: "cookie" | "redis";
  server: RunningServer;
};
type TestFixtures = { cspViolations: string[] };

/** Every test gets `baseURL` pointing at a production server started for its worker with `serverEnv`. */
export const test = base.extend<TestFixtures, WorkerFixtures>({
  serverEnv: [{}, { option: true, scope: "worker" }],
  storeEnv: [{}, { option: true, scope: "worker" }],
  npmStart: [false, { option: true, scope: "worker" }],
  storeKind: [
    async ({ storeEnv }, use) => use(storeEnv.SESSION_STORE === "redis" ? "redis" : "cookie"),
    { scope: "worker" },
  ],
  server: [
    async ({ serverEnv, storeEnv, npmStart }, use) => {
      const server = await serverWith({ ...storeEnv, ...serverEnv }, { npmStart });
      await use(server);
      await server.stop();
    },
    { scope: "worker" },
  ],
  baseURL: async ({ server }, use) => use(server.url),
  /** Every test fails if the page broke the Content-Security-Policy. */
  cspViolations: [
    async ({ page }, use) => {
      const violations: string[] = [];
      page.on("console", (message) => {
        if (/Content.Security.Policy/i.test(message.text())) violations.push(message.text());
      });
      await use(violations);
      expect(violations, "CSP violations in the browser console").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Fills in and sends the sign-in form (of the page's current /login, or `url`), without waiting for what follows. */
export async function submitLogin(
  page: Page,
  username: string,
  password: string,
  options: { remember?: boolean; url?: string } = {},
) {
  if (options.url !== undefined) await page.goto(options.url);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  if (options.remember) await page.getByLabel(/Keep me signed in/).check();
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Signs in through the form, as a person would, and waits to be sent on. */
export async function signIn(
  page: Page,
  user: keyof typeof USERS = "alice",
  options: { remember?: boolean; next?: string; url?: string } = {},
) {
  const query = options.next ? `?next=${encodeURIComponent(options.next)}` : "";
  await submitLogin(page, user, USERS[user], { remember: options.remember, url: `${options.url ?? ""}/login${query}` });
  await page.waitForURL((url) => url.pathname !== "/login");
}

/** A new browser context (of `baseURL`, if given) that sends this session cookie, and a page in it. */
export async function withCookie(browser: Browser, seal: string, baseURL?: string): Promise<Page> {
  const context = await browser.newContext({ baseURL });
  await context.addCookies([{ name: COOKIE, value: seal, domain: "127.0.0.1", path: "/", secure: true }]);
  return context.newPage();
}

export async function sessionCookie(context: BrowserContext) {
  return (await context.cookies()).find((cookie) => cookie.name === COOKIE);
}

/** Sets a key with the playground's "Set a key" form; returns the form. */
export async function setValue(page: Page, key: string, value: string) {
  const form = page.locator("form", { has: page.getByRole("heading", { name: "Set a key" }) });
  await form.getByLabel("Key", { exact: true }).fill(key);
  await form.getByLabel("Value").fill(value);
  await form.getByRole("button", { name: "Set" }).click();
  return form;
}
