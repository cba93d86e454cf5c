import { expect, test, USERS } from "../support/fixtures";

test.describe("in Simplified Chinese (Accept-Language: zh-CN)", () => {
  test.use({ locale: "zh-CN" });

  test("the main flow is in Chinese, with dates and durations for the locale", async ({ page }) => {
    await page.goto("/students");
    await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
    await expect(page.getByRole("heading", { name: "登录" })).toBeVisible();
    await expect(page.getByText("保持登录 31天")).toBeVisible();
    await page.getByLabel("用户名").fill("alice");
    await page.getByLabel("密码").fill("错误的密码");
    await page.getByRole("button", { name: "登录" }).click();
    await expect(page.locator("#login-message")).toHaveText("用户名或密码错误。");

    await page.getByLabel("密码").fill(USERS.alice);
    await page.getByRole("button", { name: "登录" }).click();
    await expect(page.getByRole("heading", { name: "学生列表" })).toBeVisible();
    await expect(page.getByRole("row").nth(2)).toContainText("男");
    await expect(page.getByRole("row").nth(1)).toContainText("其他"); // the tutorial's "中", said plainly
    await page.getByRole("link", { name: "你的会话" }).click();
    await expect(page.getByRole("heading", { name: "会话演练场" })).toBeVisible();
    await expect(page.getByTestId("session-expires")).toContainText("天后过期");
    await expect(page.getByTestId("session-expires")).toContainText("年");

    await page.goto("/students");
    await page.getByRole("button", { name: "退出" }).click();
    await expect(page.getByText("你已退出登录。")).toBeVisible();
  });

  test("the switch changes the language and remembers it", async ({ page, context }) => {
    await page.goto("/login");
    await page.getByLabel("用户名").fill("alice");
    await page.getByLabel("密码").fill("错误的密码");
    await page.getByRole("button", { name: "登录" }).click();
    await expect(page.locator("#login-message")).toHaveText("用户名或密码错误。");
    await page.getByRole("button", { name: /Switch to English/ }).click();
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
    await expect(page.getByText("用户名或密码错误。"), "no message left in the other language").toHaveCount(0);
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    expect((await context.cookies()).find((cookie) => cookie.name === "lang")?.value).toBe("en");
    await page.reload();
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
    await page.getByRole("button", { name: /切换到中文/ }).click();
    await expect(page.getByRole("heading", { name: "登录" })).toBeVisible();
  });
});

test("an English browser gets English, and can switch to Chinese without JavaScript", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL, locale: "en-US", javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/login");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await expect(page.getByText("Keep me signed in for 31 days")).toBeVisible();
  await page.getByRole("button", { name: /切换到中文/ }).click();
  await expect(page.getByRole("heading", { name: "登录" })).toBeVisible();
  await context.close();
});
