/**
 * The session's types, which lib/session.ts exports with its functions: what
 * a session holds, what your app configures, and what a server-side store
 * (lib/session/redis/) implements. Times are epoch seconds.
 */
/** What a session holds. */
export type SessionData = {
  /** The signed-in user; absent for a visitor who has not signed in. */
  user?: string;
  /** A cookie with a Max-Age ("keep me signed in"), not one the browser drops when it closes. */
  permanent: boolean;
  /** The app's own keys and values, in an object without a prototype: any key is safe. */
  values: Record<string, string>;
  /** Sign-in (or the first value set): the absolute lifetime counts from here. */
  createdAt: number;
  /** The last refresh: the idle lifetime counts from here. */
  refreshedAt: number;
  /** When the user last gave their password again; unset, sign-in counts. */
  authenticatedAt?: number;
  /** Bound to the browser's key (DBSC): pages accept the session until `until`, which only a refresh signed with it moves. */
  device?: Device;
};

/** The browser's public key (a JWK, checked at registration), and the window: `until`, when and how often it moved. */
export type Device = { jwk: Record<string, string>; until: number; refreshedAt: number; refreshes: number };

export type Session = {
  data: SessionData;
  /** When the session ends unless it is used before then. */
  expiresAt: number;
  /** The cookie's size as the browser counts it: `name=value`, in bytes. */
  cookieBytes: number;
  /** The session's id in the store, if there is one: a bearer secret, never to be shown. */
  id?: string;
};

/** Everything lib/session.ts needs to know; your app builds it (see sessionConfig in @/lib/config). */
export type SessionConfig = {
  /** Seals new cookies: 32 characters or more. */
  secret: string;
  /** Old secrets that still open cookies while you rotate, in any order. */
  fallbackSecrets: readonly string[];
  /** Seconds a session may go unused; in the cookie store, also a permanent cookie's Max-Age. */
  lifetime: number;
  /** Seconds from sign-in after which a session ends, however active. */
  absoluteLifetime: number;
  cookieName: string;
  /** Secure cookies (https only): true in production. */
  secure: boolean;
  /** Where the data lives when not in the cookie; the cookie then carries only the session's id. */
  store?: SessionStore;
  /** With a store: seal the id into the cookie, as releases before 2026-12-07 did (a rolling upgrade from them). */
  sealedIds?: boolean;
  /** With a store: the longest an anonymous session lasts, however active (default an hour). */
  anonymousLifetime?: number;
  /** Device-bound sessions (lib/session/device-bound.ts): seconds a bound cookie lives between renewals; unset, off. */
  deviceLifetime?: number;
};

/** A server-side store (lib/session/redis/ is one). `ttl`: seconds the record must live. */
export interface SessionStore {
  load(id: string): Promise<SessionData | null>;
  /** Stores a new session; returns its id. `request`: what the store may note (user agent, address). */
  create(data: SessionData, ttl: number, request: Headers): Promise<string>;
  /**
   * Writes what changed from `before` to `after`, only if the session still exists. Returns false when the
   * session then holds no user, permanence or value, which ends it (as the store finds it: another change may
   * have added one meanwhile).
   */
  update(id: string, before: SessionData, after: SessionData, ttl: number): Promise<boolean>;
  /** A session in use slides forward: its refreshedAt and TTL, never backwards. */
  touch(id: string, data: SessionData, ttl: number): Promise<void>;
  destroy(id: string, user?: string): Promise<void>;
}
