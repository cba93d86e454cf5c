import { describe, expect, it } from "vitest";
import { DEFAULT_PARAMS, hashPassword, parseHash, verifyPassword } from "./password";

const fast = { logN: 12, r: 8, p: 1 };

describe("password hashing", () => {
  it("writes the parameters into a hash that AUTH_USERS can hold", async () => {
    const hash = await hashPassword("correct horse", fast);
    expect(hash).toMatch(/^scrypt\.12\.8\.1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(hash).not.toMatch(/[,:$=]/);
    expect(parseHash(hash)).toMatchObject(fast);
  });

  it("verifies the right password and refuses others", async () => {
    const hash = parseHash(await hashPassword("correct horse", fast))!;
    expect(await verifyPassword("correct horse", hash)).toBe(true);
    expect(await verifyPassword("correct horsE", hash)).toBe(false);
    expect(await verifyPassword("", hash)).toBe(false);
  });

  it("salts every hash", async () => {
    expect(await hashPassword("same", fast)).not.toBe(await hashPassword("same", fast));
  });

  it("treats Unicode forms of the same password alike (NFKC)", async () => {
    const hash = parseHash(await hashPassword("caf\u00e9", fast))!;
    expect(await verifyPassword("cafe\u0301", hash)).toBe(true);
  });

  // Two scrypt runs at N=2^17: under a second each, several on a busy machine.
  it("uses OWASP's parameters by default", async () => {
    const hash = await hashPassword("slow but right");
    expect(parseHash(hash)).toMatchObject(DEFAULT_PARAMS);
    expect(await verifyPassword("slow but right", parseHash(hash)!)).toBe(true);
  }, 30_000);

  it("refuses an empty password", async () => {
    await expect(hashPassword("", fast)).rejects.toThrow(/empty/);
  });

  it.each([
    "",
    "plain",
    "scrypt.12.8.1.c2FsdA.a2V5",
    "scrypt.30.8.1.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "scrypt.12.99.1.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "bcrypt.12.8.1.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "$2b$10$abcdefghijklmnopqrstuv",
  ])("does not parse %j", (text) => {
    expect(parseHash(text)).toBeNull();
  });
});
