/**
 * lib/session.ts seals and opens cookies itself (Fe26.2 with node:crypto,
 * synchronously). These tests hold it against the real thing, iron-session 9
 * (and, for the exact bytes, the iron-webcrypto it uses): each seals what the
 * other opens, and both refuse the same seals for the same reason.
 */
import { sealData, unsealData, type UnsealErrorReason } from "iron-session";
// iron-session's own crypto (its dependency), only to pin the exact bytes given the same salts and iv.
import { defaults, seal as ironSeal, type SealOptions } from "iron-webcrypto";
import { createCipheriv, createHmac, pbkdf2Sync } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "./config";
import { sealFe26, sealSession, unsealFe26, type Fe26Opened, type Passwords } from "./session";

const A = "secret-a-".padEnd(40, "a");
const B = "secret-b-".padEnd(40, "b");
const C = "secret-c-".padEnd(40, "c");
const SHORT = "s".repeat(31);

const T0 = 1_800_000_000_000; // a fixed "now", in epoch milliseconds

afterEach(() => {
  vi.useRealTimers();
});

/** Runs `work` with Date.now() at `ms` (iron-session reads no other clock). */
async function at<T>(ms: number, work: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(ms);
  try {
    return await work();
  } finally {
    vi.useRealTimers();
  }
}

/** iron-session's unsealData, in unsealFe26's terms. */
async function theirs(seal: string, passwords: Passwords): Promise<Fe26Opened> {
  const rejected: { reason?: UnsealErrorReason } = {};
  const payload = await unsealData<unknown>(seal, {
    password: passwords,
    onUnsealError: (reason) => {
      rejected.reason = reason;
    },
  });
  return rejected.reason ? { reason: rejected.reason } : { payload };
}

/** Both implementations open `seal` (at `ms`, or now); they must agree, and the answer is returned. */
async function both(seal: string, passwords: Passwords, ms?: number): Promise<Fe26Opened> {
  const ours = ms === undefined ? unsealFe26(seal, passwords) : unsealFe26(seal, passwords, ms);
  const reference = ms === undefined ? await theirs(seal, passwords) : await at(ms, () => theirs(seal, passwords));
  expect(ours, `ours vs iron-session for ${JSON.stringify(seal.slice(0, 60))}…`).toEqual(reference);
  return ours;
}

const payloads: [string, unknown][] = [
  ["a signed-in session (the cookie store's wire format)", { u: "admin", c: 1_800_000_000, r: 1_800_000_123 }],
  ["unicode", { u: "Zoë", v: { 名前: "🍪 cookie", rtl: "שלום", combining: "e\u0301", nul: "a\u0000b" } }],
  ["nested", { a: { b: { c: [1, 2.5, -3, { d: null, e: true, f: false }] } }, s: "", n: 0 }],
  ["about 3 KB", { u: "admin", v: { notes: "lorem ipsum dolor ".repeat(170) }, c: 1, r: 2 }],
];

describe("Fe26.2: the same seals as iron-session", () => {
  it.each(payloads)(
    "ours seals %s, iron-session opens it; iron-session seals it, ours opens it",
    async (_name, payload) => {
      const ours = sealFe26(payload, { 7: A }, 3600);
      expect(await theirs(ours, { 7: A })).toEqual({ payload });
      const reference = await sealData(payload, { password: { 7: A }, ttl: 3600 });
      expect(unsealFe26(reference, { 7: A })).toEqual({ payload });
      expect(ours.length).toBe(reference.length); // same layout, same padding (the same millisecond digits count)
    },
  );

  it("writes byte for byte what iron-webcrypto writes, given the same salts, iv and clock", async () => {
    for (const [, payload] of payloads) {
      const ours = sealFe26(payload, { 42: A }, 3600, T0);
      const [, , encryptionSalt, iv, , , hmacSalt] = ours.split("*");
      const options = {
        ...defaults,
        encryption: { ...defaults.encryption, salt: encryptionSalt, iv: new Uint8Array(Buffer.from(iv, "base64url")) },
        integrity: { ...defaults.integrity, salt: hmacSalt },
        ttl: 3600 * 1000,
      } as SealOptions;
      const reference = await at(T0, () => ironSeal({ ...(payload as object) }, { id: "42", secret: A }, options));
      expect(ours).toBe(`${reference}~2`);
    }
  });

  it("decodes the plaintext as iron-webcrypto does: a leading BOM is dropped, anything but JSON is invalid", async () => {
    const sealedText = (text: string) =>
      ironSeal(null, { id: "1", secret: A }, { ...defaults, ttl: 60_000, encode: () => text } as SealOptions);
    expect(await both(await sealedText('\uFEFF{"x":1}'), { 1: A })).toEqual({ payload: { x: 1 } });
    expect(await both(await sealedText('{"x":"\uFEFF"}'), { 1: A })).toEqual({ payload: { x: "\uFEFF" } });
    for (const text of ["", "not json", "{", "\uFEFF\uFEFF{}", "undefined"]) {
      expect(await both(await sealedText(text), { 1: A }), text).toEqual({ reason: "invalid" });
    }
  });

  it("has iron-session's layout: Fe26.2*id*hex salt*iv*ciphertext*expiry ms*hex salt*hmac~2", () => {
    const seal = sealFe26({ u: "admin" }, { 3: A }, 60, T0);
    expect(seal).toMatch(/^Fe26\.2\*3\*[0-9a-f]{64}\*[\w-]{22}\*[\w-]+\*1800000060000\*[0-9a-f]{64}\*[\w-]{43}~2$/);
    expect(sealFe26({ u: "admin" }, { 3: A }, 60, T0)).not.toBe(seal); // fresh salts and iv each time
  });

  it("keeps iron-session's quirks: an array is sealed as an object, null opens as {}, undefined fields go", async () => {
    for (const [payload, opened] of [
      [[1, 2], { 0: 1, 1: 2 }],
      [null, {}],
      [{ a: undefined, b: 1 }, { b: 1 }],
      ["text", "text"],
      [0, 0],
      [false, false],
    ]) {
      expect(await theirs(sealFe26(payload, { 1: A }, 60), { 1: A }), JSON.stringify(payload)).toEqual({
        payload: opened,
      });
      const reference = await sealData(payload, { password: { 1: A }, ttl: 60 });
      expect(unsealFe26(reference, { 1: A }), JSON.stringify(payload)).toEqual({ payload: opened });
    }
  });

  it("refuses to seal what iron-session refuses: anything but plain JSON", async () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    class Point {
      x = 1;
    }
    for (const payload of [
      { when: new Date(T0) },
      { map: new Map() },
      { n: Number.NaN },
      { f: () => 1 },
      { b: BigInt(1) },
      { [Symbol("s")]: 1 },
      { list: [1, , 3] },
      { point: new Point() },
      cycle,
      undefined,
    ]) {
      expect(() => sealFe26(payload, { 1: A }, 60)).toThrow(/not JSON serializable/);
      // (iron-session 9.0.1 fails to describe a sparse array: a TypeError instead of its message, but it refuses too.)
      await expect(sealData(payload, { password: { 1: A }, ttl: 60 })).rejects.toThrow();
    }
  });
});

describe("Fe26.2: password maps", () => {
  const ring: Passwords = { 1: A, 9: B, 10: C };

  it("seals with the highest numeric id (10 over 9), as iron-session does, and both open it", async () => {
    const ours = sealFe26({ x: 1 }, ring, 60);
    const reference = await sealData({ x: 1 }, { password: ring, ttl: 60 });
    expect(ours.split("*")[1]).toBe("10");
    expect(reference.split("*")[1]).toBe("10");
    expect(await both(ours, { 10: C })).toEqual({ payload: { x: 1 } });
    expect(await both(reference, { 10: C })).toEqual({ payload: { x: 1 } });
  });

  it("opens a seal made with a fallback id, in both", async () => {
    expect(await both(sealFe26({ x: 1 }, { 1: A }, 60), ring)).toEqual({ payload: { x: 1 } });
    expect(await both(await sealData({ x: 2 }, { password: { 9: B }, ttl: 60 }), ring)).toEqual({ payload: { x: 2 } });
  });

  it('refuses an id that is not in the map as "unknown-password", in both', async () => {
    expect(await both(sealFe26({ x: 1 }, { 99: A }, 60), ring)).toEqual({ reason: "unknown-password" });
    expect(await both(await sealData({ x: 1 }, { password: { 99: A }, ttl: 60 }), ring)).toEqual({
      reason: "unknown-password",
    });
  });

  it('looks an empty id up as "default", and a prototype id (constructor, __proto__) is "invalid", in both', async () => {
    const seal = sealFe26({ x: 1 }, { 1: A }, 60);
    const withId = (id: string) => seal.replace(/^Fe26\.2\*1\*/, `Fe26.2*${id}*`);
    expect(await both(withId(""), ring)).toEqual({ reason: "unknown-password" });
    for (const id of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      expect(await both(withId(id), ring), id).toEqual({ reason: "invalid" });
    }
  });

  it('refuses the right id with the wrong secret as "invalid", in both', async () => {
    expect(await both(sealFe26({ x: 1 }, { 1: A }, 60), { 1: B })).toEqual({ reason: "invalid" });
    expect(await both(await sealData({ x: 1 }, { password: { 1: A }, ttl: 60 }), { 1: B })).toEqual({
      reason: "invalid",
    });
  });

  it("refuses secrets shorter than 32 characters as iron-session does", async () => {
    expect(() => sealFe26({ x: 1 }, { 1: SHORT }, 60)).toThrow(
      "Password string too short (min 32 characters required)",
    );
    await expect(sealData({ x: 1 }, { password: { 1: SHORT }, ttl: 60 })).rejects.toThrow(
      "Password string too short (min 32 characters required)",
    );
    expect(() => sealFe26({ x: 1 }, { 1: SHORT + "s" }, 60)).not.toThrow(); // 32 is enough
    const seal = sealFe26({ x: 1 }, { 1: A }, 1, T0);
    expect(await both(seal, { 1: SHORT }, T0)).toEqual({ reason: "invalid" });
    expect(await both(seal, { 1: SHORT }, T0 + 61_000)).toEqual({ reason: "expired" }); // expiry comes first
  });

  it("refuses, as iron-session does, a map without a numeric id or with an empty secret", async () => {
    for (const passwords of [{}, { current: A }, { 1: "" }, { "-1": A }] as Passwords[]) {
      expect(() => sealFe26({ x: 1 }, passwords, 60), JSON.stringify(passwords)).toThrow();
      await expect(sealData({ x: 1 }, { password: passwords, ttl: 60 }), JSON.stringify(passwords)).rejects.toThrow();
    }
  });

  it("keeps the key ids of existing cookies: the secret's SHA-256, first 24 bits, plus 1", async () => {
    const { value } = await sealSession(
      { user: "alice", permanent: false, values: {}, createdAt: 1_800_000_000, refreshedAt: 1_800_000_000 },
      loadConfig({ NODE_ENV: "test", SESSION_SECRET: A }),
      1_800_000_000,
    );
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(A)));
    expect(value.split("*")[1]).toBe(String(((digest[0] << 16) | (digest[1] << 8) | digest[2]) + 1));
  });
});

/** Changes the character in the middle of part `index` (0-7) of a seal. */
function flipPart(seal: string, index: number): string {
  const parts = seal.replace(/~2$/, "").split("*");
  const part = parts[index];
  const at = Math.floor(part.length / 2);
  parts[index] = part.slice(0, at) + (part[at] === "A" ? "B" : "A") + part.slice(at + 1);
  return `${parts.join("*")}~2`;
}

function withPart(seal: string, index: number, value: string): string {
  const parts = seal.replace(/~2$/, "").split("*");
  parts[index] = value;
  return `${parts.join("*")}~2`;
}

describe("Fe26.2: tampered seals", () => {
  const passwords = { 5: A };
  const good = sealFe26({ u: "admin", c: 1, r: 2 }, passwords, 3600);
  const opens = { payload: { u: "admin", c: 1, r: 2 } };

  it.each<[string, string, Fe26Opened]>([
    ["the prefix changed", flipPart(good, 0), { reason: "invalid" }],
    ["the password id changed", flipPart(good, 1), { reason: "unknown-password" }],
    ["the encryption salt changed", flipPart(good, 2), { reason: "invalid" }],
    ["the iv changed", flipPart(good, 3), { reason: "invalid" }],
    ["the ciphertext changed", flipPart(good, 4), { reason: "invalid" }],
    ["the expiration changed", flipPart(good, 5), { reason: "invalid" }],
    ["the hmac salt changed", flipPart(good, 6), { reason: "invalid" }],
    ["the hmac changed", flipPart(good, 7), { reason: "invalid" }],
    ["a later expiration", withPart(good, 5, String(Number(good.split("*")[5]) + 1000)), { reason: "invalid" }],
    ["an expiration with a leading zero", withPart(good, 5, `0${good.split("*")[5]}`), { reason: "invalid" }],
    ["a negative expiration", withPart(good, 5, "-5"), { reason: "invalid" }],
    ["an expiration in exponent form", withPart(good, 5, "2e12"), { reason: "invalid" }],
    ["no expiration", withPart(good, 5, ""), { reason: "invalid" }],
    ["empty salts", withPart(withPart(good, 2, ""), 6, ""), { reason: "invalid" }],
    ["an hmac of the wrong length", withPart(good, 7, good.split("*")[7].slice(0, 42)), { reason: "invalid" }],
    [
      "an hmac with characters atob refuses",
      withPart(good, 7, `${good.split("*")[7].slice(0, 42)}$`),
      { reason: "invalid" },
    ],
    [
      "an hmac with a $ inside (atob refuses it, Buffer would skip it)",
      withPart(good, 7, `${good.split("*")[7].slice(0, 20)}$${good.split("*")[7].slice(20)}`),
      { reason: "invalid" },
    ],
    [
      "an hmac with a space inside (atob skips it)",
      withPart(good, 7, `${good.split("*")[7].slice(0, 20)} ${good.split("*")[7].slice(20)}`),
      opens,
    ],
    ["an hmac with padding", withPart(good, 7, `${good.split("*")[7]}=`), opens],
    ["truncated", good.slice(0, -8), { reason: "invalid" }],
    ["cut before the hmac", good.slice(0, good.lastIndexOf("*")), { reason: "invalid" }],
    ["an extra *", good.replace(/~2$/, "*~2"), { reason: "invalid" }],
    ["an extra * inside", good.replace("*", "**"), { reason: "invalid" }],
    ["a ~ inside", `${good.slice(0, 30)}~${good.slice(30)}`, { reason: "invalid" }],
    ["the wrong prefix (Fe26.1)", good.replace(/^Fe26\.2/, "Fe26.1"), { reason: "invalid" }],
    ["empty", "", { reason: "invalid" }],
    ["garbage", "garbage", { reason: "invalid" }],
    ["eight parts of garbage", "a*b*c*d*e*f*g*h", { reason: "invalid" }],
    ["the version marker missing (iron-session ignores it)", good.replace(/~2$/, ""), opens],
    ["another version marker (ignored)", good.replace(/~2$/, "~9"), opens],
    ["anything after the ~ (ignored)", `${good}*junk~*`, opens],
  ])("%s: both give the same answer", async (_name, seal, expected) => {
    expect(await both(seal, passwords)).toEqual(expected);
  });

  it("refuses, as iron-webcrypto does, a correctly authenticated seal with an empty salt", async () => {
    // Only a holder of the secret can make one; iron-webcrypto then derives with a random salt instead.
    const handMade = (encryptionSalt: string, hmacSalt: string) => {
      const key = (salt: string) => pbkdf2Sync(A, salt, 1, 32, "sha1");
      const iv = Buffer.alloc(16, 7);
      const cipher = createCipheriv("aes-256-cbc", key(encryptionSalt), iv);
      const encrypted = Buffer.concat([cipher.update('{"x":1}'), cipher.final()]);
      const base = `Fe26.2*1*${encryptionSalt}*${iv.toString("base64url")}*${encrypted.toString("base64url")}*`;
      return `${base}*${hmacSalt}*${createHmac("sha256", key(hmacSalt)).update(base).digest("base64url")}`;
    };
    expect(await both(handMade("s1", "s2"), { 1: A })).toEqual({ payload: { x: 1 } }); // the helper is right
    expect(await both(handMade("", "s2"), { 1: A })).toEqual({ reason: "invalid" });
    expect(await both(handMade("s1", ""), { 1: A })).toEqual({ reason: "invalid" });
  });

  it("opens an hmac whose last character differs only in its unused low bits, as iron-webcrypto's base64 does", async () => {
    const hmac = good.split("*")[7].replace(/~2$/, "");
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(hmac[42]); // 43 characters carry 258 bits for 256
    const sameBits = alphabet[last ^ 1];
    const otherBits = alphabet[last ^ 4];
    expect(await both(withPart(good, 7, hmac.slice(0, 42) + sameBits), passwords)).toEqual(opens);
    expect(await both(withPart(good, 7, hmac.slice(0, 42) + otherBits), passwords)).toEqual({ reason: "invalid" });
  });

  it("agrees with iron-session on 300 random mutations", async () => {
    let state = 20_261_125; // a fixed seed, so a failure can be replayed
    const random = (below: number) => {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      return state % below;
    };
    const characters = "AB09azZ_-*~.=+/ é";
    const outcomes = new Set<string>();
    for (let round = 0; round < 300; round++) {
      let seal = random(2) ? good : await sealData({ u: "admin", c: 1, r: 2 }, { password: passwords, ttl: 3600 });
      for (let edits = 1 + random(2); edits > 0; edits--) {
        const at = random(seal.length);
        const character = characters[random(characters.length)];
        const kind = random(3);
        seal =
          kind === 0
            ? seal.slice(0, at) + character + seal.slice(at + 1)
            : kind === 1
              ? seal.slice(0, at) + character + seal.slice(at)
              : seal.slice(0, at) + seal.slice(at + 1);
      }
      const result = await both(seal, passwords);
      outcomes.add(result.reason ?? "opened");
    }
    // The edits reach the prefix, the id and the expiration as well as the crypto.
    expect([...outcomes]).toEqual(expect.arrayContaining(["expired", "invalid", "unknown-password"]));
  });
});

describe("Fe26.2: expiry", () => {
  const passwords = { 1: A };

  it("refuses a seal as expired 60 s (iron-webcrypto's skew) after its ttl, in both, whoever sealed it", async () => {
    const ours = sealFe26({ x: 1 }, passwords, 1, T0);
    const reference = await at(T0, () => sealData({ x: 1 }, { password: passwords, ttl: 1 }));
    expect(reference.split("*")[5]).toBe(String(T0 + 1000));
    for (const seal of [ours, reference]) {
      expect(await both(seal, passwords, T0 + 1000)).toEqual({ payload: { x: 1 } }); // at expiry
      expect(await both(seal, passwords, T0 + 30_000)).toEqual({ payload: { x: 1 } }); // within the skew
      expect(await both(seal, passwords, T0 + 60_999)).toEqual({ payload: { x: 1 } });
      expect(await both(seal, passwords, T0 + 61_000)).toEqual({ reason: "expired" });
      expect(await both(seal, passwords, T0 + 3_600_000)).toEqual({ reason: "expired" });
    }
  });

  it("uses the real clock by default", async () => {
    const past = sealFe26({ x: 1 }, passwords, 1, Date.now() - 62_000);
    expect(unsealFe26(past, passwords)).toEqual({ reason: "expired" });
    expect(await theirs(past, passwords)).toEqual({ reason: "expired" });
  });

  it('checks expiry before the password and the hmac, as iron-webcrypto does: any old seal is "expired"', async () => {
    const seal = sealFe26({ x: 1 }, passwords, 1, T0);
    const later = T0 + 120_000;
    expect(await both(flipPart(seal, 7), passwords, later)).toEqual({ reason: "expired" });
    expect(await both(seal, { 2: B }, later)).toEqual({ reason: "expired" });
    expect(await both(withPart(seal, 5, "1"), passwords)).toEqual({ reason: "expired" });
  });

  it("makes a seal that never expires with a ttl of 0, as iron-session does", async () => {
    const ours = sealFe26({ x: 1 }, passwords, 0, T0);
    const reference = await at(T0, () => sealData({ x: 1 }, { password: passwords, ttl: 0 }));
    for (const seal of [ours, reference]) {
      expect(seal.split("*")[5]).toBe("");
      expect(await both(seal, passwords, T0 + 10 * 365 * 86_400_000)).toEqual({ payload: { x: 1 } });
    }
  });
});
