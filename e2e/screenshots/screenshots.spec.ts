import { expect, setValue, signIn, test } from "../support/fixtures";

/**
 * `npm run screenshots`: real captures of the current UI for the README, in
 * both colour schemes, into docs/screenshots/. Not part of `npm test`.
 */
for (const colorScheme of ["light", "dark"] as const) {
  test(`screenshots (${colorScheme})`, async ({ page }) => {
    await page.setViewportSize({ width: 1000, height: 720 });
    await page.emulateMedia({ colorScheme });
    const shot = (name: string, fullPage = false) =>
      page.screenshot({ path: `docs/screenshots/${name}-${colorScheme}.png`, fullPage });

    await page.goto("/login");
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
    await shot("login");
    await signIn(page);
    await expect(page.getByTestId("signed-in-user")).toBeVisible();
    await shot("students");
    await page.goto("/session");
    await setValue(page, "colour", "blue");
    await expect(page.getByTestId("session-contents")).toContainText("colour");
    await shot("session", true);
  });
}
