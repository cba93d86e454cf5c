/**
 * An upgrade signs nobody out: cookies and Redis records written by the
 * session layer at 40f44b7 (lib/fixtures/sessions-40f44b7.json, made by that
 * code) open with today's.
 */
import { createClient } from "redis";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startRedis, type TestRedis } from "../e2e/support/redis-server";
import { Browser, from } from "../e2e/support/session-harness";
import fixture from "./fixtures/sessions-40f44b7.json";
import { getSession, type SessionConfig } from "./session";
import { redisStore } from "./session/redis";

vi.mock("next/headers", () => import("../e2e/support/session-harness").then((harness) => harness.nextHeaders));
vi.mock("next/server", () => import("../e2e/support/session-harness").then((harness) => harness.nextServer()));
vi.mock("@/lib/config", () => import("../e2e/support/session-harness").then((harness) => harness.appConfig));
afterEach(() => void vi.useRealTimers());

const DAY = 86_400;

function config(secrets: "current" | "current+old", store?: SessionConfig["store"]): SessionConfig {
  return {
    secret: fixture.secrets.current,
    fallbackSecrets: secrets === "current+old" ? [fixture.secrets.old] : [],
    lifetime: 31 * DAY,
    absoluteLifetime: 90 * DAY,
    cookieName: fixture.cookieName,
    secure: true,
    store,
  };
}

/** The session a cookie stands for a minute after the fixtures were sealed. */
async function open(seal: string, settings: SessionConfig) {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime((fixture.sealedAt + 60) * 1000);
  from(new Browser({ [fixture.cookieName]: seal }), settings);
  return getSession();
}

/** What the session holds, as plain JSON (no prototype-less objects, no undefined keys). */
const plain = (value: unknown) => JSON.parse(JSON.stringify(value));

describe("cookies of 40f44b7, cookie store", () => {
  it.each(fixture.cookieStore.map((entry) => [entry.name, entry] as const))("open: %s", async (_name, entry) => {
    expect(plain((await open(entry.seal, config("current+old")))?.data)).toEqual(entry.data);
  });

  it("still need the old secret as a fallback for a cookie it sealed", async () => {
    const old = fixture.cookieStore.find((entry) => entry.sealedWith === "old")!;
    expect(await open(old.seal, config("current"))).toBeNull();
  });
});

describe("cookies and records of 40f44b7, Redis store", () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
    const client = createClient({ url: redis.url });
    await client.connect();
    for (const entry of fixture.redisStore) {
      await client.hSet(entry.key, entry.fields as unknown as Record<string, string>);
      await client.expire(entry.key, 3_600);
      const id = entry.key.split(":").at(-1)!;
      if (entry.userKey) await client.zAdd(entry.userKey, { score: Date.now() + 3_600_000, value: id });
    }
    await client.quit();
  }, 20_000);
  afterAll(async () => {
    await redis?.stop();
  });

  const store = () => redisStore({ url: redis.url, keyPrefix: "session:" });

  it.each(fixture.redisStore.map((entry) => [entry.name, entry] as const))("open: %s", async (_name, entry) => {
    expect(plain((await open(entry.seal, config("current+old", store())))?.data)).toEqual(entry.data);
  });

  it("are listed among the user's sessions, with their devices", async () => {
    const redis = store();
    const settings = config("current+old", redis);
    const signedIn = fixture.redisStore.find((entry) => entry.name === "signed in, remembered, with values")!;
    const session = (await open(signedIn.seal, settings))!;
    vi.useRealTimers();
    const listed = await redis.list(session);
    expect(listed).toHaveLength(3);
    expect(listed.filter((entry) => entry.current)).toHaveLength(1);
    expect(listed.every((entry) => entry.userAgent === signedIn.userAgent)).toBe(true);
  });
});
