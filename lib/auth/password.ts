/**
 * Password hashing with scrypt (node:crypto), in a self-describing string:
 *
 *   scrypt.<log2 N>.<r>.<p>.<salt>.<hash>      (salt and hash in base64url)
 *
 * The parameters travel with the hash so they can be raised later without
 * invalidating old hashes. The alphabet is [A-Za-z0-9._-]: no `,` or `:`
 * (AUTH_USERS separators), no `$` (dotenv would expand it), nothing a shell
 * needs quoted.
 *
 * Not `server-only` on purpose: `npm run hash-password` uses it from the CLI.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from "node:crypto";
import type { HashParams, ParsedHash } from "./hash-format";

export { parseHash, type ParsedHash } from "./hash-format";

/** OWASP Password Storage Cheat Sheet: N=2^17, r=8, p=1. */
export const DEFAULT_PARAMS = { logN: 17, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

function scrypt(password: string, salt: Buffer, keylen: number, { logN, r, p }: HashParams): Promise<Buffer> {
  const N = 2 ** logN;
  // scrypt needs 128 * N * r bytes; Node's default maxmem (32 MiB) is below
  // what N=2^17, r=8 takes (128 MiB), so raise it just enough.
  const options: ScryptOptions = { N, r, p, maxmem: 128 * N * r * p + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scryptCallback(password.normalize("NFKC"), salt, keylen, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string, params: HashParams = DEFAULT_PARAMS): Promise<string> {
  if (password.length === 0) throw new Error("The password is empty.");
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, KEY_BYTES, params);
  return ["scrypt", params.logN, params.r, params.p, salt.toString("base64url"), key.toString("base64url")].join(".");
}

/** Constant-time comparison of the derived key. */
export async function verifyPassword(password: string, hash: ParsedHash): Promise<boolean> {
  const expected = Buffer.from(hash.key, "base64url");
  const key = await scrypt(password, Buffer.from(hash.salt, "base64url"), expected.length, hash);
  return timingSafeEqual(key, expected);
}
