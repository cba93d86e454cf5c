/**
 * The Redis store against a real redis-server: new ids, revocation, TTLs,
 * lists, writes that survive each other, bounded new sessions, the process's
 * copies, and faults injected for real (DEBUG SLEEP, CLIENT KILL, a stop and start).
 */
import { createClient } from "redis";
import { describe, expect, inject, it } from "vitest";
import { startRedis, type TestRedis } from "../../../e2e/support/redis-server";
import type { Session, SessionData } from "../../session";
import { DEADLINE_MS } from "./connection";
import { KEPT_MS, RecordTooLargeError, redisStore, SessionEndedError, TooManySessionsError } from ".";

const redisUrl = () => inject("redisUrl");
let prefixes = 0;
/** A store with keys of its own (so that its per-address limits are its own too). */
const store = (url = redisUrl(), keyPrefix = `redis-${++prefixes}:`) => redisStore({ url, keyPrefix });
const session = (user: string | null = "alice"): SessionData => {
  const now = Math.floor(Date.now() / 1000);
  return { ...(user ? { user } : {}), permanent: false, values: Object.create(null), createdAt: now, refreshedAt: now };
};
const copy = (data: SessionData): SessionData => ({ ...data, values: Object.assign(Object.create(null), data.values) });
const request = (headers: Record<string, string> = {}) => new Headers(headers);
const as = (data: SessionData, id?: string): Session => ({ data, id, expiresAt: 0, cookieBytes: 0 });

/** What a load of `id` finds: the session's user, "none" (no session), or "down" (the store failed). */
const finds = (sessions: ReturnType<typeof store>, id: string) =>
  sessions.load(id).then(
    (data) => data?.user ?? "none",
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

describe("redis store", () => {
  it("issues a new random id for every new session, and ends one on destroy", async () => {
    const sessions = store();
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add(await sessions.create(session(), 60, request()));
    expect(ids.size).toBe(5);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [first] = [...ids];
    await sessions.destroy(first, "alice");
    expect(await sessions.load(first)).toBeNull();
  });

  it("never adopts an id that is not in the store, not even by changing or refreshing it", async () => {
    const sessions = store();
    const ghost = "A".repeat(43);
    expect(await sessions.load(ghost)).toBeNull();
    await expect(sessions.update(ghost, session(), session(), 60)).rejects.toBeInstanceOf(SessionEndedError);
    await sessions.touch(ghost, session(), 60);
    expect(await sessions.load(ghost)).toBeNull();
  });

  it("lets a stored session expire with its TTL", async () => {
    const sessions = store();
    const id = await sessions.create(session(), 1, request());
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(await sessions.load(id)).toBeNull();
  });

  it("lists a user's sessions with their devices, and ends any of them, or all", async () => {
    const sessions = store();
    const ids: string[] = [];
    for (const userAgent of ["phone", "laptop", "tablet"]) {
      ids.push(await sessions.create(session(), 60, request({ "user-agent": userAgent })));
    }
    const mine = as(session(), ids[1]);
    mine.data.authenticatedAt = mine.data.createdAt; // a fresh sign-in
    const listed = await sessions.list(mine);
    expect(listed.map((entry) => entry.userAgent).sort()).toEqual(["laptop", "phone", "tablet"]);
    expect(listed.filter((entry) => entry.current).map((entry) => entry.userAgent)).toEqual(["laptop"]);
    expect(
      listed.every((entry) => /^[0-9a-f]{16}$/.test(entry.handle) && !ids.some((id) => id.includes(entry.handle))),
    ).toBe(true);
    const phone = listed.find((entry) => entry.userAgent === "phone")!;
    expect(await sessions.end(mine, phone.handle)).toEqual({ ended: 1, signedOutHere: false });
    expect(await sessions.load(ids[0])).toBeNull();
    expect(await sessions.list(mine)).toHaveLength(2);
    expect(await sessions.end(mine, "0123456789abcdef")).toEqual({ ended: 0, signedOutHere: false });
    expect(await sessions.end(mine, "all")).toEqual({ ended: 2, signedOutHere: true });
    expect(await sessions.list(mine)).toEqual([]);
  });

  it("ends another session only after a fresh sign-in; the user's own needs none", async () => {
    const sessions = store("" + redisUrl(), `redis-fresh-${++prefixes}:`);
    const stale = session();
    stale.createdAt -= 3_600; // signed in an hour ago, password not given since
    const [here, there] = [
      await sessions.create(stale, 60, request()),
      await sessions.create(session(), 60, request()),
    ];
    const mine = as(stale, here);
    const other = (await sessions.list(mine)).find((entry) => !entry.current)!;
    await expect(sessions.end(mine, other.handle)).rejects.toMatchObject({ name: "FreshSignInRequiredError" });
    await expect(sessions.end(mine, "all")).rejects.toMatchObject({ name: "FreshSignInRequiredError" });
    expect(await sessions.load(there)).not.toBeNull();
    const own = (await sessions.list(mine)).find((entry) => entry.current)!;
    expect(await sessions.end(mine, own.handle)).toEqual({ ended: 1, signedOutHere: true });
  });

  it("refuses a session larger than it keeps, new or changed, writing nothing", async () => {
    const sessions = store();
    const big = session();
    big.values.big = "x".repeat(16 * 1024);
    await expect(sessions.create(big, 60, request())).rejects.toBeInstanceOf(RecordTooLargeError);
    const small = session();
    const id = await sessions.create(small, 60, request());
    await expect(sessions.update(id, small, big, 60)).rejects.toBeInstanceOf(RecordTooLargeError);
    expect({ ...(await sessions.load(id))?.values }).toEqual({});
  });
});

describe("writes at the same time", () => {
  it("keeps every one of 40 changes made at once, each from the session as it was read", async () => {
    const sessions = store();
    const read = session();
    const id = await sessions.create(read, 60, request());
    await Promise.all(
      Array.from({ length: 40 }, (_, n) => {
        const after = copy(read);
        after.values[`p${n}`] = `value ${n}`;
        return sessions.update(id, read, after, 60);
      }),
    );
    expect(Object.keys((await sessions.load(id))!.values)).toHaveLength(40);
  });

  it("never lets a sliding refresh undo a change, nor move the session back in time", async () => {
    const sessions = store();
    const read = session();
    const id = await sessions.create(read, 60, request());
    const changed = copy(read);
    changed.values.colour = "blue";
    changed.refreshedAt = read.refreshedAt + 10;
    await sessions.update(id, read, changed, 60);
    await sessions.touch(id, { ...read, refreshedAt: read.refreshedAt + 5 }, 60); // read before the change
    const stored = (await sessions.load(id))!;
    expect(stored.values.colour).toBe("blue");
    expect(stored.refreshedAt).toBe(read.refreshedAt + 10);
  });
});

describe("new sessions per address", () => {
  it("are limited for visitors who never sign in, and apart from that for sign-ins", async () => {
    const sessions = store();
    const from = (address: string, user: string | null = null) =>
      sessions.create(session(user), 60, request({ "x-forwarded-for": `198.51.100.9, ${address}` }));
    for (let i = 0; i < 20; i++) await from("192.0.2.1");
    const refused = await from("192.0.2.1").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TooManySessionsError);
    expect((refused as TooManySessionsError).retryAfterSeconds).toBeGreaterThan(600 - 60);
    await expect(from("192.0.2.2")).resolves.toBeTruthy(); // another address
    await expect(from("192.0.2.1", "alice")).resolves.toBeTruthy(); // a sign-in has its own budget
  });
});

describe("the process's copies of sessions", () => {
  it("reads a session in use once: its next pages make no round trip (node-redis's client-side cache)", async () => {
    await ownRedis(async (redis) => {
      const sessions = store(redis.url);
      const id = await sessions.create(session(), 60, request());
      for (let page = 0; page < 5; page++) expect((await sessions.load(id))?.user).toBe("alice");
      expect(await hashReads(redis.url)).toBe(1);
    });
  });

  it("sees its own changes and ends at once", async () => {
    const sessions = store();
    const id = await sessions.create(session(), 60, request());
    const before = (await sessions.load(id))!;
    const after = copy(before);
    after.values.colour = "green";
    await sessions.update(id, before, after, 60);
    expect({ ...(await sessions.load(id))!.values }).toEqual({ colour: "green" });
    await sessions.destroy(id, "alice");
    expect(await sessions.load(id)).toBeNull();
  });

  it("drops its copy when another process changes or ends the session (Redis says so)", async () => {
    const sessions = store(redisUrl(), "redis-elsewhere:");
    const id = await sessions.create(session(), 60, request());
    const key = `redis-elsewhere:s:${id}`;
    expect((await sessions.load(id))?.user).toBe("alice");
    await otherProcess(redisUrl(), (client) => client.hSet(key, "u", "bob"));
    await expect.poll(async () => (await sessions.load(id))?.user, { timeout: 1_000 }).toBe("bob");
    await otherProcess(redisUrl(), (client) => client.del(key));
    await expect.poll(() => sessions.load(id), { timeout: 1_000 }).toBeNull();
  });

  it("works without the client-side cache on a Redis that refuses CLIENT TRACKING, reading it on every page", async () => {
    await ownRedis(async (redis) => {
      expect(await redis.send("ACL", "SETUSER", "default", "-client|tracking")).toBe("+OK");
      const sessions = store(redis.url);
      const id = await sessions.create(session(), 60, request());
      for (let page = 0; page < 3; page++) expect((await sessions.load(id))?.user).toBe("alice");
      expect(await hashReads(redis.url)).toBe(3);
    });
  });

  it("goes on without the cache when a reconnection finds CLIENT TRACKING refused (a failover, a changed ACL)", async () => {
    await ownRedis(async (redis) => {
      const sessions = store(redis.url);
      const id = await sessions.create(session(), 60, request());
      expect((await sessions.load(id))?.user).toBe("alice");
      expect(await redis.send("ACL", "SETUSER", "default", "-client|tracking")).toBe("+OK");
      expect(await redis.send("CLIENT", "KILL", "TYPE", "normal")).toMatch(/^:[1-9]/);
      await expect.poll(() => finds(sessions, id), { timeout: 5_000 }).toBe("alice");
    });
  }, 15_000);

  it("reads Redis again once it is back: a session ended while the connection was lost is ended", async () => {
    await ownRedis(async (redis) => {
      const sessions = store(redis.url, "redis-lost:");
      const id = await sessions.create(session(), 60, request());
      expect((await sessions.load(id))?.user).toBe("alice");
      expect(await redis.send("CLIENT", "KILL", "TYPE", "normal")).toMatch(/^:[1-9]/);
      // Ended while this process had no connection: no notice can come.
      await otherProcess(redis.url, (client) => client.del(`redis-lost:s:${id}`));
      await expect.poll(() => finds(sessions, id), { timeout: 5_000 }).toBe("none");
    });
  }, 15_000);

  it(`serves a session read within ${KEPT_MS / 1000} s while Redis is down, and nothing it has not read`, async () => {
    await ownRedis(async (redis) => {
      const sessions = store(redis.url);
      const [read, unread] = [
        await sessions.create(session(), 60, request()),
        await sessions.create(session("bob"), 60, request()),
      ];
      expect((await sessions.load(read))?.user).toBe("alice");
      await redis.stop();
      expect(await finds(sessions, read)).toBe("alice");
      expect(await finds(sessions, unread)).toBe("down");
    });
  }, 15_000);
});

describe("faults, injected for real", () => {
  it("answers within the deadline while Redis stalls, then recycles the connection and works again", async () => {
    await ownRedis(async (redis) => {
      const sessions = store(redis.url);
      const id = await sessions.create(session(), 60, request());
      void redis.send("DEBUG", "SLEEP", "3"); // Redis answers nothing for 3 s
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = Date.now();
      await expect(sessions.load("B".repeat(43))).rejects.toMatchObject({ name: "StoreUnavailableError" });
      expect(Date.now() - started).toBeLessThan(DEADLINE_MS + 300);
      await answersAgain(sessions, id);
    });
  }, 20_000);

  it("is not down while the first connection is still being made: eight calls at once at a cold start all answer", async () => {
    await ownRedis(async (redis) => {
      const sessions = store(redis.url); // a URL no client of this process has used yet
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => sessions.load("C".repeat(43))));
      expect(results.map((result) => result.status)).toEqual(Array(8).fill("fulfilled"));
    });
  });

  it("gets its connection back after Redis drops it (CLIENT KILL)", async () => {
    await ownRedis(async (redis) => {
      const sessions = store(redis.url);
      const id = await sessions.create(session(), 60, request());
      expect(await redis.send("CLIENT", "KILL", "TYPE", "normal")).toMatch(/^:[1-9]/);
      await expect.poll(() => finds(sessions, id), { timeout: 5_000 }).toBe("alice");
    });
  }, 15_000);

  it("fails fast with StoreUnavailableError while Redis is down, and works again when it is back", async () => {
    await ownRedis(async (redis) => {
      const sessions = store(redis.url);
      const id = await sessions.create(session(), 60, request());
      await redis.stop();
      const started = Date.now();
      await expect(sessions.load("D".repeat(43))).rejects.toMatchObject({ name: "StoreUnavailableError" });
      await expect(sessions.create(session(), 60, request())).rejects.toMatchObject({ name: "StoreUnavailableError" });
      expect(Date.now() - started).toBeLessThan(2 * DEADLINE_MS + 500);
      await redis.start();
      // The client reconnects by itself (the record is gone: this server keeps nothing on disk).
      await answersAgain(sessions, id);
    });
  }, 30_000);
});
