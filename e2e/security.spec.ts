import type { Browser } from "@playwright/test";
import { COOKIE, expect, sessionCookie, signIn, test, USERS } from "./fixtures";

// TRUST_PROXY lets each test be its own client address (X-Forwarded-For); a 3 s lockout lets it lift.
test.use({ serverEnv: { TRUST_PROXY: "true", LOGIN_LOCKOUT: "3s" } });

async function clientAt(browser: Browser, baseURL: string, ip: string) {
  const context = await browser.newContext({ baseURL, extraHTTPHeaders: { "X-Forwarded-For": `${ip}, 10.0.0.1` } });
  return { context, page: await context.newPage() };
}

async function attempt(page: import("@playwright/test").Page, password: string) {
  await page.goto("/login");
  await page.getByLabel("Username").fill("alice");
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("failed sign-ins are throttled per account and address, without locking the account out elsewhere", async ({
  browser,
  baseURL,
  server,
}) => {
  const attacker = await clientAt(browser, baseURL!, "203.0.113.7");
  for (let i = 1; i <= 4; i++) {
    await attempt(attacker.page, `guess ${i}`);
    await expect(attacker.page.locator("#login-message")).toHaveText("Wrong username or password.");
  }
  await attempt(attacker.page, "guess 5");
  await expect(attacker.page.locator("#login-message")).toHaveText(
    /^Too many failed sign-ins\. Try again in 3 seconds\.$/,
  );
  // Even the right password is refused now: nothing is checked while locked.
  await attempt(attacker.page, USERS.alice);
  await expect(attacker.page.locator("#login-message")).toHaveText(/^Too many failed sign-ins/);
  expect(await sessionCookie(attacker.context)).toBeUndefined();

  // The real user, elsewhere, is not locked out.
  const user = await clientAt(browser, baseURL!, "198.51.100.20");
  await signIn(user.page);
  await expect(user.page).toHaveURL(/\/students$/);

  // The lock lifts.
  await attacker.page.waitForTimeout(3_200);
  await attempt(attacker.page, USERS.alice);
  await expect(attacker.page).toHaveURL(/\/students$/);

  const log = server.output();
  expect(log).toMatch(/"event":"signin\.failure","user":"alice","ip":"203\.0\.113\.7"/);
  expect(log).toMatch(/"event":"signin\.throttled","user":"alice","ip":"203\.0\.113\.7","retryAfterSeconds":\d/);
  expect(log).toMatch(/"event":"signin\.success","user":"alice","ip":"198\.51\.100\.20","session":"[0-9a-f]{12}"/);
  expect(log).not.toContain(USERS.alice);
  expect(log).not.toContain("guess 1");
  await attacker.context.close();
  await user.context.close();
});

test("every page sends the security headers, and personal pages are private and vary on the cookie", async ({
  page,
}) => {
  await signIn(page);
  for (const path of ["/login", "/students", "/students/1", "/session"]) {
    const response = await page.goto(path);
    const headers = response!.headers();
    expect(headers["x-content-type-options"], path).toBe("nosniff");
    expect(headers["referrer-policy"], path).toBe("strict-origin-when-cross-origin");
    expect(headers["x-frame-options"], path).toBe("DENY");
    expect(headers["permissions-policy"], path).toMatch(/camera=\(\)/);
    expect(headers["strict-transport-security"], path).toMatch(/max-age=\d+/);
    expect(headers["content-security-policy"], path).toMatch(
      /script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'.*frame-ancestors 'none'/,
    );
    expect(headers["cache-control"], path).toMatch(/private/);
    expect(headers["cache-control"], path).toMatch(/no-store/);
    expect(headers["vary"], path).toMatch(/(^|, )Cookie(,|$)/);
    expect(headers["x-powered-by"], path).toBeUndefined();
  }
  // A nonce is used once.
  const first = (await page.goto("/login"))!.headers()["content-security-policy"];
  const second = (await page.goto("/login"))!.headers()["content-security-policy"];
  expect(first).not.toBe(second);
});

test("a cross-origin sign-out post is refused with 403 and the session lives on", async ({ page }) => {
  await signIn(page);
  const html = await (await page.request.get("/students")).text();
  const actionField = /name="(\$ACTION_ID_[0-9a-f]+)"/.exec(html)![1];
  for (const origin of ["https://evil.example", "null", "http://127.0.0.1:1"]) {
    const response = await page.request.post("/students", {
      multipart: { [actionField]: "" },
      headers: { Origin: origin },
      maxRedirects: 0,
    });
    expect(response.status(), origin).toBe(403);
    expect(await response.text()).toContain("sent from another site");
  }
  await page.goto("/students");
  await expect(page.getByTestId("signed-in-user")).toHaveText("alice");
  // The same post from this origin signs out.
  const own = await page.request.post("/students", {
    multipart: { [actionField]: "" },
    headers: { Origin: new URL(page.url()).origin },
    maxRedirects: 0,
  });
  expect(own.status()).toBe(303);
  expect(own.headers()["set-cookie"]).toContain(`${COOKIE}=;`);
});

test("sign-out ends the session and is logged with the session's tag", async ({ page, server }) => {
  await signIn(page);
  const tag = /"event":"signin\.success","user":"alice","ip":"[^"]+","session":"([0-9a-f]{12})"/;
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByText("You have been signed out.")).toBeVisible();
  expect(await sessionCookie(page.context())).toBeUndefined();
  const signedIn = [...server.output().matchAll(new RegExp(tag, "g"))].at(-1)![1];
  await expect
    .poll(() => server.output())
    .toMatch(new RegExp(`"event":"signout","user":"alice","session":"${signedIn}"`));
});

test("a rejected cookie is logged with its reason and a short hash, never the cookie", async ({
  page,
  server,
  baseURL,
}) => {
  const value = "Fe26.2*1*not-a-real-seal";
  await page
    .context()
    .addCookies([{ name: COOKIE, value, domain: new URL(baseURL!).hostname, path: "/", secure: true }]);
  await page.goto("/students");
  await expect(page).toHaveURL(/\/login/);
  expect(server.output()).toMatch(
    /"event":"session\.rejected","reason":"(invalid|unknown-password)","session":"[0-9a-f]{12}"/,
  );
  expect(server.output()).not.toContain(value);
});
