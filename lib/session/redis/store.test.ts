/**
 * The Redis store against a real redis-server: the contract every Redis
 * meets (e2e/support/store-contract.ts: new ids, revocation, TTLs, lists,
 * writes that survive each other, bounded new sessions, the process's
 * copies), then what one server shows: copies without CLIENT TRACKING, and
 * faults injected for real (DEBUG SLEEP, CLIENT KILL, a stop and start).
 */
import { createClient } from "redis";
import { describe, expect, inject, it } from "vitest";
import { startRedis, type TestRedis } from "../../../e2e/support/redis-server";
import { otherProcess, request, session, storeContract } from "../../../e2e/support/store-contract";
import { redisStore } from ".";
import { clientAddress } from "../../../e2e/support/session-harness";

const redisUrl = () => inject("redisUrl");
let prefixes = 0;
/** A store with keys of its own. */
const store = (url = redisUrl(), keyPrefix = `redis-${++prefixes}:`) => redisStore({ url, keyPrefix, clientAddress });

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

/** How many HGETALLs the Redis has answered so far. */
async function hashReads(url: string): Promise<number> {
  const client = await createClient({ url }).connect();
  const stats = await client.info("commandstats").finally(() => client.destroy());
  return Number(/cmdstat_hgetall:calls=(\d+)/i.exec(stats)?.[1] ?? 0);
}

storeContract(() => ({ url: redisUrl() }));

describe("the process's copies of sessions", () => {
  it("reads a session in use once: its next pages make no round trip (node-redis's client-side cache)", async () => {
    await ownRedis(async (redis) => {
      const sessions = store(redis.url);
      const id = await sessions.create(session(), 60, request());
      for (let page = 0; page < 5; page++) expect((await sessions.load(id))?.user).toBe("alice");
      expect(await hashReads(redis.url)).toBe(1);
    });
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

  it("reports a missing password as such, not as a Redis without client tracking", async () => {
    await ownRedis(async (redis) => {
      expect(await redis.send("CONFIG", "SET", "requirepass", "a-password-the-url-lacks")).toBe("+OK");
      const events: string[] = [];
      const log = (event: string, message: string) => void events.push(`${event}: ${message}`);
      const sessions = redisStore({ url: redis.url, keyPrefix: "redis-auth:", clientAddress, log });
      expect(await finds(sessions, "A".repeat(43))).toBe("down");
      expect(events.filter((event) => event.startsWith("redis.no-client-cache"))).toEqual([]);
      expect(
        events.some((event) => /^redis\.error: NOAUTH/.test(event)),
        events.join("\n"),
      ).toBe(true);
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
      await otherProcess({ url: redis.url }, (client) => client.del(`redis-lost:s:${id}`));
      await expect.poll(() => finds(sessions, id), { timeout: 5_000 }).toBe("none");
    });
  }, 15_000);

  it("does not serve a session ended elsewhere while Redis was up, when Redis then stops answering", async () => {
    await ownRedis(async (redis) => {
      const sessions = store(redis.url, "redis-ended:");
      const id = await sessions.create(session(), 60, request());
      expect((await sessions.load(id))?.user).toBe("alice");
      // Another worker signs the user out: Redis tells this connection, which read the session.
      await otherProcess({ url: redis.url }, (client) => client.del(`redis-ended:s:${id}`));
      await new Promise((resolve) => setTimeout(resolve, 300));
      await redis.stop();
      expect(await finds(sessions, id)).toBe("down");
    });
  }, 15_000);

  it("serves a session read within 10 s while Redis is down, and nothing it has not read", async () => {
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
      // Without the deadline the call would wait for Redis and resolve (null, an unknown id): it rejects instead.
      await expect(sessions.load("B".repeat(43))).rejects.toMatchObject({ name: "StoreUnavailableError" });
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
      // Both answer while Redis is still down (it starts only after them): neither waits for it.
      await expect(sessions.load("D".repeat(43))).rejects.toMatchObject({ name: "StoreUnavailableError" });
      await expect(sessions.create(session(), 60, request())).rejects.toMatchObject({ name: "StoreUnavailableError" });
      await redis.start();
      // The client reconnects by itself (the record is gone: this server keeps nothing on disk).
      await answersAgain(sessions, id);
    });
  }, 30_000);
});
