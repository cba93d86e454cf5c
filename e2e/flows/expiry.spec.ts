import { expect, sessionCookie, signIn, test } from "../support/fixtures";

/** Expiry is enforced by the server from the session's own timestamps, to the second. */
// Short enough to wait for, long enough that a loaded CI machine never stalls a request past it.
const LIFETIME = 6;
const ABSOLUTE = 16;
test.use({ serverEnv: { SESSION_LIFETIME: `${LIFETIME}s`, SESSION_ABSOLUTE_LIFETIME: `${ABSOLUTE}s` } });

test.describe(`with SESSION_LIFETIME=${LIFETIME}s and SESSION_ABSOLUTE_LIFETIME=${ABSOLUTE}s`, () => {
  test("a session unused for longer than the lifetime is over, even if the browser still sends it", async ({
    page,
  }) => {
    await signIn(page);
    await expect(page).toHaveURL(/\/students$/);
    const cookie = await sessionCookie(page.context());
    expect(cookie?.expires).toBe(-1); // a browser-session cookie: only the server can end it
    // Leave the page: a request still in flight from it would be a use that slides the session.
    await page.goto("about:blank");
    // The session's clock counts whole seconds, so allow one more.
    await page.waitForTimeout(LIFETIME * 1000 + 1_500);
    await page.goto("/students");
    await expect(page).toHaveURL(/\/login\?next=%2Fstudents$/);
  });

  test("“remember me” gives a cookie that expires with the lifetime", async ({ page, storeKind }) => {
    await signIn(page, "alice", { remember: true });
    const cookie = await sessionCookie(page.context());
    // Redis: the id's cookie lives to the absolute lifetime; the record's TTL ends an idle session.
    const lifetime = storeKind === "redis" ? ABSOLUTE : LIFETIME;
    expect(cookie!.expires - Date.now() / 1000).toBeGreaterThan(lifetime - 2.5);
    expect(cookie!.expires - Date.now() / 1000).toBeLessThanOrEqual(lifetime + 0.5);
  });

  test("a session in use slides forward, until the absolute lifetime ends it", async ({ page, storeKind }) => {
    // The session begins somewhere between these two instants (its clock counts whole seconds).
    const before = Date.now() - 1_000;
    await signIn(page);
    const after = Date.now();
    const seals = new Set<string>();
    // A request about every second, each well within the idle lifetime of the last refresh, for
    // longer than the idle lifetime, and well before the absolute lifetime can end the session.
    let lastUse = after;
    while (lastUse - after <= LIFETIME * 1000 + 500) {
      await page.goto("/students");
      await expect(page, `${Date.now() - before} ms after sign-in`).toHaveURL(/\/students$/);
      lastUse = Date.now();
      seals.add((await sessionCookie(page.context()))!.value);
      await page.waitForTimeout(1_000);
    }
    expect(lastUse - after, "the session outlived its idle lifetime").toBeGreaterThan(LIFETIME * 1000);
    // The encrypted cookie is re-sealed as it slides; in Redis the record slides and the id's cookie stays.
    if (storeKind === "redis") expect(seals.size).toBe(1);
    else expect(seals.size).toBeGreaterThan(2);
    // Still active, but ABSOLUTE seconds after sign-in the absolute lifetime is over.
    await page.waitForTimeout(Math.max(0, after + ABSOLUTE * 1000 + 200 - Date.now()));
    await page.goto("/students");
    await expect(page).toHaveURL(/\/login\?next=%2Fstudents$/);
  });
});
