import { expect, setValue, signIn, test } from "../support/fixtures";

/** What a newcomer notices in the first minutes: messages, wording, the tab's icon, where they are. */

test("clearing the session starts the playground's other forms afresh, and the Clear button stays put", async ({
  page,
}) => {
  await page.goto("/session");
  const setForm = await setValue(page, "color", "blue");
  await expect(setForm.getByRole("status")).toHaveText("Set “color”.");
  await page.getByRole("button", { name: /Make it permanent/ }).click();
  await expect(page.locator("#permanent-message")).toHaveText("The session is now permanent.");
  await page.getByRole("button", { name: "Make it a browser-session cookie" }).click();
  await expect(page.locator("#permanent-message")).toHaveText("The session now ends when the browser closes.");
  const clear = page.getByRole("button", { name: "Clear the session" });
  const section = page.locator("section", { has: clear });
  /** Where the button is within its card (the cards above it change height as their messages go). */
  const place = async () => {
    const [button, card] = [(await clear.boundingBox())!, (await section.boundingBox())!];
    return { x: button.x - card.x, y: button.y - card.y };
  };
  const before = await place();
  await clear.click();
  await expect(page.locator("#clear-message")).toHaveText("The session was cleared.");
  await expect(page.getByTestId("session-contents")).toHaveText("{}");
  await expect(page.locator("#set-message")).toBeEmpty();
  await expect(page.locator("#permanent-message")).toBeEmpty();
  await expect(setForm.getByLabel("Key", { exact: true })).toHaveValue("");
  expect(await place()).toEqual(before);
  await page.getByRole("button", { name: /Make it permanent/ }).click(); // its label and message change beside it
  await expect(page.locator("#permanent-message")).toHaveText("The session is now permanent.");
  expect(await place()).toEqual(before);
});

test("durations are never shorter than they are: a 31-day lifetime just after sign-in is “in 31 days”", async ({
  page,
}) => {
  await page.goto("/login");
  await expect(page.getByText("Keep me signed in for 31 days")).toBeVisible();
  await signIn(page);
  await page.goto("/session");
  await expect(page.getByTestId("session-expires")).toContainText("(in 31 days unless used)");
});

test("the first visit loads without a single failed request (the tab has its icon)", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  const failed: string[] = [];
  page.on("response", (response) => {
    if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
  });
  page.on("console", (message) => {
    if (message.type() === "error") failed.push(message.text());
  });
  await page.goto("/login");
  await page.waitForLoadState("networkidle");
  expect(failed).toEqual([]);
  const icon = await page.locator('link[rel="icon"]').getAttribute("href");
  expect((await page.request.get(icon!)).headers()["content-type"]).toMatch(/^image\/svg\+xml/);
  await context.close();
});

test("the navigation marks where the visitor is", async ({ page }) => {
  await signIn(page);
  const nav = page.getByRole("navigation");
  await expect(nav.getByRole("link", { name: "Students" })).toHaveAttribute("aria-current", "page");
  await expect(nav.getByRole("link", { name: "Playground" })).not.toHaveAttribute("aria-current");
  await page.getByRole("link", { name: "Lily" }).click();
  await expect(nav.getByRole("link", { name: "Students" })).toHaveAttribute("aria-current", "true");
  await nav.getByRole("link", { name: "Playground" }).click();
  await expect(nav.getByRole("link", { name: "Playground" })).toHaveAttribute("aria-current", "page");
  await expect(nav.getByRole("link", { name: "Students" })).not.toHaveAttribute("aria-current");
});

test("a signed-in page asks the server for nothing in the background, and its links still navigate in place", async ({
  page,
}) => {
  await signIn(page);
  // Every page is dynamic (it reads the session), so a prefetch would be a request the server renders for
  // each link in view: a dozen of them for /students before the links said prefetch={false}.
  const fetched: string[] = [];
  page.on("request", (request) => {
    // The page's data (RSC), of a prefetch of either kind or of a navigation.
    if (request.headers()["rsc"] !== undefined) fetched.push(new URL(request.url()).pathname);
  });
  await page.goto("/students");
  const student = page.getByRole("link", { name: "EDU" });
  // A link prefetches once React has hydrated it (and again on hover): wait for that, then a moment.
  const hydrated = () => student.evaluate((link) => Object.keys(link).some((key) => key.startsWith("__reactFiber")));
  await expect.poll(hydrated).toBe(true);
  await page.getByRole("link", { name: "Your session" }).hover();
  await page.waitForTimeout(1_000);
  expect(fetched).toEqual([]);
  // Still a client-side navigation: the document (and this mark on it) stays.
  await page.evaluate(() => ((window as Window & { stayed?: boolean }).stayed = true));
  await student.click();
  await expect(page.getByRole("heading", { level: 1, name: "EDU" })).toBeVisible();
  expect(await page.evaluate(() => (window as Window & { stayed?: boolean }).stayed)).toBe(true);
  // The navigation's own request, and nothing for the links of the page it brought.
  await page.waitForTimeout(1_000);
  expect(fetched).toEqual(["/students/3"]);
});
