import { COOKIE, expect, sessionCookie, signIn, test } from "../support/fixtures";

/** Signing in and out, in each store (the form's own behaviour is in site/sign-in-form.spec.ts). */

test("an anonymous visitor of /students is sent to /login?next=/students", async ({ page }) => {
  await page.goto("/students");
  await expect(page).toHaveURL(/\/login\?next=%2Fstudents$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
});

test("sign in, see the students and one student, sign out, and be guarded again", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/); // `/` sends a visitor to /login…
  await signIn(page);
  await expect(page).toHaveURL(/\/students$/);
  await expect(page.getByTestId("signed-in-user")).toHaveText("alice");
  const rows = page.getByRole("table").getByRole("row");
  await expect(rows).toHaveCount(6);
  await expect(rows.nth(1)).toContainText("Old");
  await expect(rows.nth(1)).toContainText("38");
  await page.goto("/");
  await expect(page).toHaveURL(/\/students$/); // …and a signed-in visitor to /students,
  await page.goto("/login");
  await expect(page).toHaveURL(/\/students$/); // as /login does.

  await page.getByRole("link", { name: "Lily" }).click();
  await expect(page).toHaveURL(/\/students\/4$/);
  await expect(page.getByRole("heading", { name: "Lily" })).toBeVisible();
  await expect(page.getByText("21", { exact: true })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login\?signed-out=1$/);
  await expect(page.getByText("You have been signed out.")).toBeVisible();
  expect(await sessionCookie(page.context())).toBeUndefined();

  await page.goto("/students/4");
  await expect(page).toHaveURL(/\/login\?next=%2Fstudents%2F4$/);
});

test("without “remember me” the cookie is a browser-session cookie; with it, it lasts the lifetime", async ({
  browser,
  baseURL,
  storeKind,
}) => {
  const plain = await browser.newContext({ baseURL });
  const plainPage = await plain.newPage();
  await signIn(plainPage);
  expect((await sessionCookie(plain))?.expires).toBe(-1);
  await plain.close();

  const remembered = await browser.newContext({ baseURL });
  const page = await remembered.newPage();
  await signIn(page, "alice", { remember: true });
  const permanent = await sessionCookie(remembered);
  // The encrypted cookie slides with the idle lifetime (31 days); a Redis session's cookie, which holds
  // only the id, lives to the absolute lifetime (90 days) while the record's TTL enforces the idle one.
  const expected = Date.now() / 1000 + (storeKind === "redis" ? 90 : 31) * 86_400;
  expect(permanent?.expires).toBeGreaterThan(expected - 60);
  expect(permanent?.expires).toBeLessThan(expected + 60);
  await remembered.close();
});

test("the cookie is __Host- prefixed, HttpOnly, Secure, SameSite=Lax, Path=/, and unreadable", async ({
  page,
  storeKind,
}) => {
  await signIn(page);
  const cookie = await sessionCookie(page.context());
  expect(cookie).toMatchObject({ name: COOKIE, httpOnly: true, secure: true, sameSite: "Lax", path: "/" });
  // The cookie store's encrypted seal; the Redis store's id, 58 bytes with the name.
  if (storeKind === "redis") {
    expect(cookie?.value).toMatch(/^[\w-]{43}$/);
    expect(Buffer.byteLength(`${cookie?.name}=${cookie?.value}`)).toBe(58);
  } else {
    expect(cookie?.value).toMatch(/^Fe26\.2\*/);
  }
  expect(cookie?.value).not.toContain("alice");
  expect(await page.evaluate(() => document.cookie)).toBe("");
});
