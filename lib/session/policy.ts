/**
 * The expiry and refresh rules, as pure functions of the session's own
 * timestamps (epoch seconds) and the configured lifetimes.
 */
import type { SessionConfig, SessionData } from "./types";

type Lifetimes = Pick<SessionConfig, "lifetime" | "absoluteLifetime" | "anonymousLifetime" | "store">;

export const DEFAULT_ANONYMOUS_LIFETIME = 3_600;
export const DEFAULT_FRESH_AGE = 600;

/**
 * The longest this session lasts from its start, however active: the
 * absolute lifetime, or in a server-side store the much shorter one of a
 * visitor who never signed in, so that such visitors cannot keep records
 * alive on the server for months (the cookie store keeps nothing).
 */
export function absoluteLifetime(data: SessionData, config: Lifetimes): number {
  if (data.user !== undefined || config.store.kind === "cookie") return config.absoluteLifetime;
  return Math.min(config.absoluteLifetime, config.anonymousLifetime ?? DEFAULT_ANONYMOUS_LIFETIME);
}

/** When the session ends unless it is used before then: idle lifetime from the last refresh, capped by the absolute one. */
export function expiresAt(data: SessionData, config: Lifetimes): number {
  return Math.min(data.refreshedAt + config.lifetime, data.createdAt + absoluteLifetime(data, config));
}

/** Why a session is over at `now`, or null while it lives. */
export function expiryReason(
  data: SessionData,
  now: number,
  config: Lifetimes,
): "idle-expired" | "absolute-expired" | null {
  if (now >= data.createdAt + absoluteLifetime(data, config)) return "absolute-expired";
  if (now >= data.refreshedAt + config.lifetime) return "idle-expired";
  return null;
}

/**
 * Whether the user gave their password within the fresh age: ending other
 * sessions asks for it again when not (OWASP ASVS 5, 7.5.2). A session of
 * an earlier version, which kept no such time, counts from its sign-in.
 */
export function isFresh(data: SessionData, now: number, config: Pick<SessionConfig, "freshAge">): boolean {
  if (data.user === undefined) return false;
  return now - (data.authenticatedAt ?? data.createdAt) < (config.freshAge ?? DEFAULT_FRESH_AGE);
}

/**
 * How long a session is used before it is written again with a new
 * `refreshedAt`: a tenth of the lifetime, at most 5 minutes. Re-sealing on
 * every request (Flask's default) would cost a seal and a Set-Cookie each time.
 */
export function refreshInterval(lifetime: number): number {
  return Math.max(1, Math.min(300, Math.floor(lifetime / 10)));
}

/** Whether a live session in use at `now` should slide forward. */
export function refreshDue(data: SessionData, now: number, config: Pick<SessionConfig, "lifetime">): boolean {
  return now - data.refreshedAt >= refreshInterval(config.lifetime);
}

/** A fresh session for a visitor who has none. */
export function blankSession(now: number): SessionData {
  return { permanent: false, values: emptyValues(), createdAt: now, refreshedAt: now };
}

/** Nothing worth keeping: no user, not permanent, no values. Such a session gets no cookie. */
export function isBlank(data: SessionData): boolean {
  return data.user === undefined && !data.permanent && Object.keys(data.values).length === 0;
}

/**
 * The playground's values live in an object without a prototype, so that any
 * key, `__proto__` and `constructor` included, is stored as a key like any other.
 */
export function emptyValues(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}

/** A copy of the session that a caller may change without touching the original (the cache keeps that one). */
export function copySession(data: SessionData): SessionData {
  return { ...data, values: Object.assign(emptyValues(), data.values) };
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);
