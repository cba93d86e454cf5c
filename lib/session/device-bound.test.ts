/**
 * Device-bound sessions (lib/session/device-bound.ts) on the clock: what a
 * bound session keeps of sign-out, the idle and absolute lifetimes, "keep me
 * signed in" and the secret's rotation, with real iron-session and jose
 * (next/headers and the configuration are the harness's, the proofs are
 * signed with WebCrypto as a browser's). The protocol over HTTP, and in a
 * real Chromium, is in e2e/flows/device-bound.spec.ts and e2e/proxy/.
 */
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { deviceKey, parseChallenge, proof } from "../../e2e/support/dbsc-client";
import { at, Browser, clientAddress, from, SECRET as A, T0, testConfig } from "../../e2e/support/session-harness";
import { destroySession, getSession, signIn, updateSession, type SessionConfig } from "../session";
import { offerBinding, refresh, register } from "./device-bound";
import { redisStore } from "./redis";

vi.mock("next/headers", () => import("../../e2e/support/session-harness").then((harness) => harness.nextHeaders));
vi.mock("next/server", () => import("../../e2e/support/session-harness").then((harness) => harness.nextServer()));
vi.mock("@/lib/config", () => import("../../e2e/support/session-harness").then((harness) => harness.appConfig));
afterEach(() => void vi.useRealTimers());

const B = "secret-b-".padEnd(40, "b");
/** A 60 s idle and 300 s absolute lifetime (the harness's), bound cookies of 20 s. */
const bound = (overrides: Partial<SessionConfig> = {}) => testConfig({ deviceLifetime: 20, ...overrides });
const post = (path: string, headers: Record<string, string>) =>
  new Request(`http://localhost${path}`, {
    method: "POST",
    headers: { origin: "http://localhost", host: "localhost", ...headers },
  });

/** Signs alice in and binds her session to a new key, as a browser with DBSC does; returns the browser and key. */
async function boundBrowser(config = bound(), remember = false) {
  const browser = from(new Browser(), config);
  const { createdAt } = await signIn("alice", remember);
  await offerBinding("alice", createdAt);
  const offer = browser.values.get("session-offer")!;
  const key = await deviceKey();
  const response = await register(
    post("/auth/dbsc/register", { "secure-session-response": await proof(key, offer, { register: true }) }),
  );
  expect(response.status, await response.clone().text()).toBe(200);
  expect(browser.values.has("session-offer"), "the offer is spent").toBe(false);
  const { session_identifier: id } = (await response.json()) as { session_identifier: string };
  return { browser, key, id };
}

/** A whole renewal: the 403 with a challenge, then the challenge signed with `key`. */
async function renew(key: CryptoKeyPair, id: string) {
  const asked = await refresh(post("/auth/dbsc/refresh", { "sec-secure-session-id": id }));
  if (asked.status !== 403) return asked;
  const { challenge } = parseChallenge(asked.headers.get("secure-session-challenge"))!;
  return refresh(
    post("/auth/dbsc/refresh", { "sec-secure-session-id": id, "secure-session-response": await proof(key, challenge) }),
  );
}

/** The page's view: who is signed in with the browser's page cookie (the long-lived one never reaches a page). */
async function pageUser(browser: Browser, config = bound()) {
  const page = new Browser({ session: browser.values.get("session") ?? "" });
  from(page, config);
  const user = (await getSession())?.data.user ?? null;
  from(browser, config);
  return user;
}

describe("a bound session's window", () => {
  it("opens pages until its window closes, and again once the key renewed it", async () => {
    at(0);
    const { browser, key, id } = await boundBrowser();
    expect(browser.written.get("session")).toMatchObject({ maxAge: 20, path: "/" });
    expect(browser.written.get("session-device")).toMatchObject({ path: "/auth/dbsc" });
    expect(await pageUser(browser)).toBe("alice");
    at(20);
    expect(await pageUser(browser), "the window has closed").toBeNull();
    // The long-lived cookie as the page's: its window is as old as the copy.
    const forged = new Browser({ session: browser.values.get("session-device")! });
    from(forged, bound());
    expect(await getSession()).toBeNull();
    from(browser, bound());
    expect((await renew(key, id)).status).toBe(200);
    expect(await pageUser(browser)).toBe("alice");
    expect((await getSession())?.data.device).toMatchObject({ until: T0 + 40, refreshes: 1 });
  });

  it("a renewal before the window closes gives the page's cookie a whole window", async () => {
    at(0);
    const { browser, key, id } = await boundBrowser();
    at(12);
    expect((await renew(key, id)).status).toBe(200);
    expect(browser.written.get("session"), "Max-Age from the renewal, not what was left").toMatchObject({ maxAge: 20 });
  });

  it("cannot be renewed by another key, nor with a challenge spent by a renewal", async () => {
    at(0);
    const { key, id } = await boundBrowser();
    expect((await renew(await deviceKey(), id)).status).toBe(401);
    const asked = await refresh(post("/auth/dbsc/refresh", { "sec-secure-session-id": id }));
    const signed = await proof(key, parseChallenge(asked.headers.get("secure-session-challenge"))!.challenge);
    const headers = { "sec-secure-session-id": id, "secure-session-response": signed };
    expect((await refresh(post("/auth/dbsc/refresh", headers))).status).toBe(200);
    expect((await refresh(post("/auth/dbsc/refresh", headers))).status, "spent").toBe(403);
  });

  it("refuses a challenge past its 60 seconds", async () => {
    at(0);
    const { key, id } = await boundBrowser(bound({ lifetime: 600, absoluteLifetime: 3_600, deviceLifetime: 600 }));
    const asked = await refresh(post("/auth/dbsc/refresh", { "sec-secure-session-id": id }));
    const signed = await proof(key, parseChallenge(asked.headers.get("secure-session-challenge"))!.challenge);
    at(121); // iron-session allows 60 s of clock skew beyond the 60 s
    const late = await refresh(
      post("/auth/dbsc/refresh", { "sec-secure-session-id": id, "secure-session-response": signed }),
    );
    expect(late.status).toBe(403);
  });
});

describe("what a bound session keeps of the session's rules", () => {
  it("sign-out: both cookies go, and a renewal is refused for good", async () => {
    at(0);
    const { browser, key, id } = await boundBrowser();
    await destroySession();
    expect(browser.values.has("session-device")).toBe(false);
    const after = await renew(key, id);
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ session_identifier: id, continue: false });
  });

  it("the idle and the absolute lifetime end it, renewals or not", async () => {
    at(0);
    const idle = await boundBrowser();
    at(61);
    expect((await renew(idle.key, idle.id)).status, "unused for the idle lifetime").toBe(401);

    at(0);
    const busy = await boundBrowser();
    for (let t = 15; t < 300; t += 15) {
      at(t);
      expect((await renew(busy.key, busy.id)).status, `renewal at ${t} s`).toBe(200);
    }
    at(300);
    expect((await renew(busy.key, busy.id)).status, "the absolute lifetime").toBe(401);
  });

  it('"keep me signed in": the long-lived cookie outlives the browser, or goes with it', async () => {
    at(0);
    const kept = await boundBrowser(bound(), true);
    expect(kept.browser.written.get("session-device")?.maxAge).toBe(60);
    expect(kept.browser.written.get("session")?.maxAge, "the page's cookie: the window").toBe(20);
    const plain = await boundBrowser(bound(), false);
    expect(plain.browser.written.get("session-device")?.maxAge).toBeUndefined();
  });

  it("a secret rotated meanwhile: the key still renews, and the session opens pages", async () => {
    at(0);
    const { browser, key, id } = await boundBrowser(bound({ secret: A }));
    const rotated = bound({ secret: B, fallbackSecrets: [A] });
    from(browser, rotated);
    at(25);
    expect((await renew(key, id)).status).toBe(200);
    expect(await pageUser(browser, rotated)).toBe("alice");
  });

  it("turned off: a renewal with the key unbinds the session instead, and it goes on; without it, nothing", async () => {
    at(0);
    const { browser, key, id } = await boundBrowser();
    from(browser, testConfig()); // no deviceLifetime
    expect((await renew(await deviceKey(), id)).status, "a copied jar cannot unbind it").toBe(401);
    const ended = await renew(key, id);
    expect(await ended.json()).toEqual({ session_identifier: id, continue: false });
    expect(browser.values.has("session-device"), "the long-lived copy goes").toBe(false);
    at(30);
    expect(await pageUser(browser, testConfig())).toBe("alice");
    expect((await getSession())?.data.device).toBeUndefined();
  });

  it("a session too large for a cookie with the key gets a 413, never a 500", async () => {
    at(0);
    const browser = from(new Browser(), bound());
    const { createdAt } = await signIn("alice", false);
    await updateSession((data) => void (data.values.big = "x".repeat(2_600)));
    await offerBinding("alice", createdAt);
    const key = await deviceKey("RS256");
    const jwt = await proof(key, browser.values.get("session-offer")!, { register: true });
    const response = await register(post("/auth/dbsc/register", { "secure-session-response": jwt }));
    expect(response.status).toBe(413);
    expect((await response.json()).error).toMatch(/would not fit in a cookie/);
  });
});

describe("with the Redis store", () => {
  let prefixes = 0;
  const redis = () =>
    bound({
      store: redisStore({ url: inject("redisUrl"), keyPrefix: `dbsc-${++prefixes}:`, clientAddress }),
      lifetime: 600,
      absoluteLifetime: 3_600,
    });

  it("a copied page cookie dies with its own window, however often the real browser renews the record's", async () => {
    at(0);
    const config = redis();
    const { browser, key, id } = await boundBrowser(config);
    const thief = new Browser({ session: browser.values.get("session")! });
    for (let t = 10; t < 60; t += 10) {
      at(t);
      from(browser, config);
      expect((await renew(key, id)).status).toBe(200);
      // The thief writes (the playground) to get a cookie written from the record, window and all.
      from(thief, config);
      await updateSession((data) => void (data.values.t = String(t)));
    }
    from(thief, config);
    expect((await getSession())?.data.user, "the copy's window closed at 20 s").toBeUndefined();
    expect(await pageUser(browser, config)).toBe("alice");
  });

  it("a renewal before the window closes gives the page's cookie a whole window", async () => {
    at(0);
    const config = redis();
    const { browser, key, id } = await boundBrowser(config);
    at(12);
    expect((await renew(key, id)).status).toBe(200);
    expect(browser.written.get("session")).toMatchObject({ maxAge: 20 });
  });

  it("sign-out ends the record, and both cookies go", async () => {
    at(0);
    const config = redis();
    const { browser } = await boundBrowser(config);
    const record = browser.values.get("session-device")!; // with Redis, the long-lived cookie is the id
    await destroySession();
    expect(await config.store!.load(record)).toBeNull();
    expect(browser.written.get("session-device")).toMatchObject({ maxAge: 0, path: "/auth/dbsc" });
  });

  it("one signed challenge renews once, even sent twice at once: the other gets a fresh challenge", async () => {
    at(0);
    const config = redis();
    const { browser, key, id } = await boundBrowser(config);
    const asked = await refresh(post("/auth/dbsc/refresh", { "sec-secure-session-id": id }));
    const signed = await proof(key, parseChallenge(asked.headers.get("secure-session-challenge"))!.challenge);
    const headers = { "sec-secure-session-id": id, "secure-session-response": signed };
    const answers = await Promise.all([1, 2].map(() => refresh(post("/auth/dbsc/refresh", headers))));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 403]);
    expect(answers.find((answer) => answer.status === 403)!.headers.get("secure-session-challenge")).toBeTruthy();
    expect((await config.store!.load(browser.values.get("session-device")!))?.device?.refreshes).toBe(1);
  });

  it("a renewal that a sign-out overtakes is a 401 that ends the browser's session, never a 500", async () => {
    at(0);
    const config = redis();
    const { browser, key, id } = await boundBrowser(config);
    const store = config.store!;
    // The sign-out lands between the renewal's read of the record and its write.
    const overtaken: typeof store = {
      ...store,
      update: async (...args) => (await store.destroy(args[0]), store.update(...args)),
    };
    from(browser, { ...config, store: overtaken });
    const response = await renew(key, id);
    expect(response.status, await response.clone().text()).toBe(401);
    expect(await response.json()).toMatchObject({ session_identifier: id, continue: false });
  });
});
