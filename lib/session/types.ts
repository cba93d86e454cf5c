/**
 * The session's types, in one file that imports nothing, so that every
 * other file of lib/session/ can use them without a cycle.
 */
import type { CookieStore, UnsealErrorReason } from "iron-session";

/** What a session holds. Times are epoch seconds. */
export type SessionData = {
  /** The signed-in user's name (Flask: `session["user"]`); absent for a visitor. */
  user?: string;
  /** Flask's `session.permanent`: a cookie with Max-Age instead of a browser-session cookie. */
  permanent: boolean;
  /** The playground's keys and values (Flask: `session[key] = value`), in an object without a prototype. */
  values: Record<string, string>;
  /** When the session began (sign-in, or the first value set): start of the absolute lifetime. */
  createdAt: number;
  /** When the session was last refreshed: start of the idle lifetime, slid forward while in use. */
  refreshedAt: number;
  /** When the user last gave their password again, asked for something sensitive (unset: at sign-in, createdAt). */
  authenticatedAt?: number;
};

/** A session that was read from a valid cookie. */
export type Session = {
  data: SessionData;
  /** Epoch seconds when the session ends unless it is used (and refreshed) before then. */
  expiresAt: number;
  /** Size of the cookie value in bytes. */
  cookieBytes: number;
};

export type SignedInSession = Session & { data: SessionData & { user: string } };

/** Where session data lives: in the encrypted cookie, or in Redis with only an id in the cookie. */
export type StoreConfig = { kind: "cookie" } | { kind: "redis"; url: string; keyPrefix: string };

/** Everything the session layer needs to know; the app builds it from its own configuration. */
export type SessionConfig = {
  /** Seals new cookies; at least 32 characters. */
  secret: string;
  /** Old secrets that still open existing cookies (rotation), in any order. */
  fallbackSecrets: readonly string[];
  /** Seconds a session may go unused; also a permanent cookie's Max-Age. */
  lifetime: number;
  /** Seconds since sign-in after which a session ends however active it is. */
  absoluteLifetime: number;
  /**
   * Seconds an anonymous session in a server-side store lasts at most (default 3600): a visitor who
   * never signs in should not hold a record for months. The cookie store keeps nothing.
   */
  anonymousLifetime?: number;
  /** Seconds after the last password entry during which a session counts as fresh (default 600): see isFresh. */
  freshAge?: number;
  /**
   * New sessions a server-side store accepts from one address in 10 minutes, for visitors who never
   * sign in (default 20); sign-ins get three times as many. The cookie store keeps nothing to bound.
   */
  newSessionsPerAddress?: number;
  /** Behind a proxy that sets X-Forwarded-For: the visitor's address is its first hop (see client-address.ts). */
  trustProxy?: boolean;
  /** The cookie's name as sent to the browser. */
  cookieName: string;
  /** Secure cookies (https only). */
  production: boolean;
  store: StoreConfig;
};

/**
 * What the session reads and writes its cookie through: iron-session's
 * CookieStore, which is the shape of `await cookies()` from next/headers.
 * Tests pass an in-memory one.
 */
export type CookieJar = CookieStore;

/** What a request tells a server-side store about the visitor: for the session list, and to bound new sessions per address. */
export type RequestContext = { userAgent?: string; address?: string };

/** Why a cookie was refused (the visitor is then anonymous). */
export type RejectReason =
  | UnsealErrorReason
  | "malformed"
  | "idle-expired"
  | "absolute-expired"
  /** A stored session that is not (or no longer) in the store: ended, expired, or never issued. */
  | "unknown-session";

/** One of a user's sessions in a server-side store, as the session list shows it. */
export type ActiveSession = {
  /** A short, non-secret name for the session (the id itself is a bearer secret). */
  handle: string;
  createdAt: number;
  lastSeenAt: number;
  userAgent: string;
  /** The session of the request that asked. */
  current: boolean;
};
