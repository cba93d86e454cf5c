import { COOKIE, expect, sessionCookie, signIn, test } from "../support/fixtures";

test("every page sends the security headers, personal pages are never stored, and the guard's redirect varies on the cookie", async ({
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
    // Next.js sets a page's Vary itself (replacing the app's); no cache may store these anyway.
    expect(headers["cache-control"], path).toMatch(/private/);
    expect(headers["cache-control"], path).toMatch(/no-store/);
    expect(headers["x-powered-by"], path).toBeUndefined();
  }
  // The guard's redirect depends on the cookie too.
  const redirect = await page.context().request.get("/students", { maxRedirects: 0, headers: { cookie: "" } });
  expect(redirect.status()).toBe(307);
  expect(redirect.headers()["vary"]).toMatch(/(^|, )Cookie(,|$)/);
  // A nonce is used once.
  const first = (await page.goto("/login"))!.headers()["content-security-policy"];
  const second = (await page.goto("/login"))!.headers()["content-security-policy"];
  expect(first).not.toBe(second);
});

test("a cross-origin sign-out post is refused with 403 and the session lives on", async ({ page }) => {
  await signIn(page);
  const html = await (await page.request.get("/students")).text();
  // The sign-out form's action (the header's language switch is a form too).
  const signOutForm = [...html.matchAll(/<form[^>]*>([\s\S]*?)<\/form>/g)].find((form) =>
    form[1].includes("Sign out"),
  )!;
  const actionField = /name="(\$ACTION_ID_[0-9a-f]+)"/.exec(signOutForm[1])![1];
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
  const value = "Fe26.2*1*not-a-real-seal~2";
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
