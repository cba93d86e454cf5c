/** lib/session.ts with the Redis store, as pages and actions call it, against a real redis-server. */
import { NextRequest } from "next/server";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { at, Browser, current, from, testConfig } from "../../../e2e/support/session-harness";
import { destroySession, getSession, readRequestSession, signIn, updateSession } from "../../session";
import { redisStore } from ".";
import { clientAddress } from "../../../e2e/support/session-harness";

vi.mock("next/headers", () => import("../../../e2e/support/session-harness").then((harness) => harness.nextHeaders));
vi.mock("next/server", () => import("../../../e2e/support/session-harness").then((harness) => harness.nextServer()));
vi.mock("@/lib/config", () => import("../../../e2e/support/session-harness").then((harness) => harness.appConfig));
afterEach(() => void vi.useRealTimers());

let prefixes = 0;
/** A Redis-store configuration with keys of its own. */
const config = () =>
  testConfig({
    store: redisStore({ url: inject("redisUrl"), keyPrefix: `core-${++prefixes}:`, clientAddress }),
    lifetime: 600,
    absoluteLifetime: 3_600,
  });
const device = (userAgent: string) => new Headers({ "user-agent": userAgent });

describe("server-side sessions", () => {
  it("signs in with a new id, and the session id of before sign-in is worth nothing after", async () => {
    const settings = config();
    const browser = from(new Browser(), settings);
    await updateSession((data) => void (data.values.theme = "dark"));
    const planted = browser.values.get("session")!;
    await signIn("alice", false);
    expect(browser.values.get("session")).not.toBe(planted);
    expect((await getSession())?.data).toMatchObject({ user: "alice", values: { theme: "dark" } });
    from(new Browser({ session: planted }), settings);
    expect(await getSession()).toBeNull();
  });

  it("gives a cookie that is the id itself (58 bytes as __Host-session), living to the absolute lifetime", async () => {
    const browser = from(new Browser(), config());
    await signIn("alice", true);
    const value = browser.values.get("session")!;
    expect(value).toMatch(/^[\w-]{43}$/);
    expect(Buffer.byteLength(`__Host-session=${value}`)).toBe(58);
    expect(browser.written.get("session")?.maxAge).toBe(3_600);
  });

  it("takes a made-up id for no session, and the middleware turns away a cookie that is no id without the store", async () => {
    const settings = config();
    for (const value of ["A".repeat(43), "x".repeat(42), `${"A".repeat(43)}.sig`, "Fe26.2*1*garbage"]) {
      from(new Browser({ session: value }), settings);
      expect(await getSession(), value).toBeNull();
    }
    const view = await readRequestSession(new NextRequest("http://localhost/", { headers: { cookie: "session=x" } }));
    expect(view).toMatchObject({ maybeSignedIn: false, rejected: { reason: "malformed" } });
  });

  it("keeps sessions through a rotation of the secret: the id involves none", async () => {
    const settings = config();
    const browser = from(new Browser(), settings);
    await signIn("alice", false);
    from(browser, { ...settings, secret: "the next secret, of at least thirty-two characters" });
    expect((await getSession())?.data.user).toBe("alice");
  });

  it("seals the id with sealedIds, as earlier releases did, and opens both kinds either way", async () => {
    const sealed = { ...config(), sealedIds: true };
    const browser = from(new Browser(), sealed);
    await signIn("alice", false);
    const value = browser.values.get("session")!;
    expect(value).toMatch(/^Fe26\.2\*/);
    from(new Browser({ session: value }), { ...sealed, sealedIds: false });
    expect((await getSession())?.data.user).toBe("alice");
    await updateSession((data) => void (data.values.theme = "dark"));
    expect(current.browser.values.get("session")).toMatch(/^[\w-]{43}$/);
  });

  it("signs out for good: a copy of the cookie replayed afterwards is anonymous", async () => {
    const settings = config();
    const browser = from(new Browser(), settings);
    await signIn("alice", false);
    const copy = browser.values.get("session")!;
    expect((await destroySession()).user).toBe("alice");
    from(new Browser({ session: copy }), settings);
    expect(await getSession()).toBeNull();
  });

  it("keeps a value set while another change removes the last one it saw: the session and its cookie stay", async () => {
    const settings = config();
    const browser = from(new Browser(), settings);
    await updateSession((data) => void (data.values.a = "1"));
    const cookie = browser.values.get("session")!;
    await updateSession(async (data) => {
      delete data.values.a; // this change read { a }; before it writes, another request of the visitor sets b
      from(new Browser({ session: cookie }), settings);
      expect(await updateSession((other) => void (other.values.b = "2"))).toBeUndefined();
      from(browser, settings);
    });
    expect(browser.values.get("session")).toBe(cookie);
    expect({ ...(await getSession())?.data.values }).toEqual({ b: "2" });
    await updateSession((data) => void delete data.values.b); // now nothing is left: no session, no cookie
    expect(browser.values.has("session")).toBe(false);
    from(new Browser({ session: cookie }), settings);
    expect(await getSession()).toBeNull();
  });

  it("slides a session in use forward in the store, and leaves the cookie as it is", async () => {
    const settings = config();
    at(0);
    const browser = from(new Browser(), settings);
    await signIn("alice", false);
    const cookie = browser.values.get("session");
    at(500); // the idle lifetime is 600 s, the refresh interval 60 s
    expect((await getSession())?.data.refreshedAt).toBe(1_800_000_500);
    at(1_000); // 1,000 s after sign-in: alive because it slid at 500
    expect((await getSession())?.data.user).toBe("alice");
    expect(browser.values.get("session")).toBe(cookie);
  });

  it("lasts the anonymous lifetime at most when nobody signs in, however active", async () => {
    const settings = { ...config(), anonymousLifetime: 120 };
    at(0);
    from(new Browser(), settings);
    await updateSession((data) => void (data.values.theme = "dark"));
    at(100);
    await updateSession((data) => void (data.values.theme = "light"));
    expect((await getSession())?.expiresAt).toBe(1_800_000_120);
    at(120);
    expect(await getSession()).toBeNull();
  });

  it("lists where the user is signed in, and ends one session or all of them", async () => {
    const store = redisStore({ url: inject("redisUrl"), keyPrefix: `core-${++prefixes}:`, clientAddress });
    const settings = { ...config(), store };
    const devices: Record<string, Browser> = {};
    for (const name of ["phone", "laptop", "tablet"]) {
      devices[name] = from(new Browser(), settings, device(name));
      await signIn("bob", false);
    }
    from(devices.laptop, settings);
    const laptop = (await getSession())!;
    const listed = await store.list(laptop);
    expect(listed.map((entry) => [entry.userAgent, entry.current]).sort()).toEqual([
      ["laptop", true],
      ["phone", false],
      ["tablet", false],
    ]);
    const phone = listed.find((entry) => entry.userAgent === "phone")!.handle;
    expect(await store.end(laptop, phone)).toEqual({ ended: 1, signedOutHere: false });
    from(devices.phone, settings);
    expect(await getSession()).toBeNull();
    expect(await store.end(laptop, "all")).toEqual({ ended: 2, signedOutHere: true });
    from(devices.tablet, settings);
    expect(await getSession()).toBeNull();
  });

  it("is taken by the middleware for maybe signed in from a genuine cookie, without asking the store", async () => {
    const settings = {
      ...config(),
      store: redisStore({ url: "redis://127.0.0.1:1", keyPrefix: "nowhere:", clientAddress }),
    };
    const sealed = from(new Browser(), config());
    await signIn("alice", false);
    const cookie = `session=${sealed.values.get("session")}`;
    from(new Browser(), settings);
    const view = await readRequestSession(new NextRequest("http://localhost/students", { headers: { cookie } }));
    expect(view).toMatchObject({ maybeSignedIn: true, rejected: undefined });
  });
});
