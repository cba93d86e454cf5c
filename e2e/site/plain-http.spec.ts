import type { Browser } from "@playwright/test";
import { expect, serverWith, signIn, submitLogin, test, USERS } from "../support/fixtures";

/**
 * A production server reached over plain http at an address that is not
 * this machine's (as `next start` suggests with its "Network:" line): the
 * browser refuses the Secure `__Host-` cookie, so the login page says what
 * is wrong and how to fix it. The browser here resolves lan.test to the
 * loopback server, as a phone on the LAN would reach the laptop.
 */
test.describe("over plain http at a LAN address", () => {
  let lan: Browser;
  test.beforeAll(async ({ playwright, launchOptions }) => {
    lan = await playwright.chromium.launch({
      ...launchOptions,
      args: [...(launchOptions.args ?? []), "--host-resolver-rules=MAP lan.test 127.0.0.1"],
    });
  });
  test.afterAll(async () => {
    await lan?.close();
  });

  test("the login page says why signing in would not stick, and signing in indeed does not", async ({ server }) => {
    const page = await (await lan.newContext()).newPage();
    await page.goto(`http://lan.test:${server.port}/login`);
    const notice = page.getByTestId("plain-http-notice");
    await expect(notice).toContainText(`This page came over plain http from lan.test:${server.port}`);
    await expect(notice).toContainText("SESSION_COOKIE_SECURE=false");
    await expect(notice).toContainText(`open http://localhost:${server.port} on the server's own machine`);
    // The action's answer carries the cookie and the list, rendered with it; the browser refuses the
    // cookie, so the next request is anonymous again: the silent bounce the notice explains.
    await submitLogin(page, "alice", USERS.alice);
    await expect(page).toHaveURL(/\/students$/);
    expect(await page.context().cookies()).toEqual([]);
    await page.reload();
    await expect(page).toHaveURL(/\/login\?next=%2Fstudents$/);
    await page.context().close();
  });

  test("at localhost (and 127.0.0.1) there is no notice: the cookie is kept there", async ({ page, baseURL }) => {
    await page.goto("/login");
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
    await expect(page.getByTestId("plain-http-notice")).toHaveCount(0);
    expect(baseURL).toMatch(/^http:\/\/127\.0\.0\.1:/);
  });

  test("with SESSION_COOKIE_SECURE=false, a trusted-LAN demo signs in over plain http", async () => {
    const demo = await serverWith({ SESSION_COOKIE_SECURE: "false" });
    try {
      const page = await (await lan.newContext()).newPage();
      await page.goto(`http://lan.test:${demo.port}/login`);
      await expect(page.getByTestId("plain-http-notice")).toHaveCount(0);
      await signIn(page, "alice", { url: `http://lan.test:${demo.port}` });
      await page.goto(`http://lan.test:${demo.port}/students`);
      await expect(page.getByTestId("signed-in-user")).toHaveText("alice");
      const cookie = (await page.context().cookies()).find((entry) => entry.name === "session");
      expect(cookie).toMatchObject({ secure: false, httpOnly: true });
      await page.context().close();
    } finally {
      await demo.stop();
    }
  });
});
