/**
 * lib/session.ts through what pages, actions and the middleware call, with
 * the real iron-session (next/headers and the app's configuration are the
 * harness's): sign-in, changes, sign-out, expiry to the second, the sliding
 * refresh, rotation, tampering and size. The Redis store is in
 * lib/session/redis/store.test.ts; cookies of earlier versions in session-upgrade.test.ts.
 */
import { sealData, unsealData } from "iron-session";
import { NextRequest, NextResponse } from "next/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { at, Browser, current, from, SECRET as A, T0, testConfig } from "../e2e/support/session-harness";
import { flip } from "../e2e/support/tamper";
import {
  destroySession,
  getSession,
  readRequestSession,
  SessionTooLargeError,
  signIn,
  updateSession,
  type SessionConfig,
} from "./session";

vi.mock("next/headers", () => import("../e2e/support/session-harness").then((harness) => harness.nextHeaders));
vi.mock("next/server", () => import("../e2e/support/session-harness").then((harness) => harness.nextServer()));
vi.mock("@/lib/config", () => import("../e2e/support/session-harness").then((harness) => harness.appConfig));
afterEach(() => void vi.useRealTimers());

const B = "secret-b-".padEnd(40, "b");
const C = "secret-c-".padEnd(40, "c");
const NAME = "session";

/** Signs alice in from a new browser; returns the browser and its cookie. */
async function signedIn(config = testConfig(), remember = false) {
  const browser = from(new Browser(), config);
  await signIn("alice", remember);
  return { browser, seal: browser.values.get(config.cookieName)! };
}

/** Who a later request with this cookie is, under `config`. */
async function userOf(seal: string, config = testConfig()) {
  from(new Browser({ [config.cookieName]: seal }), config);
  return (await getSession())?.data.user ?? null;
}

/** The password id the current secret seals with (the second field of a seal). */
const keyId = async (config = testConfig()) => (await signedIn(config)).seal.split("*")[1];

/** What the middleware makes of a request with this cookie: its view, and the cookie it sends back. */
async function middleware(seal: string | undefined, config: SessionConfig = testConfig()) {
  current.config = config;
  const cookie = seal ? { cookie: `${config.cookieName}=${seal}` } : undefined;
  const view = await readRequestSession(new NextRequest("http://localhost/students", { headers: cookie }));
  return { view, cookie: view.update(NextResponse.next()).cookies.get(config.cookieName) };
}

describe("sign-in, reading, sign-out", () => {
  it("signs in with an encrypted Fe26.2 cookie that a later request opens", async () => {
    at(0);
    const { seal } = await signedIn();
    expect(seal).toMatch(/^Fe26\.2\*\d+\*/);
    expect(seal).not.toContain("alice");
    from(new Browser({ [NAME]: seal }));
    const session = await getSession();
    expect(session).toMatchObject({ data: { user: "alice", permanent: false, createdAt: T0 }, expiresAt: T0 + 60 });
    expect(session?.cookieBytes).toBe(Buffer.byteLength(`${NAME}=${seal}`));
  });

  it("writes a browser-session cookie, or with “remember me” one whose Max-Age is the lifetime", async () => {
    at(0);
    const plain = await signedIn();
    expect(plain.browser.written.get(NAME)).toEqual({ httpOnly: true, secure: false, sameSite: "lax", path: "/" });
    const remembered = await signedIn(testConfig(), true);
    expect(remembered.browser.written.get(NAME)).toMatchObject({ maxAge: 60 });
    const secure = await signedIn(testConfig({ secure: true, cookieName: "__Host-session" }));
    expect(secure.browser.written.get("__Host-session")).toMatchObject({ secure: true });
  });

  it("keeps a signed-in cookie, name included, near 300 bytes: the seal carries no expiration of its own", async () => {
    at(0);
    const config = testConfig({ cookieName: "__Host-session", secure: true, lifetime: 31 * 86_400 });
    const plain = (await signedIn(config)).seal;
    const remembered = (await signedIn(config, true)).seal;
    expect(Buffer.byteLength(`__Host-session=${plain}`)).toBeLessThanOrEqual(300);
    expect(Buffer.byteLength(`__Host-session=${remembered}`)).toBeLessThanOrEqual(320);
    expect(plain.split("*")[5]).toBe(""); // Fe26.2's expiration field: the session's own timestamps decide
  });

  it("carries the values set before a sign-in over it, and restarts the absolute lifetime", async () => {
    at(0);
    const browser = from();
    await updateSession((data) => void (data.values.theme = "dark"));
    at(30);
    await signIn("alice", false);
    const session = await getSession();
    expect(session?.data).toMatchObject({ user: "alice", values: { theme: "dark" }, createdAt: T0 + 30 });
    expect(browser.values.size).toBe(1);
  });

  it("signs out by expiring the cookie with the attributes it was set with, and says who it was", async () => {
    at(0);
    const config = testConfig({ secure: true, cookieName: "__Host-session" });
    const { browser } = await signedIn(config, true);
    const tag = (await middleware(browser.values.get("__Host-session"), config)).view;
    expect(tag.maybeSignedIn).toBe(true);
    from(browser, config);
    const ended = await destroySession();
    expect(ended.user).toBe("alice");
    expect(ended.tag).toMatch(/^[0-9a-f]{12}$/);
    expect(browser.written.get("__Host-session")).toEqual({
      httpOnly: true,
      secure: true,
      sameSite: "lax",
      path: "/",
      maxAge: 0,
      expires: new Date(0), // e2e/site/expiring-cookies.spec.ts says why
    });
    expect(browser.values.get("__Host-session")).toBeUndefined();
    expect(await destroySession()).toEqual({ user: undefined, tag: undefined });
  });
});

describe("changing the session", () => {
  it("sets, deletes and toggles permanent; a session left empty loses its cookie", async () => {
    at(0);
    const browser = from();
    await updateSession((data) => void (data.values.colour = "blue"));
    expect(browser.written.get(NAME)?.maxAge).toBeUndefined();
    await updateSession((data) => void (data.permanent = true));
    expect(browser.written.get(NAME)?.maxAge).toBe(60);
    const had = await updateSession((data) => {
      data.permanent = false;
      return delete data.values.colour;
    });
    expect(had).toBe(true);
    expect(browser.values.get(NAME)).toBeUndefined();
    expect(browser.written.get(NAME)?.maxAge).toBe(0);
  });

  it("stores any key, Object.prototype's names included", async () => {
    at(0);
    from();
    await updateSession((data) => {
      data.values["__proto__"] = "p";
      data.values["constructor"] = "c";
    });
    expect(Object.entries((await getSession())!.data.values)).toEqual([
      ["__proto__", "p"],
      ["constructor", "c"],
    ]);
  });

  it("refuses, writing nothing, a session that a browser would drop", async () => {
    at(0);
    const browser = from();
    await updateSession((data) => {
      data.values.a = "x".repeat(1000);
      data.values.b = "y".repeat(1000);
    });
    const before = browser.values.get(NAME);
    const error = await updateSession((data) => void (data.values.c = "z".repeat(1000))).catch((caught) => caught);
    expect(error).toBeInstanceOf(SessionTooLargeError);
    expect((error as SessionTooLargeError).bytes).toBeGreaterThan(4096);
    expect((error as Error).message).toMatch(/browsers keep at most 4096/);
    expect(browser.values.get(NAME)).toBe(before);
  });
});

describe("expiry, to the second", () => {
  it("ends a session unused for the idle lifetime", async () => {
    at(0);
    const { seal } = await signedIn();
    at(59);
    expect(await userOf(seal)).toBe("alice");
    at(60);
    expect(await userOf(seal)).toBeNull();
  });

  it("ends even an active session at the absolute lifetime", async () => {
    at(0);
    const { browser } = await signedIn();
    for (let t = 50; t < 300; t += 50) {
      at(t); // used every 50 s, within the 60 s idle lifetime: it slides
      from(browser);
      await updateSession(() => {});
      expect((await getSession())?.data.user, `at ${t} s`).toBe("alice");
    }
    at(299);
    expect(await userOf(browser.values.get(NAME)!)).toBe("alice");
    at(300);
    expect(await userOf(browser.values.get(NAME)!)).toBeNull();
  });

  it("is enforced where iron-session alone would accept the seal forever", async () => {
    at(0);
    const { seal } = await signedIn();
    at(1_000);
    expect(await unsealData(seal, { password: { [seal.split("*")[1]]: A } })).toMatchObject({ u: "alice" });
    expect(await userOf(seal)).toBeNull();
  });
});

describe("secret rotation", () => {
  it("opens a cookie sealed with any configured secret, whatever the order", async () => {
    at(0);
    const { seal } = await signedIn(testConfig({ secret: A }));
    for (const [secret, fallbacks] of [
      [A, []],
      [B, [A]],
      [B, [C, A]],
      [B, [A, C]],
      [C, [B, A]],
    ] as const) {
      expect(await userOf(seal, testConfig({ secret, fallbackSecrets: fallbacks })), `${secret} + ${fallbacks}`).toBe(
        "alice",
      );
    }
    expect(await userOf(seal, testConfig({ secret: B }))).toBeNull();
    expect(await userOf(seal, testConfig({ secret: B, fallbackSecrets: [C] }))).toBeNull();
  });

  it("seals new cookies with the current secret only", async () => {
    at(0);
    const { seal } = await signedIn(testConfig({ secret: B, fallbackSecrets: [A] }));
    expect(await userOf(seal, testConfig({ secret: B }))).toBe("alice");
    expect(await userOf(seal, testConfig({ secret: A }))).toBeNull();
  });

  it("does not serve an opened cookie once its secret is no longer configured", async () => {
    at(0);
    const { seal } = await signedIn(testConfig({ secret: A }));
    expect(await userOf(seal, testConfig({ secret: B, fallbackSecrets: [A] }))).toBe("alice"); // opened once now
    expect(await userOf(seal, testConfig({ secret: B }))).toBeNull();
  });
});

describe("cookies that are not a live session", () => {
  it.each([
    ["garbage", () => "garbage"],
    ["truncated", (seal: string) => seal.slice(0, -8)],
    // iron-session ignores what follows the seal's "~" (outside its MAC): a cookie is as it was sealed, or nothing.
    ["one character short", (seal: string) => seal.slice(0, -1)],
    ["two characters short", (seal: string) => seal.slice(0, -2)],
    ["one character longer", (seal: string) => `${seal}x`],
    ["re-versioned", (seal: string) => seal.replace(/~2$/, "~3")],
    ["double-suffixed", (seal: string) => `${seal}~2`],
    ["bit-flipped ciphertext", (seal: string) => flip(seal, seal.split("*").slice(0, 4).join("*").length + 3)],
    ["bit-flipped mac", (seal: string) => flip(seal, seal.length - 6)],
    ["different password id", (seal: string) => seal.replace(/^Fe26\.2\*\d+/, "Fe26.2*1")],
    ["prototype id", (seal: string) => seal.replace(/^Fe26\.2\*\d+/, "Fe26.2*constructor")],
  ])("treats a %s cookie as no session, and the middleware expires it", async (_name, tamper) => {
    at(0);
    const { seal } = await signedIn();
    expect(await userOf(tamper(seal))).toBeNull();
    const { view, cookie } = await middleware(tamper(seal));
    expect(view).toMatchObject({ maybeSignedIn: false, rejected: { tag: expect.stringMatching(/^[0-9a-f]{12}$/) } });
    expect(cookie).toMatchObject({ value: "", maxAge: 0 });
  });

  it("refuses a well-sealed payload that is not a session (another app with the same secret, say)", async () => {
    at(0);
    const id = await keyId();
    for (const payload of [
      {},
      { u: "alice" },
      { c: "1", r: 1 },
      { c: 1, r: 1, u: 5 },
      { c: 1, r: 1, v: { k: 1 } },
      [1, 2],
    ]) {
      const seal = await sealData(payload, { password: { [id]: A }, ttl: 3600 });
      expect(await userOf(seal), JSON.stringify(payload)).toBeNull();
      expect((await middleware(seal)).view.rejected?.reason).toBe("malformed");
    }
  });

  it("opens a seal made by iron-session's own sealData with our password id", async () => {
    at(0);
    const theirs = await sealData({ u: "bob", c: T0, r: T0 }, { password: { [await keyId()]: A }, ttl: 3600 });
    expect(await userOf(theirs)).toBe("bob");
  });
});

describe("the middleware's view, from the cookie alone", () => {
  it("knows nothing without a cookie, and changes nothing", async () => {
    const { view, cookie } = await middleware(undefined);
    expect(view).toMatchObject({ maybeSignedIn: false, rejected: undefined });
    expect(cookie).toBeUndefined();
  });

  it("sees a live signed-in session, and leaves its cookie alone until a refresh is due", async () => {
    at(0);
    const { seal } = await signedIn();
    at(5);
    expect(await middleware(seal)).toMatchObject({ view: { maybeSignedIn: true }, cookie: undefined });
  });

  it("slides a session in use forward: a new cookie, refreshed now, with the same Max-Age rules", async () => {
    at(0);
    const { seal } = await signedIn(testConfig(), true);
    at(6); // a tenth of the 60 s lifetime
    const { view, cookie } = await middleware(seal);
    expect(view.maybeSignedIn).toBe(true);
    expect(cookie).toMatchObject({ maxAge: 60, httpOnly: true, sameSite: "lax", path: "/" });
    at(65); // past the first cookie's idle lifetime, within the refreshed one's
    expect(await userOf(seal)).toBeNull();
    expect(await userOf(cookie!.value)).toBe("alice");
  });

  it("expires a dead cookie and says why", async () => {
    at(0);
    const { seal } = await signedIn();
    at(61);
    expect(await middleware(seal)).toMatchObject({
      view: { maybeSignedIn: false, rejected: { reason: "idle-expired" } },
      cookie: { value: "", maxAge: 0 },
    });
  });

  it("does not take a visitor with values but no user for signed in", async () => {
    at(0);
    const browser = from();
    await updateSession((data) => void (data.values.theme = "dark"));
    expect((await middleware(browser.values.get(NAME))).view).toMatchObject({
      maybeSignedIn: false,
      rejected: undefined,
    });
  });
});
