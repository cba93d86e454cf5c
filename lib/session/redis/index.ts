/**
 * Sessions in Redis, for lib/session.ts: the cookie carries a random id
 * (256 bits) and the data lives in a hash, `<prefix>s:<id>`, whose TTL is
 * what the session has left. Each user's ids are indexed in a sorted set,
 * `<prefix>u:<user>`, scored by expiry, so that sessions can be listed and
 * ended. Every call keeps connection.ts's deadline.
 *
 * Every script touches one key, so each stays atomic on a Redis Cluster too.
 * The index is written before a session exists and cleared after it has
 * gone: it holds every live session, at worst with a dead one that listing skips.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Session, SessionData, SessionStore } from "@/lib/session/types";
import { parseDevice, toWireDevice } from "@/lib/session/wire";
import {
  consoleLog,
  forget,
  onInvalidate,
  replicated,
  targetOf,
  withRedis,
  type Client,
  type Log,
  type RedisTarget,
} from "./connection";
import { CREATE, INDEX, TOUCH, UPDATE } from "./scripts";

import {
  BindingChangedError,
  FreshSignInRequiredError,
  RecordTooLargeError,
  SessionEndedError,
  TooManySessionsError,
} from "./errors";

export * from "./errors";
export { redisConnection, type Log as RedisLog, type RedisTarget } from "./connection";

/** Which Redis (`{ url }`, `{ clusterNodes }` or `{ sentinels, masterName }`), and the store's own settings. */
type RedisStoreOptions = RedisTarget & {
  /** Prefix of every key (default "session:"). */
  keyPrefix?: string;
  /** New anonymous sessions one address may start in 10 minutes (default 20); sign-ins get three times as many. */
  newSessionsPerAddress?: number;
  /** Seconds after a password entry during which other sessions may be ended without giving it again (default 600). */
  freshAge?: number;
  /** The visitor's address, for the limit above: your app's notion of it (behind a proxy, not a header the client wrote). */
  clientAddress: (headers: Headers) => string;
  /** Where connection troubles are reported (default: console.error). */
  log?: Log;
};

/** One of a user's sessions, as the session list shows it. */
export type ActiveSession = {
  handle: string;
  createdAt: number;
  lastSeenAt: number;
  userAgent: string;
  current: boolean;
};

const MAX_BYTES = 16 * 1024;
const WINDOW = 600;
/** Sessions read lately, served for this long when Redis does not answer (a stall, an outage). */
const KEPT_MS = 10_000;

type Fields = Record<string, string>;

function toFields(data: SessionData): Fields {
  const fields: Fields = { c: String(data.createdAt), r: String(data.refreshedAt) };
  if (data.user !== undefined) fields.u = data.user;
  if (data.permanent) fields.p = "1";
  if (data.authenticatedAt !== undefined) fields.t = String(data.authenticatedAt);
  for (const [key, value] of Object.entries(data.values)) fields[`v.${key}`] = value;
  const { device } = data;
  if (device) fields.d = JSON.stringify(toWireDevice(device));
  return fields;
}

const json = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};
const time = (text?: string) => (text && /^[1-9]\d{0,15}$/.test(text) ? Number(text) : undefined);

function fromFields(fields: Fields): SessionData | null {
  const [createdAt, refreshedAt, authenticatedAt] = [time(fields.c), time(fields.r), time(fields.t)];
  if (!createdAt || !refreshedAt || (fields.t !== undefined && !authenticatedAt)) return null;
  const values: Record<string, string> = Object.create(null);
  for (const [field, value] of Object.entries(fields)) if (field.startsWith("v.")) values[field.slice(2)] = value;
  const device = fields.d === undefined ? undefined : parseDevice(json(fields.d));
  if (device === null) return null;
  return { user: fields.u, permanent: fields.p === "1", values, createdAt, refreshedAt, authenticatedAt, device };
}

const bytes = (fields: Fields) =>
  Object.entries(fields).reduce((sum, [field, value]) => sum + Buffer.byteLength(field) + Buffer.byteLength(value), 0);

/** A record of a format this store does not read (a JSON string of long ago) is no session. */
const wrongType = (error: unknown): Fields => {
  if (error instanceof Error && error.message.startsWith("WRONGTYPE")) return {};
  throw error;
};

/** A session's name in lists and forms: never its id, which is a bearer secret. */
const handleOf = (id: string) => createHash("sha256").update(`handle:${id}`).digest("hex").slice(0, 16);

export function redisStore(options: RedisStoreOptions) {
  const { keyPrefix = "session:", newSessionsPerAddress = 20, freshAge = 600, log = consoleLog } = options;
  const target = targetOf(options);
  const sessionKey = (id: string) => `${keyPrefix}s:${id}`;
  const userKey = (user: string) => `${keyPrefix}u:${user}`;
  const run = <T>(work: (client: Client) => Promise<T>) => withRedis(target, log, work);
  const recent = new Map<string, { data: SessionData | null; at: number }>();
  // A session changed or ended elsewhere (another worker, another server) is no longer served from the copy.
  onInvalidate((key) => {
    if (key === null) recent.clear();
    else if (key.startsWith(`${keyPrefix}s:`)) recent.delete(key.slice(keyPrefix.length + 2));
  });
  /** The keys a new or changed session writes: its record, and its user's index (on another primary, maybe). */
  const written = (id: string, data: SessionData) => [
    sessionKey(id),
    ...(data.user !== undefined ? [userKey(data.user)] : []),
  ];

  /** The user's index holds `id` until at least `ttl` seconds from now (before the session is written). */
  async function index(client: Client, id: string, data: SessionData, ttl: number) {
    if (data.user === undefined) return;
    const until = Date.now() + ttl * 1000;
    await client.eval(INDEX, { keys: [userKey(data.user)], arguments: [String(ttl * 1000), id, String(until)] });
  }

  /** Counts a new session against its address: past the limit, the seconds to wait, else 0. */
  async function admit(client: Client, data: SessionData, address: string): Promise<number> {
    const kind = data.user === undefined ? "anonymous" : "signed-in";
    const limit = data.user === undefined ? newSessionsPerAddress : 3 * newSessionsPerAddress;
    const key = `${keyPrefix}new-${kind}:${address}`;
    const [, count, ttl] = await client
      .multi()
      .set(key, "0", { condition: "NX", expiration: { type: "EX", value: WINDOW } })
      .incr(key)
      .ttl(key)
      .exec();
    return Number(count) > limit ? Math.max(1, Number(ttl)) : 0;
  }

  async function destroyMany(user: string | undefined, ids: string[]): Promise<number> {
    return run(async (client) => {
      const deleted = await Promise.all(ids.map((id) => client.del(sessionKey(id))));
      await replicated(target, client, ids.map(sessionKey)); // a failover must not bring them back
      forget(client, ids.map(sessionKey));
      ids.forEach((id) => recent.delete(id));
      if (user !== undefined && ids.length > 0) await client.zRem(userKey(user), ids);
      return deleted.reduce((sum, count) => sum + Number(count), 0);
    });
  }

  /** The user's live sessions, newest first. */
  async function live(user: string) {
    const found = await run(async (client) => {
      await client.zRemRangeByScore(userKey(user), "-inf", Date.now());
      const ids = await client.zRange(userKey(user), 0, -1);
      return Promise.all(
        ids.map(async (id) => ({ id, record: await client.hmGet(sessionKey(id), ["u", "c", "r", "a"]) })),
      );
    });
    return found
      .map(({ id, record: [owner, c, r, a] }) => ({
        id,
        owner,
        createdAt: time(c ?? undefined),
        lastSeenAt: time(r ?? undefined),
        userAgent: a ?? "",
      }))
      .filter((entry) => entry.owner === user && entry.createdAt && entry.lastSeenAt)
      .sort((a, b) => b.lastSeenAt! - a.lastSeenAt!);
  }

  const store = {
    async load(id: string): Promise<SessionData | null> {
      try {
        const fields = await run((client) => client.hGetAll(sessionKey(id)).catch(wrongType));
        const data = fromFields(fields);
        if (recent.size >= 1_000) recent.delete(recent.keys().next().value!);
        recent.set(id, { data, at: Date.now() });
        return data;
      } catch (error) {
        const kept = recent.get(id);
        if (kept && Date.now() - kept.at < KEPT_MS) return kept.data;
        throw error;
      }
    },

    async create(data: SessionData, ttl: number, request: Headers): Promise<string> {
      const fields = toFields(data);
      const userAgent = request.get("user-agent");
      if (userAgent) fields.a = userAgent.slice(0, 256);
      if (bytes(fields) > MAX_BYTES) throw new RecordTooLargeError(bytes(fields), MAX_BYTES);
      const id = randomBytes(32).toString("base64url");
      const wait = await run(async (client) => {
        const wait = await admit(client, data, options.clientAddress(request));
        if (wait > 0) return wait;
        await index(client, id, data, ttl);
        const args = [String(ttl * 1000), ...Object.entries(fields).flat()];
        const created = (await client.eval(CREATE, { keys: [sessionKey(id)], arguments: args })) === 1;
        await replicated(target, client, written(id, data));
        return created ? 0 : -1;
      });
      if (wait > 0) throw new TooManySessionsError(wait);
      if (wait < 0) throw new Error("A new session id was taken: the random source is broken.");
      return id;
    },

    async update(id: string, before: SessionData, after: SessionData, ttl: number): Promise<boolean> {
      const [old, now] = [toFields(before), toFields(after)];
      const set = Object.entries(now).filter(([field, value]) => old[field] !== value);
      const removed = Object.keys(old).filter((field) => !(field in now));
      // A change of the device binding holds only if the record's is still the one this change read.
      const binding = old.d === now.d ? "" : `=${old.d ?? ""}`;
      const args = [String(ttl * 1000), String(MAX_BYTES), String(set.length), binding, ...set.flat(), ...removed];
      const [status, size] = await run(async (client) => {
        await index(client, id, after, ttl);
        const result = (await client.eval(UPDATE, { keys: [sessionKey(id)], arguments: args })) as number[];
        await replicated(target, client, written(id, after));
        forget(client, [sessionKey(id)]);
        recent.delete(id);
        return result;
      });
      if (status === -1) throw new RecordTooLargeError(size, MAX_BYTES);
      if (status === 0) throw new SessionEndedError();
      if (status === 3) throw new BindingChangedError();
      return status === 1;
    },

    async touch(id: string, data: SessionData, ttl: number): Promise<void> {
      await run(async (client) => {
        await index(client, id, data, ttl);
        await client.eval(TOUCH, { keys: [sessionKey(id)], arguments: [String(ttl * 1000), String(data.refreshedAt)] });
        forget(client, [sessionKey(id)]);
        recent.delete(id);
      });
    },

    async destroy(id: string, user?: string): Promise<void> {
      await destroyMany(user, [id]);
    },

    /** The user's live sessions for the session list, newest first, `session`'s own marked. */
    async list(session: Session): Promise<ActiveSession[]> {
      if (session.data.user === undefined) return [];
      return (await live(session.data.user)).map(({ id, createdAt, lastSeenAt, userAgent }) => ({
        handle: handleOf(id),
        createdAt: createdAt!,
        lastSeenAt: lastSeenAt!,
        userAgent,
        current: id === session.id,
      }));
    },

    /**
     * Ends one of the user's sessions by its handle, or "all" of them; ending
     * another needs a fresh sign-in (FreshSignInRequiredError). Says how many
     * ended, and whether `session` was one (then expire its cookie too).
     */
    async end(session: Session, handle: string): Promise<{ ended: number; signedOutHere: boolean }> {
      const { user, authenticatedAt, createdAt } = session.data;
      if (user === undefined) return { ended: 0, signedOutHere: false };
      const chosen = (await live(user)).map(({ id }) => id).filter((id) => handle === "all" || handleOf(id) === handle);
      const signedOutHere = chosen.includes(session.id!);
      const fresh = Math.floor(Date.now() / 1000) - (authenticatedAt ?? createdAt) < freshAge;
      if (chosen.some((id) => id !== session.id) && !fresh) throw new FreshSignInRequiredError();
      return { ended: await destroyMany(user, chosen), signedOutHere };
    },
  } satisfies SessionStore & Record<"list" | "end", unknown>;
  return store;
}

export type RedisSessionStore = ReturnType<typeof redisStore>;
