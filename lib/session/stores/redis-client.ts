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
import { createClient, type RedisClientType } from "redis";
import { StoreUnavailableError } from "../errors";
import { markConnectionLost, markStoreUnavailable } from "../health";
import { processWide } from "../process-wide";

/** How long one store call (connection included) may take. */
export const DEADLINE_MS = 1_000;

type Holder = { client: RedisClientType; url: string };
const holders = processWide("redis-connections", () => new Map<string, Holder>());

function log(event: string, message: string) {
  console.error(JSON.stringify({ time: new Date().toISOString(), level: "error", event, message }));
}

function holder(url: string): Holder {
  const existing = holders.get(url);
  if (existing) return existing;
  const client: RedisClientType = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: DEADLINE_MS,
      // Keep trying in the background, at most once a second.
      reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 1_000),
    },
  });
  const entry: Holder = { client, url };
  let reported = false;
  client.on("error", (error: Error) => {
    if (holders.get(url) !== entry) return; // a recycled connection's last words
    markConnectionLost(true);
    if (!reported) log("redis.error", error.message);
    reported = true;
  });
  client.on("ready", () => {
    if (holders.get(url) !== entry) return;
    reported = false;
    markConnectionLost(false);
  });
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
function whenReady(client: RedisClientType): Promise<void> {
  if (client.isReady) return Promise.resolve();
  return new Promise((resolve) => client.once("ready", () => resolve()));
}

/** Closes a connection whose replies are stuck; the next call makes a new one. */
function recycle(entry: Holder) {
  if (holders.get(entry.url) !== entry) return;
  holders.delete(entry.url);
  log("redis.recycled", `no reply within ${DEADLINE_MS} ms: the connection is closed and made again`);
  markConnectionLost(true);
  entry.client.destroy();
  holder(entry.url); // connecting again right away, so that the store is back as soon as Redis answers
}

/** Runs `work` on a ready client within the deadline; any failure becomes StoreUnavailableError. */
export async function withRedis<T>(url: string, work: (redis: RedisClientType) => Promise<T>): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  const entry = holder(url);
  try {
    await before(whenReady(entry.client), deadline, "get ready");
    return await before(work(entry.client), deadline, "answer");
  } catch (error) {
    markStoreUnavailable();
    if (error instanceof DeadlineError && entry.client.isReady) recycle(entry);
    throw new StoreUnavailableError(error);
  }
}

/**
 * A client for libraries that keep the one they are given (rate-limiter-flexible):
 * it always stands for the current connection, also after one was recycled.
 */
export function liveClient(url: string): RedisClientType {
  return new Proxy({} as RedisClientType, {
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
