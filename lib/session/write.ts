/**
 * Turning a session into the cookie that carries it: in the cookie store
 * the sealed data; in a server-side store the record is written and the
 * cookie carries its sealed id.
 */
import { sessionCookie, type SessionCookie } from "./cookie";
import { absoluteLifetime, expiresAt } from "./policy";
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
  const { payload } = await cookieStore.create(data, { ttl: 0 });
  const sealed = await seal(payload, 0, config);
  const cookie = sessionCookie(config, sealed.value, data.permanent, expiresAt(data, config) - now);
  sealed.keep({ data });
  return cookie;
}

/**
 * Stores the session and returns the cookie that must carry it: a change of
 * the `previous` session (in a server-side store, the fields that changed
 * since it was read), or without it a new session (a new id). In a
 * server-side store the cookie lives until the absolute lifetime (the
 * record's TTL enforces the idle one), and there the seal's own expiration
 * bounds it too.
 */
export async function persist(
  store: SessionStore,
  data: SessionData,
  config: SessionConfig,
  now: number,
  { previous, context }: { previous?: { id: string; data: SessionData }; context?: RequestContext } = {},
): Promise<SessionCookie> {
  if (!store.revocable) return sealCookieSession(data, config, now);
  const ttl = expiresAt(data, config) - now;
  const saved = previous
    ? await store.update({ id: previous.id }, previous.data, data, { ttl })
    : await store.create(data, { ttl, context });
  const lifetime = Math.max(1, data.createdAt + absoluteLifetime(data, config) - now);
  const sealed = await seal(saved.payload, lifetime, config);
  const cookie = sessionCookie(config, sealed.value, data.permanent, lifetime);
  sealed.keep({ id: saved.id! });
  return cookie;
}
