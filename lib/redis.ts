import "server-only";
/**
 * The process's Redis connection (official `redis` client), made on first
 * use. Connecting and every command are bounded in time, and nothing waits
 * in an offline queue: when Redis is down or slow, a call fails within about
 * a second with StoreUnavailableError instead of hanging the request.
 */
import { createClient, type RedisClientType } from "redis";
import { markStoreAvailable, markStoreUnavailable, StoreUnavailableError } from "./store-health";

export const CONNECT_TIMEOUT_MS = 1_000;
export const COMMAND_TIMEOUT_MS = 1_000;

type Holder = { url: string; client: RedisClientType; connecting?: Promise<unknown> };
const KEY = Symbol.for("next-sessions.redis");
const holder = globalThis as typeof globalThis & { [KEY]?: Holder };

function client(url: string): Holder {
  const current = holder[KEY];
  if (current && current.url === url) return current;
  const created: RedisClientType = createClient({
    url,
    disableOfflineQueue: true,
    commandOptions: { timeout: COMMAND_TIMEOUT_MS },
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Keep trying in the background, at most once a second.
      reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 1_000),
    },
  });
  let reported = false;
  created.on("error", (error: Error) => {
    markStoreUnavailable();
    if (!reported)
      console.error(
        JSON.stringify({
          time: new Date().toISOString(),
          level: "error",
          event: "redis.error",
          message: error.message,
        }),
      );
    reported = true;
  });
  created.on("ready", () => {
    reported = false;
    markStoreAvailable();
  });
  holder[KEY] = { url, client: created };
  return holder[KEY];
}

/** Runs `work` with a connected client; any failure becomes StoreUnavailableError. */
export async function withRedis<T>(url: string, work: (redis: RedisClientType) => Promise<T>): Promise<T> {
  const entry = client(url);
  try {
    if (!entry.client.isOpen) {
      entry.connecting ??= entry.client.connect().finally(() => {
        entry.connecting = undefined;
      });
      // The client keeps retrying in the background; this request waits a bounded time.
      await Promise.race([
        entry.connecting,
        new Promise((_, reject) => setTimeout(() => reject(new Error("connect timed out")), CONNECT_TIMEOUT_MS)),
      ]);
    }
    if (!entry.client.isReady) throw new Error("Redis is reconnecting");
    return await work(entry.client);
  } catch (error) {
    markStoreUnavailable();
    throw new StoreUnavailableError(error);
  }
}

/** The connected client itself, for libraries that take one (the login throttle). */
export function redisClient(url: string): RedisClientType {
  return client(url).client;
}
