/**
 * Turning a session into the cookie that carries it: in the cookie store
 * the sealed data; in a server-side store the record is written and the
 * cookie carries its sealed id.
 */
import { sessionCookie, type SessionCookie } from "./cookie";
import { expiresAt } from "./policy";
import { seal } from "./seal";
import { cookieStore } from "./stores/cookie";
import type { SessionStore } from "./stores/types";
import type { RequestContext, SessionConfig, SessionData } from "./types";

/**
 * Seals a session kept in the cookie itself: the cookie lives until the
 * session would expire. The seal carries no expiration of its own (ttl 0):
 * the session's timestamps inside it, which the seal authenticates, decide
 * to the second, and the 13 digits of an expiration would only repeat them
 * on every request; without them a signed-in cookie stays under 300 bytes.
 */
export async function sealCookieSession(data: SessionData, config: SessionConfig, now: number): Promise<SessionCookie> {
  const { payload } = await cookieStore.save(data, { ttl: 0 });
  const sealed = await seal(payload, 0, config);
  const cookie = sessionCookie(config, sealed.value, data.permanent, expiresAt(data, config) - now);
  sealed.keep({ data });
  return cookie;
}

/**
 * Stores the session and returns the cookie that must carry it. `id`
 * updates that record; without it a new id is issued. In a server-side
 * store the cookie lives until the absolute lifetime (the record's TTL
 * enforces the idle one), and there the seal's own expiration bounds it too.
 */
export async function persist(
  store: SessionStore,
  data: SessionData,
  config: SessionConfig,
  now: number,
  { id, context }: { id?: string; context?: RequestContext } = {},
): Promise<SessionCookie> {
  if (!store.revocable) return sealCookieSession(data, config, now);
  const saved = await store.save(data, { id, ttl: expiresAt(data, config) - now, context });
  const lifetime = Math.max(1, data.createdAt + config.absoluteLifetime - now);
  const sealed = await seal(saved.payload, lifetime, config);
  const cookie = sessionCookie(config, sealed.value, data.permanent, lifetime);
  sealed.keep({ id: saved.id! });
  return cookie;
}
