/**
 * The session layer's core, for any server that can read and write a
 * cookie: it takes a SessionConfig and, on each call, the request's cookie
 * jar (`await cookies()` in Next.js; an in-memory one in tests). It knows
 * nothing of the app's users, logs or languages: it says what happened, and
 * the caller decides what to log.
 */
import { byteLength, cookieTag, expiredCookie, type SessionCookie } from "./cookie";
import { FreshSignInRequiredError } from "./errors";
import { blankSession, copySession, expiresAt, isBlank, isFresh, nowSeconds, refreshDue } from "./policy";
import { openCookie } from "./read";
import { openStore, type StoreLoaders } from "./stores";
import type { SessionStore } from "./stores/types";
import type { ActiveSession, CookieJar, RequestContext, Session, SessionConfig, SessionData } from "./types";
import { persist } from "./write";

type Current = { session: Session; id?: string } | null;

/** `stores.redis` loads the Redis store, for a configuration that names it (lib/session.ts passes it). */
export function createSessions(config: SessionConfig, stores: StoreLoaders = {}) {
  const store = (): Promise<SessionStore> => openStore(config, stores);
  // What each request's jar was found to hold, so that a request opens its cookie once; dropped on every write.
  const reads = new WeakMap<CookieJar, Promise<Current>>();

  function write(jar: CookieJar, cookie: SessionCookie) {
    reads.delete(jar);
    jar.set(config.cookieName, cookie.value, cookie.options);
  }

  /**
   * The request's session. In a server-side store a live session used after
   * its refresh interval slides forward here (a store write; the cookie,
   * which holds only the id, stays as it is).
   */
  async function read(jar: CookieJar): Promise<Current> {
    const sealed = jar.get(config.cookieName)?.value;
    if (!sealed) return null;
    const now = nowSeconds();
    const sessions = await store();
    const opened = await openCookie(sealed, now, config, sessions);
    if (!opened.data) return null;
    const { data, id } = opened;
    if (id && refreshDue(data, now, config)) {
      data.refreshedAt = now;
      await sessions.touch({ id }, data, { ttl: expiresAt(data, config) - now });
    }
    return { session: { data, expiresAt: expiresAt(data, config), cookieBytes: byteLength(sealed) }, id };
  }

  function current(jar: CookieJar): Promise<Current> {
    let pending = reads.get(jar);
    if (!pending) {
      pending = read(jar);
      reads.set(jar, pending);
      pending.catch(() => reads.delete(jar)); // a store that did not answer is asked again next time
    }
    return pending;
  }

  return {
    /** The session, or null for an anonymous visitor. Throws StoreUnavailableError when the store does not answer. */
    async get(jar: CookieJar): Promise<Session | null> {
      return (await current(jar))?.session ?? null;
    },

    /**
     * Signs `user` in: a new session (new timestamps, so the absolute lifetime
     * starts now; in a server-side store a new id and the old record deleted,
     * so that a session id planted before sign-in is worthless), permanent when
     * `remember`. The playground's values carry over, as keys of Flask's
     * session would. Returns the new cookie's tag.
     */
    async signIn(jar: CookieJar, user: string, remember: boolean, context?: RequestContext): Promise<{ tag: string }> {
      const now = nowSeconds();
      const previous = await current(jar);
      const values = previous ? copySession(previous.session.data).values : blankSession(now).values;
      const data: SessionData = {
        user,
        permanent: remember,
        values,
        createdAt: now,
        refreshedAt: now,
        // The password was given now: authenticatedAt stays unset until it is given again (isFresh counts from createdAt).
      };
      const sessions = await store();
      const cookie = await persist(sessions, data, config, now, { context });
      if (previous?.id) await sessions.destroy({ id: previous.id }, previous.session.data.user);
      write(jar, cookie);
      return { tag: await cookieTag(cookie.value) };
    },

    /**
     * Changes the current session (or a new one) and writes it back; a
     * session left with nothing in it loses its cookie. Returns what
     * `change` returned. Throws SessionTooLargeError, writing nothing, when
     * the result would not fit.
     */
    async update<T>(jar: CookieJar, change: (data: SessionData) => T, context?: RequestContext): Promise<T> {
      const now = nowSeconds();
      const previous = await current(jar);
      const data = previous ? copySession(previous.session.data) : blankSession(now);
      const result = change(data);
      data.refreshedAt = now;
      const sessions = await store();
      if (isBlank(data)) {
        if (previous?.id) await sessions.destroy({ id: previous.id }, previous.session.data.user);
        write(jar, expiredCookie(config));
      } else {
        const before = previous?.id ? { id: previous.id, data: previous.session.data } : undefined;
        write(jar, await persist(sessions, data, config, now, { previous: before, context }));
      }
      return result;
    },

    /**
     * Ends the session (Flask: `session.clear()`; signing out is the same):
     * the stored record, if any, is deleted and the cookie expired. Returns
     * who was signed in and the cookie's tag.
     */
    async destroy(jar: CookieJar): Promise<{ user?: string; tag?: string }> {
      const sealed = jar.get(config.cookieName)?.value;
      const previous = await current(jar);
      if (previous?.id) await (await store()).destroy({ id: previous.id }, previous.session.data.user);
      write(jar, expiredCookie(config));
      return { user: previous?.session.data.user, tag: sealed ? await cookieTag(sealed) : undefined };
    },

    /** The signed-in user's live sessions, this one marked; empty in the cookie store. */
    async list(jar: CookieJar): Promise<ActiveSession[]> {
      const mine = await current(jar);
      const user = mine?.session.data.user;
      if (user === undefined) return [];
      const sessions = await (await store()).list(user);
      return sessions.map(({ id, ...info }) => ({ ...info, current: id === mine?.id }));
    },

    /**
     * Records that the user has just given their password again (the app
     * checked it), so that the session is fresh (isFresh) for a while.
     */
    async reauthenticated(jar: CookieJar, context?: RequestContext): Promise<void> {
      await this.update(
        jar,
        (data) => {
          if (data.user !== undefined) data.authenticatedAt = nowSeconds();
        },
        context,
      );
    },

    /**
     * Ends one of the signed-in user's sessions by its handle (`"all"`: every
     * one, this one included). Says how many ended (0 for a handle that is not
     * one of theirs) and whether this session was among them. Ending another
     * session needs a fresh sign-in: FreshSignInRequiredError otherwise.
     */
    async end(jar: CookieJar, handle: string): Promise<{ ended: number; signedOutHere: boolean }> {
      const mine = await current(jar);
      const user = mine?.session.data.user;
      if (user === undefined) return { ended: 0, signedOutHere: false };
      const sessions = await store();
      const listed = await sessions.list(user);
      const chosen = handle === "all" ? listed : listed.filter((session) => session.handle === handle);
      const others = chosen.some((session) => session.id !== mine?.id);
      if (others && !isFresh(mine!.session.data, nowSeconds(), config)) throw new FreshSignInRequiredError();
      const ended = await sessions.destroyMany(
        user,
        chosen.map((session) => session.id),
      );
      const signedOutHere = chosen.some((session) => session.id === mine?.id);
      if (signedOutHere) write(jar, expiredCookie(config));
      return { ended, signedOutHere };
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
