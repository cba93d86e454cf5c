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

/** OWASP Password Storage Cheat Sheet: N=2^17, r=8, p=1. */
export const DEFAULT_PARAMS = { logN: 17, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
const HASH_PATTERN = /^scrypt\.(\d{1,2})\.(\d{1,2})\.(\d{1,2})\.([A-Za-z0-9_-]{16,})\.([A-Za-z0-9_-]{32,})$/;

type Params = { logN: number; r: number; p: number };

function scrypt(password: string, salt: Buffer, keylen: number, { logN, r, p }: Params): Promise<Buffer> {
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

export async function hashPassword(password: string, params: Params = DEFAULT_PARAMS): Promise<string> {
  if (password.length === 0) throw new Error("The password is empty.");
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, KEY_BYTES, params);
  return ["scrypt", params.logN, params.r, params.p, salt.toString("base64url"), key.toString("base64url")].join(".");
}

export type ParsedHash = Params & { salt: Buffer; key: Buffer };

/** Returns null when the string is not a hash this module wrote. */
export function parseHash(hash: string): ParsedHash | null {
  const match = HASH_PATTERN.exec(hash);
  if (!match) return null;
  const [logN, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // Bounds keep a hostile or mistyped hash from asking for gigabytes.
  if (logN < 10 || logN > 20 || r < 1 || r > 32 || p < 1 || p > 16) return null;
  return { logN, r, p, salt: Buffer.from(match[4], "base64url"), key: Buffer.from(match[5], "base64url") };
}

/** Constant-time comparison of the derived key. */
export async function verifyPassword(password: string, hash: ParsedHash): Promise<boolean> {
  const key = await scrypt(password, hash.salt, hash.key.length, hash);
  return timingSafeEqual(key, hash.key);
}
