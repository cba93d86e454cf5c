/**
 * What only the server-side store does, against a real redis-server: new
 * ids, revocation, TTLs, lists, records of earlier versions, writes that
 * survive each other, bounded new sessions, and faults injected for real
 * (DEBUG SLEEP, CLIENT KILL, a stop and start).
 */
import { createClient } from "redis";
import { describe, expect, it } from "vitest";
import { startRedis, type TestRedis } from "../../../e2e/support/redis-server";
import { MAX_STORED_BYTES, SessionEndedError, SessionTooLargeError, TooManySessionsError } from "../errors";
import { blankSession, copySession } from "../policy";
import { redisUrl, testConfig } from "../test-support";
import type { SessionData } from "../types";
import { redisStore, NEW_SESSIONS } from "./redis";
import { DEADLINE_MS } from "./redis-client";

let prefixes = 0;
/** A store with keys of its own (so that its per-address limits are its own too). */
const store = (url = redisUrl(), keyPrefix = `redis-${++prefixes}:`) =>
  redisStore({ kind: "redis", url, keyPrefix }, testConfig({ absoluteLifetime: 3600 }));
const session = (user: string | null = "alice"): SessionData => ({
  ...blankSession(Math.floor(Date.now() / 1000)),
  ...(user ? { user } : {}),
});

/** What a load of `id` finds: the session's user, "none" (no session), or "down" (the store failed). */
const finds = (sessions: ReturnType<typeof store>, id: string) =>
  sessions.load({ id }).then(
    (loaded) => loaded?.data.user ?? "none",
    () => "down",
  );

/** Waits until the store answers again (whatever it finds). */
async function answersAgain(sessions: ReturnType<typeof store>, id: string) {
  await expect
    .poll(async () => ((await finds(sessions, id)) === "down" ? "down" : "answered"), { timeout: 10_000 })
    .toBe("answered");
}

/** A redis-server of the test's own, to stall, cut off or stop; stopped after `work`. */
async function ownRedis(work: (redis: TestRedis) => Promise<void>) {
  const redis = await startRedis();
  try {
    await work(redis);
  } finally {
    await redis.stop();
  }
}

describe("redis store", () => {
  it("issues a new random id for every new session, and ends one on destroy", async () => {
    const sessions = store();
    const ids = new Set<string | undefined>();
    for (let i = 0; i < 5; i++) ids.add((await sessions.create(session(), { ttl: 60 })).id);
    expect(ids.size).toBe(5);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [first] = [...ids] as string[];
    await sessions.destroy({ id: first }, "alice");
    expect(await sessions.load({ id: first })).toBeNull();
  });

  it("never adopts an id that is not in the store, not even by changing or refreshing it", async () => {
    const sessions = store();
    const ghost = { id: "A".repeat(43) };
    expect(await sessions.load(ghost)).toBeNull();
    await expect(sessions.update(ghost, session(), session(), { ttl: 60 })).rejects.toBeInstanceOf(SessionEndedError);
    await sessions.touch(ghost, session(), { ttl: 60 });
    expect(await sessions.load(ghost)).toBeNull();
  });

  it("lets a stored session expire with its TTL", async () => {
    const sessions = store();
    const { id } = await sessions.create(session(), { ttl: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(await sessions.load({ id: id! })).toBeNull();
  });

  it("lists a user's sessions with their devices, and ends any of them, or all", async () => {
    const sessions = store();
    const ids: string[] = [];
    for (const userAgent of ["phone", "laptop", "tablet"]) {
      ids.push((await sessions.create(session(), { ttl: 60, context: { userAgent } })).id!);
    }
    const listed = await sessions.list("alice");
    expect(listed.map((entry) => entry.userAgent).sort()).toEqual(["laptop", "phone", "tablet"]);
    expect(listed.every((entry) => /^[0-9a-f]{16}$/.test(entry.handle) && !entry.id.includes(entry.handle))).toBe(true);
    expect(await sessions.destroyMany("alice", [ids[0]])).toBe(1);
    expect(await sessions.load({ id: ids[0] })).toBeNull();
    expect(await sessions.list("alice")).toHaveLength(2);
    expect(await sessions.destroyMany("alice", ids.slice(1))).toBe(2);
    expect(await sessions.list("alice")).toEqual([]);
  });

  it("refuses a session larger than it keeps, new or changed, writing nothing", async () => {
    const sessions = store();
    const big = session();
    big.values.big = "x".repeat(MAX_STORED_BYTES);
    await expect(sessions.create(big, { ttl: 60 })).rejects.toBeInstanceOf(SessionTooLargeError);
    const small = session();
    const { id } = await sessions.create(small, { ttl: 60 });
    await expect(sessions.update({ id: id! }, small, big, { ttl: 60 })).rejects.toBeInstanceOf(SessionTooLargeError);
    expect({ ...(await sessions.load({ id: id! }))?.data.values }).toEqual({});
  });
});

describe("writes at the same time", () => {
  it("keeps every one of 40 changes made at once, each from the session as it was read", async () => {
    const sessions = store();
    const read = session();
    const { id } = await sessions.create(read, { ttl: 60 });
    await Promise.all(
      Array.from({ length: 40 }, (_, n) => {
        const after = copySession(read);
        after.values[`p${n}`] = `value ${n}`;
        return sessions.update({ id: id! }, read, after, { ttl: 60 });
      }),
    );
    expect(Object.keys((await sessions.load({ id: id! }))!.data.values)).toHaveLength(40);
  });

  it("never lets a sliding refresh undo a change, nor move the session back in time", async () => {
    const sessions = store();
    const read = session();
    const { id } = await sessions.create(read, { ttl: 60 });
    const changed = copySession(read);
    changed.values.colour = "blue";
    changed.refreshedAt = read.refreshedAt + 10;
    await sessions.update({ id: id! }, read, changed, { ttl: 60 });
    await sessions.touch({ id: id! }, { ...read, refreshedAt: read.refreshedAt + 5 }, { ttl: 60 }); // read before the change
    const stored = (await sessions.load({ id: id! }))!.data;
    expect(stored.values.colour).toBe("blue");
    expect(stored.refreshedAt).toBe(read.refreshedAt + 10);
  });
});

describe("records of earlier versions (a JSON string)", () => {
  it("are read, listed, and become a hash on their first change, keeping their TTL", async () => {
    const sessions = store();
    const client = createClient({ url: redisUrl() });
    await client.connect();
    const now = Math.floor(Date.now() / 1000);
    const id = "L".repeat(43);
    const prefix = `redis-${prefixes}:`;
    await client.set(
      `${prefix}s:${id}`,
      JSON.stringify({ w: { u: "alice", c: now, r: now, v: { a: "1" } }, a: "old" }),
      {
        expiration: { type: "EX", value: 500 },
      },
    );
    await client.zAdd(`${prefix}u:alice`, { score: Date.now() + 500_000, value: id });
    const loaded = (await sessions.load({ id }))!;
    expect(loaded).toMatchObject({ data: { user: "alice", values: { a: "1" } }, userAgent: "old" });
    expect((await sessions.list("alice")).map((entry) => entry.userAgent)).toEqual(["old"]);
    const changed = copySession(loaded.data);
    changed.values.b = "2";
    await sessions.update({ id }, loaded.data, changed, { ttl: 400 });
    expect(await client.type(`${prefix}s:${id}`)).toBe("hash");
    expect({ ...(await sessions.load({ id }))!.data.values }).toEqual({ a: "1", b: "2" });
    await client.quit();
  });
});

describe("new sessions per address", () => {
  it("are limited for visitors who never sign in, and apart from that for sign-ins", async () => {
    const sessions = store();
    const from = (address: string, user: string | null = null) =>
      sessions.create(session(user), { ttl: 60, context: { address } });
    for (let i = 0; i < NEW_SESSIONS.anonymous; i++) await from("192.0.2.1");
    const refused = await from("192.0.2.1").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TooManySessionsError);
    expect((refused as TooManySessionsError).retryAfterSeconds).toBeGreaterThan(NEW_SESSIONS.window - 60);
    await expect(from("192.0.2.2")).resolves.toBeTruthy(); // another address
    await expect(from("192.0.2.1", "alice")).resolves.toBeTruthy(); // a sign-in has its own budget
  });
});

/** Another process's connection to the same Redis (a plain client, no cache); closed after `work`. */
const plainClient = (url: string) => createClient({ url });

async function otherProcess<T>(url: string, work: (client: ReturnType<typeof plainClient>) => Promise<T>) {
  const client = plainClient(url);
  await client.connect();
  try {
    return await work(client);
  } finally {
    client.destroy();
  }
}

/** How many HGETALLs the Redis has answered so far. */
async function hashReads(url: string): Promise<number> {
  const stats = await otherProcess(url, (client) => client.info("commandstats"));
  return Number(/cmdstat_hgetall:calls=(\d+)/i.exec(stats)?.[1] ?? 0);
}

describe("the process's copies of sessions (node-redis's client-side cache)", () => {
  it("reads a session in use once: its next pages make no round trip", async () => {
    await ownRedis(async (redis) => {
      const sessions = store(redis.url);
      const { id } = await sessions.create(session(), { ttl: 60 });
      for (let page = 0; page < 5; page++) expect((await sessions.load({ id: id! }))?.data.user).toBe("alice");
      expect(await hashReads(redis.url)).toBe(1);
    });
  });

  it("sees its own changes and ends at once", async () => {
    const sessions = store();
    const { id } = await sessions.create(session(), { ttl: 60 });
    const before = (await sessions.load({ id: id! }))!.data;
    const after = copySession(before);
    after.values.colour = "green";
    await sessions.update({ id: id! }, before, after, { ttl: 60 });
    expect({ ...(await sessions.load({ id: id! }))!.data.values }).toEqual({ colour: "green" });
    await sessions.destroy({ id: id! }, "alice");
    expect(await sessions.load({ id: id! })).toBeNull();
  });

  it("drops its copy when another process changes or ends the session (Redis says so)", async () => {
    const sessions = store(redisUrl(), "redis-elsewhere:");
    const { id } = await sessions.create(session(), { ttl: 60 });
    const key = `redis-elsewhere:s:${id}`;
    expect((await sessions.load({ id: id! }))?.data.user).toBe("alice");
    await otherProcess(redisUrl(), (client) => client.hSet(key, "u", "bob"));
    await expect.poll(async () => (await sessions.load({ id: id! }))?.data.user, { timeout: 1_000 }).toBe("bob");
    await otherProcess(redisUrl(), (client) => client.del(key));
    await expect.poll(() => sessions.load({ id: id! }), { timeout: 1_000 }).toBeNull();
  });

  it("works without copies on a Redis that refuses CLIENT TRACKING, reading it on every page", async () => {
    await ownRedis(async (redis) => {
      expect(await redis.send("ACL", "SETUSER", "default", "-client|tracking")).toBe("+OK");
      const sessions = store(redis.url);
      const { id } = await sessions.create(session(), { ttl: 60 });
      for (let page = 0; page < 3; page++) expect((await sessions.load({ id: id! }))?.data.user).toBe("alice");
      expect(await hashReads(redis.url)).toBe(3);
    });
  });

  it("goes on without copies when a reconnection finds CLIENT TRACKING refused (a failover, a changed ACL)", async () => {
    await ownRedis(async (redis) => {
      const sessions = store(redis.url);
      const { id } = await sessions.create(session(), { ttl: 60 });
      expect((await sessions.load({ id: id! }))?.data.user).toBe("alice");
      expect(await redis.send("ACL", "SETUSER", "default", "-client|tracking")).toBe("+OK");
      expect(await redis.send("CLIENT", "KILL", "TYPE", "normal")).toMatch(/^:[1-9]/);
      await expect.poll(() => finds(sessions, id!), { timeout: 5_000 }).toBe("alice");
    });
  }, 15_000);

  it("keeps no copy across a lost connection, when Redis's notices could not reach it", async () => {
    await ownRedis(async (redis) => {
      const sessions = store(redis.url, "redis-lost:");
      const { id } = await sessions.create(session(), { ttl: 60 });
      expect((await sessions.load({ id: id! }))?.data.user).toBe("alice");
      expect(await redis.send("CLIENT", "KILL", "TYPE", "normal")).toMatch(/^:[1-9]/);
      // Ended while this process had no connection: no notice can come.
      await otherProcess(redis.url, (client) => client.del(`redis-lost:s:${id}`));
      await expect.poll(() => finds(sessions, id!), { timeout: 5_000 }).toBe("none");
    });
  }, 15_000);
});

describe("faults, injected for real", () => {
  it("answers within the deadline while Redis stalls, then recycles the connection and works again", async () => {
    await ownRedis(async (redis) => {
      const sessions = store(redis.url);
      const { id } = await sessions.create(session(), { ttl: 60 });
      void redis.send("DEBUG", "SLEEP", "3"); // Redis answers nothing for 3 s
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = Date.now();
      await expect(sessions.load({ id: id! })).rejects.toMatchObject({ name: "StoreUnavailableError" });
      expect(Date.now() - started).toBeLessThan(DEADLINE_MS + 300);
      await answersAgain(sessions, id!);
    });
  }, 20_000);

  it("is not down while the first connection is still being made: eight calls at once at a cold start all answer", async () => {
    await ownRedis(async (redis) => {
      const sessions = store(redis.url); // a URL no client of this process has used yet
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => sessions.load({ id: "C".repeat(43) })));
      expect(results.map((result) => result.status)).toEqual(Array(8).fill("fulfilled"));
    });
  });

  it("gets its connection back after Redis drops it (CLIENT KILL)", async () => {
    await ownRedis(async (redis) => {
      const sessions = store(redis.url);
      const { id } = await sessions.create(session(), { ttl: 60 });
      expect(await redis.send("CLIENT", "KILL", "TYPE", "normal")).toMatch(/^:[1-9]/);
      await expect.poll(() => finds(sessions, id!), { timeout: 5_000 }).toBe("alice");
    });
  }, 15_000);

  it("fails fast with StoreUnavailableError while Redis is down, and works again when it is back", async () => {
    await ownRedis(async (redis) => {
      const sessions = store(redis.url);
      const { id } = await sessions.create(session(), { ttl: 60 });
      await redis.stop();
      const started = Date.now();
      await expect(sessions.load({ id: id! })).rejects.toMatchObject({ name: "StoreUnavailableError" });
      await expect(sessions.create(session(), { ttl: 60 })).rejects.toMatchObject({ name: "StoreUnavailableError" });
      expect(Date.now() - started).toBeLessThan(2 * DEADLINE_MS + 500);
      await redis.start();
      // The client reconnects by itself (the record is gone: this server keeps nothing on disk).
      await answersAgain(sessions, id!);
    });
  }, 30_000);
});
