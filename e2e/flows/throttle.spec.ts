import type { Browser, Page } from "@playwright/test";
import { expect, sessionCookie, signIn, submitLogin, test, USERS } from "../support/fixtures";
import { actionFields, postLogin } from "../support/http";

// TRUST_PROXY lets each test be its own client address (X-Forwarded-For); a 3 s lockout lets it lift.
test.use({ serverEnv: { TRUST_PROXY: "true", LOGIN_LOCKOUT: "3s" } });

async function clientAt(browser: Browser, baseURL: string, ip: string) {
  const context = await browser.newContext({ baseURL, extraHTTPHeaders: { "X-Forwarded-For": `${ip}, 10.0.0.1` } });
  return { context, page: await context.newPage() };
}

const attempt = (page: Page, password: string) => submitLogin(page, "alice", password, { url: "/login" });

test("failed sign-ins are throttled per account and address, without locking the account out elsewhere", async ({
  browser,
  baseURL,
  server,
}) => {
  test.setTimeout(90_000); // seven sign-ins, two browsers and a lockout to wait out
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

test("sign-ins sent all at once get no more password checks than the limit; the rest are refused unread", async ({
  baseURL,
  server,
}) => {
  const url = baseURL!;
  const loginFields = actionFields(await (await fetch(`${url}/login`)).text());
  const headers = { "X-Forwarded-For": "203.0.113.40, 10.0.0.1" };
  const answers = await Promise.all(
    Array.from({ length: 20 }, (_, n) =>
      postLogin(url, { username: "alice", password: `guess ${n}` }, { loginFields, headers }).then((response) =>
        response.text(),
      ),
    ),
  );
  // Four wrong; the fifth starts the lockout; the fifteen refused were told to wait: a moment while the five were
  // under way (not that they failed), or the lockout once it had begun.
  const said = (pattern: RegExp) => answers.filter((html) => pattern.test(html)).length;
  expect(said(/Wrong username or password/), "wrong").toBe(4);
  expect(said(/Too many sign-ins at once\. Try again in 2 seconds\.|Too many failed sign-ins/), "refused").toBe(16);
  const events = (event: string) =>
    server.output().split(`"event":"signin.${event}","user":"alice","ip":"203.0.113.40"`).length - 1;
  expect([events("failure"), events("throttled")], "passwords checked, attempts refused").toEqual([5, 15]);
});
