/**
 * All configuration, read from the environment and validated in one place.
 *
 * Nothing is read at import time, so `next build` needs no variables: the
 * first call to getConfig() does the work, and instrumentation.ts makes that
 * call when the server starts, so a production server with a bad
 * configuration stops at once instead of failing on the first request.
 */
import type { SessionConfig } from "../session/types";
import type { RedisLog, RedisSessionStore, RedisTarget } from "../session/redis";
import { clientIp, forwardedFor, network } from "../http/client-ip";
import { log } from "../log.mjs";
import type { ParsedHash } from "../auth/hash-format";
import { formatDuration } from "../i18n/format";
import { envDuration, parseDuration } from "./duration";
import { readUsers } from "./users";

export { DEMO_USER } from "./users";

export const MIN_SECRET_LENGTH = 32;
const DEFAULT_LIFETIME = 31 * 86_400; // Flask's PERMANENT_SESSION_LIFETIME
const DEFAULT_ABSOLUTE_LIFETIME = 90 * 86_400;
const DEFAULT_COOKIE_NAME = "session";
const HOST_PREFIX = "__Host-";

export type Config = {
  /** `next start` (NODE_ENV=production): Secure cookies, `__Host-` prefix, no defaults for secrets or users. */
  production: boolean;
  /** What lib/session.ts is given; with SESSION_STORE=redis, its store is the Redis one. */
  session: SessionConfig & { store?: RedisSessionStore; anonymousLifetime: number };
  /** The Redis (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS) and REDIS_KEY_PREFIX: the store's, where the login throttle counts too (whichever the store). */
  redis?: { target: RedisTarget; keyPrefix: string; log: RedisLog };
  /** SESSION_FRESH_AGE: seconds after a password entry during which ending other sessions needs no new one. */
  freshAge: number;
  users: ReadonlyMap<string, ParsedHash>;
  /** True when no AUTH_USERS is set in development and the demo account is in use. */
  demoAccount: boolean;
  /** LOGIN_MAX_FAILURES and LOGIN_LOCKOUT (seconds): see lib/auth/login-throttle.ts. */
  loginThrottle: { maxFailures: number; lockout: number };
  /** The visitor's address, counting TRUST_PROXY proxies in front (lib/http/client-ip.ts). */
  clientAddress: (headers: Headers) => string;
  /** A worker of `npm start` (scripts/start.mjs sets NEXT_SESSIONS_CLUSTER=1): the login throttle counts in the primary. */
  clusterWorker: boolean;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const GENERATE_SECRET = "Generate one with: openssl rand -base64 32";
// RFC 6265 cookie-name token characters.
const COOKIE_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/;

type Env = Record<string, string | undefined>;

function readSecrets(env: Env, production: boolean, problems: string[]) {
  // Trimmed, as each old secret is: a secret read from a file keeps its newline, and rotation moves it into the
  // fallbacks. A secret that had such a newline still opens the cookies it sealed (the last line of this function).
  const given = env.SESSION_SECRET ?? "";
  const secret = given.trim();
  if (!secret) {
    problems.push(
      production
        ? `SESSION_SECRET is not set. It encrypts the session cookies and must be at least ${MIN_SECRET_LENGTH} characters. ${GENERATE_SECRET}`
        : `SESSION_SECRET is not set. 'npm run dev' creates one in .session-secret.local; otherwise set it. ${GENERATE_SECRET}`,
    );
  } else if (secret.length < MIN_SECRET_LENGTH) {
    problems.push(
      `SESSION_SECRET is ${secret.length} characters long; it must be at least ${MIN_SECRET_LENGTH}. ${GENERATE_SECRET}`,
    );
  } else if (secret.includes(",")) {
    problems.push(
      `SESSION_SECRET contains a comma: SESSION_SECRET_FALLBACKS separates old secrets with commas, so this one could never be rotated. ${GENERATE_SECRET}`,
    );
  }
  const fallbackSecrets = (env.SESSION_SECRET_FALLBACKS ?? "")
    .split(",")
    .map((value) => value.trim())
    .filter(Boolean);
  fallbackSecrets.forEach((fallback, index) => {
    if (fallback.length < MIN_SECRET_LENGTH) {
      problems.push(
        `SESSION_SECRET_FALLBACKS: entry ${index + 1} is ${fallback.length} characters long; every old secret must be at least ${MIN_SECRET_LENGTH}, e.g. SESSION_SECRET_FALLBACKS=<old secret>,<older secret>`,
      );
    }
  });
  if (given !== secret && secret) fallbackSecrets.push(given);
  return { secret, fallbackSecrets: fallbackSecrets.filter((fallback) => fallback !== secret) };
}

function readDuration(env: Env, name: string, fallback: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const parsed = parseDuration(raw);
  if (parsed.ok) return parsed.seconds;
  problems.push(
    `${name}: ${parsed.problem}. Use a number with a unit d, h, m or s, or plain seconds, e.g. ${name}=${envDuration(fallback)}`,
  );
  return fallback;
}

function readCookieName(env: Env, secure: boolean, problems: string[]): string {
  const raw = env.SESSION_COOKIE_NAME?.trim() || DEFAULT_COOKIE_NAME;
  if (!COOKIE_NAME.test(raw)) {
    problems.push(
      `SESSION_COOKIE_NAME: "${raw}" is not a valid cookie name (letters, digits and !#$%&'*+.^_\`|~- only, at most 64). e.g. SESSION_COOKIE_NAME=session`,
    );
    return DEFAULT_COOKIE_NAME;
  }
  const bare = raw.startsWith(HOST_PREFIX) ? raw.slice(HOST_PREFIX.length) : raw;
  // __Host- binds the cookie to this exact origin: Secure, Path=/, no Domain.
  // Browsers only accept it from a secure origin, so development (and a plain-http demo) keeps the plain name.
  return secure ? HOST_PREFIX + bare : bare;
}

const REDIS_CHOICES =
  "REDIS_URL (one server), REDIS_CLUSTER_NODES (a Redis Cluster) or REDIS_SENTINELS (a Sentinel set)";

/** A redis:// or rediss:// URL with a host, or null. */
/** `text` if node-redis can connect with it: redis:// or rediss://, a host, a database number at most, escapes that decode. */
function redisUrl(text: string): string | null {
  try {
    const url = new URL(text);
    decodeURIComponent(url.username + url.password);
    const fits = ["redis:", "rediss:"].includes(url.protocol) && url.hostname !== "" && /^\/?\d*$/.test(url.pathname);
    return fits ? text : null;
  } catch {
    return null;
  }
}

/** Which Redis, if any: one of REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS (with REDIS_SENTINEL_MASTER). */
function readRedisTarget(env: Env, problems: string[]): RedisTarget | undefined {
  const list = (name: string) =>
    (env[name] ?? "")
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean);
  const [url, clusterNodes, sentinels] = [
    env.REDIS_URL?.trim() || undefined,
    list("REDIS_CLUSTER_NODES"),
    list("REDIS_SENTINELS"),
  ];
  const chosen = [
    url && "REDIS_URL",
    clusterNodes.length > 0 && "REDIS_CLUSTER_NODES",
    sentinels.length > 0 && "REDIS_SENTINELS",
  ].filter(Boolean);
  if (chosen.length > 1) {
    problems.push(
      `${chosen.join(" and ")} are ${chosen.length > 2 ? "all" : "both"} set: set only one of ${REDIS_CHOICES}.`,
    );
    return undefined;
  }
  const master = env.REDIS_SENTINEL_MASTER?.trim();
  for (const name of ["REDIS_SENTINEL_MASTER", "REDIS_SENTINEL_PASSWORD", "REDIS_PASSWORD"]) {
    if (env[name] && sentinels.length === 0) {
      problems.push(
        `${name} goes with REDIS_SENTINELS, which is not set. With REDIS_URL or REDIS_CLUSTER_NODES, a password goes in the URL: redis://:<password>@host:6379`,
      );
    }
  }
  if (url) {
    if (redisUrl(url)) return { url };
    problems.push(
      "REDIS_URL is not a redis:// or rediss:// URL with a host (and at most a database number). e.g. REDIS_URL=redis://localhost:6379/0",
    );
  } else if (clusterNodes.length > 0) {
    const bad = clusterNodes.filter((node) => !redisUrl(node));
    // Every node is reached with the first seed's TLS and password: seeds that differ would mislead.
    const access = (node: string) => ((url) => `${url.protocol}${url.username}:${url.password}`)(new URL(node));
    if (bad.length > 0) {
      problems.push(
        `REDIS_CLUSTER_NODES: "${bad[0]}" is not a redis:// or rediss:// URL with a host. e.g. REDIS_CLUSTER_NODES=redis://10.0.0.1:7000,redis://10.0.0.2:7001`,
      );
    } else if (clusterNodes.some((node) => access(node) !== access(clusterNodes[0]))) {
      problems.push(
        "REDIS_CLUSTER_NODES: the seeds differ in redis:// or rediss://, or in their password; every node is reached as the first seed says, so write them all alike",
      );
    } else {
      return { clusterNodes };
    }
  } else if (sentinels.length > 0) {
    const parsed = sentinels.map((entry) => /^([^:\s]+):(\d{1,5})$/.exec(entry));
    const bad = sentinels.find((_, n) => !parsed[n] || Number(parsed[n]![2]) > 65_535);
    if (bad !== undefined) {
      problems.push(
        `REDIS_SENTINELS: "${bad}" is not host:port. e.g. REDIS_SENTINELS=10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379`,
      );
    } else if (!master) {
      problems.push(
        "REDIS_SENTINELS needs REDIS_SENTINEL_MASTER, the name the sentinels monitor, e.g. REDIS_SENTINEL_MASTER=mymaster",
      );
    } else {
      return {
        sentinels: parsed.map((match) => ({ host: match![1], port: Number(match![2]) })),
        masterName: master,
        password: env.REDIS_PASSWORD || undefined,
        sentinelPassword: env.REDIS_SENTINEL_PASSWORD || undefined,
      };
    }
  }
  return undefined;
}

function readRedis(env: Env, problems: string[]) {
  const kind = env.SESSION_STORE?.trim().toLowerCase() || "cookie";
  if (kind !== "cookie" && kind !== "redis") {
    problems.push(
      `SESSION_STORE: "${env.SESSION_STORE}" is not a store. Use SESSION_STORE=cookie (default) or SESSION_STORE=redis`,
    );
  }
  const reported = problems.length;
  const target = readRedisTarget(env, problems);
  if (kind === "redis" && !target && problems.length === reported) {
    problems.push(`SESSION_STORE=redis needs a Redis: set ${REDIS_CHOICES}, e.g. REDIS_URL=redis://localhost:6379`);
  }
  const keyPrefix = env.REDIS_KEY_PREFIX?.trim() || "session:";
  if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(keyPrefix)) {
    problems.push(
      `REDIS_KEY_PREFIX: "${keyPrefix}" may use letters, digits and : _ . - only. e.g. REDIS_KEY_PREFIX=myapp:session:`,
    );
  }
  return { store: kind === "redis", target, keyPrefix };
}

/** A whole number from 1 to `max`, or `fallback` when unset. */
function readCount(env: Env, name: string, fallback: number, max: number, problems: string[]): number {
  const raw = env[name]?.trim() || String(fallback);
  const count = /^\d{1,6}$/.test(raw) ? Number(raw) : 0;
  if (count < 1 || count > max) {
    problems.push(`${name}: "${raw}" is not a whole number from 1 to ${max}. e.g. ${name}=${fallback}`);
    return fallback;
  }
  return count;
}

function readBoolean(env: Env, name: string, problems: string[], fallback = false): boolean {
  const raw = env[name]?.trim().toLowerCase() ?? "";
  if (raw === "") return fallback;
  if (raw === "false" || raw === "0") return false;
  if (raw === "true" || raw === "1") return true;
  problems.push(`${name}: "${env[name]}" is not true or false. e.g. ${name}=${fallback ? "false" : "true"}`);
  return fallback;
}

const MAX_PROXIES = 10;

/**
 * TRUST_PROXY: how many proxies in front of the app add to X-Forwarded-For
 * (lib/http/client-ip.ts). `true` is one, the common case; `false`, 0 or
 * unset: none. (On Vercel, whose edge writes a single entry, any count reads it.)
 */
function readProxies(env: Env, problems: string[]): number {
  const raw = env.TRUST_PROXY?.trim().toLowerCase() ?? "";
  if (raw === "" || raw === "false") return 0;
  if (raw === "true") return 1;
  if (/^\d{1,2}$/.test(raw) && Number(raw) <= MAX_PROXIES) return Number(raw);
  problems.push(
    `TRUST_PROXY: "${env.TRUST_PROXY}" is not a number of proxies. Set how many proxies in front of the app add to X-Forwarded-For: TRUST_PROXY=1 behind nginx or a load balancer, TRUST_PROXY=2 behind Cloudflare and nginx, at most ${MAX_PROXIES}; leave it unset when clients reach npm start directly, and on Vercel.`,
  );
  return 0;
}

export function loadConfig(env: Env = process.env): Config {
  // NODE_ENV=production: `next build`, `next start`.
  const production = env.NODE_ENV === "production";
  const problems: string[] = [];
  const { secret, fallbackSecrets } = readSecrets(env, production, problems);

  const lifetime = readDuration(env, "SESSION_LIFETIME", DEFAULT_LIFETIME, problems);
  const absoluteLifetime = readDuration(
    env,
    "SESSION_ABSOLUTE_LIFETIME",
    Math.max(DEFAULT_ABSOLUTE_LIFETIME, lifetime),
    problems,
  );
  if (absoluteLifetime < lifetime) {
    problems.push(
      `SESSION_ABSOLUTE_LIFETIME (${formatDuration(absoluteLifetime, "en")}) is shorter than SESSION_LIFETIME (${formatDuration(lifetime, "en")}), which would make the idle lifetime meaningless. Raise it, e.g. SESSION_ABSOLUTE_LIFETIME=${envDuration(Math.max(DEFAULT_ABSOLUTE_LIFETIME, lifetime))}`,
    );
  }

  // SESSION_COOKIE_SECURE=false: a production server for a trusted network over plain http (a LAN demo).
  const secureCookies = readBoolean(env, "SESSION_COOKIE_SECURE", problems, production);
  const cookieName = readCookieName(env, secureCookies, problems);

  const { users, demoAccount } = readUsers(env, production, problems);

  const proxies = readProxies(env, problems);
  let shortListSeen = false;
  const clientAddress = (headers: Headers) => {
    const hops = proxies > 0 && !shortListSeen ? forwardedFor(headers).length : Infinity; // read only with TRUST_PROXY, until it has warned
    if (hops <= proxies) {
      // Honest requests that come so are the one sign that TRUST_PROXY is set too high (and so can be forged).
      shortListSeen = true;
      log("warn", "config.trust-proxy", {
        message: `TRUST_PROXY=${proxies} counts ${proxies} proxies in front of the app, but a request came with ${hops} X-Forwarded-For ${hops === 1 ? "entry" : "entries"}, as through fewer. If every request comes so, TRUST_PROXY is too high and a client can choose the address that the login throttle counts: set it to the number of proxies (docs/deploy.md).`,
      });
    }
    return clientIp(headers, proxies);
  };
  const redis = readRedis(env, problems);
  const anonymousLifetime = readDuration(env, "SESSION_ANONYMOUS_LIFETIME", 3_600, problems);
  // The first deploy of a rolling upgrade from a release that sealed the id (docs/redis.md, "The cookie").
  const sealedIds = readBoolean(env, "SESSION_SEALED_IDS", problems);
  const freshAge = readDuration(env, "SESSION_FRESH_AGE", 10 * 60, problems);
  const newSessionsPerAddress = readCount(env, "SESSION_NEW_PER_ADDRESS", 20, 10_000, problems);
  const lockout = readDuration(env, "LOGIN_LOCKOUT", 15 * 60, problems);
  // Locks grow to four lockouts. Without Redis they are rate-limiter-flexible's timers in memory, which cannot
  // reach 25 days: a longer lock ended at once.
  if (lockout > 86_400) {
    problems.push(
      `LOGIN_LOCKOUT (${formatDuration(lockout, "en")}) is over a day; locks grow to four times it. e.g. LOGIN_LOCKOUT=15m`,
    );
  }
  const maxFailures = readCount(env, "LOGIN_MAX_FAILURES", 5, 100, problems);
  const deviceBound = readBoolean(env, "DEVICE_BOUND_SESSIONS", problems, true);
  const deviceLifetime = readDuration(env, "DEVICE_BOUND_LIFETIME", 10 * 60, problems);
  if (deviceLifetime < 10 || deviceLifetime > 86_400) {
    problems.push(
      `DEVICE_BOUND_LIFETIME (${formatDuration(deviceLifetime, "en")}) must be from 10 seconds to a day; a bound cookie lives this long before the browser proves its key again (Chrome needs 4 minutes or more: docs/device-bound.md). e.g. DEVICE_BOUND_LIFETIME=10m`,
    );
  }

  if (problems.length > 0) throw new ConfigError(problems);
  const redisLog: RedisLog = (event, message) => log("error", event, { message });
  const store =
    redis.store && redis.target
      ? storeOnDemand({
          ...redis.target,
          keyPrefix: redis.keyPrefix,
          newSessionsPerAddress,
          freshAge,
          clientAddress: (headers: Headers) => network(clientAddress(headers)), // counts an IPv6 client's /64
          log: redisLog,
        })
      : undefined;
  return {
    production,
    session: {
      secret,
      fallbackSecrets,
      lifetime,
      absoluteLifetime,
      cookieName,
      secure: secureCookies,
      store,
      sealedIds,
      anonymousLifetime,
      // DEVICE_BOUND_SESSIONS and DEVICE_BOUND_LIFETIME: sessions bound to the browser's key.
      deviceLifetime: deviceBound ? deviceLifetime : undefined,
    },
    redis: redis.target ? { target: redis.target, keyPrefix: redis.keyPrefix, log: redisLog } : undefined,
    freshAge,
    users,
    demoAccount,
    clientAddress,
    loginThrottle: { maxFailures, lockout },
    clusterWorker: env.NEXT_SESSIONS_CLUSTER === "1",
  };
}

type StoreModule = typeof import("../session/redis");
let loadStore: (() => Promise<StoreModule>) | undefined;

/**
 * How to load the Redis store (lib/auth/dal.ts, which every page and action
 * goes through, tells). Nothing here imports it: the middleware, which reads
 * the cookie alone, ships without a Redis client, and the store's module is
 * loaded the first time a page or an action uses it, with SESSION_STORE=redis only.
 */
export function provideRedisStore(load: () => Promise<StoreModule>) {
  loadStore = load;
}

/** The Redis store, made on its first use from what provideRedisStore was given. */
function storeOnDemand(options: Parameters<StoreModule["redisStore"]>[0]): RedisSessionStore {
  let made: Promise<RedisSessionStore> | undefined;
  const store = () => {
    if (!loadStore) throw new Error("SESSION_STORE=redis, but nothing called provideRedisStore() in this bundle");
    // A module that failed to load is asked for again next time, not remembered as failed.
    made ??= loadStore().then(
      ({ redisStore }) => redisStore(options),
      (error: unknown) => {
        made = undefined;
        throw error;
      },
    );
    return made;
  };
  return {
    load: async (...args) => (await store()).load(...args),
    create: async (...args) => (await store()).create(...args),
    update: async (...args) => (await store()).update(...args),
    touch: async (...args) => (await store()).touch(...args),
    destroy: async (...args) => (await store()).destroy(...args),
    list: async (...args) => (await store()).list(...args),
    end: async (...args) => (await store()).end(...args),
  };
}

let cached: Config | undefined;

/** The validated configuration of this process; throws ConfigError with every problem at once. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}

/** The session layer's settings (lib/session.ts takes them from here). */
export function sessionConfig(): Config["session"] {
  return getConfig().session;
}
