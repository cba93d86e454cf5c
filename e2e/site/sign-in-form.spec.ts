import { expect, sessionCookie, signIn, submitLogin, test, USERS } from "../support/fixtures";

/** The sign-in form and where it sends the visitor; the same in either store (e2e/flows/ has what differs). */

test("a wrong password or an unknown user get one generic message, and the password is not echoed", async ({
  page,
}) => {
  for (const [username, password] of [
    ["alice", "wrong password"],
    ["mallory", USERS.alice],
  ]) {
    await submitLogin(page, username, password, { url: "/login" });
    await expect(page.locator("#login-message")).toHaveText("Wrong username or password.");
    await expect(page.getByLabel("Username")).toHaveValue(username);
    await expect(page.getByLabel("Password")).toHaveValue("");
    expect(await page.content()).not.toContain(password);
  }
  expect(await sessionCookie(page.context())).toBeUndefined();
});

test("after sign-in the visitor lands where `next` pointed", async ({ page }) => {
  await page.goto("/students/3?tab=1");
  await expect(page).toHaveURL(/next=%2Fstudents%2F3%3Ftab%3D1$/);
  await submitLogin(page, "bob", USERS.bob);
  await expect(page).toHaveURL(/\/students\/3\?tab=1$/);
  await expect(page.getByRole("heading", { name: "EDU" })).toBeVisible();
});

test("a `next` off this origin lands on /students (every other payload: lib/auth/safe-next.test.ts and the fuzz suite)", async ({
  page,
}) => {
  await signIn(page, "alice", { next: "//evil.example" });
  await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/students$/);
});

test("unknown or malformed student ids answer 404", async ({ page }) => {
  await signIn(page);
  for (const id of ["999", "0", "abc", "01", "1e3", "-1", "%00"]) {
    const response = await page.goto(`/students/${id}`);
    expect(response?.status(), `/students/${id}`).toBe(404);
    await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
    await expect(page).toHaveTitle("Not found · Sessions");
  }
  expect((await page.goto("/students/5"))?.status()).toBe(200);
});

test("an unknown address answers 404 with the same page and title", async ({ page }) => {
  expect((await page.goto("/no-such-page"))?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  await expect(page).toHaveTitle("Not found · Sessions");
});
