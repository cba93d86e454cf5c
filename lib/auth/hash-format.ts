/**
 * The format of a password hash (see password.ts), readable without
 * node:crypto so that configuration can be validated in any runtime.
 */
export type HashParams = { logN: number; r: number; p: number };
export type ParsedHash = HashParams & { /** base64url */ salt: string; /** base64url */ key: string };

const HASH_PATTERN = /^scrypt\.(\d{1,2})\.(\d{1,2})\.(\d{1,2})\.([A-Za-z0-9_-]{16,})\.([A-Za-z0-9_-]{32,})$/;

/** Returns null when the string is not a hash that `npm run hash-password` wrote. */
export function parseHash(hash: string): ParsedHash | null {
  const match = HASH_PATTERN.exec(hash);
  if (!match) return null;
  const [logN, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // Bounds keep a hostile or mistyped hash from asking for gigabytes.
  if (logN < 10 || logN > 20 || r < 1 || r > 32 || p < 1 || p > 16) return null;
  return { logN, r, p, salt: match[4], key: match[5] };
}
