import type { Browser } from "@playwright/test";
import { signInByFetch } from "../support/http";
import { startRedis } from "../support/redis-server";
import {
  expect,
  serverWith,
  sessionCookie,
  setValue,
  signIn,
  submitLogin,
  test,
  USERS,
  withCookie,
} from "../support/fixtures";

/** What only a server-side store can do (the redis project only). */

async function signedInContext(browser: Browser, baseURL: string, userAgent: string) {
  const context = await browser.newContext({ baseURL, userAgent });
  const page = await context.newPage();
  await signIn(page);
  await expect(page).toHaveURL(/\/students$/);
  return { context, page };
}

test("the session list shows every device; one can be ended, or all (sign out everywhere)", async ({ browser }) => {
  test.setTimeout(90_000);
  // A server of its own, so that alice has no sessions from other tests.
  const server = await serverWith({ SESSION_STORE: "redis" });
  const baseURL = server.url;
  const phone = await signedInContext(browser, baseURL!, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/605.1");
  const laptop = await signedInContext(browser, baseURL!, "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36");
  const tablet = await signedInContext(browser, baseURL!, "Mozilla/5.0 (Linux; Android 14) Firefox/130.0");

  await laptop.page.goto("/session");
  const list = laptop.page.getByTestId("active-sessions");
  await expect(list.getByRole("listitem")).toHaveCount(3);
  await expect(list.getByRole("listitem").filter({ hasText: "this device" })).toContainText("Chrome on Linux");
  await expect(list).toContainText("Safari on iPhone");
  await expect(list).toContainText("Firefox on Android");

  // End the phone's session from the laptop.
  await list.getByRole("listitem").filter({ hasText: "Safari on iPhone" }).getByRole("button").click();
  await expect(list.getByRole("listitem")).toHaveCount(2);
  await phone.page.goto("/students");
  await expect(phone.page).toHaveURL(/\/login/);

  // Sign out everywhere: the tablet and the laptop itself.
  await laptop.page.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(laptop.page).toHaveURL(/\/login\?signed-out=everywhere$/);
  await expect(laptop.page.getByText("You have been signed out everywhere.")).toBeVisible();
  await tablet.page.goto("/students");
  await expect(tablet.page).toHaveURL(/\/login/);
  await laptop.page.goto("/students");
  await expect(laptop.page).toHaveURL(/\/login/);
  for (const device of [phone, laptop, tablet]) await device.context.close();
  await server.stop();
});

test("signing in issues a new session id and deletes the old one", async ({ page, browser }) => {
  await page.goto("/session");
  await setValue(page, "before", "sign-in");
  await expect(page.getByTestId("session-contents")).toHaveText('{"before":"sign-in"}');
  const planted = (await sessionCookie(page.context()))!.value;

  await signIn(page);
  const after = (await sessionCookie(page.context()))!.value;
  expect(after).not.toBe(planted);
  await page.goto("/session");
  await expect(page.getByTestId("session-contents")).toHaveText('{"user":"alice","before":"sign-in"}');

  // The pre-sign-in cookie (say, one an attacker planted) is worth nothing now.
  const old = await withCookie(browser, planted, new URL(page.url()).origin);
  await old.goto("/session");
  await expect(old.getByTestId("session-contents")).toHaveText("{}");
  await old.context().close();
});

test("Redis down: a session not read lately reaches the 503 page, sign-in says so, nothing breaks; back up: everything works", async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const redis = await startRedis();
  const server = await serverWith({ SESSION_STORE: "redis", REDIS_URL: redis.url });
  try {
    // Signed in, but its session not yet read by the server (a sign-in only writes it).
    const context = await browser.newContext({ baseURL: server.url });
    const [name, value] = (await signInByFetch(server.url, "alice", USERS.alice)).split(/=(.*)/s);
    await context.addCookies([{ name, value, domain: "127.0.0.1", path: "/", secure: true }]);
    const page = await context.newPage();

    await redis.stop();
    // Every page that needs Redis, while it is down: the 503 page, never a 500, never the sign-in page.
    for (const path of ["/students", "/students/3", "/session"]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(503);
      expect(response?.headers()["retry-after"]).toBe("2");
      await expect(page.getByRole("heading", { name: "Session service unavailable" })).toBeVisible();
      await expect(page.getByRole("link", { name: "Try again" })).toHaveAttribute("href", path);
    }
    const stranger = await (await browser.newContext({ baseURL: server.url })).newPage();
    await submitLogin(stranger, "bob", USERS.bob, { url: "/login" });
    await expect(stranger.locator("#login-message")).toHaveText(/session service is unavailable/);
    expect(await sessionCookie(stranger.context())).toBeUndefined();
    expect(server.output()).not.toMatch(/⨯|Internal Server Error/);

    await redis.start();
    // No restart of the app: it reconnects by itself. (This Redis keeps nothing on disk, so alice's
    // session is gone with it: she is asked to sign in again, and can.)
    await expect
      .poll(async () => (await page.goto("/students"))?.status(), { timeout: 15_000, intervals: [500] })
      .toBe(200);
    await expect(page).toHaveURL(/\/login/);
    await signIn(page);
    await expect(page.getByTestId("signed-in-user")).toHaveText("alice");
    await stranger.getByLabel("Password").fill(USERS.bob); // never given back after a failed attempt
    await stranger.getByRole("button", { name: "Sign in" }).click();
    await expect(stranger).toHaveURL(/\/students$/);
    await context.close();
    await stranger.context().close();
  } finally {
    await server.stop();
    await redis.stop();
  }
});
