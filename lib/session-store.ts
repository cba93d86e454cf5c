import "server-only";
/**
 * Where a session's data lives: the two strategies of the Flask tutorial,
 * behind one interface. lib/session.ts seals whatever `save` returns into
 * the cookie and hands what it unseals back to `parse`/`load`; it alone
 * knows about cookies and iron-session.
 *
 * - cookie (default): the data itself travels in the encrypted cookie.
 *   Nothing is kept on the server, so nothing can be revoked.
 * - redis: the cookie carries only a random id (256 bits); the data lives in
 *   Redis under `<prefix>s:<id>` with a TTL of the session's remaining
 *   lifetime, and each user's ids are indexed in `<prefix>u:<user>` (a sorted
 *   set scored by expiry), so sessions can be listed and ended.
 */
import type { Config } from "./config";
import { withRedis } from "./redis";
import type { SessionData } from "./session";

/** What the cookie of a session stands for, once unsealed and checked. */
export type Ref = { data: SessionData; id?: undefined } | { id: string; data?: undefined };

/** One of a user's sessions, as the /session page lists it. */
export type SessionInfo = {
  /** A short, non-secret name for the session (the id itself is a bearer secret). */
  handle: string;
  createdAt: number;
  lastSeenAt: number;
  userAgent: string;
};

export type SaveOptions = {
  /** Seconds the stored record lives (the session's remaining lifetime). */
  ttl: number;
  /** Keep this id (an update). Without it a new id is issued: sign-in, or a new session. */
  id?: string;
  userAgent?: string;
};

export interface SessionStore {
  readonly kind: "cookie" | "redis";
  /** Whether ending a session on the server makes its cookie worthless. */
  readonly revocable: boolean;
  /** Checks the shape of an unsealed cookie payload; no I/O. */
  parse(payload: unknown): Ref | null;
  /** The session behind a reference, or null when there is none (ended, expired, never issued). */
  load(ref: Ref): Promise<{ data: SessionData; id?: string; userAgent?: string } | null>;
  /** Stores the data; returns the payload to seal into the cookie and the session's id, if any. */
  save(data: SessionData, options: SaveOptions): Promise<{ payload: object; id?: string }>;
  /** Ends the session behind a reference. */
  destroy(ref: Ref): Promise<void>;
  /** The user's live sessions (a revocable store only). */
  list(user: string): Promise<(SessionInfo & { id: string })[]>;
  /** Ends the given sessions of a user; returns how many there were. */
  destroyMany(user: string, ids: string[]): Promise<number>;
}

/** The largest session a store keeps, in bytes of JSON (the cookie store is bound by the cookie). */
export const MAX_STORED_BYTES = 16 * 1024;

/* ------------------------------------------------------------------------ */
/* The JSON of a session                                                     */
/* ------------------------------------------------------------------------ */

/**
 * SessionData with one-letter keys: in cookie mode every byte travels with
 * every request. Kept apart from SessionData so the public type stays readable.
 */
type Wire = { u?: string; p?: 1; v?: Record<string, string>; c: number; r: number };

export function toWire(data: SessionData): Wire {
  const wire: Wire = { c: data.createdAt, r: data.refreshedAt };
  if (data.user !== undefined) wire.u = data.user;
  if (data.permanent) wire.p = 1;
  if (Object.keys(data.values).length > 0) wire.v = data.values;
  return wire;
}

const isTime = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0;

/** Validates session JSON: what we wrote is well-formed, anything else is refused. */
export function fromWire(raw: unknown): SessionData | null {
  if (typeof raw !== "object" || raw === null) return null;
  const wire = raw as Partial<Record<keyof Wire, unknown>>;
  if (!isTime(wire.c) || !isTime(wire.r)) return null;
  if (wire.u !== undefined && typeof wire.u !== "string") return null;
  const values: Record<string, string> = {};
  if (wire.v !== undefined) {
    if (typeof wire.v !== "object" || wire.v === null || Array.isArray(wire.v)) return null;
    for (const [key, value] of Object.entries(wire.v)) {
      if (typeof value !== "string") return null;
      values[key] = value;
    }
  }
  return {
    ...(wire.u !== undefined ? { user: wire.u } : {}),
    permanent: wire.p === 1,
    values,
    createdAt: wire.c,
    refreshedAt: wire.r,
  };
}

/* ------------------------------------------------------------------------ */
/* Cookie store                                                              */
/* ------------------------------------------------------------------------ */

export const cookieStore: SessionStore = {
  kind: "cookie",
  revocable: false,
  parse(payload) {
    const data = fromWire(payload);
    return data ? { data } : null;
  },
  async load(ref) {
    return ref.data ? { data: ref.data } : null;
  },
  async save(data) {
    return { payload: toWire(data) };
  },
  async destroy() {
    // Nothing is kept: the cookie is the session, and lib/session.ts expires it.
  },
  async list() {
    return [];
  },
  async destroyMany() {
    return 0;
  },
};

/* ------------------------------------------------------------------------ */
/* Redis store                                                               */
/* ------------------------------------------------------------------------ */

const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/; // 32 random bytes, base64url

function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** The record stored under a session's key. */
type StoredRecord = { w: Wire; a?: string };

function parseRecord(text: string | null): StoredRecord | null {
  if (!text) return null;
  try {
    const record = JSON.parse(text) as StoredRecord;
    return fromWire(record.w) ? record : null;
  } catch {
    return null;
  }
}

export async function sessionHandle(id: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`handle:${id}`));
  return Array.from(new Uint8Array(digest).subarray(0, 8), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export function redisStore(config: Config & { store: { kind: "redis" } }): SessionStore {
  const { url, keyPrefix } = config.store;
  const sessionKey = (id: string) => `${keyPrefix}s:${id}`;
  const userKey = (user: string) => `${keyPrefix}u:${user}`;

  return {
    kind: "redis",
    revocable: true,

    parse(payload) {
      const id = (payload as { i?: unknown } | null)?.i;
      return typeof id === "string" && ID_PATTERN.test(id) ? { id } : null;
    },

    async load(ref) {
      if (!ref.id) return null;
      const id = ref.id;
      const record = parseRecord(await withRedis(url, (redis) => redis.get(sessionKey(id))));
      // An id that is not in the store is never adopted: no record, no session.
      return record ? { data: fromWire(record.w)!, id, userAgent: record.a } : null;
    },

    async save(data, { ttl, id, userAgent }) {
      const record: StoredRecord = { w: toWire(data), ...(userAgent ? { a: userAgent.slice(0, 256) } : {}) };
      const json = JSON.stringify(record);
      const bytes = new TextEncoder().encode(json).length;
      if (bytes > MAX_STORED_BYTES) throw new StoreTooLargeError(bytes);
      const ttlMs = Math.max(1, ttl) * 1000;
      const expiresAtMs = Date.now() + ttlMs;
      const saved = await withRedis(url, async (redis) => {
        const key = id ?? newId();
        const multi = redis.multi();
        if (id) {
          // Update in place, only if the record still exists (XX): an ended session stays ended.
          multi.set(sessionKey(key), json, { expiration: { type: "PX", value: ttlMs }, condition: "XX" });
        } else {
          multi.set(sessionKey(key), json, { expiration: { type: "PX", value: ttlMs }, condition: "NX" });
        }
        if (data.user !== undefined) {
          multi.zAdd(userKey(data.user), { score: expiresAtMs, value: key });
          multi.pExpire(userKey(data.user), config.absoluteLifetime * 1000);
        }
        const [written] = await multi.exec();
        if (written === null && data.user !== undefined) await redis.zRem(userKey(data.user), key);
        return written === null ? null : key;
      });
      if (!saved) throw new SessionEndedError();
      return { payload: { i: saved }, id: saved };
    },

    async destroy(ref) {
      if (!ref.id) return;
      const id = ref.id;
      await withRedis(url, async (redis) => {
        const record = parseRecord(await redis.get(sessionKey(id)));
        const multi = redis.multi().del(sessionKey(id));
        if (record?.w.u !== undefined) multi.zRem(userKey(record.w.u), id);
        await multi.exec();
      });
    },

    async list(user) {
      return withRedis(url, async (redis) => {
        const index = userKey(user);
        await redis.zRemRangeByScore(index, "-inf", Date.now());
        const ids = await redis.zRange(index, 0, -1);
        if (ids.length === 0) return [];
        const records = await redis.mGet(ids.map(sessionKey));
        const sessions: (SessionInfo & { id: string })[] = [];
        for (const [index_, text] of records.entries()) {
          const record = parseRecord(text);
          if (!record || record.w.u !== user) continue;
          sessions.push({
            id: ids[index_],
            handle: await sessionHandle(ids[index_]),
            createdAt: record.w.c,
            lastSeenAt: record.w.r,
            userAgent: record.a ?? "",
          });
        }
        return sessions.sort((a, b) => b.lastSeenAt - a.lastSeenAt);
      });
    },

    async destroyMany(user, ids) {
      if (ids.length === 0) return 0;
      return withRedis(url, async (redis) => {
        const [deleted] = await redis.multi().del(ids.map(sessionKey)).zRem(userKey(user), ids).exec();
        return Number(deleted);
      });
    },
  };
}

/** The record to update is gone (ended elsewhere, or expired): nothing was written. */
export class SessionEndedError extends Error {
  constructor() {
    super("The session has ended.");
    this.name = "SessionEndedError";
  }
}

/** The session is larger than the store keeps; nothing was written. */
export class StoreTooLargeError extends Error {
  constructor(readonly bytes: number) {
    super(`The session would take ${bytes} bytes; the store keeps at most ${MAX_STORED_BYTES}.`);
    this.name = "StoreTooLargeError";
  }
}

export function storeFor(config: Config): SessionStore {
  return config.store.kind === "redis" ? redisStore(config as Config & { store: { kind: "redis" } }) : cookieStore;
}
