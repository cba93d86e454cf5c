/** What the middleware learns from a cookie alone, and how it slides a session forward. */
import { sealData } from "iron-session";
import { describe, expect, it } from "vitest";
import { memoryJar } from "./memory-jar";
import { inspectCookie } from "./proxy";
import { createSessions } from "./sessions";
import { at, cookieFor as cookieOf, keyIdOf, T0, testConfig as sessionConfig } from "./test-support";

describe("the middleware's view of a cookie store session", () => {
  it("knows nothing without a cookie, and changes nothing", async () => {
    expect(await inspectCookie(undefined, sessionConfig())).toEqual({
      maybeSignedIn: false,
      usesServerStore: false,
      update: null,
    });
  });

  it("sees a live signed-in session, and leaves its cookie alone until a refresh is due", async () => {
    at(0);
    const seal = await cookieOf((data) => {
      data.user = "alice";
    });
    at(5); // the refresh interval of a 60 s lifetime is 6 s
    expect(await inspectCookie(seal, sessionConfig())).toMatchObject({ maybeSignedIn: true, update: null });
  });

  it("slides a session in use forward: a new cookie, refreshed now, with the same Max-Age rules", async () => {
    at(0);
    const seal = await cookieOf((data) => {
      data.user = "alice";
      data.permanent = true;
    });
    at(40);
    const view = await inspectCookie(seal, sessionConfig());
    expect(view.maybeSignedIn).toBe(true);
    expect(view.update?.value).not.toBe(seal);
    expect(view.update?.options.maxAge).toBe(60);
    at(99); // 59 s after the refresh, 99 s after sign-in: alive only because it slid
    const later = await createSessions(sessionConfig()).get(memoryJar({ session: view.update!.value }));
    expect(later?.data).toMatchObject({ user: "alice", refreshedAt: T0 + 40 });
  });

  it("expires a dead cookie and says why, with the cookie's tag for the log", async () => {
    at(0);
    const seal = await cookieOf((data) => {
      data.user = "alice";
    });
    at(60);
    const view = await inspectCookie(seal, sessionConfig());
    expect(view).toMatchObject({ maybeSignedIn: false, rejected: { reason: "idle-expired" } });
    expect(view.rejected?.tag).toMatch(/^[0-9a-f]{12}$/);
    expect(view.update).toMatchObject({ value: "", options: { maxAge: 0 } });
    expect((await inspectCookie("garbage", sessionConfig())).rejected?.reason).toBe("invalid");
  });

  it("does not take a visitor with values but no user for signed in", async () => {
    at(0);
    const seal = await cookieOf((data) => {
      data.values.k = "v";
    });
    expect(await inspectCookie(seal, sessionConfig())).toMatchObject({ maybeSignedIn: false, update: null });
  });
});

describe("the middleware's view of a server-side session", () => {
  it("takes a genuine id cookie for maybe signed in, without asking the store", async () => {
    // Nothing listens on port 1: any store call would fail.
    const config = sessionConfig({ store: { kind: "redis", url: "redis://127.0.0.1:1", keyPrefix: "x:" } });
    const passwordId = await keyIdOf();
    const seal = await sealData({ i: "A".repeat(43) }, { password: { [passwordId]: config.secret }, ttl: 3600 });
    expect(await inspectCookie(seal, config)).toMatchObject({
      maybeSignedIn: true,
      usesServerStore: true,
      update: null,
    });
    const notAnId = await sealData({ i: "short" }, { password: { [passwordId]: config.secret }, ttl: 3600 });
    expect((await inspectCookie(notAnId, config)).rejected?.reason).toBe("malformed");
  });
});
