/**
 * The store a configuration names. The cookie store is built in; the Redis
 * store (and with it the `redis` package) comes from a loader that
 * lib/session.ts passes, called only when the configuration asks for Redis,
 * so that a cookie-only copy of the session layer can leave it out.
 */
import type { SessionConfig, StoreConfig } from "../types";
import { cookieStore } from "./cookie";
import type { SessionStore } from "./types";

/** What stores/redis.ts offers (declared here, so that a cookie-only copy can leave that file out). */
type RedisModule = {
  redisStore(store: StoreConfig & { kind: "redis" }, config: SessionConfig): SessionStore;
  redisConnection(url: string): { client: unknown; run: <T>(work: () => Promise<T>) => Promise<T> };
};
/** How the session layer gets the Redis store: `{ redis: () => import("./session/stores/redis") }`. */
export type StoreLoaders = { redis?: () => Promise<RedisModule> };

function redisModule(loaders: StoreLoaders): Promise<RedisModule> {
  if (!loaders.redis) {
    throw new Error("The session store is Redis, but lib/session.ts passes no Redis store (its `stores`).");
  }
  return loaders.redis();
}

const opened = new WeakMap<SessionConfig, Promise<SessionStore>>();

export function openStore(config: SessionConfig, loaders: StoreLoaders): Promise<SessionStore> {
  const { store } = config;
  if (store.kind === "cookie") return Promise.resolve(cookieStore);
  let redis = opened.get(config);
  if (!redis) {
    redis = redisModule(loaders).then(({ redisStore }) => redisStore(store, config));
    opened.set(config, redis);
  }
  return redis;
}

/** The Redis connection behind a server-side store, for the app's other Redis needs; null in the cookie store. */
export async function storeConnection(store: StoreConfig, loaders: StoreLoaders) {
  if (store.kind === "cookie") return null;
  return (await redisModule(loaders)).redisConnection(store.url);
}
