/**
 * An upgrade signs nobody out: cookies and Redis records written by the
 * session layer before it moved onto iron-session's own sealData/unsealData
 * (fixtures/cookies-6018c9b.json, made by that code) open with today's.
 */
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startRedis, type TestRedis } from "../../e2e/support/redis-server";
import fixture from "./fixtures/cookies-6018c9b.json";
import { memoryJar } from "./memory-jar";
import { createSessions } from "./sessions";
import { stores } from "./test-support";
import type { SessionConfig, StoreConfig } from "./types";

const DAY = 86_400;

function config(store: StoreConfig, secret: "current" | "current+old"): SessionConfig {
  return {
    secret: fixture.secrets.current,
    fallbackSecrets: secret === "current+old" ? [fixture.secrets.old] : [],
    lifetime: 31 * DAY,
    absoluteLifetime: 90 * DAY,
    cookieName: fixture.cookieName,
    production: true,
    store,
  };
}

/** A minute after the fixtures were sealed (the Redis seals carry an expiration of their own). */
function aMinuteLater() {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime((fixture.sealedAt + 60) * 1000);
}

const open = (seal: string, settings: SessionConfig) =>
  createSessions(settings, stores).get(memoryJar({ [fixture.cookieName]: seal }));

describe("cookies of the earlier session layer, cookie store", () => {
  it.each(fixture.cookieStore.map((entry) => [entry.name, entry] as const))("opens: %s", async (_name, entry) => {
    aMinuteLater();
    const session = await open(entry.seal, config({ kind: "cookie" }, "current+old"));
    vi.useRealTimers();
    expect(session?.data).toEqual(entry.data);
  });

  it("still needs the old secret as a fallback for a cookie it sealed", async () => {
    aMinuteLater();
    const old = fixture.cookieStore.find((entry) => entry.sealedWith === "old")!;
    expect(await open(old.seal, config({ kind: "cookie" }, "current"))).toBeNull();
    vi.useRealTimers();
  });
});

describe("cookies and records of the earlier session layer, Redis store", () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
    const client = createClient({ url: redis.url });
    await client.connect();
    for (const entry of fixture.redisStore) {
      await client.set(entry.key, entry.record, { expiration: { type: "EX", value: 3_600 } });
      if (entry.userKey)
        await client.zAdd(entry.userKey, { score: Date.now() + 3_600_000, value: entry.key.split(":").at(-1)! });
    }
    await client.quit();
  }, 20_000);
  afterAll(async () => {
    await redis?.stop();
  });

  const store = (): StoreConfig => ({ kind: "redis", url: redis.url, keyPrefix: "session:" });

  it.each(fixture.redisStore.map((entry) => [entry.name, entry] as const))("opens: %s", async (_name, entry) => {
    aMinuteLater();
    const session = await open(entry.seal, config(store(), "current+old"));
    vi.useRealTimers();
    expect(session?.data).toEqual(entry.data);
  });

  it("lists the earlier records among the user's sessions, with their devices", async () => {
    aMinuteLater();
    const signedIn = fixture.redisStore.find((entry) => entry.sealedWith === "current" && entry.data.user)!;
    const jar = memoryJar({ [fixture.cookieName]: signedIn.seal });
    const listed = await createSessions(config(store(), "current+old"), stores).list(jar);
    vi.useRealTimers();
    expect(listed).toHaveLength(2);
    expect(listed.filter((entry) => entry.current)).toHaveLength(1);
    expect(listed.every((entry) => entry.userAgent === signedIn.userAgent)).toBe(true);
  });
});
