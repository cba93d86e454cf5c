/**
 * The server-side store: the cookie carries only a random id (256 bits);
 * the data lives in Redis as a hash under `<prefix>s:<id>` (redis-record.ts)
 * with a TTL of the session's remaining lifetime, and each user's ids are
 * indexed in `<prefix>u:<user>` (a sorted set scored by expiry), so that
 * sessions can be listed and ended. Every call keeps the deadline of
 * redis-client.ts. New sessions are limited per address, so that visitors
 * who never sign in cannot fill Redis.
 */
import { randomBytes } from "node:crypto";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { MAX_STORED_BYTES, SessionEndedError, SessionTooLargeError, TooManySessionsError } from "../errors";
import { shortHash } from "../short-hash";
import type { SessionConfig, SessionData, StoreConfig } from "../types";
import { forget, liveClient, withRedis, type RedisClient } from "./redis-client";
import { changedFields, fieldBytes, fromFields, fromLegacy, toFields, type Fields } from "./redis-record";
import { CREATE, LIST, MIGRATE, TOUCH, UPDATE } from "./redis-scripts";
import type { SessionStore, StoredSession } from "./types";

export { redisConnection } from "./redis-client";

/** New sessions per address per 10 minutes (window, seconds): visitors who never sign in, and three times that for sign-ins. */
export const NEW_SESSIONS = { anonymous: 20, window: 600 } as const;

/** A session's name in lists and forms: never the id itself, which is a bearer secret. */
const sessionHandle = (id: string) => shortHash(`handle:${id}`, 16);

const flat = (fields: Fields) => Object.entries(fields).flat();
const isWrongType = (error: unknown) => error instanceof Error && error.message.startsWith("WRONGTYPE");

export function redisStore(store: StoreConfig & { kind: "redis" }, config: SessionConfig): SessionStore {
  const { url, keyPrefix } = store;
  const { absoluteLifetime } = config;
  const perAddress = config.newSessionsPerAddress ?? NEW_SESSIONS.anonymous;
  const sessionKey = (id: string) => `${keyPrefix}s:${id}`;
  const userKey = (user: string) => `${keyPrefix}u:${user}`;
  const limiter = (name: string, points: number) =>
    new RateLimiterRedis({
      storeClient: liveClient(url),
      useRedisPackage: true,
      keyPrefix: `${keyPrefix}new-${name}`,
      points,
      duration: NEW_SESSIONS.window,
    });
  const limiters = { anonymous: limiter("anonymous", perAddress), signedIn: limiter("signed-in", 3 * perAddress) };

  /** The keys and index arguments of a script that may touch the user's index. */
  function indexed(id: string, data: SessionData, ttl: number) {
    const ttlMs = Math.max(1, ttl) * 1000;
    const keys = [sessionKey(id), ...(data.user !== undefined ? [userKey(data.user)] : [])];
    return { keys, ttlMs, index: [id, String(Date.now() + ttlMs), String(absoluteLifetime * 1000)] };
  }

  /** A record of an earlier version becomes a hash before it is changed; says whether there was one to change. */
  async function migrate(redis: RedisClient, id: string): Promise<boolean> {
    const text = await redis.get(sessionKey(id));
    const legacy = fromLegacy(text);
    if (!legacy) return false;
    const fields = flat(toFields(legacy.data, legacy.userAgent));
    await redis.eval(MIGRATE, { keys: [sessionKey(id)], arguments: [text!, ...fields] });
    return true;
  }

  /** Counts a new session against its address: 0, or past the limit the seconds to wait. */
  async function admit(data: SessionData, address = "unknown"): Promise<number> {
    const kind = data.user === undefined ? "anonymous" : "signedIn";
    return limiters[kind].consume(address).then(
      () => 0,
      (rejection: unknown) => {
        if (rejection instanceof RateLimiterRes) return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        throw rejection;
      },
    );
  }

  /** The listing fields of a stored session, as LIST returns them (a hash's, or an earlier version's JSON). */
  function listed(kind: "hash" | "string", stored: (string | null)[] | string) {
    if (kind === "string") {
      const legacy = fromLegacy(stored as string);
      return (
        legacy && { user: legacy.data.user, c: legacy.data.createdAt, r: legacy.data.refreshedAt, a: legacy.userAgent }
      );
    }
    const [user, c, r, a] = stored as (string | null)[];
    return c && r ? { user: user ?? undefined, c: Number(c), r: Number(r), a: a ?? undefined } : null;
  }

  return {
    kind: "redis",
    revocable: true,

    async load(ref) {
      if (!ref.id) return null;
      const key = sessionKey(ref.id);
      const record = await withRedis(url, async (redis) => {
        try {
          const fields = await redis.hGetAll(key);
          return Object.keys(fields).length > 0 ? fromFields(fields) : null;
        } catch (error) {
          if (!isWrongType(error)) throw error;
          return fromLegacy(await redis.get(key)); // a record of an earlier version
        }
      });
      // An id that is not in the store is never adopted: no record, no session.
      return record ? { data: record.data, id: ref.id, userAgent: record.userAgent } : null;
    },

    async create(data, { ttl, context }) {
      const fields = toFields(data, context?.userAgent);
      const bytes = fieldBytes(fields);
      if (bytes > MAX_STORED_BYTES) throw new SessionTooLargeError(bytes, "store");
      const id = randomBytes(32).toString("base64url");
      const { keys, ttlMs, index } = indexed(id, data, ttl);
      const wait = await withRedis(url, async (redis) => {
        const refused = await admit(data, context?.address);
        if (refused > 0) return refused;
        const created = await redis.eval(CREATE, { keys, arguments: [String(ttlMs), ...index, ...flat(fields)] });
        if (created !== 1) throw new Error("A new session id was taken: the random source is broken.");
        return 0;
      });
      if (wait > 0) throw new TooManySessionsError(wait);
      return { payload: { i: id }, id };
    },

    async update(ref, before, after, { ttl }) {
      const id = ref.id!;
      const { set, remove } = changedFields(before, after);
      const { keys, ttlMs, index } = indexed(id, after, ttl);
      const args = [String(ttlMs), ...index, String(MAX_STORED_BYTES), String(Object.keys(set).length)];
      const [status, size] = await withRedis(url, async (redis) => {
        const run = () =>
          redis.eval(UPDATE, { keys, arguments: [...args, ...flat(set), ...remove] }) as Promise<number[]>;
        const first = await run();
        const result = first[0] === -1 && (await migrate(redis, id)) ? await run() : first;
        forget(redis, keys);
        return result;
      });
      if (status === -2) throw new SessionTooLargeError(size, "store");
      if (status !== 1) throw new SessionEndedError();
      return { payload: { i: id }, id };
    },

    async touch(ref, data, { ttl }) {
      const id = ref.id!;
      const { keys, ttlMs, index } = indexed(id, data, ttl);
      await withRedis(url, async (redis) => {
        const run = () =>
          redis.eval(TOUCH, {
            keys,
            arguments: [String(ttlMs), ...index, String(data.refreshedAt)],
          }) as Promise<number>;
        if ((await run()) === -1 && (await migrate(redis, id))) await run();
        forget(redis, keys);
      });
    },

    async destroy(ref, user) {
      if (!ref.id) return;
      const id = ref.id;
      await withRedis(url, async (redis) => {
        const multi = redis.multi().del(sessionKey(id));
        if (user !== undefined) multi.zRem(userKey(user), id);
        await multi.exec();
        forget(redis, [sessionKey(id)]);
      });
    },

    async list(user) {
      const found = (await withRedis(url, (redis) =>
        redis.eval(LIST, { keys: [userKey(user)], arguments: [String(Date.now()), `${keyPrefix}s:`] }),
      )) as [string, "hash" | "string", (string | null)[] | string][];
      const sessions: StoredSession[] = [];
      for (const [id, kind, stored] of found) {
        const record = listed(kind, stored);
        if (record?.user !== user) continue;
        const handle = await sessionHandle(id);
        sessions.push({ id, handle, createdAt: record.c, lastSeenAt: record.r, userAgent: record.a ?? "" });
      }
      return sessions.sort((a, b) => b.lastSeenAt - a.lastSeenAt);
    },

    async destroyMany(user, ids) {
      if (ids.length === 0) return 0;
      return withRedis(url, async (redis) => {
        const [deleted] = await redis.multi().del(ids.map(sessionKey)).zRem(userKey(user), ids).exec();
        forget(redis, ids.map(sessionKey));
        return Number(deleted);
      });
    },
  };
}
