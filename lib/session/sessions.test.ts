/**
 * The session layer through its core API, with an in-memory cookie jar and
 * the real iron-session: sign-in, update, sign-out, expiry, the absolute
 * cap, rotation, tampering and size. (The middleware's view, with the
 * sliding refresh, is in proxy.test.ts; Redis in stores/redis.test.ts.)
 */
import { sealData, unsealData } from "iron-session";
import { describe, expect, it } from "vitest";
import { flip } from "../../e2e/support/tamper";
import { SessionTooLargeError } from "./errors";
import { memoryJar, type MemoryJar } from "./memory-jar";
import { forgetAllSeals, sealCounts } from "./seal";
import { createSessions } from "./sessions";
import { at, jarWith, keyIdOf, SECRET as A, T0, testConfig as sessionConfig } from "./test-support";

const B = "secret-b-".padEnd(40, "b");
const C = "secret-c-".padEnd(40, "c");
const NAME = "session";

/** Signs alice in on a new jar; returns the jar (holding the cookie) and its seal. */
async function signedIn(config = sessionConfig(), remember = false): Promise<{ jar: MemoryJar; seal: string }> {
  const jar = memoryJar();
  await createSessions(config).signIn(jar, "alice", remember);
  return { jar, seal: jar.value(NAME)! };
}

/** What a later request with this cookie finds, under `config`. */
const userOf = async (seal: string, config = sessionConfig()) =>
  (await createSessions(config).get(memoryJar({ [NAME]: seal })))?.data.user ?? null;

describe("sign-in, reading, sign-out", () => {
  it("signs in with an encrypted Fe26.2 cookie that a later request opens", async () => {
    at(0);
    const { seal } = await signedIn();
    expect(seal).toMatch(/^Fe26\.2\*\d+\*/);
    expect(seal).not.toContain("alice");
    const session = await createSessions(sessionConfig()).get(memoryJar({ [NAME]: seal }));
    expect(session).toMatchObject({ data: { user: "alice", permanent: false, createdAt: T0 }, expiresAt: T0 + 60 });
    expect(session?.cookieBytes).toBe(Buffer.byteLength(seal));
  });

  it("writes a browser-session cookie, or with “remember me” one whose Max-Age is the lifetime", async () => {
    at(0);
    const plain = await signedIn();
    expect(plain.jar.options(NAME)).toEqual({ httpOnly: true, secure: false, sameSite: "lax", path: "/" });
    const remembered = await signedIn(sessionConfig(), true);
    expect(remembered.jar.options(NAME)).toMatchObject({ maxAge: 60 });
    const production = await signedIn(sessionConfig({ production: true, cookieName: "__Host-session" }));
    expect(production.jar.options("__Host-session")).toMatchObject({ secure: true });
  });

  it("keeps a signed-in cookie, name included, at most 300 bytes: the seal carries no expiration of its own", async () => {
    at(0);
    const config = sessionConfig({ cookieName: "__Host-session", production: true, lifetime: 31 * 86_400 });
    const jar = memoryJar();
    await createSessions(config).signIn(jar, "admin", false);
    const seal = jar.value("__Host-session")!;
    expect(Buffer.byteLength(`__Host-session=${seal}`)).toBeLessThanOrEqual(300);
    expect(seal.split("*")[5]).toBe(""); // Fe26.2's expiration field: the session's own timestamps decide
  });

  it("carries the playground's values over a sign-in, and restarts the absolute lifetime", async () => {
    at(0);
    const sessions = createSessions(sessionConfig());
    const jar = await jarWith((data) => void (data.values.theme = "dark"));
    at(30);
    const next = jar.next(); // a new request, with the cookie of the first
    await sessions.signIn(next, "alice", false);
    const session = await sessions.get(next.next());
    expect(session?.data).toMatchObject({ user: "alice", values: { theme: "dark" }, createdAt: T0 + 30 });
  });

  it("signs out by expiring the cookie with the attributes it was set with, and says who it was", async () => {
    at(0);
    const config = sessionConfig({ production: true, cookieName: "__Host-session" });
    const jar = memoryJar();
    const { tag } = await createSessions(config).signIn(jar, "alice", true);
    const ended = await createSessions(config).destroy(jar.next());
    expect(ended).toEqual({ user: "alice", tag });
    expect(tag).toMatch(/^[0-9a-f]{12}$/);
    const after = jar.next();
    await createSessions(config).destroy(after);
    expect(after.options("__Host-session")).toEqual({
      httpOnly: true,
      secure: true,
      sameSite: "lax",
      path: "/",
      maxAge: 0,
    });
    expect(after.value("__Host-session")).toBeUndefined();
  });
});

describe("changing the session", () => {
  it("sets, deletes and toggles permanent; a session left empty loses its cookie", async () => {
    at(0);
    const sessions = createSessions(sessionConfig());
    const jar = await jarWith((data) => void (data.values.colour = "blue"));
    expect(jar.options(NAME)?.maxAge).toBeUndefined();
    let next = jar.next();
    await sessions.update(next, (data) => {
      data.permanent = true;
    });
    expect(next.options(NAME)?.maxAge).toBe(60);
    next = next.next();
    await sessions.update(next, (data) => {
      data.permanent = false;
      delete data.values.colour;
    });
    expect(next.value(NAME)).toBeUndefined();
    expect(next.options(NAME)?.maxAge).toBe(0);
  });

  it("stores any key, Object.prototype's names included", async () => {
    at(0);
    const sessions = createSessions(sessionConfig());
    const jar = memoryJar();
    await sessions.update(jar, (data) => {
      data.values["__proto__"] = "p";
      data.values["constructor"] = "c";
    });
    const session = await sessions.get(jar.next());
    expect(Object.entries(session!.data.values)).toEqual([
      ["__proto__", "p"],
      ["constructor", "c"],
    ]);
  });

  it("refuses, writing nothing, a session that a browser would drop", async () => {
    at(0);
    const sessions = createSessions(sessionConfig());
    const jar = memoryJar();
    await sessions.update(jar, (data) => {
      data.values.a = "x".repeat(1000);
      data.values.b = "y".repeat(1000);
    });
    const before = jar.value(NAME);
    const next = jar.next();
    const error = await sessions
      .update(next, (data) => {
        data.values.c = "z".repeat(1000);
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SessionTooLargeError);
    expect((error as SessionTooLargeError).bytes).toBeGreaterThan(4096);
    expect((error as Error).message).toMatch(/browsers keep at most 4096/);
    expect(next.value(NAME)).toBe(before);
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
    const sessions = createSessions(sessionConfig());
    let jar = memoryJar();
    await sessions.signIn(jar, "alice", false);
    for (let t = 50; t < 300; t += 50) {
      at(t); // used every 50 s, within the 60 s idle lifetime: it slides
      jar = jar.next();
      await sessions.update(jar, () => {});
      expect((await sessions.get(jar.next()))?.data.user, `at ${t} s`).toBe("alice");
    }
    at(299);
    expect(await userOf(jar.value(NAME)!)).toBe("alice");
    at(300);
    expect(await userOf(jar.value(NAME)!)).toBeNull();
  });

  it("is enforced where iron-session alone would accept the seal forever", async () => {
    at(0);
    const { seal } = await signedIn();
    at(1_000);
    const id = seal.split("*")[1];
    expect(await unsealData(seal, { password: { [id]: A } })).toMatchObject({ u: "alice" });
    expect(await userOf(seal)).toBeNull();
  });
});

describe("secret rotation", () => {
  it("opens a cookie sealed with any configured secret, whatever the order", async () => {
    at(0);
    const { seal } = await signedIn(sessionConfig({ secret: A }));
    for (const [secret, fallbacks] of [
      [A, []],
      [B, [A]],
      [B, [C, A]],
      [B, [A, C]],
      [C, [B, A]],
    ] as const) {
      expect(
        await userOf(seal, sessionConfig({ secret, fallbackSecrets: fallbacks })),
        `${secret} + ${fallbacks}`,
      ).toBe("alice");
    }
    expect(await userOf(seal, sessionConfig({ secret: B }))).toBeNull();
    expect(await userOf(seal, sessionConfig({ secret: B, fallbackSecrets: [C] }))).toBeNull();
  });

  it("seals new cookies with the current secret only", async () => {
    at(0);
    const { seal } = await signedIn(sessionConfig({ secret: B, fallbackSecrets: [A] }));
    expect(await userOf(seal, sessionConfig({ secret: B }))).toBe("alice");
    expect(await userOf(seal, sessionConfig({ secret: A }))).toBeNull();
  });

  it("does not serve a cached session once its secret is no longer configured", async () => {
    at(0);
    const { seal } = await signedIn(sessionConfig({ secret: A }));
    expect(await userOf(seal, sessionConfig({ secret: B, fallbackSecrets: [A] }))).toBe("alice"); // now cached
    expect(await userOf(seal, sessionConfig({ secret: B }))).toBeNull();
  });
});

describe("opening each cookie once", () => {
  it("unseals a cookie once per process, and reads it once per request", async () => {
    at(0);
    const { seal } = await signedIn();
    forgetAllSeals();
    const sessions = createSessions(sessionConfig());
    const before = sealCounts();
    const jar = memoryJar({ [NAME]: seal });
    await sessions.get(jar);
    await sessions.get(jar); // the same request again
    await sessions.get(memoryJar({ [NAME]: seal })); // another request with the same cookie
    const after = sealCounts();
    expect([after.unsealed - before.unsealed, after.hits - before.hits]).toEqual([1, 1]);
  });

  it("does not unseal the cookie it has just written", async () => {
    at(0);
    const before = sealCounts();
    const { seal } = await signedIn();
    expect(await userOf(seal)).toBe("alice");
    expect(sealCounts().unsealed).toBe(before.unsealed);
  });
});

describe("cookies that are not a live session", () => {
  it.each([
    ["garbage", () => "garbage"],
    ["truncated", (seal: string) => seal.slice(0, -8)],
    ["bit-flipped ciphertext", (seal: string) => flip(seal, seal.split("*").slice(0, 4).join("*").length + 3)],
    ["bit-flipped mac", (seal: string) => flip(seal, seal.length - 6)],
    ["different password id", (seal: string) => seal.replace(/^Fe26\.2\*\d+/, "Fe26.2*1")],
    ["prototype id", (seal: string) => seal.replace(/^Fe26\.2\*\d+/, "Fe26.2*constructor")],
  ])("treats a %s cookie as no session", async (_name, tamper) => {
    at(0);
    const { seal } = await signedIn();
    expect(await userOf(tamper(seal))).toBeNull();
  });

  it("refuses a well-sealed payload that is not a session (another app with the same secret, say)", async () => {
    at(0);
    const id = await keyIdOf();
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
    }
  });

  it("opens a seal made by iron-session's own sealData with our key id", async () => {
    at(0);
    const id = await keyIdOf();
    const theirs = await sealData({ u: "bob", c: T0, r: T0 }, { password: { [id]: A }, ttl: 3600 });
    expect(await userOf(theirs)).toBe("bob");
  });
});
