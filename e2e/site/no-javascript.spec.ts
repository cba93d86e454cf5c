import { expect, setValue, submitLogin, test, USERS } from "../support/fixtures";

test.use({ javaScriptEnabled: false });

test("sign in, use the playground and sign out with JavaScript disabled", async ({ page }) => {
  await page.goto("/students/2");
  await expect(page).toHaveURL(/\/login\?next=%2Fstudents%2F2$/);

  await submitLogin(page, "alice", "not it");
  await expect(page.locator("#login-message")).toHaveText("Wrong username or password.");
  await expect(page.getByLabel("Username")).toHaveValue("alice");

  await submitLogin(page, "alice", USERS.alice);
  await expect(page).toHaveURL(/\/students\/2$/);
  await expect(page.getByRole("heading", { name: "Boy" })).toBeVisible();

  await page.goto("/session");
  await setValue(page, "mode", "no-js");
  await expect(page.getByTestId("session-contents")).toHaveText('{"user":"alice","mode":"no-js"}');

  await page.goto("/students");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login\?signed-out=1$/);
  await expect(page.getByText("You have been signed out.")).toBeVisible();
  await page.goto("/students");
  await expect(page).toHaveURL(/\/login\?next=%2Fstudents$/);
});
