/** What only the server-side store does, against a real redis-server: new ids, revocation, TTLs, lists, faults. */
import { describe, expect, it } from "vitest";
import { MAX_STORED_BYTES, SessionTooLargeError } from "../errors";
import { blankSession } from "../policy";
import { startRedis } from "../../../e2e/support/redis-server";
import { redisUrl } from "../test-support";
import { redisStore } from "./redis";

const store = (prefix = "redis-test:") => redisStore({ kind: "redis", url: redisUrl(), keyPrefix: prefix }, 3600);
const session = (user = "alice") => ({ ...blankSession(Math.floor(Date.now() / 1000)), user });

describe("redis store", () => {
  it("issues a new random id for every new session", async () => {
    const ids = new Set<string | undefined>();
    for (let i = 0; i < 5; i++) ids.add((await store().save(session(), { ttl: 60 })).id);
    expect(ids.size).toBe(5);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("ends a session on destroy: its cookie then stands for nothing", async () => {
    const { id } = await store().save(session(), { ttl: 60 });
    await store().destroy({ id: id! });
    expect(await store().load({ id: id! })).toBeNull();
  });

  it("never adopts an id that is not in the store, not even by updating it", async () => {
    expect(await store().load({ id: "A".repeat(43) })).toBeNull();
    await expect(store().save(session(), { ttl: 60, id: "B".repeat(43) })).rejects.toThrow(/ended/);
    expect(await store().load({ id: "B".repeat(43) })).toBeNull();
  });

  it("lets a stored session expire with its TTL", async () => {
    const { id } = await store().save(session(), { ttl: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(await store().load({ id: id! })).toBeNull();
  });

  it("lists a user's sessions with their devices, and ends any of them, or all", async () => {
    const user = `user-${Math.random().toString(36).slice(2)}`;
    const ids: string[] = [];
    for (const agent of ["phone", "laptop", "tablet"]) {
      ids.push((await store().save(session(user), { ttl: 60, context: { userAgent: agent } })).id!);
    }
    const listed = await store().list(user);
    expect(listed.map((entry) => entry.userAgent).sort()).toEqual(["laptop", "phone", "tablet"]);
    expect(listed.every((entry) => /^[0-9a-f]{16}$/.test(entry.handle) && !entry.id.includes(entry.handle))).toBe(true);
    expect(await store().destroyMany(user, [ids[0]])).toBe(1);
    expect(await store().load({ id: ids[0] })).toBeNull();
    expect(await store().list(user)).toHaveLength(2);
    expect(await store().destroyMany(user, ids.slice(1))).toBe(2);
    expect(await store().list(user)).toEqual([]);
  });

  it("refuses a session larger than it keeps", async () => {
    const big = session();
    big.values.big = "x".repeat(MAX_STORED_BYTES);
    await expect(store().save(big, { ttl: 60 })).rejects.toBeInstanceOf(SessionTooLargeError);
  });

  it("fails fast with StoreUnavailableError while Redis is down, and works again when it is back", async () => {
    const redis = await startRedis(); // one of its own, to stop
    const store = () => redisStore({ kind: "redis", url: redis.url, keyPrefix: "faults:" }, 3600);
    const { id } = await store().save(session(), { ttl: 60 });
    await redis.stop();
    const started = Date.now();
    await expect(store().load({ id: id! })).rejects.toMatchObject({ name: "StoreUnavailableError" });
    await expect(store().save(session(), { ttl: 60 })).rejects.toMatchObject({ name: "StoreUnavailableError" });
    expect(Date.now() - started).toBeLessThan(5_000);
    await redis.start();
    // The client reconnects by itself (the record is gone: this server keeps nothing on disk).
    await expect
      .poll(
        () =>
          store()
            .load({ id: id! })
            .then(
              () => "answered",
              () => "down",
            ),
        { timeout: 10_000 },
      )
      .toBe("answered");
    await redis.stop();
  }, 30_000);
});
