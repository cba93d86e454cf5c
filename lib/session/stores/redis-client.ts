/**
 * The process's Redis connection (the official `redis` client), made on
 * first use. Connecting and every command are bounded in time, and nothing
 * waits in an offline queue: when Redis is down or slow, a call fails with
 * StoreUnavailableError instead of hanging the request.
 */
import { createClient, type RedisClientType } from "redis";
import { StoreUnavailableError } from "../errors";
import { markStoreAvailable, markStoreUnavailable } from "../health";
import { processWide } from "../process-wide";

const CONNECT_TIMEOUT_MS = 1_000;
const COMMAND_TIMEOUT_MS = 1_000;

type Holder = { client: RedisClientType; connecting?: Promise<unknown> };
const holders = processWide("redis-connections", () => new Map<string, Holder>());

function holder(url: string): Holder {
  let current = holders.get(url);
  if (current) return current;
  const client: RedisClientType = createClient({
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
  client.on("error", (error: Error) => {
    markStoreUnavailable();
    if (!reported) {
      console.error(
        JSON.stringify({
          time: new Date().toISOString(),
          level: "error",
          event: "redis.error",
          message: error.message,
        }),
      );
    }
    reported = true;
  });
  client.on("ready", () => {
    reported = false;
    markStoreAvailable();
  });
  current = { client };
  holders.set(url, current);
  return current;
}

/** Runs `work` with a connected client; any failure becomes StoreUnavailableError. */
export async function withRedis<T>(url: string, work: (redis: RedisClientType) => Promise<T>): Promise<T> {
  const entry = holder(url);
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

/** The connection, for libraries that take a client (the app's login throttle), and a bounded way to call through it. */
export function redisConnection(url: string) {
  return {
    client: holder(url).client as unknown,
    run: <T>(work: () => Promise<T>): Promise<T> => withRedis(url, () => work()),
  };
}
