/**
 * The process's connection to Redis (node-redis), made on first use, and
 * the deadline every call keeps: waiting for a connection and the call's
 * own commands end within DEADLINE_MS, or the call fails with
 * StoreUnavailableError (node-redis's command timeout does not cover a reply
 * that never comes). Nothing waits in an offline queue. A first connection
 * still being made is waited for; a lost one fails at once; one whose
 * replies are stuck is closed and made again.
 */
import type { RedisClientType } from "redis";

export const DEADLINE_MS = 1_000;

/** The store did not answer (down, unreachable or too slow); nothing was changed. */
export class StoreUnavailableError extends Error {
  constructor(cause?: unknown) {
    super("The session service is unavailable.", { cause });
    this.name = "StoreUnavailableError";
  }
}

/**
 * Keys read lately stay in the process (node-redis's client-side cache over
 * RESP3): Redis tells the client when one changes, from whichever process,
 * and node-redis drops them all when the connection breaks. A Redis that
 * refuses CLIENT TRACKING gets a plain connection instead.
 */
const CACHE = { ttl: 10_000, maxEntries: 1_000, evictPolicy: "LRU" } as const;

export type Client = RedisClientType;
/** `starting`: a process's first connection, which calls wait for; later ones they do not (an outage is answered at once). */
type Connection = { client: Client; cached: boolean; starting: boolean; closed: Promise<void>; close: () => void };

const connections = new Map<string, Promise<Connection>>();

function log(event: string, message: string) {
  console.error(JSON.stringify({ time: new Date().toISOString(), level: "error", event, message }));
}

async function connect(url: string, cached: boolean, starting: boolean): Promise<Connection> {
  const { createClient, ErrorReply } = await import("redis"); // loaded only where Redis is used
  const client = createClient({
    url,
    disableOfflineQueue: true,
    // Keep trying in the background, at most once a second.
    socket: { connectTimeout: DEADLINE_MS, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 1_000) },
    ...(cached ? { RESP: 3 as const, clientSideCache: CACHE } : {}),
  }) as unknown as Client;
  let close = () => {};
  const closed = new Promise<void>((done) => (close = done));
  const connection: Connection = { client, cached, starting, closed, close };
  let reported = false;
  client.on("error", (error: Error) => {
    if (connections.get(url) === undefined) return;
    if (cached && error instanceof ErrorReply && /\bHELLO\b|tracking/i.test(error.message)) {
      log("redis.no-client-cache", `${error.message}: connecting without client-side caching`);
      replace(url, connection, { cached: false, starting: connection.starting });
    } else if (!reported) {
      reported = true;
      log("redis.error", error.message);
    }
  });
  client.on("ready", () => {
    connection.starting = false;
    reported = false;
  });
  // node-redis indexes every key it read until Redis reports a change: start afresh now and then.
  const reset = setInterval(() => client.clientSideCache?.clear(), 10 * 60_000).unref();
  void connection.closed.then(() => clearInterval(reset));
  client.connect().catch(() => {}); // reported by "error"; the client goes on trying by itself
  return connection;
}

function current(url: string): Promise<Connection> {
  let connection = connections.get(url);
  if (!connection) connections.set(url, (connection = connect(url, true, true)));
  return connection;
}

/** Closes a connection and makes a new one at once, so that service is back as soon as Redis answers. */
function replace(url: string, old: Connection, { cached = old.cached, starting = false } = {}) {
  void connections.get(url)?.then((now) => {
    if (now !== old) return;
    connections.set(url, connect(url, cached, starting));
    old.client.destroy();
    old.close();
  });
}

function within<T>(promise: Promise<T>, deadline: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Redis did not ${what} within ${DEADLINE_MS} ms`)),
      deadline - Date.now(),
    );
  });
  promise.catch(() => {}); // settles unheard after a deadline
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** A ready connection: the first one is waited for within the deadline; a lost or replaced one is not. */
async function ready(url: string, deadline: number): Promise<Connection> {
  for (;;) {
    const connection = await current(url);
    if (connection.client.isReady) return connection;
    if (!connection.starting) throw new Error("The connection to Redis is lost; it is being made again.");
    const connected = new Promise<void>((done) => {
      connection.client.once("ready", done);
      void connection.closed.then(done);
    });
    await within(connected, deadline, "connect");
  }
}

/** Runs `work` on a ready connection within the deadline; any failure is StoreUnavailableError. */
export async function withRedis<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  let connection: Connection | undefined;
  try {
    await current(url); // loading node-redis, once per process, is not the store's slowness
    const deadline = Date.now() + DEADLINE_MS;
    connection = await ready(url, deadline);
    return await within(work(connection.client), deadline, "answer");
  } catch (error) {
    if (connection?.client.isReady && /did not answer/.test(String(error))) {
      log("redis.recycled", `no reply within ${DEADLINE_MS} ms: the connection is closed and made again`);
      replace(url, connection);
    }
    throw new StoreUnavailableError(error);
  }
}

/** Drops this process's copies of keys it just changed (Redis's notice may come after the reply). */
export function forget(client: Client, keys: string[]): void {
  for (const key of keys) client.clientSideCache?.invalidate(key);
}
