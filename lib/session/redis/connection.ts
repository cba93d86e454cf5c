/**
 * The process's connection to Redis (node-redis), made on first use: one
 * server, a Redis Cluster or a Sentinel set. Every call keeps a deadline:
 * waiting for a connection and the call's own commands end within
 * DEADLINE_MS, or the call fails with StoreUnavailableError (node-redis's
 * command timeout does not cover a reply that never comes). Nothing waits in
 * an offline queue. A first connection still being made is waited for; a
 * lost one fails at once; a server's connection whose replies are stuck is
 * closed and made again (a cluster's or a Sentinel set's client reconnects,
 * and follows a failover, by itself).
 */
import type { RedisClientType } from "redis";
import { StoreUnavailableError } from "./errors";

const DEADLINE_MS = 1_000;

/** Which Redis: one server, a Cluster's seed nodes (a password in their URLs applies to every node), or a Sentinel set. */
export type RedisTarget =
  | { url: string }
  | { clusterNodes: string[] }
  | { sentinels: { host: string; port: number }[]; masterName: string; password?: string; sentinelPassword?: string };

/**
 * Keys read lately stay in the process (node-redis's client-side cache over
 * RESP3): Redis tells the client when one changes, from whichever process,
 * and node-redis drops them when a connection breaks. A Redis that refuses
 * CLIENT TRACKING gets a plain connection instead.
 */
const CACHE = { ttl: 10_000, maxEntries: 1_000, evictPolicy: "LRU" } as const;

/** The commands the store uses, which the three kinds of client share. */
export type Client = Pick<
  RedisClientType,
  "hGetAll" | "hmGet" | "eval" | "multi" | "del" | "zRange" | "zRem" | "zRemRangeByScore" | "isReady"
> & { clientSideCache?: { invalidate(key: string): void; clear(): void } };

type Connection = {
  client: Client;
  target: RedisTarget;
  log: Log;
  cached: boolean;
  /** A process's first connection, which calls wait for; later ones they do not (an outage is answered at once). */
  starting: boolean;
  /** Settles when the client has connected (a cluster: found its nodes; a Sentinel set: its primary). */
  connected: Promise<void>;
  closed: Promise<void>;
  close: () => void;
};

/** Where the connection reports its troubles (the store's `log` option). */
export type Log = (event: string, message: string) => void;

const connections = new Map<string, Promise<Connection>>();
const keyOf = (target: RedisTarget) => JSON.stringify(target);

async function connect(target: RedisTarget, log: Log, cached: boolean, starting: boolean): Promise<Connection> {
  const redis = await import("redis"); // loaded only where Redis is used
  // Keep trying in the background, at most once a second.
  const socket = {
    connectTimeout: DEADLINE_MS,
    reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 1_000),
  };
  const cache = cached ? { RESP: 3 as const, clientSideCache: CACHE } : {};
  let client;
  if ("url" in target) {
    client = redis.createClient({ url: target.url, disableOfflineQueue: true, socket, ...cache });
  } else if ("clusterNodes" in target) {
    const seed = new URL(target.clusterNodes[0]);
    const tls = seed.protocol === "rediss:";
    const credentials = {
      ...(seed.username ? { username: decodeURIComponent(seed.username) } : {}),
      ...(seed.password ? { password: decodeURIComponent(seed.password) } : {}),
    };
    client = redis.createCluster({
      rootNodes: target.clusterNodes.map((url) => ({ url })),
      // While a node is lost, ask the others who owns its slots every second (not after 5 s): a replica takes over in ~2 s.
      topologyRefreshOnReconnectionAttemptStrategy: 1_000,
      defaults: {
        ...credentials,
        disableOfflineQueue: true,
        socket: { ...socket, ...(tls ? { tls: true as const } : {}) },
      },
      ...cache,
    });
  } else {
    client = redis.createSentinel({
      name: target.masterName,
      sentinelRootNodes: target.sentinels,
      nodeClientOptions: { password: target.password, disableOfflineQueue: true, socket },
      sentinelClientOptions: { password: target.sentinelPassword, socket },
      ...cache,
    });
  }
  let close = () => {};
  const closed = new Promise<void>((done) => (close = done));
  const connected = (client.connect() as Promise<unknown>).then(() => {}); // a server's client then goes on reconnecting by itself
  const connection: Connection = {
    client: client as unknown as Client,
    target,
    log,
    cached,
    starting,
    connected,
    closed,
    close,
  };
  let reported = false;
  const onError = (error: Error) => {
    if (connections.get(keyOf(target)) === undefined) return;
    // A Redis that refuses RESP3 or CLIENT TRACKING, not one that wants a password (NOAUTH HELLO …).
    const refusesCache = /\bHELLO\b|tracking/i.test(error.message) && !/^(NOAUTH|WRONGPASS)\b/.test(error.message);
    if (cached && error instanceof redis.ErrorReply && refusesCache) {
      log("redis.no-client-cache", `${error.message}: connecting without client-side caching`);
      replace(connection, { cached: false, starting: connection.starting });
    } else if (!reported) {
      reported = true;
      // A refused connection to a name with two addresses is an AggregateError with no message, only a code.
      log("redis.error", error.message || String((error as { code?: string }).code ?? error));
    }
  };
  client.on("error", onError);
  client.on("node-error", onError); // a cluster's nodes
  client.on("ready", () => {
    connection.starting = false;
    reported = false;
  });
  connected.then(
    () => void (connection.starting = false),
    (error: Error) => {
      onError(error);
      // A cluster or a Sentinel set that could not be found at all: look again, a second later.
      if (!("url" in target)) setTimeout(() => replace(connection, { starting: connection.starting }), 1_000).unref();
    },
  );
  // Redis tells a connection that read a key when the key changes (client tracking): pass the notice on.
  (
    client as { clientSideCache?: { on(event: "invalidate", listener: (key: unknown) => void): void } }
  ).clientSideCache?.on("invalidate", (key) =>
    invalidated.forEach((listener) => listener(key == null ? null : String(key))),
  );
  // node-redis indexes every key it read until Redis reports a change: start afresh now and then.
  const reset = setInterval(() => connection.client.clientSideCache?.clear(), 10 * 60_000).unref();
  void closed.then(() => clearInterval(reset));
  return connection;
}

function current(target: RedisTarget, log: Log): Promise<Connection> {
  const key = keyOf(target);
  let connection = connections.get(key);
  if (!connection) {
    connections.set(key, (connection = connect(target, log, true, true)));
    // A client that cannot even be made (node-redis refused its options): said once, tried again on the next call.
    connection.catch((error: Error) => {
      if (connections.get(key) === connection) connections.delete(key);
      log("redis.error", error.message);
    });
  }
  return connection;
}

/** Closes a connection and makes a new one at once, so that service is back as soon as Redis answers. */
function replace(old: Connection, { cached = old.cached, starting = false } = {}) {
  const key = keyOf(old.target);
  void connections.get(key)?.then(
    (now) => {
      if (now !== old) return;
      connections.set(key, connect(old.target, old.log, cached, starting));
      void (old.client as unknown as { destroy(): unknown }).destroy();
      old.close();
    },
    () => {}, // a client that could not be made: current() has said so
  );
}

function within<T>(promise: Promise<T>, deadline: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    const left = Math.max(0, deadline - Date.now());
    // Past the deadline, the replies already received are read first (setImmediate runs after the event loop's
    // I/O): a process too busy to read them in time, as at a cold start, is not a Redis that did not answer.
    const fail = () => reject(new Error(`Redis did not ${what} within ${DEADLINE_MS} ms`));
    timer = setTimeout(() => setImmediate(fail), left);
  });
  promise.catch(() => {}); // settles unheard after a deadline
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** A ready connection: the first one is waited for within the deadline; a lost or replaced one is not. */
async function ready(target: RedisTarget, log: Log, deadline: number): Promise<Connection> {
  for (;;) {
    const connection = await current(target, log);
    if (!("url" in target)) return within(connection.connected, deadline, "connect").then(() => connection);
    if (connection.client.isReady) return connection;
    if (!connection.starting) throw new Error("The connection to Redis is lost; it is being made again.");
    const connected = new Promise<void>((done) => {
      void connection.connected.then(done, () => {});
      void connection.closed.then(done);
    });
    await within(connected, deadline, "connect");
  }
}

/** Runs `work` on a ready connection within the deadline; any failure is StoreUnavailableError. */
export async function withRedis<T>(target: RedisTarget, log: Log, work: (client: Client) => Promise<T>): Promise<T> {
  let connection: Connection | undefined;
  try {
    await current(target, log); // loading node-redis, once per process, is not the store's slowness
    const deadline = Date.now() + DEADLINE_MS;
    connection = await ready(target, log, deadline);
    return await within(work(connection.client), deadline, "answer");
  } catch (error) {
    if (connection && "url" in target && connection.client.isReady && /did not answer/.test(String(error))) {
      connection.log("redis.recycled", `no reply within ${DEADLINE_MS} ms: the connection is closed and made again`);
      replace(connection);
    }
    throw new StoreUnavailableError(error);
  }
}

const invalidated = new Set<(key: string | null) => void>();

/** Calls `listener` with each key Redis says has changed (null: every key), for what keeps copies of its own. */
export function onInvalidate(listener: (key: string | null) => void): void {
  invalidated.add(listener);
}

/** Drops this process's copies of keys it just changed (Redis's notice may come after the reply). */
export function forget(client: Client, keys: string[]): void {
  for (const key of keys) client.clientSideCache?.invalidate(key);
}

/**
 * With replicas (a Cluster, a Sentinel set), waits until one has the writes
 * made so far on the primaries of `keys`, for a failover not to lose them: a
 * session written is on two servers before the write is answered. WAIT holds
 * its connection up (every command behind it waits), so it is kept short:
 * writes made while one is out share the next, and a primary found without a
 * replica is not asked again for ALONE_MS, its writes standing on it alone.
 */
const REPLICATION_MS = 100;
const ALONE_MS = 5_000;
type Node = { wait(replicas: number, timeout: number): Promise<number> };
const sent = new WeakMap<Node, Promise<unknown>>();
const next = new WeakMap<Node, Promise<unknown>>();
const alone = new WeakMap<Node, number>();
const isAlone = (node: Node) => (alone.get(node) ?? 0) > Date.now();

function waitOn(node: Node): Promise<unknown> {
  let waiting = next.get(node);
  if (!waiting) {
    waiting = (sent.get(node) ?? Promise.resolve())
      .catch(() => {})
      .then(async () => {
        next.delete(node);
        if (isAlone(node)) return;
        const wait = node.wait(1, REPLICATION_MS);
        sent.set(node, wait);
        if ((await wait) < 1) alone.set(node, Date.now() + ALONE_MS);
      });
    next.set(node, waiting);
  }
  return waiting;
}

export async function replicated(target: RedisTarget, client: Client, keys: string[]): Promise<void> {
  if ("url" in target) return;
  const cluster = client as unknown as { getNodeClientForKey(key: string): Promise<Node> };
  const nodes =
    "clusterNodes" in target
      ? new Set(await Promise.all(keys.map((key) => cluster.getNodeClientForKey(key))))
      : new Set([client as unknown as Node]);
  await Promise.all([...nodes].filter((node) => !isAlone(node)).map(waitOn));
}

export const consoleLog: Log = (event, message) => console.error(`${event}: ${message}`);

/** The Redis a store's options name, alone (its connection is shared with whatever else names it). */
export function targetOf(options: RedisTarget): RedisTarget {
  if ("url" in options) return { url: options.url };
  if ("clusterNodes" in options) return { clusterNodes: options.clusterNodes };
  const { sentinels, masterName, password, sentinelPassword } = options;
  return { sentinels, masterName, password, sentinelPassword };
}

/** Runs `work` on the connection to `target` within its deadline (the app's login throttle counts in Redis). */
export const redisConnection =
  (target: RedisTarget, log: Log = consoleLog) =>
  <T>(work: (client: Client) => Promise<T>) =>
    withRedis(targetOf(target), log, work);
