import { COOKIE, expect, sessionCookie, setValue, signIn, test } from "../support/fixtures";
import type { Page } from "@playwright/test";

async function deleteValue(page: Page, key: string) {
  const form = page.locator("form", { has: page.getByRole("heading", { name: "Delete a key" }) });
  await form.getByLabel("Key").fill(key);
  await form.getByRole("button", { name: "Delete" }).click();
  return form;
}

const contents = (page: Page) => page.getByTestId("session-contents");

test("set, get, delete and clear round trip for an anonymous visitor", async ({ page }) => {
  await page.goto("/session");
  await expect(contents(page)).toHaveText("{}");
  await expect(page.getByTestId("session-cookie-size")).toHaveText("no cookie");

  let form = await setValue(page, "colour", "blue");
  await expect(form.getByRole("status")).toHaveText("Set “colour”.");
  await expect(contents(page)).toHaveText('{"colour":"blue"}');
  await setValue(page, "size", "L");
  await expect(contents(page)).toHaveText('{"colour":"blue","size":"L"}');
  await expect(page.getByTestId("session-cookie-size")).toHaveText(/^\d+ bytes, name and value \(__Host-session=…\)$/);
  await expect(page.getByTestId("session-permanent")).toHaveText(/^no/);

  // The data survives a reload: it lives in the cookie.
  await page.reload();
  await expect(contents(page)).toHaveText('{"colour":"blue","size":"L"}');

  form = await deleteValue(page, "colour");
  await expect(form.getByRole("status")).toHaveText("Deleted “colour”.");
  await expect(contents(page)).toHaveText('{"size":"L"}');
  form = await deleteValue(page, "colour");
  await expect(form.getByRole("alert")).toHaveText("There is no key “colour” in the session.");

  await page.getByRole("button", { name: "Clear the session" }).click();
  await expect(contents(page)).toHaveText("{}");
  await expect(page.locator("#clear-message")).toHaveText("The session was cleared.");
  await expect.poll(() => sessionCookie(page.context())).toBeUndefined();
});

test("the permanent toggle gives the cookie a Max-Age and takes it away again", async ({ page, storeKind }) => {
  await page.goto("/session");
  await setValue(page, "k", "v");
  await expect(contents(page)).toHaveText('{"k":"v"}');
  expect((await sessionCookie(page.context()))?.expires).toBe(-1);

  await page.getByRole("button", { name: /Make it permanent/ }).click();
  await expect(page.getByTestId("session-permanent")).toHaveText(/^yes/);
  const cookie = await sessionCookie(page.context());
  // A visitor's session in Redis lasts the anonymous lifetime (1 hour) at most, and its cookie with it.
  const lasts = storeKind === "redis" ? 3_600 : 31 * 86_400;
  expect(cookie!.expires).toBeGreaterThan(Date.now() / 1000 + lasts - 60);
  expect(cookie!.expires).toBeLessThan(Date.now() / 1000 + lasts + 60);

  await page.getByRole("button", { name: "Make it a browser-session cookie" }).click();
  await expect(page.getByTestId("session-permanent")).toHaveText(/^no/);
  expect((await sessionCookie(page.context()))?.expires).toBe(-1);
  await expect(contents(page)).toHaveText('{"k":"v"}');
});

test("bad keys get a message next to the field, and what was typed stays", async ({ page }) => {
  await page.goto("/session");
  const form = await setValue(page, "has space", "kept value");
  const key = form.getByLabel("Key");
  await expect(key).toHaveAttribute("aria-invalid", "true");
  await expect(form.locator("#set-key-error")).toHaveText("A key may use letters, digits, and _ . - only.");
  await expect(key).toHaveAttribute("aria-describedby", "set-key-error");
  await expect(form.getByLabel("Value")).toHaveValue("kept value");

  await setValue(page, "user", "admin");
  await expect(form.locator("#set-key-error")).toHaveText("“user” is reserved for signing in; pick another key.");
  await expect(contents(page)).toHaveText("{}");
  await page.goto("/students");
  await expect(page).toHaveURL(/\/login/);
});

test("a session that would not fit in a cookie is refused with a message, and nothing is lost", async ({
  page,
  storeKind,
}) => {
  test.skip(storeKind !== "cookie", "a server-side store keeps the data out of the cookie");
  await page.goto("/session");
  const big = "x".repeat(1000);
  for (const key of ["a", "b"]) {
    await setValue(page, key, big);
    await expect(page.getByTestId("session-contents")).toContainText(`"${key}":`);
  }
  const before = (await sessionCookie(page.context()))!.value;
  const form = await setValue(page, "c", big);
  await expect(form.getByRole("alert")).toHaveText(
    /^Not saved: The session would need a cookie of \d+ bytes with its attributes \(Path, HttpOnly, …\); browsers keep at most 4096\./,
  );
  await expect(form.getByLabel("Value")).toHaveValue(big);
  expect((await sessionCookie(page.context()))!.value).toBe(before);
  await page.reload();
  await expect(contents(page)).toContainText('"b":"xxx');
  await expect(contents(page)).not.toContainText('"c"');
});

test("values set before sign-in are kept; clear signs the visitor out, says so and logs it", async ({
  page,
  server,
}) => {
  const signOuts = () => server.output().match(/"event":"signout","user":"alice"/g)?.length ?? 0;
  await page.goto("/session");
  await setValue(page, "theme", "dark");
  await expect(contents(page)).toHaveText('{"theme":"dark"}');
  await signIn(page);
  await page.goto("/session");
  await expect(contents(page)).toHaveText('{"user":"alice","theme":"dark"}');

  const before = signOuts();
  await page.getByRole("button", { name: "Clear the session" }).click();
  await expect(contents(page)).toHaveText("{}");
  await expect(page.locator("#clear-message")).toHaveText("The session was cleared: alice is signed out.");
  await expect.poll(signOuts).toBe(before + 1);
  await expect(page.getByRole("button", { name: "Sign out" })).toHaveCount(0);
  await page.goto("/students");
  await expect(page).toHaveURL(/\/login\?next=%2Fstudents$/);
  expect((await page.context().cookies()).map((cookie) => cookie.name)).not.toContain(COOKIE);
});
