import type { Browser, Page } from "@playwright/test";
import { hashPassword } from "../../lib/auth/password";
import { COOKIE, expect, serverWith, sessionCookie, setValue, signIn, test, USERS } from "../support/fixtures";

/**
 * What newcomers found, kept fixed. Issue 22: where Sign out is, the header, the expiry line, the lesson.
 * Issue 28: words broken mid-word, where a form's message stands and which one shows, the 503 page's look,
 * the permanent line without a cookie, the lesson's and the size line's words, Get, and (with the Redis
 * store, a server of its own) what ending a session says and what the lesson shows.
 */

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

test("at 375 px, the longest user name the configuration takes wraps on /students", async ({ browser }) => {
  const name = "w".repeat(64);
  const password = "a long enough password";
  const server = await serverWith({ AUTH_USERS: `${name}:${await hashPassword(password, { logN: 14, r: 8, p: 1 })}` });
  const context = await browser.newContext({ baseURL: server.url, viewport: { width: 375, height: 740 } });
  try {
    const page = await context.newPage();
    await page.goto("/login");
    await page.locator("#username").fill(name);
    await page.locator("#password").fill(password);
    await page.locator("#password").press("Enter");
    await page.waitForURL(/\/students$/);
    await expect(page.getByTestId("signed-in-user")).toHaveText(name);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(375);
  } finally {
    await context.close();
    await server.stop();
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

/** Words in the page's prose (not in a `code` token) that the browser broke across lines, and prose that may break anywhere. */
async function brokenProse(page: Page) {
  return page.locator("main").evaluate((main) => {
    const broken: string[] = [];
    const breaksAnywhere = new Set<string>();
    const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement!;
      if (parent.closest("code") || !/\p{L}/u.test(node.textContent!)) continue;
      const style = getComputedStyle(parent);
      if (style.wordBreak === "break-all" || style.overflowWrap === "anywhere") {
        breaksAnywhere.add(`${parent.tagName.toLowerCase()}: ${node.textContent!.trim().slice(0, 40)}`);
      }
      // Ordinary words: runs of letters and digits up to 30 long (a longer one is a token, free to break).
      for (const match of node.textContent!.matchAll(/[\p{L}\p{N}]+/gu)) {
        if (match[0].length < 2 || match[0].length > 30) continue;
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
    return { broken, breaksAnywhere: [...breaksAnywhere] };
  });
}

const scrollWidth = (page: Page) => page.evaluate(() => document.scrollingElement!.scrollWidth);

test("at 375 px, the session page's words wrap at spaces, and a long key and value still fit", async ({
  browser,
  baseURL,
}) => {
  const context = await browser.newContext({ baseURL, viewport: { width: 375, height: 740 } });
  const page = await context.newPage();
  await signIn(page);
  const key = "k".repeat(64);
  await page.goto(`/session?get=${key}`);
  await setValue(page, "colour", "blue");
  await expect(page.getByTestId("session-contents")).toContainText('"colour":"blue"');
  const form = await setValue(page, key, "v".repeat(600));
  await expect(form.getByRole("status")).toHaveText(`Set “${key}”.`);
  await expect(page.getByTestId("get-result")).toContainText("v".repeat(600));
  await expect(page.getByTestId("cookie-lesson")).toBeVisible();
  expect(await brokenProse(page)).toEqual({ broken: [], breaksAnywhere: [] });
  expect(await scrollWidth(page)).toBeLessThanOrEqual(375);
  await context.close();
});

test("a form's message comes before the fields it is about", async ({ page }) => {
  await page.goto("/session");
  const form = await setValue(page, "", "blue");
  const alert = form.getByRole("alert");
  await expect(alert).toHaveText("Please correct the fields below.");
  const key = form.getByLabel("Key", { exact: true });
  await expect(key).toHaveAttribute("aria-invalid", "true");
  await expect(key).toHaveAccessibleDescription("Enter a key.");
  // In the reading order, and on the screen.
  const before = await alert.evaluate(
    (message, field) => !!(message.compareDocumentPosition(field!) & Node.DOCUMENT_POSITION_FOLLOWING),
    await key.elementHandle(),
  );
  expect(before).toBe(true);
  const [message, label] = await Promise.all([
    alert.boundingBox(),
    form.getByText("Key", { exact: true }).boundingBox(),
  ]);
  expect(message!.y + message!.height).toBeLessThanOrEqual(label!.y);
});

test("only the latest action's message shows", async ({ page }) => {
  await page.goto("/session");
  const set = await setValue(page, "colour", "blue");
  await expect(set.getByRole("status")).toHaveText("Set “colour”.");
  const remove = page.locator("form", { has: page.getByRole("heading", { name: "Delete a key" }) });
  await remove.getByLabel("Key").fill("colour");
  await remove.getByRole("button", { name: "Delete" }).click();
  await expect(remove.getByRole("status")).toHaveText("Deleted “colour”.");
  await expect(page.getByText("Set “colour”.")).toHaveCount(0);
  await setValue(page, "colour", "red");
  await expect(set.getByRole("status")).toHaveText("Set “colour”.");
  await expect(page.getByTestId("session-contents")).toHaveText('{"colour":"red"}');
  await expect(page.getByText("Deleted “colour”.")).toHaveCount(0);
  await page.getByRole("button", { name: /Make it permanent/ }).click();
  await expect(page.getByText("The session is now permanent.")).toBeVisible();
  await expect(page.getByText("Set “colour”.")).toHaveCount(0);
});

test("without a cookie, the permanent line speaks of none", async ({ page }) => {
  await page.goto("/session");
  await expect(page.getByTestId("session-permanent")).toHaveText("— (no cookie)");
  await setValue(page, "colour", "blue");
  await expect(page.getByTestId("session-permanent")).toHaveText(/^no: the browser drops the cookie/);
  await page.getByRole("button", { name: "Clear the session" }).click();
  await expect(page.getByTestId("session-cookie-size")).toHaveText("no cookie");
  await expect(page.getByTestId("session-permanent")).toHaveText("— (no cookie)");
});

test("Get reads a key as Flask's session.get(key, 'not set') does, and odd input gets a message", async ({ page }) => {
  await signIn(page);
  await page.goto("/session");
  await setValue(page, "colour", "blue");
  await expect(page.getByTestId("session-contents")).toContainText('"colour":"blue"');
  const get = page.locator("form", { has: page.getByRole("heading", { name: "Get a key" }) });
  const ask = async (key: string) => {
    await get.getByLabel("Key").fill(key);
    await get.getByRole("button", { name: "Get" }).click();
    await page.waitForURL((url) => url.pathname === "/session" && url.searchParams.get("get") === key);
  };
  await ask("colour");
  await expect(page.getByTestId("get-result")).toHaveText('“colour”: "blue"');
  await ask("nope");
  await expect(page.getByTestId("get-result")).toHaveText("“nope”: not set");
  await ask("user");
  await expect(page.getByTestId("get-result")).toHaveText('“user”: "alice"');
  await ask("a b");
  await expect(page.getByTestId("get-result")).toHaveCount(0);
  await expect(get.getByLabel("Key")).toHaveAccessibleDescription("A key may use letters, digits, and _ . - only.");
  await expect(get.getByLabel("Key")).toHaveValue("a b");
  // What the key shows stays current: setting it again changes what Get shows, on the same address.
  await ask("colour");
  await setValue(page, "colour", "red");
  await expect(page.getByTestId("get-result")).toHaveText('“colour”: "red"');

  for (const [query, shown] of [
    ["get=", "Enter a key."],
    ["get=colour&get=other", '“colour”: "red"'],
    ["get=constructor", "“constructor”: not set"],
    ["get=__proto__", "“__proto__”: not set"],
    [`get=${"x".repeat(65)}`, "A key has at most 64 characters."],
    [`get=${"x".repeat(5_000)}`, "A key has at most 64 characters."],
    ["get=%F0%9F%8D%AA", "A key may use letters, digits, and _ . - only."],
    ["get[]=colour", null],
  ] as const) {
    const response = await page.goto(`/session?${query}`);
    expect(response!.status(), query).toBe(200);
    if (shown === null) await expect(page.getByTestId("get-result")).toHaveCount(0);
    else await expect(get, query).toContainText(shown);
  }
});

test("the size line and the lesson say what they count and what the number in the cookie is", async ({
  page,
  browser,
  baseURL,
}) => {
  await page.goto("/session");
  await setValue(page, "colour", "blue");
  await expect(page.getByTestId("session-contents")).toContainText("colour");
  await page.reload();
  const cookie = (await sessionCookie(page.context()))!;
  const bytes = Buffer.byteLength(`${COOKIE}=${cookie.value}`);
  await expect(page.getByTestId("session-cookie-size")).toHaveText(`${bytes} bytes, name and value (${COOKIE}=…)`);
  const ours = page.getByTestId("cookie-ours");
  await expect(ours).toContainText(`(${bytes} bytes, name and value)`);
  const passwordId = cookie.value.split("*")[1];
  await expect(ours).toContainText(`password id ${passwordId} (it names which of the server's secrets`);
  await expect(ours).not.toContainText(`secret ${passwordId}`);

  const zh = await browser.newContext({ baseURL, locale: "zh-CN" });
  await zh.addCookies([{ name: COOKIE, value: cookie.value, domain: "127.0.0.1", path: "/", secure: true }]);
  const zhPage = await zh.newPage();
  await zhPage.goto("/session");
  await expect(zhPage.getByTestId("session-cookie-size")).toHaveText(`${bytes} 字节，含名称和值（${COOKIE}=…）`);
  await expect(zhPage.getByTestId("cookie-ours")).toContainText(`密码 ID ${passwordId}（`);
  // Chinese punctuation in Chinese: the size and the Flask cookie's signature line come whole from the catalogue.
  await expect(zhPage.getByTestId("cookie-ours")).toContainText(`…（${bytes} 字节，含名称和值）`);
  await expect(zhPage.getByTestId("cookie-flask")).toContainText(/}，签名于 /);
  await zh.close();
});

test("the 503 page looks like the app's pages: the font, the header, the main column, light and dark", async ({
  browser,
  baseURL,
}) => {
  for (const colorScheme of ["light", "dark"] as const) {
    const context = await browser.newContext({ baseURL, colorScheme, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const look = () =>
      page.evaluate(() => {
        const style = (selector: string) => getComputedStyle(document.querySelector(selector)!);
        const box = (selector: string) => document.querySelector(selector)!.getBoundingClientRect().toJSON();
        return {
          font: style("body").fontFamily,
          background: style("body").backgroundColor,
          colour: style("body").color,
          header: {
            width: box("header").width,
            height: box("header").height,
            background: style("header").backgroundColor,
            border: style("header").borderBottom,
          },
          brand: { ...box("header a[href='/']"), font: style("header a[href='/']").font },
          // Where the main column is and how wide; its height is its content's.
          main: { x: box("main").x, width: box("main").width, padding: style("main").padding },
          title: style("h1").font,
        };
      });
    await page.goto("/login");
    const app = await look();
    const response = await page.goto("/unavailable?next=/session");
    expect(response!.status()).toBe(503);
    await expect(page.getByRole("heading", { name: "Session service unavailable" })).toBeVisible();
    await expect(page.getByRole("banner").getByRole("link", { name: "Sessions" })).toBeVisible();
    const unavailable = await look();
    expect(unavailable, colorScheme).toEqual(app);
    await context.close();
  }
});

/** A browser context on `baseURL` with this user agent, signed in as alice. */
async function device(browser: Browser, baseURL: string, userAgent: string) {
  const context = await browser.newContext({ baseURL, userAgent });
  const page = await context.newPage();
  await signIn(page);
  return page;
}

test("with the Redis store: the lesson shows an id and no data, and ending a session says which", async ({
  browser,
}) => {
  test.setTimeout(90_000); // a server of its own
  const server = await serverWith({ SESSION_STORE: "redis" });
  try {
    const phone = await device(browser, server.url, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/605.1");
    const laptop = await device(browser, server.url, "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36");
    await laptop.goto("/session");
    await setValue(laptop, "secret-note", "meet at noon");
    await expect(laptop.getByTestId("session-contents")).toContainText("meet at noon");
    await laptop.reload();

    const cookie = (await sessionCookie(laptop.context()))!.value;
    expect(cookie).toMatch(/^[\w-]{43}$/);
    const bytes = Buffer.byteLength(`${COOKIE}=${cookie}`);
    await expect(laptop.getByTestId("session-cookie-size")).toHaveText(`${bytes} bytes, name and value (${COOKIE}=…)`);
    const lesson = laptop.getByTestId("cookie-lesson");
    await expect(lesson).toContainText("this app's cookie holds no session data at all: only a random id");
    await expect(lesson).not.toContainText("both ways");
    const ours = laptop.getByTestId("cookie-ours");
    await expect(ours.getByRole("heading")).toHaveText("This app's cookie (a session id)");
    await expect(ours).toContainText(`${cookie.slice(0, 6)}… (${bytes} bytes, name and value)`);
    await expect(ours).toContainText("No session data: that is in Redis, on the server");
    await expect(ours).not.toContainText("Fe26.2");
    await expect(ours).not.toContainText("meet at noon");
    await expect(ours).not.toContainText(cookie); // a bearer secret: shown in part only
    // The Flask side is unchanged: the same data, readable.
    await expect(laptop.getByTestId("cookie-flask")).toContainText('"secret-note":"meet at noon"');

    const list = laptop.getByTestId("active-sessions");
    await list.getByRole("listitem").filter({ hasText: "Safari on iPhone" }).getByRole("button").click();
    await expect(list.getByRole("listitem")).toHaveCount(1);
    await expect(laptop.getByRole("status").filter({ hasText: "Ended" })).toHaveText(
      "Ended the session on Safari on iPhone.",
    );
    await phone.goto("/students");
    await expect(phone).toHaveURL(/\/login/);
    // The next action's message replaces it.
    await setValue(laptop, "colour", "blue");
    await expect(laptop.getByText("Set “colour”.")).toBeVisible();
    await expect(laptop.getByText("Ended the session on Safari on iPhone.")).toHaveCount(0);

    // And at 375 px, its words too wrap at spaces.
    await laptop.setViewportSize({ width: 375, height: 740 });
    expect(await brokenProse(laptop)).toEqual({ broken: [], breaksAnywhere: [] });
    expect(await scrollWidth(laptop)).toBeLessThanOrEqual(375);
    for (const page of [phone, laptop]) await page.context().close();
  } finally {
    await server.stop();
  }
});
