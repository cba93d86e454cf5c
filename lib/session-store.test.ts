import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, type Config } from "./config";
import { cookieStore, MAX_STORED_BYTES, redisStore, StoreTooLargeError, type SessionStore } from "./session-store";
import type { SessionData } from "./session";
import { startRedis, type TestRedis } from "./testing/redis-server";

/** The same cases against both stores: what differs is only what `revocable` says. */
let redis: TestRedis;
let redisConfig: Config & { store: { kind: "redis" } };

beforeAll(async () => {
  redis = await startRedis();
  redisConfig = loadConfig({
    SESSION_SECRET: "s".repeat(40),
    SESSION_STORE: "redis",
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: "test:",
  }) as Config & { store: { kind: "redis" } };
}, 20_000);

afterAll(async () => {
  await redis?.stop();
});

const stores: [string, () => SessionStore][] = [
  ["cookie", () => cookieStore],
  ["redis", () => redisStore(redisConfig)],
];

const now = () => Math.floor(Date.now() / 1000);
const session = (overrides: Partial<SessionData> = {}): SessionData => ({
  user: "alice",
  permanent: false,
  values: { colour: "blue" },
  createdAt: now(),
  refreshedAt: now(),
  ...overrides,
});

/** What lib/session.ts does between save and load: the payload goes through the cookie as JSON. */
const throughCookie = (payload: object) => JSON.parse(JSON.stringify(payload)) as unknown;

describe.each(stores)("%s store", (kind, make) => {
  it("gives back what was saved", async () => {
    const store = make();
    const data = session();
    const { payload } = await store.save(data, { ttl: 60, userAgent: "test" });
    const ref = store.parse(throughCookie(payload));
    expect(ref).not.toBeNull();
    expect((await store.load(ref!))?.data).toEqual(data);
  });

  it("updates in place with the same id, and issues a new one without it", async () => {
    const store = make();
    const first = await store.save(session(), { ttl: 60 });
    const updated = await store.save(session({ values: { colour: "red" } }), { ttl: 60, id: first.id });
    expect(updated.id).toBe(first.id);
    expect((await store.load(store.parse(throughCookie(updated.payload))!))?.data.values).toEqual({ colour: "red" });
    const other = await store.save(session(), { ttl: 60 });
    if (store.revocable) expect(other.id).not.toBe(first.id);
  });

  it("refuses payloads it did not write", async () => {
    const store = make();
    for (const payload of [null, "x", 42, [], {}, { i: "short" }, { i: 5 }, { c: "1", r: 1 }, { c: 1, r: 1, v: [1] }]) {
      const ref = store.parse(payload);
      if (ref) expect(await store.load(ref), JSON.stringify(payload)).toBeNull();
    }
  });

  it("ends a session on destroy where the store can; the cookie store cannot", async () => {
    const store = make();
    const { payload } = await store.save(session(), { ttl: 60 });
    const ref = store.parse(throughCookie(payload))!;
    await store.destroy(ref);
    const after = await store.load(ref);
    if (store.revocable) expect(after).toBeNull();
    else expect(after?.data.user).toBe("alice"); // a replayed cookie still carries its data
    expect(kind === "redis").toBe(store.revocable);
  });

  it("never adopts an id that is not in the store", async () => {
    const store = make();
    const ref = store.parse({ i: "A".repeat(43) });
    if (store.revocable) {
      expect(ref).not.toBeNull();
      expect(await store.load(ref!)).toBeNull();
      // Updating an id that is not there writes nothing either.
      await expect(store.save(session(), { ttl: 60, id: "B".repeat(43) })).rejects.toThrow(/ended/);
      expect(await store.load({ id: "B".repeat(43) })).toBeNull();
    } else {
      expect(ref).toBeNull();
    }
  });

  it("lets a stored session expire with its TTL", async () => {
    const store = make();
    const { payload } = await store.save(session(), { ttl: 1 });
    const ref = store.parse(throughCookie(payload))!;
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const after = await store.load(ref);
    // The cookie store keeps no clock of its own: lib/session.ts checks the timestamps.
    if (store.revocable) expect(after).toBeNull();
    else expect(after).not.toBeNull();
  });

  it("lists a user's sessions and ends any of them, or all", async () => {
    const store = make();
    const user = `user-${kind}-${Math.random().toString(36).slice(2)}`;
    const ids = [];
    for (const agent of ["phone", "laptop", "tablet"]) {
      ids.push((await store.save(session({ user }), { ttl: 60, userAgent: agent })).id);
    }
    const listed = await store.list(user);
    if (!store.revocable) {
      expect(listed).toEqual([]);
      expect(await store.destroyMany(user, [])).toBe(0);
      return;
    }
    expect(listed.map((entry) => entry.userAgent).sort()).toEqual(["laptop", "phone", "tablet"]);
    expect(listed.every((entry) => /^[0-9a-f]{16}$/.test(entry.handle) && !entry.handle.includes(entry.id))).toBe(true);
    expect(await store.destroyMany(user, [ids[0]!])).toBe(1);
    expect(await store.load({ id: ids[0]! })).toBeNull();
    expect((await store.list(user)).length).toBe(2);
    expect(await store.destroyMany(user, ids.slice(1) as string[])).toBe(2);
    expect(await store.list(user)).toEqual([]);
  });

  it("refuses a session larger than it keeps", async () => {
    const store = make();
    if (!store.revocable) return; // the cookie's own limit is checked where the cookie is sealed
    const big = session({ values: { big: "x".repeat(MAX_STORED_BYTES) } });
    await expect(store.save(big, { ttl: 60 })).rejects.toBeInstanceOf(StoreTooLargeError);
  });
});

describe("redis store faults", () => {
  it("fails fast with StoreUnavailableError while Redis is down, and works again when it is back", async () => {
    const store = redisStore(redisConfig);
    const { payload } = await store.save(session(), { ttl: 60 });
    const ref = store.parse(throughCookie(payload))!;
    await redis.stop();
    const started = Date.now();
    await expect(store.load(ref)).rejects.toMatchObject({ name: "StoreUnavailableError" });
    await expect(store.save(session(), { ttl: 60 })).rejects.toMatchObject({ name: "StoreUnavailableError" });
    expect(Date.now() - started).toBeLessThan(5_000);
    await redis.start();
    // The client reconnects by itself (the record is gone: this server keeps nothing on disk).
    await expect
      .poll(
        async () =>
          store.load(ref).then(
            () => "answered",
            () => "down",
          ),
        { timeout: 10_000 },
      )
      .toBe("answered");
  }, 30_000);
});
