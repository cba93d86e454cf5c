import { expect, setValue, signIn, test, USERS } from "../support/fixtures";

/** What a newcomer's first hour found (issue 22), kept fixed: where Sign out is, the header, the expiry line, the lesson. */

test("Sign out is in the header of every signed-in page, and only there", async ({ page }) => {
  await page.goto("/session");
  await expect(page.getByRole("button", { name: "Sign out" })).toHaveCount(0);
  await signIn(page);
  for (const path of ["/students", "/students/3", "/session"]) {
    await page.goto(path);
    await expect(page.getByRole("banner").getByRole("button", { name: "Sign out" }), path).toBeVisible();
    await expect(page.getByRole("button", { name: "Sign out" }), path).toHaveCount(1);
  }
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login\?signed-out=1$/);
});

test.describe("on a 375 px phone", () => {
  for (const locale of ["en-US", "zh-CN"]) {
    test(`the header is one row, signed in or not (${locale})`, async ({ browser, baseURL }) => {
      const context = await browser.newContext({ baseURL, locale, viewport: { width: 375, height: 740 } });
      const page = await context.newPage();
      /** The header's items sit on one line: every one's middle within a few pixels of the first's. */
      async function oneRow(where: string) {
        const items = page.getByRole("banner").locator("a, button");
        const middles: number[] = [];
        for (const box of await Promise.all((await items.all()).map((item) => item.boundingBox()))) {
          middles.push(box!.y + box!.height / 2);
        }
        expect(middles.length, where).toBeGreaterThanOrEqual(4);
        expect(Math.max(...middles) - Math.min(...middles), `${where}: ${middles.join(", ")}`).toBeLessThan(6);
        expect(await page.evaluate(() => document.documentElement.scrollWidth), where).toBeLessThanOrEqual(375);
      }
      await page.goto("/login");
      await oneRow("signed out");
      // Signed in through the form, whatever its language.
      await page.locator("#username").fill("alice");
      await page.locator("#password").fill(USERS.alice);
      await page.locator("#password").press("Enter");
      await page.waitForURL(/\/students$/);
      await page.goto("/session");
      await oneRow("signed in");
      await context.close();
    });
  }
});

test("the expiry line says what the cookie's kind does", async ({ page }) => {
  await page.goto("/session");
  await setValue(page, "colour", "blue");
  await expect(page.getByTestId("session-contents")).toContainText('"colour":"blue"');
  await expect(page.getByTestId("session-permanent")).toHaveText(/^no: the browser drops the cookie when it closes/);
  await expect(page.getByTestId("session-expires")).toHaveText(
    /^when the browser closes, or at the latest .*\(in 31 days unless used\)$/,
  );
  await page.getByRole("button", { name: /Make it permanent/ }).click();
  await expect(page.getByTestId("session-permanent")).toHaveText(/^yes/);
  await expect(page.getByTestId("session-expires")).not.toContainText("browser closes");
  await expect(page.getByTestId("session-expires")).toContainText("(in 31 days unless used)");
});

test("the playground shows the lesson: Flask's cookie for the same data is readable, this app's is not", async ({
  page,
}) => {
  await signIn(page);
  await page.goto("/session");
  await setValue(page, "secret-note", "meet at noon");
  await expect(page.getByTestId("session-contents")).toContainText('"secret-note":"meet at noon"');
  await page.reload();
  const flask = page.getByTestId("cookie-flask");
  await expect(flask).toContainText('{"secret-note":"meet at noon","user":"alice"}');
  const ours = page.getByTestId("cookie-ours");
  await expect(ours).toContainText("Fe26.2*");
  await expect(ours).not.toContainText("meet at noon");
  await expect(ours).not.toContainText("alice");
});
