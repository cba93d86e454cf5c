import { expect, serverWith, sessionCookie, signIn, test, withCookie } from "../support/fixtures";

/**
 * What signing out means for a copied cookie, in each store. Runs in both
 * Playwright projects: cookie (default) and redis.
 */

test("a cookie copied before sign-out is dead in Redis, and (as documented) still works in the cookie store", async ({
  page,
  browser,
  storeKind,
}) => {
  await signIn(page);
  const copied = (await sessionCookie(page.context()))!.value;
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/signed-out/);

  const replay = await withCookie(browser, copied);
  await replay.goto(`${new URL(page.url()).origin}/students`);
  if (storeKind === "redis") {
    await expect(replay).toHaveURL(/\/login\?next=%2Fstudents$/);
  } else {
    // The encrypted-cookie store keeps no record to revoke: the copy lives until it expires.
    await expect(replay.getByTestId("signed-in-user")).toHaveText("alice");
  }
  await replay.context().close();
});

test("two servers, one session: sign in through one, use it on the other, sign out on either", async ({
  browser,
  storeEnv,
  storeKind,
}) => {
  test.setTimeout(90_000); // two servers of its own
  // Two app servers, as behind a load balancer: a shared secret, and (redis project) one Redis.
  const shared = { ...storeEnv, REDIS_KEY_PREFIX: `two-servers-${Date.now()}:` };
  const servers = await Promise.all([serverWith(shared), serverWith(shared)]);
  try {
    const [a, b] = servers.map((server) => server.url);
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, "bob", { url: a });
    await page.goto(`${b}/students`);
    await expect(page.getByTestId("signed-in-user")).toHaveText("bob");
    await page.goto(`${b}/session`);
    await expect(page.getByTestId("session-store")).toContainText(storeKind === "redis" ? "Redis" : "encrypted cookie");
    const copied = (await sessionCookie(context))!.value;

    await page.goto(`${b}/students`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/signed-out/);
    await page.goto(`${a}/students`);
    await expect(page).toHaveURL(/\/login/);
    await context.close();

    const replay = await withCookie(browser, copied);
    await replay.goto(`${a}/students`);
    if (storeKind === "redis") await expect(replay).toHaveURL(/\/login/);
    else await expect(replay.getByTestId("signed-in-user")).toHaveText("bob");
    await replay.context().close();
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
});

test("the session page says where you are signed in, or why it cannot", async ({ page, storeKind }) => {
  await signIn(page);
  await page.goto("/session");
  if (storeKind === "redis") {
    await expect(page.getByTestId("active-sessions").getByText("this device")).toBeVisible();
  } else {
    await expect(page.getByTestId("sessions-not-listed")).toContainText("cannot list where you are signed in");
  }
});
