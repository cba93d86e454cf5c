/**
 * Where a session's data lives, behind one interface: the two strategies of
 * the Flask tutorial. The session layer seals the payload a store returns
 * into the cookie, and hands what it unseals (parsed by ref.ts) back to `load`.
 */
import type { RequestContext, SessionData } from "../types";

/** What the cookie of a session stands for, once unsealed and checked: the data itself, or a server-side id. */
export type Ref = { data: SessionData; id?: undefined } | { id: string; data?: undefined };

export type Loaded = { data: SessionData; id?: string; userAgent?: string };

/** One of a user's sessions, as stored. */
export type StoredSession = { id: string; handle: string; createdAt: number; lastSeenAt: number; userAgent: string };

/** What the cookie of a stored session carries (sealed), and the session's id in a server-side store. */
export type Saved = { payload: object; id?: string };

export interface SessionStore {
  readonly kind: "cookie" | "redis";
  /** Whether ending a session on the server makes its cookie worthless. */
  readonly revocable: boolean;
  /** The session behind a reference, or null when there is none (ended, expired, never issued). */
  load(ref: Ref): Promise<Loaded | null>;
  /** Stores a new session for `ttl` seconds (a new id in a server-side store). */
  create(data: SessionData, options: { ttl: number; context?: RequestContext }): Promise<Saved>;
  /**
   * Stores what changed from `before` to `after` in the session behind `ref`,
   * for `ttl` more seconds; throws SessionEndedError, writing nothing, when it
   * ended meanwhile. A server-side store writes only what changed, so that two
   * changes at once both stay.
   */
  update(ref: Ref, before: SessionData, after: SessionData, options: { ttl: number }): Promise<Saved>;
  /** A session in use slides forward: its refreshedAt and its TTL only, never anything else (a server-side store). */
  touch(ref: Ref, data: SessionData, options: { ttl: number }): Promise<void>;
  /** Ends the session behind a reference (`user`: its user, when known). */
  destroy(ref: Ref, user?: string): Promise<void>;
  /** The user's live sessions (a revocable store only; the cookie store keeps none). */
  list(user: string): Promise<StoredSession[]>;
  /** Ends the given sessions of a user; returns how many there were. */
  destroyMany(user: string, ids: string[]): Promise<number>;
}
