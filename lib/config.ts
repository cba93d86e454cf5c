/**
 * All configuration, read from the environment and validated in one place.
 *
 * Nothing is read at import time, so `next build` needs no variables: the
 * first call to getConfig() does the work, and instrumentation.ts makes that
 * call when the server starts, so a production server with a bad
 * configuration stops at once instead of failing on the first request.
 */
import { describeDuration, formatDuration, parseDuration } from "./duration";
import { parseHash, type ParsedHash } from "./hash-format";

export const MIN_SECRET_LENGTH = 32;
export const DEFAULT_LIFETIME = 31 * 86_400; // Flask's PERMANENT_SESSION_LIFETIME
export const DEFAULT_ABSOLUTE_LIFETIME = 90 * 86_400;
export const DEFAULT_COOKIE_NAME = "session";
export const HOST_PREFIX = "__Host-";

/** The demo account of development mode: admin / admin123 (the tutorial's). */
export const DEMO_USER = {
  name: "admin",
  password: "admin123",
  hash: "scrypt.17.8.1.m_XNzxGiiuH4geBRxU_GJQ.PezR2z5szXOrIv0VHnxtOj1tjVxfmSaS8yCdvUvxcFo",
} as const;

/** What the session layer (lib/session.ts) is given: the shape of its SessionConfig. */
export type SessionSettings = {
  /** Seals new cookies. */
  secret: string;
  /** Old secrets that still open existing cookies (rotation). */
  fallbackSecrets: string[];
  /** Seconds a session may go unused (SESSION_LIFETIME); also a permanent cookie's Max-Age. */
  lifetime: number;
  /** Seconds since sign-in after which a session ends however active it is. */
  absoluteLifetime: number;
  /** The cookie's name as sent to the browser (with `__Host-` in production). */
  cookieName: string;
  /** Secure cookies. */
  production: boolean;
  /** SESSION_STORE: the data in the encrypted cookie, or in Redis with only an id in the cookie. */
  store: { kind: "cookie" } | { kind: "redis"; url: string; keyPrefix: string };
};

export type Config = {
  /** `next start` (NODE_ENV=production): Secure cookies, `__Host-` prefix, no defaults for secrets or users. */
  production: boolean;
  session: SessionSettings;
  users: ReadonlyMap<string, ParsedHash>;
  /** True when no AUTH_USERS is set in development and the demo account is in use. */
  demoAccount: boolean;
  /** LOGIN_MAX_FAILURES and LOGIN_LOCKOUT (seconds): see lib/login-throttle.ts. */
  loginThrottle: { maxFailures: number; lockout: number };
  /** TRUST_PROXY: take the client's address from the first X-Forwarded-For hop (behind a proxy that sets it). */
  trustProxy: boolean;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const GENERATE_SECRET = "Generate one with: openssl rand -base64 32";
const USER_NAME = /^[A-Za-z0-9_.@-]{1,64}$/;
// RFC 6265 cookie-name token characters.
const COOKIE_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/;

type Env = Record<string, string | undefined>;

function readSecrets(env: Env, production: boolean, problems: string[]) {
  const secret = env.SESSION_SECRET ?? "";
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
  return { secret, fallbackSecrets: fallbackSecrets.filter((fallback) => fallback !== secret) };
}

function readDuration(env: Env, name: string, fallback: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const parsed = parseDuration(raw);
  if (parsed.ok) return parsed.seconds;
  problems.push(
    `${name}: ${parsed.problem}. Use a number with a unit d, h, m or s, or plain seconds, e.g. ${name}=${formatDuration(fallback)}`,
  );
  return fallback;
}

function readCookieName(env: Env, production: boolean, problems: string[]): string {
  const raw = env.SESSION_COOKIE_NAME?.trim() || DEFAULT_COOKIE_NAME;
  if (!COOKIE_NAME.test(raw)) {
    problems.push(
      `SESSION_COOKIE_NAME: "${raw}" is not a valid cookie name (letters, digits and !#$%&'*+.^_\`|~- only, at most 64). e.g. SESSION_COOKIE_NAME=session`,
    );
    return DEFAULT_COOKIE_NAME;
  }
  const bare = raw.startsWith(HOST_PREFIX) ? raw.slice(HOST_PREFIX.length) : raw;
  // __Host- binds the cookie to this exact origin: Secure, Path=/, no Domain.
  // Browsers only accept it from a secure origin, so development keeps the plain name.
  return production ? HOST_PREFIX + bare : bare;
}

export function parseUsers(raw: string, problems: string[]): Map<string, ParsedHash> {
  const users = new Map<string, ParsedHash>();
  const example = "AUTH_USERS=alice:<hash>,bob:<hash> (make a hash with: npm run hash-password)";
  raw
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .forEach((entry, index) => {
      const colon = entry.indexOf(":");
      const name = colon === -1 ? "" : entry.slice(0, colon);
      const hash = colon === -1 ? "" : entry.slice(colon + 1);
      if (colon === -1) {
        problems.push(`AUTH_USERS: entry ${index + 1} has no ":" between name and hash. e.g. ${example}`);
      } else if (!USER_NAME.test(name)) {
        problems.push(
          `AUTH_USERS: entry ${index + 1} has an invalid user name (1-64 of letters, digits, _ . @ -). e.g. ${example}`,
        );
      } else if (users.has(name)) {
        problems.push(`AUTH_USERS: the user "${name}" is listed twice; keep one entry per user.`);
      } else {
        const parsed = parseHash(hash);
        if (parsed) users.set(name, parsed);
        else problems.push(`AUTH_USERS: the hash of "${name}" is not an scrypt hash from 'npm run hash-password'.`);
      }
    });
  if (users.size === 0 && problems.length === 0) {
    problems.push(`AUTH_USERS lists no users. e.g. ${example}`);
  }
  return users;
}

function readStore(env: Env, problems: string[]): SessionSettings["store"] {
  const kind = env.SESSION_STORE?.trim().toLowerCase() || "cookie";
  if (kind === "cookie") return { kind };
  if (kind !== "redis") {
    problems.push(
      `SESSION_STORE: "${env.SESSION_STORE}" is not a store. Use SESSION_STORE=cookie (default) or SESSION_STORE=redis`,
    );
    return { kind: "cookie" };
  }
  const url = env.REDIS_URL?.trim() ?? "";
  let valid = false;
  try {
    valid = ["redis:", "rediss:"].includes(new URL(url).protocol);
  } catch {
    // reported below
  }
  if (!valid) {
    problems.push(
      url
        ? "REDIS_URL is not a redis:// or rediss:// URL. e.g. REDIS_URL=redis://localhost:6379"
        : "SESSION_STORE=redis needs REDIS_URL, e.g. REDIS_URL=redis://localhost:6379 (rediss:// for TLS)",
    );
  }
  const keyPrefix = env.REDIS_KEY_PREFIX?.trim() || "session:";
  if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(keyPrefix)) {
    problems.push(
      `REDIS_KEY_PREFIX: "${keyPrefix}" may use letters, digits and : _ . - only. e.g. REDIS_KEY_PREFIX=myapp:session:`,
    );
  }
  return { kind: "redis", url, keyPrefix };
}

function readBoolean(env: Env, name: string, problems: string[]): boolean {
  const raw = env[name]?.trim().toLowerCase() ?? "";
  if (raw === "" || raw === "false" || raw === "0") return false;
  if (raw === "true" || raw === "1") return true;
  problems.push(`${name}: "${env[name]}" is not true or false. e.g. ${name}=true`);
  return false;
}

export function loadConfig(env: Env = process.env): Config {
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
      `SESSION_ABSOLUTE_LIFETIME (${describeDuration(absoluteLifetime)}) is shorter than SESSION_LIFETIME (${describeDuration(lifetime)}), which would make the idle lifetime meaningless. Raise it, e.g. SESSION_ABSOLUTE_LIFETIME=${formatDuration(Math.max(DEFAULT_ABSOLUTE_LIFETIME, lifetime))}`,
    );
  }

  const cookieName = readCookieName(env, production, problems);

  const rawUsers = env.AUTH_USERS?.trim() ?? "";
  let users: Map<string, ParsedHash>;
  let demoAccount = false;
  if (rawUsers) {
    users = parseUsers(rawUsers, problems);
  } else if (production) {
    users = new Map();
    problems.push(
      "AUTH_USERS is not set, so nobody could sign in. List the accounts as AUTH_USERS=alice:<hash>,bob:<hash>; make each hash with: npm run hash-password",
    );
  } else {
    users = new Map([[DEMO_USER.name, parseHash(DEMO_USER.hash)!]]);
    demoAccount = true;
  }

  const trustProxy = readBoolean(env, "TRUST_PROXY", problems);
  const store = readStore(env, problems);
  const lockout = readDuration(env, "LOGIN_LOCKOUT", 15 * 60, problems);
  const rawFailures = env.LOGIN_MAX_FAILURES?.trim() || "5";
  const maxFailures = /^\d{1,3}$/.test(rawFailures) ? Number(rawFailures) : 0;
  if (maxFailures < 1 || maxFailures > 100) {
    problems.push(
      `LOGIN_MAX_FAILURES: "${rawFailures}" is not a whole number from 1 to 100. e.g. LOGIN_MAX_FAILURES=5`,
    );
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    production,
    session: { secret, fallbackSecrets, lifetime, absoluteLifetime, cookieName, production, store },
    users,
    demoAccount,
    trustProxy,
    loginThrottle: { maxFailures, lockout },
  };
}

let cached: Config | undefined;

/** The validated configuration of this process; throws ConfigError with every problem at once. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}

/** The session layer's settings (lib/session.ts takes them from here). */
export function sessionConfig(): SessionSettings {
  return getConfig().session;
}
