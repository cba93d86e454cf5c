/**
 * Login throttling (OWASP Authentication Cheat Sheet, ASVS V6.3): failed
 * sign-ins are counted per account+address and per address, with
 * rate-limiter-flexible. Over a limit, an attempt is refused before any
 * password hashing, with the time to wait.
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
  /** Seconds to wait before this account may be tried from this address, or 0. */
  retryAfter(username: string, ip: string): Promise<number>;
  /** Counts a failure; returns the seconds of a lockout it started, else 0. */
  recordFailure(username: string, ip: string): Promise<number>;
  /** A success clears the pair's failures and its lockout history. */
  recordSuccess(username: string, ip: string): Promise<void>;
};

const waitOf = (result: RateLimiterRes | null, limit: number) =>
  result && result.consumedPoints > limit ? Math.ceil(result.msBeforeNext / 1000) : 0;

/** Failures are counted over these windows. */
const ACCOUNT_WINDOW = 15 * 60;
const ADDRESS_WINDOW = 60 * 60;

type LimiterOptions = { keyPrefix: string; points: number; duration: number; blockDuration?: number };

export function createLoginThrottle(
  { maxFailures, lockout }: ThrottleSettings,
  limiter: (options: LimiterOptions) => RateLimiterAbstract = (options) => new RateLimiterMemory(options),
): LoginThrottle {
  const addressFailures = maxFailures * 10;
  const maxLockout = lockout * 4;
  const account = limiter({ keyPrefix: "login-account", points: maxFailures, duration: ACCOUNT_WINDOW });
  const address = limiter({
    keyPrefix: "login-address",
    points: addressFailures,
    duration: ADDRESS_WINDOW,
    blockDuration: maxLockout,
  });
  const lockouts = limiter({ keyPrefix: "login-lockouts", points: 1_000, duration: 24 * 60 * 60 });
  const pair = (username: string, ip: string) => `${username.toLowerCase()}|${network(ip)}`;

  return {
    async retryAfter(username, ip) {
      const [byPair, byAddress] = await Promise.all([account.get(pair(username, ip)), address.get(network(ip))]);
      return Math.max(waitOf(byPair, maxFailures), waitOf(byAddress, addressFailures));
    },

    async recordFailure(username, ip) {
      const key = pair(username, ip);
      const waits = await Promise.all([
        // consume(), not penalty(): only consume() applies blockDuration past the limit.
        address.consume(network(ip)).then(
          () => 0,
          (rejection: unknown) => {
            if (rejection instanceof RateLimiterRes) return Math.ceil(rejection.msBeforeNext / 1000);
            throw rejection;
          },
        ),
        account.penalty(key).then(async (result) => {
          if (result.consumedPoints < maxFailures) return 0;
          // Lockout number n lasts lockout * 2^(n-1), at most maxLockout.
          const previous = (await lockouts.penalty(key)).consumedPoints - 1;
          const seconds = Math.min(lockout * 2 ** previous, maxLockout);
          await account.block(key, seconds);
          return seconds;
        }),
      ]);
      return Math.max(...waits);
    },

    async recordSuccess(username, ip) {
      const key = pair(username, ip);
      await Promise.all([account.delete(key), lockouts.delete(key)]);
    },
  };
}

type ThrottleConfig = Pick<Config, "loginThrottle" | "redis" | "clusterWorker">;

/** The throttle with every call run through `run` (bounded in time, failures mapped to StoreUnavailableError). */
function everyCall(run: <R>(call: (throttle: LoginThrottle) => Promise<R>) => Promise<R>): LoginThrottle {
  return {
    retryAfter: (username, ip) => run((throttle) => throttle.retryAfter(username, ip)),
    recordFailure: (username, ip) => run((throttle) => throttle.recordFailure(username, ip)),
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
