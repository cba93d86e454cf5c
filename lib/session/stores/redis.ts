/**
 * The server-side store: the cookie carries only a random id (256 bits);
 * the data lives in Redis under `<prefix>s:<id>` with a TTL of the session's
 * remaining lifetime, and each user's ids are indexed in `<prefix>u:<user>`
 * (a sorted set scored by expiry), so that sessions can be listed and ended.
 */
import { randomBytes } from "node:crypto";
import { MAX_STORED_BYTES, SessionEndedError, SessionTooLargeError } from "../errors";
import { shortHash } from "../short-hash";
import type { StoreConfig } from "../types";
import { fromWire, toWire, type Wire } from "../wire";
import { withRedis } from "./redis-client";

export { redisConnection } from "./redis-client";
import type { SessionStore, StoredSession } from "./types";

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

/** A session's name in lists and forms: never the id itself, which is a bearer secret. */
const sessionHandle = (id: string) => shortHash(`handle:${id}`, 16);

export function redisStore(store: StoreConfig & { kind: "redis" }, absoluteLifetime: number): SessionStore {
  const { url, keyPrefix } = store;
  const sessionKey = (id: string) => `${keyPrefix}s:${id}`;
  const userKey = (user: string) => `${keyPrefix}u:${user}`;

  return {
    kind: "redis",
    revocable: true,

    async load(ref) {
      if (!ref.id) return null;
      const id = ref.id;
      const record = parseRecord(await withRedis(url, (redis) => redis.get(sessionKey(id))));
      // An id that is not in the store is never adopted: no record, no session.
      return record ? { data: fromWire(record.w)!, id, userAgent: record.a } : null;
    },

    async save(data, { ttl, id, context }) {
      const userAgent = context?.userAgent;
      const record: StoredRecord = { w: toWire(data), ...(userAgent ? { a: userAgent.slice(0, 256) } : {}) };
      const json = JSON.stringify(record);
      const bytes = new TextEncoder().encode(json).length;
      if (bytes > MAX_STORED_BYTES) throw new SessionTooLargeError(bytes, "store");
      const ttlMs = Math.max(1, ttl) * 1000;
      const expiresAtMs = Date.now() + ttlMs;
      const saved = await withRedis(url, async (redis) => {
        const key = id ?? randomBytes(32).toString("base64url");
        // An update only if the record still exists (XX): an ended session stays ended. A new id only if unused (NX).
        const multi = redis
          .multi()
          .set(sessionKey(key), json, { expiration: { type: "PX", value: ttlMs }, condition: id ? "XX" : "NX" });
        if (data.user !== undefined) {
          multi.zAdd(userKey(data.user), { score: expiresAtMs, value: key });
          multi.pExpire(userKey(data.user), absoluteLifetime * 1000);
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
        const sessions: StoredSession[] = [];
        for (const [position, text] of records.entries()) {
          const record = parseRecord(text);
          if (!record || record.w.u !== user) continue;
          sessions.push({
            id: ids[position],
            handle: await sessionHandle(ids[position]),
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
