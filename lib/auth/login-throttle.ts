/**
 * Login throttling (OWASP Authentication Cheat Sheet, ASVS V6.3): failed
 * sign-ins are counted per account+address and per address, with
 * rate-limiter-flexible. Each attempt takes its place in both counts before
 * the password is hashed (a success gives it back), so that attempts sent at
 * once get no more checks than the limits allow; over a limit, or while a
 * lock lasts, an attempt is refused before any hashing, with the time to wait.
 *
 * With the defaults (LOGIN_MAX_FAILURES=5, LOGIN_LOCKOUT=15m):
 * - account+address: 5 failures within 15 minutes lock that pair for
 *   LOGIN_LOCKOUT; each further lockout within a day doubles it (15, 30,
 *   60 min), capped at four times LOGIN_LOCKOUT. A success clears the pair.
 * - address: 50 failures (10x) within an hour lock the address for four
 *   times LOGIN_LOCKOUT, whatever the account names (password spraying).
 * An address is an IPv6 client's whole /64 (network() in lib/http/client-ip.ts).
 *
 * The trade-off: an attacker elsewhere cannot lock a real user out, because
 * the account's counter is per address; someone behind the same address as
 * an attacker (one NAT) can be locked out for at most an hour at a time.
 * Counters live in Redis whenever one is configured (whichever the session
 * store), so that the limits hold across servers and instances; otherwise in
 * this server process's memory (in the primary process when `npm start` runs
 * several workers, scripts/start.mjs), which on Vercel means per instance.
 */
import {
  RateLimiterCluster,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";
import { redisConnection } from "@/lib/session/redis/connection";
import { StoreUnavailableError } from "@/lib/session/redis/errors";
import { network } from "../http/client-ip";
import type { Config } from "../config";

export type ThrottleSettings = { maxFailures: number; lockout: number };

/** One attempt's place in the counts: `nth` for the account+address, `nthFromAddress` for the address. */
export type Attempt = { nth: number; nthFromAddress: number };

export type LoginThrottle = {
  /**
   * Takes one attempt for this account from this address, before any hashing, so that attempts sent at
   * once cannot all pass one check. Refused with `wait` seconds while the pair or the address is locked,
   * or (`busy`) while the attempts under way hold every place left; then nothing is taken.
   */
  attempt(username: string, ip: string): Promise<{ wait: number; busy?: boolean; taken?: Attempt }>;
  /** The attempt failed; returns the seconds of a lockout it started, else 0. */
  recordFailure(username: string, ip: string, attempt: Attempt): Promise<number>;
  /** The attempt succeeded: the address gets its place back, and the pair's failures and lockout history are cleared. */
  recordSuccess(username: string, ip: string): Promise<void>;
};

/** Failures are counted over these windows. */
const ACCOUNT_WINDOW = 15 * 60;
const ADDRESS_WINDOW = 60 * 60;
/** What a refusal while attempts are under way says to wait: about one password check. */
const BUSY_WAIT = 2;

type LimiterOptions = { keyPrefix: string; points: number; duration: number };

/** Seconds left of a lock (a key blocked with block()), or 0. */
const lockLeft = (lock: RateLimiterRes | null) =>
  lock && lock.consumedPoints > 1 ? Math.max(1, Math.ceil(lock.msBeforeNext / 1000)) : 0;

/** Takes a place: its number, or null when there was none left (the one a refused consume() counted is given back). */
async function take(limiter: RateLimiterAbstract, key: string): Promise<number | null> {
  try {
    return (await limiter.consume(key)).consumedPoints;
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    await limiter.reward(key, 1);
    return null;
  }
}

export function createLoginThrottle(
  { maxFailures, lockout }: ThrottleSettings,
  limiter: (options: LimiterOptions) => RateLimiterAbstract = (options) => new RateLimiterMemory(options),
): LoginThrottle {
  const addressFailures = maxFailures * 10;
  const maxLockout = lockout * 4;
  // Attempts under way and failures: an account+address's, an address's.
  const account = limiter({ keyPrefix: "login-account", points: maxFailures, duration: ACCOUNT_WINDOW });
  const address = limiter({ keyPrefix: "login-address", points: addressFailures, duration: ADDRESS_WINDOW });
  // The locks themselves (block()), and how many lockouts a pair had in a day.
  const locks = limiter({ keyPrefix: "login-lock", points: 1, duration: 1 });
  const lockouts = limiter({ keyPrefix: "login-lockouts", points: 1_000, duration: 24 * 60 * 60 });
  const pair = (username: string, ip: string) => `${username.toLowerCase()}|${network(ip)}`;

  return {
    async attempt(username, ip) {
      const [key, net] = [pair(username, ip), network(ip)];
      const nth = await take(account, key);
      const nthFromAddress = nth === null ? null : await take(address, net);
      // Read after taking a place: a lock is set before its count is cleared, so none set meanwhile is missed.
      const [byPair, byAddress] = await Promise.all([locks.get(`pair|${key}`), locks.get(`net|${net}`)]);
      const wait = Math.max(lockLeft(byPair), lockLeft(byAddress));
      if (wait === 0 && nth !== null && nthFromAddress !== null) return { wait, taken: { nth, nthFromAddress } };
      await Promise.all([nth !== null && account.reward(key, 1), nthFromAddress !== null && address.reward(net, 1)]);
      return wait > 0 ? { wait } : { wait: BUSY_WAIT, busy: true };
    },

    async recordFailure(username, ip, { nth, nthFromAddress }) {
      const [key, net] = [pair(username, ip), network(ip)];
      let seconds = 0;
      // The failure that used the last place locks, once; the count starts afresh after the lock.
      if (nth >= maxFailures) {
        // Lockout number n lasts lockout * 2^(n-1), at most maxLockout.
        const previous = (await lockouts.penalty(key)).consumedPoints - 1;
        seconds = Math.min(lockout * 2 ** previous, maxLockout);
        await locks.block(`pair|${key}`, seconds);
        await account.delete(key);
      }
      if (nthFromAddress >= addressFailures) {
        await locks.block(`net|${net}`, maxLockout);
        await address.delete(net);
        seconds = maxLockout;
      }
      return seconds;
    },

    async recordSuccess(username, ip) {
      const key = pair(username, ip);
      await Promise.all([account.delete(key), lockouts.delete(key), address.reward(network(ip), 1)]);
    },
  };
}

type ThrottleConfig = Pick<Config, "loginThrottle" | "redis" | "clusterWorker">;

/** The throttle with every call run through `run` (bounded in time, failures mapped to StoreUnavailableError). */
function everyCall(run: <R>(call: (throttle: LoginThrottle) => Promise<R>) => Promise<R>): LoginThrottle {
  return {
    attempt: (username, ip) => run((throttle) => throttle.attempt(username, ip)),
    recordFailure: (username, ip, attempt) => run((throttle) => throttle.recordFailure(username, ip, attempt)),
    recordSuccess: (username, ip) => run((throttle) => throttle.recordSuccess(username, ip)),
  };
}

function makeThrottle({ loginThrottle: settings, redis, clusterWorker }: ThrottleConfig): LoginThrottle {
  if (redis) {
    // Limiters on the current connection, made for each call: a recycled connection is never kept.
    const run = redisConnection(redis.target, redis.log);
    return everyCall((call) =>
      run((client) =>
        call(
          createLoginThrottle(
            settings,
            (options) =>
              new RateLimiterRedis({
                ...options,
                keyPrefix: `${redis.keyPrefix}${options.keyPrefix}`,
                storeClient: client,
                useRedisPackage: true,
              }),
          ),
        ),
      ),
    );
  }
  if (clusterWorker && process.send) {
    // A worker of `npm start` (scripts/start.mjs): the primary keeps the counters for all workers.
    // If the primary does not answer (it is not scripts/start.mjs), sign-in says "unavailable" instead of failing.
    const inner = createLoginThrottle(settings, (options) => new RateLimiterCluster({ ...options, timeoutMs: 2_000 }));
    return everyCall((call) =>
      call(inner).catch((error: unknown) => {
        throw new StoreUnavailableError(error);
      }),
    );
  }
  return createLoginThrottle(settings);
}

let made: { config: ThrottleConfig; throttle: LoginThrottle } | undefined;

/** The process's throttle, made once from the configuration. */
export function loginThrottle(config: ThrottleConfig): LoginThrottle {
  if (made?.config !== config) made = { config, throttle: makeThrottle(config) };
  return made.throttle;
}
