import { sealData, unsealData } from "iron-session";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadConfig, type Config } from "./config";
import { openSession, refreshInterval, sealSession, SessionTooLargeError, type SessionData } from "./session";

const A = "secret-a-".padEnd(40, "a");
const B = "secret-b-".padEnd(40, "b");
const C = "secret-c-".padEnd(40, "c");

function config(secret: string, fallbacks: string[] = [], env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: "test",
    SESSION_SECRET: secret,
    SESSION_SECRET_FALLBACKS: fallbacks.join(","),
    ...env,
  });
}

const T0 = 1_800_000_000; // a fixed "now", in seconds

function session(overrides: Partial<SessionData> = {}): SessionData {
  return { user: "alice", permanent: false, values: {}, createdAt: T0, refreshedAt: T0, ...overrides };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("sealing and opening", () => {
  it("round-trips the session through an encrypted Fe26.2 cookie", async () => {
    const cfg = config(A);
    const data = session({ values: { colour: "blue" }, permanent: true });
    const { value } = await sealSession(data, cfg, T0);
    expect(value).toMatch(/^Fe26\.2\*\d+\*/);
    expect(value).not.toContain("alice");
    expect(value).not.toContain("blue");
    expect(await openSession(value, T0 + 1, cfg)).toEqual(data);
  });

  it("keeps a signed-in cookie, name included, at most 300 bytes: the seal carries no expiration of its own", async () => {
    const cfg = config(A, [], {
      NODE_ENV: "production",
      AUTH_USERS: "alice:scrypt.10.8.1.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    });
    const { value } = await sealSession(session({ user: "admin" }), cfg, T0);
    expect(cfg.cookieName).toBe("__Host-session");
    expect(Buffer.byteLength(`${cfg.cookieName}=${value}`)).toBeLessThanOrEqual(300);
    expect(value.split("*")[5]).toBe(""); // Fe26.2's expiration field: the session's own timestamps decide
  });

  it("is a plain iron-session seal: iron-session opens ours and we open iron-session's", async () => {
    const cfg = config(A);
    const { value } = await sealSession(session(), cfg, T0);
    const id = value.split("*")[1];
    expect(await unsealData(value, { password: { [id]: A } })).toMatchObject({ u: "alice", c: T0, r: T0 });
    const theirs = await sealData({ u: "bob", c: T0, r: T0 }, { password: { [id]: A }, ttl: 3600 });
    expect((await openSession(theirs, T0, cfg))?.user).toBe("bob");
  });

  it.each([
    ["garbage", "garbage"],
    ["empty", ""],
    ["truncated", (seal: string) => seal.slice(0, -8)],
    ["bit-flipped ciphertext", (seal: string) => flip(seal, seal.split("*").slice(0, 4).join("*").length + 3)],
    ["bit-flipped mac", (seal: string) => flip(seal, seal.length - 6)],
    ["different password id", (seal: string) => seal.replace(/^Fe26\.2\*\d+/, "Fe26.2*1")],
    ["prototype id", (seal: string) => seal.replace(/^Fe26\.2\*\d+/, "Fe26.2*constructor")],
  ])("treats a %s cookie as no session", async (_name, tamper) => {
    const cfg = config(A);
    const { value } = await sealSession(session(), cfg, T0);
    const bad = typeof tamper === "string" ? tamper : tamper(value);
    expect(await openSession(bad, T0, cfg)).toBeNull();
  });

  it("refuses a well-sealed payload that is not a session (e.g. from another app with the same secret)", async () => {
    const cfg = config(A);
    const { value } = await sealSession(session(), cfg, T0);
    const id = value.split("*")[1];
    for (const payload of [
      {},
      { u: "alice" },
      { c: "1", r: 1 },
      { c: 1, r: 1, u: 5 },
      { c: 1, r: 1, v: { k: 1 } },
      [1, 2],
      "x",
    ]) {
      const seal = await sealData(payload, { password: { [id]: A }, ttl: 3600 });
      expect(await openSession(seal, T0, cfg), JSON.stringify(payload)).toBeNull();
    }
  });
});

function flip(text: string, at: number): string {
  return text.slice(0, at) + (text[at] === "A" ? "B" : "A") + text.slice(at + 1);
}

describe("secret rotation", () => {
  it("opens a cookie sealed with any configured secret, whatever the order", async () => {
    const sealedWithA = (await sealSession(session(), config(A), T0)).value;
    for (const [secret, fallbacks] of [
      [A, []],
      [B, [A]],
      [B, [C, A]],
      [B, [A, C]],
      [C, [B, A]],
    ] as const) {
      expect(
        await openSession(sealedWithA, T0, config(secret, [...fallbacks])),
        `${secret} + ${fallbacks}`,
      ).not.toBeNull();
    }
    expect(await openSession(sealedWithA, T0, config(B))).toBeNull();
    expect(await openSession(sealedWithA, T0, config(B, [C]))).toBeNull();
  });

  it("seals new cookies with the current secret only", async () => {
    const { value } = await sealSession(session(), config(B, [A]), T0);
    expect(await openSession(value, T0, config(B))).not.toBeNull();
    expect(await openSession(value, T0, config(A))).toBeNull();
  });

  it("rotates twice: A, then B with A as fallback, then C with B as fallback", async () => {
    const stepA = config(A);
    const stepB = config(B, [A]);
    const stepC = config(C, [B]);
    const madeAtA = (await sealSession(session(), stepA, T0)).value;
    const madeAtB = (await sealSession(session(), stepB, T0)).value;
    const madeAtC = (await sealSession(session(), stepC, T0)).value;
    const opens = async (seal: string, cfg: Config) => (await openSession(seal, T0, cfg)) !== null;
    expect([await opens(madeAtA, stepA), await opens(madeAtA, stepB), await opens(madeAtA, stepC)]).toEqual([
      true,
      true,
      false,
    ]);
    expect([await opens(madeAtB, stepA), await opens(madeAtB, stepB), await opens(madeAtB, stepC)]).toEqual([
      false,
      true,
      true,
    ]);
    expect([await opens(madeAtC, stepA), await opens(madeAtC, stepB), await opens(madeAtC, stepC)]).toEqual([
      false,
      false,
      true,
    ]);
  });

  it("does not serve a cached session once its secret is no longer configured", async () => {
    const { value } = await sealSession(session(), config(B, [A]), T0);
    const sealedWithA = (await sealSession(session(), config(A), T0)).value;
    expect(await openSession(sealedWithA, T0, config(B, [A]))).not.toBeNull(); // now cached
    expect(await openSession(sealedWithA, T0, config(B))).toBeNull();
    expect(await openSession(value, T0, config(B))).not.toBeNull();
  });
});

describe("expiry, to the second", () => {
  const cfg = config(A, [], { SESSION_LIFETIME: "60s", SESSION_ABSOLUTE_LIFETIME: "300s" });

  it("ends a session unused for the idle lifetime", async () => {
    const { value } = await sealSession(session(), cfg, T0);
    expect(await openSession(value, T0 + 59, cfg)).not.toBeNull();
    expect(await openSession(value, T0 + 60, cfg)).toBeNull();
  });

  it("counts the idle lifetime from the last refresh", async () => {
    const { value } = await sealSession(session({ refreshedAt: T0 + 100 }), cfg, T0 + 100);
    expect(await openSession(value, T0 + 159, cfg)).not.toBeNull();
    expect(await openSession(value, T0 + 160, cfg)).toBeNull();
  });

  it("ends even an active session at the absolute lifetime since sign-in", async () => {
    const { value } = await sealSession(session({ refreshedAt: T0 + 280 }), cfg, T0 + 280);
    expect(await openSession(value, T0 + 299, cfg)).not.toBeNull();
    expect(await openSession(value, T0 + 300, cfg)).toBeNull();
  });

  it("enforces expiry even where iron-session's own check (60 s of skew) would still accept the seal", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(T0 * 1000);
    const short = config(A, [], { SESSION_LIFETIME: "5s" });
    const { value } = await sealSession(session(), short, T0);
    vi.setSystemTime((T0 + 30) * 1000); // 25 s past expiry: iron alone would accept it
    const id = value.split("*")[1];
    expect(await unsealData(value, { password: { [id]: A } })).not.toEqual({});
    expect(await openSession(value, T0 + 30, short)).toBeNull();
  });

  it("gives a permanent cookie a Max-Age of the remaining lifetime and a browser-session cookie none", async () => {
    const permanent = await sealSession(session({ permanent: true }), cfg, T0 + 10);
    expect(permanent.options).toMatchObject({ maxAge: 50, httpOnly: true, sameSite: "lax", path: "/", secure: false });
    const capped = await sealSession(session({ permanent: true, refreshedAt: T0 + 280 }), cfg, T0 + 280);
    expect(capped.options.maxAge).toBe(20); // the absolute lifetime caps it
    const browserSession = await sealSession(session(), cfg, T0);
    expect(browserSession.options.maxAge).toBeUndefined();
  });

  it("marks the cookie Secure in production", async () => {
    const production = loadConfig({
      NODE_ENV: "production",
      SESSION_SECRET: A,
      AUTH_USERS: "a:scrypt.17.8.1.m_XNzxGiiuH4geBRxU_GJQ.PezR2z5szXOrIv0VHnxtOj1tjVxfmSaS8yCdvUvxcFo",
    });
    expect((await sealSession(session(), production, T0)).options.secure).toBe(true);
  });

  it("refreshes at most every tenth of the lifetime, and at least every 5 minutes", () => {
    expect(refreshInterval(config(A, [], { SESSION_LIFETIME: "31d" }))).toBe(300);
    expect(refreshInterval(config(A, [], { SESSION_LIFETIME: "60s" }))).toBe(6);
    expect(refreshInterval(config(A, [], { SESSION_LIFETIME: "3s" }))).toBe(1);
  });
});

describe("cookie size", () => {
  it("refuses, writing nothing, a session that a browser would drop", async () => {
    const cfg = config(A);
    const fits = session({ values: { a: "x".repeat(1000), b: "y".repeat(1000) } });
    await expect(sealSession(fits, cfg, T0)).resolves.toBeTruthy();
    const tooBig = session({ values: { a: "x".repeat(1000), b: "y".repeat(1000), c: "z".repeat(1000) } });
    const error = await sealSession(tooBig, cfg, T0).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SessionTooLargeError);
    expect((error as SessionTooLargeError).bytes).toBeGreaterThan(4096);
    expect((error as Error).message).toMatch(/browsers keep at most 4096/);
  });
});
