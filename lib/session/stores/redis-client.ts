/**
 * The process's Redis connection (the official `redis` client), made on
 * first use, and the deadline every store call keeps: the wait for a ready
 * connection and the call's commands together end within DEADLINE_MS, or
 * the call fails with StoreUnavailableError. node-redis's own command
 * timeout only covers the wait before a command is written to the socket,
 * not the reply, so the deadline is kept here. Nothing waits in an offline
 * queue; a connection whose replies stay stuck past the deadline is closed
 * and made again.
 */
import { createClient, ErrorReply } from "redis";
import { StoreUnavailableError } from "../errors";
import { markConnectionLost, markStoreUnavailable } from "../health";
import { processWide } from "../process-wide";

/** How long one store call (connection included) may take. */
export const DEADLINE_MS = 1_000;

/**
 * Sessions read from Redis are kept in the process (node-redis's client-side
 * cache: RESP3 and CLIENT TRACKING), so the pages of a session in use make no
 * round trip. Redis tells the client when a key it read changes or goes, from
 * whichever process, and the copy is dropped at once: an ended session stays
 * ended. All copies go when the connection breaks (notices may have been
 * missed), and none is kept longer than COPY_TTL_MS, which bounds what a
 * connection that silently stopped bringing notices could serve. At most
 * CACHED_SESSIONS are kept, the least recently used going first: about
 * 1.2 KB each for a typical session, so about 1.2 MB, and about 20 MB if
 * every one held the 16 KB a record may (a copy only pays while its session
 * comes back within COPY_TTL_MS, and 1,000 sessions doing so is more than
 * one process serves). A Redis that refuses the cache's setup (before 6.0,
 * or a service or an ACL without CLIENT TRACKING), at the first connection
 * or a later one, gets a plain connection instead, and the pages read it.
 */
export const CACHED_SESSIONS = 1_000;
export const COPY_TTL_MS = 10_000;
/**
 * node-redis keeps an index from each key read to its copies, and prunes it
 * only when Redis reports the key changed or gone, not when a copy is
 * evicted or too old: a key read while it no longer existed (a dead
 * cookie's) would stay in it for good. The whole cache is reset this often.
 */
export const CACHE_RESET_MS = 10 * 60_000;

/** Redis refused the cache's setup: HELLO 3 (before 6.0) or CLIENT TRACKING (an ACL, a service). */
const refusesCache = (error: Error) => error instanceof ErrorReply && /\bHELLO\b|tracking/i.test(error.message);

function connect(url: string, cached: boolean) {
  const options = {
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: DEADLINE_MS,
      // Keep trying in the background, at most once a second.
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 1_000),
    },
  };
  const caching = () =>
    createClient({
      ...options,
      RESP: 3,
      clientSideCache: { ttl: COPY_TTL_MS, maxEntries: CACHED_SESSIONS, evictPolicy: "LRU" },
    });
  // The store's replies have the same shapes over RESP2 and RESP3 (its tests pass on both).
  return cached ? caching() : (createClient(options) as unknown as ReturnType<typeof caching>);
}

export type RedisClient = ReturnType<typeof connect>;
type Holder = {
  client: RedisClient;
  url: string;
  cached: boolean;
  /** Settles when this connection is closed for a new one (replace()). */
  replaced: Promise<void>;
  retire: () => void;
};
const holders = processWide("redis-connections", () => new Map<string, Holder>());

function log(event: string, message: string) {
  console.error(JSON.stringify({ time: new Date().toISOString(), level: "error", event, message }));
}

function holder(url: string, cached = true): Holder {
  const existing = holders.get(url);
  if (existing) return existing;
  const client = connect(url, cached);
  let retire = () => {};
  const replaced = new Promise<void>((resolve) => (retire = resolve));
  const entry: Holder = { client, url, cached, replaced, retire };
  let reported = false;
  client.on("error", (error: Error) => {
    if (holders.get(url) !== entry) return; // a recycled connection's last words
    if (cached && refusesCache(error)) {
      // At the first connection or at a reconnection (a failover, a changed ACL): go on without the cache.
      log("redis.no-client-cache", `${error.message}: connecting without client-side caching`);
      replace(entry, false);
      return;
    }
    markConnectionLost(true);
    if (!reported) log("redis.error", error.message);
    reported = true;
  });
  client.on("ready", () => {
    if (holders.get(url) !== entry) return;
    reported = false;
    markConnectionLost(false);
  });
  if (cached) {
    const reset = setInterval(() => client.clientSideCache?.clear(), CACHE_RESET_MS).unref();
    void replaced.then(() => clearInterval(reset));
  }
  holders.set(url, entry);
  client.connect().catch(() => {
    // Reported by the "error" event; the client keeps reconnecting by itself.
  });
  return entry;
}

class DeadlineError extends Error {
  constructor(what: string) {
    super(`Redis did not ${what} within ${DEADLINE_MS} ms`);
    this.name = "DeadlineError";
  }
}

/** `promise`, or a DeadlineError at `deadline` (epoch ms). The promise is left to settle unheard. */
function before<T>(promise: Promise<T>, deadline: number, what: string): Promise<T> {
  promise.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(what)), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Resolves when the client is ready: a connection still being made, within its time, is not an outage. */
async function whenReady(url: string): Promise<Holder> {
  for (;;) {
    const entry = holder(url);
    if (entry.client.isReady) return entry;
    // Ready, or replaced by a connection that may be (then wait for that one).
    await new Promise<void>((resolve) => {
      entry.client.once("ready", resolve);
      void entry.replaced.then(resolve);
    });
  }
}

/** Closes a connection and makes a new one at once, so that the store is back as soon as Redis answers. */
function replace(entry: Holder, cached: boolean) {
  if (holders.get(entry.url) !== entry) return;
  holders.delete(entry.url);
  entry.client.destroy();
  entry.retire();
  holder(entry.url, cached);
}

/** Closes a connection whose replies are stuck; the next call makes a new one. */
function recycle(entry: Holder) {
  if (holders.get(entry.url) !== entry) return;
  log("redis.recycled", `no reply within ${DEADLINE_MS} ms: the connection is closed and made again`);
  markConnectionLost(true);
  replace(entry, entry.cached);
}

/** Runs `work` on a ready client within the deadline; any failure becomes StoreUnavailableError. */
export async function withRedis<T>(url: string, work: (redis: RedisClient) => Promise<T>): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  let entry = holder(url);
  try {
    if (!entry.client.isReady) entry = await before(whenReady(url), deadline, "get ready");
    return await before(work(entry.client), deadline, "answer");
  } catch (error) {
    markStoreUnavailable();
    if (error instanceof DeadlineError && entry.client.isReady) recycle(entry);
    throw new StoreUnavailableError(error);
  }
}

/**
 * Drops this process's copies of `keys` at once after it changed them
 * (Redis's notice of the change may come after the command's reply).
 */
export function forget(redis: RedisClient, keys: string[]): void {
  for (const key of keys) redis.clientSideCache?.invalidate(key);
}

/**
 * A client for libraries that keep the one they are given (rate-limiter-flexible):
 * it always stands for the current connection, also after one was recycled.
 */
export function liveClient(url: string): RedisClient {
  return new Proxy({} as RedisClient, {
    get(_target, property) {
      const client = holder(url).client;
      const value = Reflect.get(client, property, client) as unknown;
      return typeof value === "function" ? value.bind(client) : value;
    },
  });
}

/** The connection for the app's other Redis needs (the login throttle), and a bounded way to call through it. */
export function redisConnection(url: string) {
  return {
    client: liveClient(url) as unknown,
    run: <T>(work: () => Promise<T>): Promise<T> => withRedis(url, () => work()),
  };
}
