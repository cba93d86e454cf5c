import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, signIn, test, USERS } from "../support/fixtures";

/** Every page, as a visitor and signed in, in both colour schemes: no serious or critical axe violation. */
const ANONYMOUS = ["/login", "/session", "/no-such-page"];
const SIGNED_IN = ["/students", "/students/3", "/session", "/students/999"];

/** Every WCAG 2.1 A/AA rule in the light scheme; then, in the dark one, what only colours change: contrast. */
async function audit(page: Page, label: string) {
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    const axe = new AxeBuilder({ page });
    const results = await (
      colorScheme === "light"
        ? axe.withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
        : axe.withRules(["color-contrast", "link-in-text-block"])
    ).analyze();
    const serious = results.violations.filter((violation) => ["serious", "critical"].includes(violation.impact ?? ""));
    expect(
      serious.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`),
      `${label} (${colorScheme})`,
    ).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: "light" });
  // One <h1>, and the landmarks a screen reader jumps between.
  await expect(page.locator("h1"), label).toHaveCount(1);
  await expect(page.getByRole("main"), label).toHaveCount(1);
  await expect(page.getByRole("navigation"), label).toHaveCount(1);
}

test("axe finds nothing serious on any page, in the light and the dark scheme", async ({ page }) => {
  test.setTimeout(120_000);
  for (const path of ANONYMOUS) {
    await page.goto(path);
    await audit(page, `${path} (anonymous)`);
  }
  // With messages showing, too.
  await page.goto("/login");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("#username-error")).toBeVisible();
  await audit(page, "/login with errors");
  await signIn(page);
  for (const path of SIGNED_IN) {
    await page.goto(path);
    await audit(page, `${path} (signed in)`);
  }
});

test("the whole flow works with the keyboard alone, with a visible focus", async ({ page }) => {
  await page.goto("/students");
  await expect(page).toHaveURL(/\/login/);
  // Tab from the top of the page to the username field, through the header.
  await page.keyboard.press("Tab");
  let steps = 0;
  while (!(await page.getByLabel("Username").evaluate((element) => element === document.activeElement))) {
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline, "focus is visible").not.toBe("none");
    await page.keyboard.press("Tab");
    expect(++steps).toBeLessThan(10);
  }
  await page.keyboard.type("alice");
  await page.keyboard.press("Tab");
  await page.keyboard.type(USERS.alice);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/students$/);

  // To the session page by keyboard: focus the link and follow it.
  await page.getByRole("link", { name: "Your session" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Session playground" })).toBeVisible();
  await page.getByLabel("Key", { exact: true }).first().focus();
  await page.keyboard.type("via");
  await page.keyboard.press("Tab");
  await page.keyboard.type("keyboard");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("session-contents")).toHaveText('{"user":"alice","via":"keyboard"}');
  await expect(page.locator("#set-message")).toHaveText("Set “via”.");

  await page.goto("/students");
  await page.getByRole("button", { name: "Sign out" }).focus();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/signed-out/);
});

test("messages are announced and fields point at their errors", async ({ page }) => {
  await page.goto("/login");
  await expect(page.locator("#login-message")).toHaveAttribute("aria-live", "polite");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByLabel("Username")).toHaveAttribute("aria-describedby", "username-error");
  await expect(page.getByLabel("Username")).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("#username-error")).toHaveText("Enter your username.");
});

test.describe("on a phone (375 px)", () => {
  test.use({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });

  test("no page scrolls sideways, and the students are readable cards", async ({ page }) => {
    const noSideways = async (path: string) => {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${path} scrolls sideways`).toBeLessThanOrEqual(0);
    };
    for (const path of ["/login", "/session"]) {
      await page.goto(path);
      await noSideways(path);
    }
    await signIn(page);
    for (const path of ["/students", "/students/2", "/session"]) {
      await page.goto(path);
      await noSideways(path);
    }
    await page.goto("/students");
    // Each student is a card with its labels, not a squeezed table row.
    const first = page.getByRole("row").nth(1);
    const box = await first.boundingBox();
    expect(box!.height).toBeGreaterThan(60);
    // The header row is there for screen readers only.
    const header = await page.locator("thead").boundingBox();
    expect(header!.height).toBeLessThanOrEqual(1);
    await expect(first.getByRole("cell").nth(1)).toHaveAttribute("data-label", "Age");
  });
});

test("a form sent from its button keeps the keyboard's place: focus stays on the button, and Get a key comes back to its form", async ({
  page,
}) => {
  await page.goto("/login");
  await page.getByLabel("Username").fill("alice");
  await page.getByLabel("Password").fill("wrong password");
  const signIn = page.getByRole("button", { name: "Sign in" });
  await signIn.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("alert").filter({ hasText: "Wrong username or password." })).toBeVisible();
  await expect(signIn).toBeFocused(); // a disabled button would have lost it to the top of the page

  await page.setViewportSize({ width: 375, height: 700 });
  await page.goto("/session");
  await page.getByLabel("Key", { exact: true }).first().fill("color");
  await page.getByLabel("Value").fill("blue");
  const set = page.getByRole("button", { name: "Set", exact: true });
  await set.focus();
  await page.keyboard.press("Space");
  await expect(page.locator("#set-message")).toHaveText("Set “color”.");
  await expect(set).toBeFocused();

  // Get a key is a plain GET form: the page comes again, the focus and the view at the form, its answer in view.
  const get = page.getByRole("form", { name: "Get a key" });
  await get.getByLabel("Key").fill("color");
  await get.getByLabel("Key").press("Enter");
  await expect(page).toHaveURL(/\/session\?get=color$/);
  await expect(get.getByLabel("Key")).toBeFocused();
  await expect(page.getByTestId("get-result")).toBeInViewport();
  // Empty, it answers with the app's own message, as the other forms do, not the browser's.
  await page.getByRole("form", { name: "Get a key" }).getByLabel("Key").fill("");
  await page.getByRole("form", { name: "Get a key" }).getByLabel("Key").press("Enter");
  await expect(page.getByRole("form", { name: "Get a key" })).toContainText("Enter a key.");
});
