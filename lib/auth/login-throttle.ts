/**
 * Login throttling (OWASP Authentication Cheat Sheet, ASVS V6.3): failed
 * sign-ins are counted per account+address and per address, with
 * rate-limiter-flexible. Each attempt takes its point before the password is
 * hashed (a success gives it back): over a limit, an attempt is refused
 * before any hashing, with the time to wait, however many come at once.
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

export type LoginThrottle = {
  /**
   * Takes one attempt for this account from this address, before any hashing, so that attempts sent
   * at once cannot all pass one check: `wait`, the seconds to wait, when the pair or the address has
   * none left (then nothing is taken); else 0, and which attempt of the pair's window this is.
   */
  attempt(username: string, ip: string): Promise<{ wait: number; nth: number }>;
  /** Attempt `nth` failed; returns the seconds of a lockout it started, else 0. */
  recordFailure(username: string, ip: string, nth: number): Promise<number>;
  /** The attempt succeeded: the address gets it back, and the pair's failures and lockout history are cleared. */
  recordSuccess(username: string, ip: string): Promise<void>;
};

/** Failures are counted over these windows. */
const ACCOUNT_WINDOW = 15 * 60;
const ADDRESS_WINDOW = 60 * 60;

type LimiterOptions = { keyPrefix: string; points: number; duration: number; blockDuration?: number };

/** Takes a point: the result, or the seconds to wait when there was none left. */
const take = (limiter: RateLimiterAbstract, key: string) =>
  limiter.consume(key).then(
    (result) => ({ wait: 0, nth: result.consumedPoints }),
    (rejection: unknown) => {
      if (rejection instanceof RateLimiterRes) return { wait: Math.ceil(rejection.msBeforeNext / 1000), nth: 0 };
      throw rejection;
    },
  );

export function createLoginThrottle(
  { maxFailures, lockout }: ThrottleSettings,
  limiter: (options: LimiterOptions) => RateLimiterAbstract = (options) => new RateLimiterMemory(options),
): LoginThrottle {
  const maxLockout = lockout * 4;
  const account = limiter({ keyPrefix: "login-account", points: maxFailures, duration: ACCOUNT_WINDOW });
  // consume() past the limit blocks the address for blockDuration.
  const address = limiter({
    keyPrefix: "login-address",
    points: maxFailures * 10,
    duration: ADDRESS_WINDOW,
    blockDuration: maxLockout,
  });
  const lockouts = limiter({ keyPrefix: "login-lockouts", points: 1_000, duration: 24 * 60 * 60 });
  const pair = (username: string, ip: string) => `${username.toLowerCase()}|${network(ip)}`;

  return {
    async attempt(username, ip) {
      const key = pair(username, ip);
      const byPair = await take(account, key);
      if (byPair.wait > 0) return byPair;
      const byAddress = await take(address, network(ip));
      if (byAddress.wait === 0) return byPair;
      await account.reward(key, 1); // refused: the attempt was not made
      return byAddress;
    },

    async recordFailure(username, ip, nth) {
      if (nth < maxFailures) return 0;
      // The attempt that used the pair's last point starts the lockout; number n lasts lockout * 2^(n-1), at most maxLockout.
      const key = pair(username, ip);
      const previous = (await lockouts.penalty(key)).consumedPoints - 1;
      const seconds = Math.min(lockout * 2 ** previous, maxLockout);
      await account.block(key, seconds);
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
    recordFailure: (username, ip, nth) => run((throttle) => throttle.recordFailure(username, ip, nth)),
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
