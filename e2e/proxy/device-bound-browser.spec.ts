import {
  chromium,
  expect,
  test,
  type Browser,
  type BrowserContext,
  type LaunchOptions,
  type Page,
} from "@playwright/test";
import { serverWith, signIn } from "../support/fixtures";
import { startNginx, type Nginx } from "../support/nginx";
import type { RunningServer } from "../support/server";
import { selfSignedCertificate, type Certificate } from "../support/tls";

/**
 * Device-bound sessions (DBSC, lib/session/device-bound.ts) in a real
 * Chromium, as people run them: `npm start` behind the README's nginx block
 * with TLS (TRUST_PROXY=1), the bound cookie living 10 s. The browser
 * registers a key at sign-in and renews the bound cookie by itself while its
 * user browses; the same cookies copied into a context without the key are
 * signed out once the bound cookie's lifetime has passed; a browser without
 * DBSC signs in and browses as before. e2e/flows/device-bound.spec.ts tests
 * the protocol itself with a scripted client.
 *
 * Chromium does DBSC only with `--enable-features=DeviceBoundSessions,
 * EnableBoundSessionCredentialsSoftwareKeysForManualTesting` (software keys:
 * no TPM here) as its LAST --enable-features switch, and over HTTPS with a
 * certificate that verifies: a self-signed one (e2e/support/tls.ts) trusted
 * with --ignore-certificate-errors-spki-list. Playwright's ignoreHTTPSErrors
 * is not enough (Chromium then drops the registration header without a
 * word), and neither is http://localhost.
 *
 * `DeviceBoundSessions:RefreshQuota/false` lifts Chromium's signing quota (6
 * signatures per site in 9 minutes). Chromium renews a bound cookie whenever
 * it has 2 minutes or less to live (a fixed threshold), so with 10 s every
 * request asks for a renewal, and with the quota the sixth signature is
 * refused: SigningQuotaExceeded, then /login once the cookie expires. That
 * is Chromium's real behaviour with any DEVICE_BOUND_LIFETIME under about 4
 * minutes; lifting the quota lets a test see two lifetimes pass in seconds
 * rather than minutes. Nothing else is changed.
 *
 * The browser is the config's (PLAYWRIGHT_CHROMIUM_PATH, else
 * /usr/bin/chromium, else Playwright's own). One that cannot be launched, or
 * that does not register, fails these tests: DBSC_BROWSER=0 skips the file
 * instead, on a machine whose Chromium has no DBSC.
 */
test.skip(process.env.DBSC_BROWSER === "0", "DBSC_BROWSER=0: DBSC in a real Chromium is not tested on this machine");
test.describe.configure({ mode: "serial" });

const LIFETIME_S = 10;
const DBSC_FEATURES = [
  "DeviceBoundSessions:RefreshQuota/false",
  "EnableBoundSessionCredentialsSoftwareKeysForManualTesting",
];
const USER = "alice";
/** The user agent of the browser without DBSC: nginx's log tells its requests from the other browser's. */
const PLAIN_AGENT = "no-dbsc-chromium";

/** What CDP's Network.deviceBoundSessionEventOccurred reports (the fields read here). */
type DbscEvent = {
  succeeded: boolean;
  sessionId?: string;
  creationEventDetails?: { fetchResult: string; newSession?: { key: { id: string } }; failedRequest?: unknown };
  refreshEventDetails?: { refreshResult: string; fetchResult?: string; failedRequest?: unknown };
  challengeEventDetails?: { challengeResult: string; challenge?: string };
  terminationEventDetails?: { deletionReason: string };
};

let certificate: Certificate;
let server: RunningServer;
let nginx: Nginx;
let dbscBrowser: Browser;
let context: BrowserContext;
let page: Page;
/** The DBSC events and usages of the signed-in context, from its page's CDP session. */
let watch: Awaited<ReturnType<typeof watchDbsc>>;

/** The config's Chromium with the certificate trusted, and DBSC turned on or not. */
async function launch(launchOptions: LaunchOptions, dbsc: boolean): Promise<Browser> {
  const given = launchOptions.args ?? [];
  const features = given.flatMap((arg) =>
    arg.startsWith("--enable-features=") ? arg.slice("--enable-features=".length).split(",") : [],
  );
  if (dbsc) features.push(...DBSC_FEATURES);
  const args = [
    ...given.filter((arg) => !arg.startsWith("--enable-features=")),
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    `--ignore-certificate-errors-spki-list=${certificate.spki}`,
    // Every request of the browser without DBSC says so, its own and any the network service would make.
    ...(dbsc ? [] : [`--user-agent=${PLAIN_AGENT}`]),
    // Chromium keeps only the last --enable-features: one switch, after all others (Playwright puts its own first).
    ...(features.length > 0 ? [`--enable-features=${features.join(",")}`] : []),
  ];
  const { executablePath } = launchOptions;
  try {
    return await chromium.launch({ ...launchOptions, args: [...new Set(args)] });
  } catch (error) {
    throw new Error(
      `Cannot launch Chromium (${executablePath ?? "Playwright's own"}) for the DBSC tests. Set PLAYWRIGHT_CHROMIUM_PATH ` +
        `to a Chromium with DBSC, or DBSC_BROWSER=0 to skip this file.\n${String(error)}`,
    );
  }
}

/**
 * What Chromium reports about DBSC on `target`'s CDP session: its events, how
 * requests used a session (ProactiveRefreshAttempted, Deferred, …), and the
 * sessions the context held when the watch began.
 */
async function watchDbsc(target: Page) {
  const cdp = await target.context().newCDPSession(target);
  const events: DbscEvent[] = [];
  const usages: string[] = [];
  const existing = new Promise<string[]>((resolve) =>
    cdp.once("Network.deviceBoundSessionsAdded", ({ sessions }) => resolve(sessions.map(({ key }) => key.id))),
  );
  cdp.on("Network.deviceBoundSessionEventOccurred", (event) => events.push(event as DbscEvent));
  cdp.on("Network.requestWillBeSentExtraInfo", ({ deviceBoundSessionUsages }) =>
    usages.push(...(deviceBoundSessionUsages ?? []).map(({ usage }) => usage)),
  );
  try {
    // Usages come with Network.enable; the events do not need it.
    await cdp.send("Network.enable");
    await cdp.send("Network.enableDeviceBoundSessions", { enable: true });
  } catch (error) {
    throw new Error(`This Chromium's DevTools protocol has no device-bound sessions (DBSC): ${String(error)}`);
  }
  const refreshed = () => events.filter((event) => event.refreshEventDetails?.refreshResult === "Refreshed").length;
  /** The events that failed, without their challenges (long, and of no help). */
  const failed = () =>
    events
      .filter((event) => !event.succeeded)
      .map((event) => JSON.stringify({ ...event, challengeEventDetails: undefined }));
  return { events, usages, sessions: () => existing, refreshed, failed, detach: () => cdp.detach() };
}

/** Loads /students; the user it shows signed in, or null where it lands on /login. */
async function students(target: Page): Promise<string | null> {
  const response = await target.goto("/students");
  expect(response?.status(), `/students through nginx:\n${nginx.output()}`).toBe(200);
  if (new URL(target.url()).pathname === "/login") return null;
  return target.getByTestId("signed-in-user").textContent({ timeout: 5_000 });
}

/** How many times the /session page says the browser renewed the bound cookie. */
async function renewals(target: Page): Promise<number> {
  await target.goto("/session");
  const text = await target.getByTestId("session-device-window").textContent();
  const count = /\((\d+) times?\)/.exec(text ?? "")?.[1];
  if (count === undefined) throw new Error(`session-device-window gives no number of renewals: ${text}`);
  return Number(count);
}

const dbscRequests = (from = 0) =>
  nginx
    .requests()
    .slice(from)
    .filter((entry) => entry.uri.startsWith("/auth/dbsc/"));

test.beforeAll(async ({ launchOptions }) => {
  certificate = selfSignedCertificate();
  server = await serverWith({ TRUST_PROXY: "1", DEVICE_BOUND_LIFETIME: `${LIFETIME_S}s` }, { npmStart: true });
  nginx = await startNginx([server.url], { tls: certificate });
  dbscBrowser = await launch(launchOptions, true);
  context = await dbscBrowser.newContext({ baseURL: nginx.url });
  page = await context.newPage();
  watch = await watchDbsc(page);
});

test.afterAll(async () => {
  await context?.close();
  await dbscBrowser?.close();
  await nginx?.stop();
  await server?.stop();
  certificate?.remove();
});

test("a bound session registers at sign-in and renews by itself while the user browses", async () => {
  test.setTimeout(90_000);
  expect(await watch.sessions(), "a new context holds no DBSC session").toEqual([]);

  await signIn(page, USER, { url: nginx.url });
  const creation = () => watch.events.find((event) => event.creationEventDetails);
  await expect
    .poll(
      creation,
      `Chromium registered no DBSC session after signing in. CDP events: ${JSON.stringify(watch.events)}; ` +
        `nginx saw at /auth/dbsc/: ${JSON.stringify(dbscRequests())}`,
    )
    .toBeTruthy();
  const { fetchResult, newSession } = creation()!.creationEventDetails!;
  expect(fetchResult, `the registration failed: ${JSON.stringify(creation())}`).toBe("Success");

  await page.goto("/session");
  await expect(page.getByTestId("session-device")).toContainText("yes (DBSC)");
  const thumbprint = await page.getByTestId("session-device").locator("code").textContent();
  expect(thumbprint).toMatch(/^[\w-]{43}$/);
  expect(thumbprint, "the session Chromium holds is the server's").toBe(newSession?.key.id);
  await expect(page.getByTestId("session-device-window")).toBeVisible();
  const first = await renewals(page);

  // More than two lifetimes of the bound cookie: every page signed in.
  const browsing = (2 * LIFETIME_S + 2) * 1000;
  const until = Date.now() + browsing;
  let pages = 0;
  while (Date.now() < until) {
    const user = await students(page);
    expect(user, `page ${pages + 1} of browsing is signed in; failed DBSC events: ${watch.failed()}`).toBe(USER);
    pages += 1;
    await page.waitForTimeout(3_000);
  }
  const later = await renewals(page);
  console.log(
    `browsed ${pages} pages in ${browsing / 1000} s: /session said renewed ${first} times, then ${later}; ` +
      `CDP: ${watch.refreshed()} refreshes, usages ${JSON.stringify(count(watch.usages))}`,
  );
  expect(later, "Chromium renewed the bound cookie by itself").toBeGreaterThan(first);
  expect(watch.failed(), "no DBSC event failed").toEqual([]);
});

test("the cookies copied into a context without the key are signed out once the bound cookie's lifetime has passed", async () => {
  test.setTimeout(90_000);
  const cookies = await context.cookies();
  expect(cookies.map(({ name }) => name)).toEqual(
    expect.arrayContaining(["__Host-session", "__Secure-session-device"]),
  );
  const copy = await dbscBrowser.newContext({ baseURL: nginx.url });
  try {
    await copy.addCookies(cookies);
    const thief = await copy.newPage();
    const theirs = await watchDbsc(thief);
    expect(await theirs.sessions(), "the copy holds no DBSC session: it has no key").toEqual([]);
    expect(await students(thief), "the copied cookies are signed in at first").toBe(USER);

    // Nothing renews the bound cookie from here: once its lifetime has passed, the copy lands on /login.
    await expect.poll(() => students(thief), { timeout: (3 * LIFETIME_S + 15) * 1000, intervals: [2_000] }).toBeNull();
    expect(new URL(thief.url()).pathname).toBe("/login");
    expect(theirs.events, "the copy had no DBSC event").toEqual([]);
    await theirs.detach();

    // The original, idle all that time, is still signed in: Chromium renews its bound cookie first.
    const before = watch.refreshed();
    expect(await students(page), "the browser with the key is still signed in").toBe(USER);
    await expect.poll(() => watch.refreshed(), "the original renewed its bound cookie").toBeGreaterThan(before);
  } finally {
    await copy.close();
  }
});

test("a browser without DBSC signs in and browses as before", async ({ launchOptions }) => {
  const from = nginx.requests().length;
  const plain = await launch(launchOptions, false);
  try {
    // The agent again for the context: the project's device (playwright.config.ts) gives every context Chrome's,
    // which overrides --user-agent for the page's requests (seen with Debian's Chromium 156.0.8078.129).
    const visitor = await (await plain.newContext({ baseURL: nginx.url, userAgent: PLAIN_AGENT })).newPage();
    const offers: string[] = [];
    visitor.on("response", (response) => {
      if (response.headers()["secure-session-registration"]) offers.push(response.url());
    });
    await signIn(visitor, "bob", { url: nginx.url });
    expect(await students(visitor)).toBe("bob");
    await visitor.goto("/session");
    await expect(visitor.getByTestId("session-device")).toContainText("no: this browser registered no key");
    await expect(visitor.getByTestId("session-device-window")).toHaveCount(0);
    expect(await students(visitor)).toBe("bob");
    expect(offers, "the sign-in offered a binding (which this browser ignores)").not.toEqual([]);
    // The browser with DBSC, still open, may renew meanwhile: only this one's requests count.
    const own = nginx
      .requests()
      .slice(from)
      .filter((entry) => entry.userAgent === PLAIN_AGENT);
    expect(own.length, "nginx logged this browser's requests by its user agent").toBeGreaterThan(0);
    expect(
      own.filter((entry) => entry.uri.startsWith("/auth/dbsc/")),
      "a browser without DBSC never asks /auth/dbsc/",
    ).toEqual([]);
  } finally {
    await plain.close();
  }
});

test("nginx saw one registration, refreshes at /auth/dbsc/refresh, and no 5xx", async () => {
  const requests = nginx.requests();
  const dbsc = dbscRequests();
  const answered = (uri: string, status: number) =>
    dbsc.filter((entry) => entry.method === "POST" && entry.uri === uri && entry.status === status).length;
  const refreshes = answered("/auth/dbsc/refresh", 200);
  const challenges = answered("/auth/dbsc/refresh", 403);
  console.log(
    `nginx: ${requests.length} requests; /auth/dbsc/register 200: ${answered("/auth/dbsc/register", 200)}; ` +
      `/auth/dbsc/refresh 200: ${refreshes}, 403 (a challenge): ${challenges}; CDP: ${watch.refreshed()} refreshed`,
  );
  expect(
    dbsc.filter((entry) => entry.method !== "POST" || ![200, 403].includes(entry.status)),
    "every DBSC request was a POST answered 200, or 403 with a challenge",
  ).toEqual([]);
  expect(dbsc.filter((entry) => entry.uri === "/auth/dbsc/register")).toHaveLength(1);
  expect(answered("/auth/dbsc/register", 200)).toBe(1);
  // Each renewal Chromium reported went through nginx to /auth/dbsc/refresh, after a challenge.
  expect(refreshes).toBe(watch.refreshed());
  expect(refreshes).toBeGreaterThanOrEqual(2);
  expect(challenges).toBeGreaterThanOrEqual(refreshes);
  expect(
    requests.filter((entry) => entry.status >= 500),
    "no request was answered 5xx",
  ).toEqual([]);
});

/** How many times each value occurs. */
function count(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
