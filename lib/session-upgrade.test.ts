/**
 * An upgrade signs nobody out: cookies and Redis records written by the
 * session layer of earlier releases (lib/fixtures/sessions-<commit>.json, each
 * made by that commit's code: 40f44b7, and the previous release, 222da97)
 * open with today's. The Redis store's sealed ids (Fe26.2) give way to the
 * bare id with the session's next change.
 */
import { createClient } from "redis";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startRedis, type TestRedis } from "../e2e/support/redis-server";
import { Browser, clientAddress, current, from } from "../e2e/support/session-harness";
import release40f44b7 from "./fixtures/sessions-40f44b7.json";
import release222da97 from "./fixtures/sessions-222da97.json";
import { getSession, updateSession, type SessionConfig } from "./session";
import { redisStore } from "./session/redis";

vi.mock("next/headers", () => import("../e2e/support/session-harness").then((harness) => harness.nextHeaders));
vi.mock("next/server", () => import("../e2e/support/session-harness").then((harness) => harness.nextServer()));
vi.mock("@/lib/config", () => import("../e2e/support/session-harness").then((harness) => harness.appConfig));
afterEach(() => void vi.useRealTimers());

const DAY = 86_400;

type Fixture = typeof release40f44b7 | typeof release222da97;

for (const [release, fixture] of [
  ["40f44b7", release40f44b7],
  ["222da97", release222da97],
] as [string, Fixture][]) {
  const config = (secrets: "current" | "current+old", store?: SessionConfig["store"]): SessionConfig => ({
    secret: fixture.secrets.current,
    fallbackSecrets: secrets === "current+old" ? [fixture.secrets.old] : [],
    lifetime: 31 * DAY,
    absoluteLifetime: 90 * DAY,
    cookieName: fixture.cookieName,
    secure: true,
    store,
  });

  /** The session a cookie stands for a minute after the fixtures were sealed. */
  const open = async (seal: string, settings: SessionConfig) => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime((fixture.sealedAt + 60) * 1000);
    from(new Browser({ [fixture.cookieName]: seal }), settings);
    return getSession();
  };

  /** What the session holds, as plain JSON (no prototype-less objects, no undefined keys). */
  const plain = (value: unknown) => JSON.parse(JSON.stringify(value));

  describe(`cookies of ${release}, cookie store`, () => {
    it.each(fixture.cookieStore.map((entry) => [entry.name, entry] as const))("open: %s", async (_name, entry) => {
      expect(plain((await open(entry.seal, config("current+old")))?.data)).toEqual(entry.data);
    });

    it("still need the old secret as a fallback for a cookie it sealed", async () => {
      const old = fixture.cookieStore.find((entry) => entry.sealedWith === "old")!;
      expect(await open(old.seal, config("current"))).toBeNull();
    });
  });

  describe(`cookies and records of ${release}, Redis store`, () => {
    let redis: TestRedis;
    beforeAll(async () => {
      redis = await startRedis();
      const client = createClient({ url: redis.url });
      await client.connect();
      for (const entry of fixture.redisStore) {
        await client.hSet(entry.key, entry.fields as unknown as Record<string, string>);
        await client.expire(entry.key, 3_600);
        const id = entry.key.split(":").at(-1)!;
        if ("userKey" in entry && entry.userKey) {
          await client.zAdd(entry.userKey, { score: Date.now() + 3_600_000, value: id });
        }
      }
      await client.quit();
    }, 20_000);
    afterAll(async () => {
      await redis?.stop();
    });

    const store = () => redisStore({ url: redis.url, keyPrefix: "session:", clientAddress });

    it.each(fixture.redisStore.map((entry) => [entry.name, entry] as const))("open: %s", async (_name, entry) => {
      expect(plain((await open(entry.seal, config("current+old", store())))?.data)).toEqual(entry.data);
    });

    it("change over to the short cookie, the id itself, with the next change", async () => {
      const settings = config("current+old", store());
      const signedIn = fixture.redisStore.find((entry) => entry.name === "signed in, remembered, with values")!;
      expect(signedIn.seal).toMatch(/^Fe26\.2\*/);
      await open(signedIn.seal, settings);
      await updateSession((data) => void (data.values.upgraded = "yes"));
      const short = current.browser.values.get(fixture.cookieName)!;
      expect(short).toMatch(/^[\w-]{43}$/);
      from(new Browser({ [fixture.cookieName]: short }), settings);
      expect((await getSession())?.data).toMatchObject({ user: signedIn.data.user, values: { upgraded: "yes" } });
    });

    it("are listed among the user's sessions, with their devices", async () => {
      const redis = store();
      const settings = config("current+old", redis);
      const signedIn = fixture.redisStore.find((entry) => entry.name === "signed in, remembered, with values")!;
      const session = (await open(signedIn.seal, settings))!;
      vi.useRealTimers();
      const listed = await redis.list(session);
      const own = fixture.redisStore.filter((entry) => "userKey" in entry && entry.userKey === signedIn.userKey);
      expect(listed).toHaveLength(own.length);
      expect(listed.filter((entry) => entry.current)).toHaveLength(1);
      expect(listed.every((entry) => entry.userAgent === signedIn.userAgent)).toBe(true);
    });
  });
}
