import { expect, sessionCookie, signIn, test } from "./fixtures";

/** Expiry is enforced by the server from the session's own timestamps, to the second. */
test.use({ serverEnv: { SESSION_LIFETIME: "3s", SESSION_ABSOLUTE_LIFETIME: "8s" } });

test.describe("with SESSION_LIFETIME=3s and SESSION_ABSOLUTE_LIFETIME=8s", () => {
  test("a session unused for longer than the lifetime is over, even if the browser still sends it", async ({
    page,
  }) => {
    await signIn(page);
    await expect(page).toHaveURL(/\/students$/);
    const cookie = await sessionCookie(page.context());
    expect(cookie?.expires).toBe(-1); // a browser-session cookie: only the server can end it
    await page.waitForTimeout(3_500);
    await page.goto("/students");
    await expect(page).toHaveURL(/\/login\?next=%2Fstudents$/);
  });

  test("“remember me” gives a cookie that expires with the lifetime", async ({ page }) => {
    await signIn(page, "alice", { remember: true });
    const cookie = await sessionCookie(page.context());
    expect(cookie!.expires - Date.now() / 1000).toBeGreaterThan(1);
    expect(cookie!.expires - Date.now() / 1000).toBeLessThanOrEqual(3.5);
  });

  test("a session in use slides forward, until the absolute lifetime ends it", async ({ page }) => {
    await signIn(page);
    const started = Date.now();
    const seals = new Set<string>();
    // One request a second: every one is within the 3 s idle lifetime of the last refresh.
    while (Date.now() - started < 6_500) {
      await page.goto("/students");
      await expect(page, `after ${Date.now() - started} ms`).toHaveURL(/\/students$/);
      seals.add((await sessionCookie(page.context()))!.value);
      await page.waitForTimeout(1_000);
    }
    expect(seals.size).toBeGreaterThan(2); // re-sealed as it slid
    // Still active, but 8 s after sign-in the absolute lifetime is over.
    await page.waitForTimeout(Math.max(0, 8_200 - (Date.now() - started)));
    await page.goto("/students");
    await expect(page).toHaveURL(/\/login\?next=%2Fstudents$/);
  });
});
