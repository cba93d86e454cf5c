import { COOKIE, expect, sessionCookie, signIn, test, USERS } from "./fixtures";

test("an anonymous visitor of /students is sent to /login?next=/students", async ({ page }) => {
  await page.goto("/students");
  await expect(page).toHaveURL(/\/login\?next=%2Fstudents$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
});

test("/ sends anonymous visitors to /login and signed-in ones to /students", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  await signIn(page);
  await page.goto("/");
  await expect(page).toHaveURL(/\/students$/);
});

test("a wrong password or an unknown user get one generic message, and the password is not echoed", async ({
  page,
}) => {
  for (const [username, password] of [
    ["alice", "wrong password"],
    ["mallory", USERS.alice],
  ]) {
    await page.goto("/login");
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.locator("#login-message")).toHaveText("Wrong username or password.");
    await expect(page.getByLabel("Username")).toHaveValue(username);
    await expect(page.getByLabel("Password")).toHaveValue("");
    expect(await page.content()).not.toContain(password);
  }
  expect(await sessionCookie(page.context())).toBeUndefined();
});

test("sign in, see the students and one student, sign out, and be guarded again", async ({ page }) => {
  await signIn(page);
  await expect(page).toHaveURL(/\/students$/);
  await expect(page.getByTestId("signed-in-user")).toHaveText("alice");
  const rows = page.getByRole("table").getByRole("row");
  await expect(rows).toHaveCount(6);
  await expect(rows.nth(1)).toContainText("Old");
  await expect(rows.nth(1)).toContainText("38");

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

test("a signed-in visitor of /login is sent to /students", async ({ page }) => {
  await signIn(page);
  await page.goto("/login");
  await expect(page).toHaveURL(/\/students$/);
});

test("after sign-in the visitor lands where `next` pointed", async ({ page }) => {
  await page.goto("/students/3?tab=1");
  await expect(page).toHaveURL(/next=%2Fstudents%2F3%3Ftab%3D1$/);
  await page.getByLabel("Username").fill("bob");
  await page.getByLabel("Password").fill(USERS.bob);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/students\/3\?tab=1$/);
  await expect(page.getByRole("heading", { name: "EDU" })).toBeVisible();
});

test("open-redirect attempts in `next` land on /students", async ({ page }) => {
  test.setTimeout(90_000); // eight sign-ins
  const payloads = [
    "//evil.example",
    "/\\evil.example",
    "https://evil.example",
    "javascript:alert(1)",
    "/%2F%2Fevil.example",
    "\t//evil.example",
    "http:/evil.example",
    "/login",
  ];
  for (const next of payloads) {
    await page.context().clearCookies();
    await signIn(page, "alice", { next });
    await expect(page, `next=${next}`).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/students$/);
  }
});

test("unknown or malformed student ids answer 404", async ({ page }) => {
  await signIn(page);
  for (const id of ["999", "0", "abc", "01", "1e3", "-1", "%00"]) {
    const response = await page.goto(`/students/${id}`);
    expect(response?.status(), `/students/${id}`).toBe(404);
    await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  }
  expect((await page.goto("/students/5"))?.status()).toBe(200);
});

test("without “remember me” the cookie is a browser-session cookie; with it, it lasts the lifetime", async ({
  browser,
  baseURL,
  storeKind,
}) => {
  const plain = await browser.newContext({ baseURL });
  const plainPage = await plain.newPage();
  await signIn(plainPage);
  await expect(plainPage).toHaveURL(/\/students$/);
  const session = await sessionCookie(plain);
  expect(session?.expires).toBe(-1);
  await plain.close();

  const remembered = await browser.newContext({ baseURL });
  const page = await remembered.newPage();
  await signIn(page, "alice", { remember: true });
  await expect(page).toHaveURL(/\/students$/);
  const permanent = await sessionCookie(remembered);
  // The encrypted cookie slides with the idle lifetime (31 days); a Redis session's cookie, which holds
  // only the id, lives to the absolute lifetime (90 days) while the record's TTL enforces the idle one.
  const expected = Date.now() / 1000 + (storeKind === "redis" ? 90 : 31) * 86_400;
  expect(permanent?.expires).toBeGreaterThan(expected - 60);
  expect(permanent?.expires).toBeLessThan(expected + 60);
  await remembered.close();
});

test("the cookie is __Host- prefixed, HttpOnly, Secure, SameSite=Lax, Path=/, and unreadable", async ({ page }) => {
  await signIn(page);
  await expect(page).toHaveURL(/\/students$/);
  const cookie = await sessionCookie(page.context());
  expect(cookie).toMatchObject({ name: COOKIE, httpOnly: true, secure: true, sameSite: "Lax", path: "/" });
  expect(cookie?.value).toMatch(/^Fe26\.2\*/);
  expect(cookie?.value).not.toContain("alice");
  expect(await page.evaluate(() => document.cookie)).toBe("");
});

test("a tampered, truncated or garbage cookie is anonymous, never an error", async ({ page, baseURL }) => {
  await signIn(page);
  await expect(page).toHaveURL(/\/students$/);
  const good = (await sessionCookie(page.context()))!.value;
  const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === "A" ? "B" : "A") + text.slice(at + 1);
  const bad = [
    flip(good, 60),
    flip(good, good.length - 5),
    good.slice(0, -10),
    "garbage",
    "Fe26.2*1*x*y*z*1*a*b",
    "%E0%A4%A",
  ];
  for (const value of bad) {
    await page.context().clearCookies();
    await page
      .context()
      .addCookies([{ name: COOKIE, value, domain: new URL(baseURL!).hostname, path: "/", secure: true }]);
    const response = await page.goto("/students");
    expect(response?.status(), value).toBe(200);
    await expect(page, value).toHaveURL(/\/login\?next=%2Fstudents$/);
  }
});
