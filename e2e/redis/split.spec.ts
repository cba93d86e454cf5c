import { DeviceBrowser } from "../support/dbsc-client";
import { startRedis } from "../support/redis-server";
import { startSplit } from "../support/split";
import { expect, signIn, test, testEnv, testRedisUrl, USERS } from "../support/fixtures";
import { loginOutcome, signInByFetch } from "../support/http";

/**
 * The app as Vercel runs it: the middleware in a process of its own, the
 * pages in two others that take requests in turn (e2e/support/split.ts).
 * The guard, the nonce policy, the 503 and the login throttle must behave as
 * on one server, with nothing shared but the request.
 */
test.setTimeout(180_000); // the first test may wait for the pages' build (e2e/support/split.ts)

test("the guard and the nonce policy, split: a page's scripts carry the nonce its policy names", async ({
  browser,
}) => {
  const split = await startSplit(await testEnv({ SESSION_STORE: "redis", REDIS_URL: testRedisUrl() }));
  try {
    const anonymous = await fetch(`${split.url}/students/3`, { redirect: "manual" });
    const location = new URL(anonymous.headers.get("location") ?? "", split.url);
    expect([anonymous.status, location.pathname + location.search]).toEqual([307, "/login?next=%2Fstudents%2F3"]);
    const context = await browser.newContext({ baseURL: split.url });
    const page = await context.newPage();
    const violations: string[] = [];
    page.on(
      "console",
      (message) => void (/Content.Security.Policy/i.test(message.text()) && violations.push(message.text())),
    );
    await signIn(page); // through the middleware process, onto one pages process or the other
    for (const path of ["/students", "/students/3", "/session", "/students"]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(200);
      const nonce = /'nonce-([^']+)'/.exec(response!.headers()["content-security-policy"] ?? "")?.[1];
      expect(nonce, path).toBeTruthy();
      expect(await response!.text(), path).toContain(`nonce="${nonce}"`); // (the DOM hides a nonce from scripts)
      await expect(
        page
          .getByTestId("signed-in-user")
          .or(page.getByRole("heading", { level: 1 }))
          .first(),
      ).toBeVisible();
    }
    expect(violations).toEqual([]);
    await context.close();
  } finally {
    await split.stop();
  }
});

test("Redis down, split: the middleware learns nothing of it, and a signed-in page reaches the 503 in one redirect", async () => {
  const redis = await startRedis();
  const env = await testEnv({ SESSION_STORE: "redis", REDIS_URL: redis.url });
  // The middleware's process is told of a Redis where nothing listens: it never asks one anyway.
  const split = await startSplit(env, { middlewareEnv: { REDIS_URL: "redis://127.0.0.1:1" } });
  try {
    const cookie = await signInByFetch(split.url, "alice", USERS.alice);
    expect((await fetch(`${split.url}/students`, { headers: { cookie } })).status).toBe(200);
    const other = await signInByFetch(split.url, "bob", USERS.bob); // written, never read
    await redis.stop();
    const first = await fetch(`${split.url}/students`, { headers: { cookie: other }, redirect: "manual" });
    expect([first.status, first.headers.get("location")]).toEqual([307, "/unavailable?next=%2Fstudents"]);
    const then = await fetch(new URL(first.headers.get("location")!, split.url), {
      headers: { cookie: other },
      redirect: "manual",
    });
    expect([then.status, then.headers.get("retry-after")]).toEqual([503, "2"]);
    // Whichever process serves it, a browser following redirects ends on the 503, never in a loop.
    for (let n = 0; n < 4; n++)
      expect((await fetch(`${split.url}/session`, { headers: { cookie: other } })).status).toBe(503);
    expect(split.output()).not.toMatch(/⨯|Internal Server Error/);
  } finally {
    await split.stop();
    await redis.stop();
  }
});

test("the login throttle, split over two pages processes: with REDIS_URL (cookie store) the failures count as one", async () => {
  const env = await testEnv({ SESSION_STORE: "cookie", REDIS_URL: testRedisUrl(), LOGIN_MAX_FAILURES: "3" });
  const split = await startSplit(env);
  try {
    const answers: string[] = [];
    for (let n = 0; n < 4; n++) answers.push(await loginOutcome(split.url, "bob", `guess ${n}`));
    expect(answers).toEqual(["wrong", "wrong", "locked", "locked"]);
  } finally {
    await split.stop();
  }
});

test("device-bound sessions, split: the offer the action left is handed over by the middleware, the key renews, the long-lived cookie opens no page", async () => {
  const split = await startSplit(
    await testEnv({ SESSION_STORE: "redis", REDIS_URL: testRedisUrl(), DEVICE_BOUND_LIFETIME: "10s" }),
  );
  try {
    const browser = new DeviceBrowser(split.url);
    await browser.signIn("alice", USERS.alice); // the offer: left by the action (pages), handed over by the middleware
    expect((await browser.register()).status).toBe(200);
    expect((await browser.refresh()).status).toBe(200);
    expect(await browser.signedIn()).toBe(true);
    // The long-lived cookie as the page's: a bare id, which opens no page of a bound session (the pages say so;
    // the middleware, which never reads the store, lets it through). The window's end: e2e/flows/device-bound.spec.ts.
    const copied = browser.jar.get("__Secure-session-device", "/auth/dbsc")!;
    const forged = await fetch(`${split.url}/students`, {
      headers: { cookie: `__Host-session=${copied}` },
      redirect: "manual",
    });
    expect(forged.status).toBe(307);
  } finally {
    await split.stop();
  }
});
