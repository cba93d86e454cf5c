/**
 * Where a session's data lives, behind one interface: the two strategies of
 * the Flask tutorial. The session layer seals whatever `save` returns into
 * the cookie, and hands what it unseals (parsed by ref.ts) back to `load`.
 */
import type { RequestContext, SessionData } from "../types";

/** What the cookie of a session stands for, once unsealed and checked: the data itself, or a server-side id. */
export type Ref = { data: SessionData; id?: undefined } | { id: string; data?: undefined };

export type Loaded = { data: SessionData; id?: string; userAgent?: string };

export type SaveOptions = {
  /** Seconds the stored record lives (the session's remaining lifetime). */
  ttl: number;
  /** Keep this id (an update). Without it a new id is issued: sign-in, or a new session. */
  id?: string;
  context?: RequestContext;
};

/** One of a user's sessions, as stored. */
export type StoredSession = { id: string; handle: string; createdAt: number; lastSeenAt: number; userAgent: string };

export interface SessionStore {
  readonly kind: "cookie" | "redis";
  /** Whether ending a session on the server makes its cookie worthless. */
  readonly revocable: boolean;
  /** The session behind a reference, or null when there is none (ended, expired, never issued). */
  load(ref: Ref): Promise<Loaded | null>;
  /** Stores the data; returns the payload to seal into the cookie and the session's id, if any. */
  save(data: SessionData, options: SaveOptions): Promise<{ payload: object; id?: string }>;
  /** Ends the session behind a reference. */
  destroy(ref: Ref): Promise<void>;
  /** The user's live sessions (a revocable store only; the cookie store keeps none). */
  list(user: string): Promise<StoredSession[]>;
  /** Ends the given sessions of a user; returns how many there were. */
  destroyMany(user: string, ids: string[]): Promise<number>;
}
