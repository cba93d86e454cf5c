import "server-only";
/**
 * Login throttling (OWASP Authentication Cheat Sheet, ASVS V6.3): failed
 * sign-ins are counted per account+address and per address, with
 * rate-limiter-flexible. Over the limit, an attempt is refused before any
 * password hashing, with the time to wait.
 *
 * - account+address: 5 failures in 15 minutes lock that pair for 15 minutes;
 *   each further lockout within a day doubles it (15, 30, 60 min), capped at
 *   1 hour. A success clears both counters.
 * - address: 50 failures in an hour lock the address for an hour, whatever
 *   the account names (password spraying).
 *
 * The trade-off: an attacker cannot lock a real user out from elsewhere, as
 * the account's counter is per address; a user behind the same address as
 * an attacker (one NAT) can be locked out for at most an hour at a time.
 * Counters live in memory, per server process.
 */
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

export const ACCOUNT_FAILURES = 5;
export const ACCOUNT_WINDOW = 15 * 60;
export const ADDRESS_FAILURES = 50;
export const ADDRESS_WINDOW = 60 * 60;
export const MAX_LOCKOUT = 60 * 60;

type Limiters = { account: RateLimiterMemory; address: RateLimiterMemory; lockouts: RateLimiterMemory };

const KEY = Symbol.for("next-sessions.login-limiters");
const store = globalThis as typeof globalThis & { [KEY]?: Limiters };

function limiters(): Limiters {
  store[KEY] ??= {
    account: new RateLimiterMemory({ keyPrefix: "login-account", points: ACCOUNT_FAILURES, duration: ACCOUNT_WINDOW }),
    address: new RateLimiterMemory({
      keyPrefix: "login-address",
      points: ADDRESS_FAILURES,
      duration: ADDRESS_WINDOW,
      blockDuration: ADDRESS_WINDOW,
    }),
    lockouts: new RateLimiterMemory({ keyPrefix: "login-lockouts", points: 1_000, duration: 24 * 60 * 60 }),
  };
  return store[KEY];
}

const accountKey = (username: string, ip: string) => `${username.toLowerCase()}|${ip}`;

/** Seconds to wait before this pair may try again, or 0. */
export async function retryAfter(username: string, ip: string): Promise<number> {
  const { account, address } = limiters();
  const [byAccount, byAddress] = await Promise.all([account.get(accountKey(username, ip)), address.get(ip)]);
  const wait = (result: RateLimiterRes | null, limit: number) =>
    result && result.consumedPoints > limit ? Math.ceil(result.msBeforeNext / 1000) : 0;
  return Math.max(wait(byAccount, ACCOUNT_FAILURES), wait(byAddress, ADDRESS_FAILURES));
}

/** Counts a failure; returns the seconds to wait when it triggered a lockout, else 0. */
export async function recordFailure(username: string, ip: string): Promise<number> {
  const { account, address, lockouts } = limiters();
  const key = accountKey(username, ip);
  const waits = await Promise.all([
    // consume() (not penalty()) applies blockDuration when the limit is passed.
    address.consume(ip).then(
      () => 0,
      (rejection: unknown) => {
        if (rejection instanceof RateLimiterRes) return Math.ceil(rejection.msBeforeNext / 1000);
        throw rejection;
      },
    ),
    account.penalty(key).then(async (result) => {
      if (result.consumedPoints !== ACCOUNT_FAILURES) return 0;
      // Lockout number n lasts 15 min * 2^(n-1), at most an hour.
      const previous = (await lockouts.penalty(key)).consumedPoints - 1;
      const seconds = Math.min(ACCOUNT_WINDOW * 2 ** previous, MAX_LOCKOUT);
      await account.block(key, seconds);
      return seconds;
    }),
  ]);
  return Math.max(...waits);
}

/** A successful sign-in clears the pair's failures and its lockout history. */
export async function recordSuccess(username: string, ip: string): Promise<void> {
  const { account, lockouts } = limiters();
  const key = accountKey(username, ip);
  await Promise.all([account.delete(key), lockouts.delete(key)]);
}
