/**
 * Sealing and opening cookies: iron-session's sealData and unsealData do
 * all of the cryptography (its Fe26.2 seal: AES-256-CBC plus HMAC-SHA-256),
 * with a keyring of our secrets, and a process-wide cache of seals already
 * opened so that each cookie is unsealed once per process.
 *
 * getIronSession() is not used: it unseals on every call (the cache is the
 * point here), and the server-side store needs the payload to be a
 * reference, not the session itself.
 */
import { sealData, unsealData, type UnsealErrorReason } from "iron-session";
import { processWide } from "./process-wide";
import { shortHash } from "./short-hash";
import { parseRef } from "./stores/ref";
import type { Ref } from "./stores/types";
import type { RejectReason, SessionConfig } from "./types";

type Passwords = Record<string, string>;
type Keyring = { seal: Passwords; open: Passwords; fingerprint: string };

/**
 * Each secret gets an id derived from its own SHA-256, so a seal names the
 * secret that made it and opens whatever the order of SESSION_SECRET and its
 * fallbacks (iron-session would otherwise number them by position, and a
 * rotation would shift every number). 24 bits keep the cookie short; a
 * collision between two configured secrets is reported.
 */
async function secretId(secret: string): Promise<string> {
  return String(Number.parseInt(await shortHash(secret, 6), 16) + 1);
}

const keyrings = new WeakMap<SessionConfig, Promise<Keyring>>();

function keyring(config: SessionConfig): Promise<Keyring> {
  let ring = keyrings.get(config);
  if (!ring) {
    ring = (async () => {
      const all = [config.secret, ...config.fallbackSecrets];
      const ids = await Promise.all(all.map(secretId));
      const open: Passwords = {};
      ids.forEach((id, index) => {
        if (open[id] !== undefined && open[id] !== all[index]) {
          throw new Error("Two session secrets share a key id; replace one of them with a newly generated secret.");
        }
        open[id] = all[index];
      });
      // The store's kind is part of it: the same secret seals data in one store and ids in the other.
      return { seal: { [ids[0]]: config.secret }, open, fingerprint: `${ids.join(",")} ${config.store.kind}` };
    })();
    keyrings.set(config, ring);
  }
  return ring;
}

/**
 * Seals that were already opened and checked, for every bundle of the
 * process. Only valid seals are kept, bounded, and tied to the set of
 * secrets that opened them; expiry is checked on every read by the caller,
 * from the session's own timestamps (or the store's record).
 */
const CACHE_LIMIT = 10_000;
type CacheEntry = { ref: Ref; fingerprint: string };
const opened = processWide("opened-seals", () => new Map<string, CacheEntry>());
const counts = processWide("opened-seal-counts", () => ({ hits: 0, unsealed: 0 }));

/** How often a cookie was found already opened, and how often iron-session unsealed one (tests, benchmarks). */
export function sealCounts(): { hits: number; unsealed: number } {
  return { ...counts };
}

function remember(seal: string, entry: CacheEntry) {
  if (opened.size >= CACHE_LIMIT) opened.delete(opened.keys().next().value as string);
  opened.set(seal, entry);
}

/** A seal that must be opened again (its session ended). */
export function forgetSeal(seal: string): void {
  opened.delete(seal);
}

/** Empties the cache of opened seals (benchmarks and tests measure a first opening). */
export function forgetAllSeals(): void {
  opened.clear();
}

/**
 * Seals `payload` with the current secret (`ttl` seconds of iron-session's
 * own expiration; 0 for none), and remembers that the seal stands for `ref`.
 * `keep`: whether to remember it now, or leave that to the caller (who may
 * still refuse the cookie as too large).
 */
export async function seal(
  payload: object,
  ttl: number,
  config: SessionConfig,
): Promise<{ value: string; keep: (ref: Ref) => void }> {
  const keys = await keyring(config);
  const value = await sealData(payload, { password: keys.seal, ttl });
  return { value, keep: (ref) => remember(value, { ref, fingerprint: keys.fingerprint }) };
}

/** Opens a cookie value: what it stands for, or why it was refused. No I/O beyond the crypto. */
export async function openSeal(sealed: string, config: SessionConfig): Promise<Ref | RejectReason> {
  const keys = await keyring(config);
  const cached = opened.get(sealed);
  if (cached && cached.fingerprint === keys.fingerprint) {
    counts.hits += 1;
    return cached.ref;
  }
  counts.unsealed += 1;
  let refused: UnsealErrorReason | undefined;
  const payload = await unsealData<unknown>(sealed, {
    password: keys.open,
    onUnsealError: (reason) => {
      refused = reason;
    },
  });
  if (refused) return refused;
  const ref = parseRef(config.store, payload);
  if (!ref) return "malformed";
  remember(sealed, { ref, fingerprint: keys.fingerprint });
  return ref;
}
