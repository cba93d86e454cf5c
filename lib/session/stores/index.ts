/**
 * The store a configuration names. The cookie store is built in; the Redis
 * store (and with it the `redis` package) comes from a loader that
 * lib/session.ts passes, called only when the configuration asks for Redis,
 * so that a cookie-only copy of the session layer can leave it out.
 */
import type { StoreConfig } from "../types";
import { cookieStore } from "./cookie";
import type { SessionStore } from "./types";

/** What stores/redis.ts offers (declared here, so that a cookie-only copy can leave that file out). */
type RedisModule = {
  redisStore(store: StoreConfig & { kind: "redis" }, absoluteLifetime: number): SessionStore;
  redisConnection(url: string): { client: unknown; run: <T>(work: () => Promise<T>) => Promise<T> };
};
/** How the session layer gets the Redis store: `{ redis: () => import("./session/stores/redis") }`. */
export type StoreLoaders = { redis?: () => Promise<RedisModule> };

const redisStores = new Map<string, Promise<SessionStore>>();

function redisModule(loaders: StoreLoaders): Promise<RedisModule> {
  if (!loaders.redis) {
    throw new Error("The session store is Redis, but lib/session.ts passes no Redis store (its `stores`).");
  }
  return loaders.redis();
}

export function openStore(store: StoreConfig, absoluteLifetime: number, loaders: StoreLoaders): Promise<SessionStore> {
  if (store.kind === "cookie") return Promise.resolve(cookieStore);
  const key = `${store.url} ${store.keyPrefix} ${absoluteLifetime}`;
  let opened = redisStores.get(key);
  if (!opened) {
    opened = redisModule(loaders).then(({ redisStore }) => redisStore(store, absoluteLifetime));
    redisStores.set(key, opened);
  }
  return opened;
}

/** The Redis connection behind a server-side store, for the app's other Redis needs; null in the cookie store. */
export async function storeConnection(store: StoreConfig, loaders: StoreLoaders) {
  if (store.kind === "cookie") return null;
  return (await redisModule(loaders)).redisConnection(store.url);
}
