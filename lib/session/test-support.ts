/** What the session layer's unit tests share: a configuration, a fixed clock, a signed-in cookie. */
import { afterAll, afterEach, beforeAll, vi } from "vitest";
import { startRedis, type TestRedis } from "../testing/redis-server";
import { memoryJar } from "./memory-jar";
import { createSessions } from "./sessions";
import type { StoreLoaders } from "./stores";
import type { SessionConfig } from "./types";

export const SECRET = "secret-a-".padEnd(40, "a");
export const T0 = 1_800_000_000; // a fixed "now", in seconds

/** A cookie-store configuration with a 60 s idle and a 300 s absolute lifetime. */
export function testConfig(overrides: Partial<SessionConfig> = {}): SessionConfig {
  return {
    secret: SECRET,
    fallbackSecrets: [],
    lifetime: 60,
    absoluteLifetime: 300,
    cookieName: "session",
    production: false,
    store: { kind: "cookie" },
    ...overrides,
  };
}

/** Sets the clock (Date only: iron-session and the session layer read nothing else) to T0 + `seconds`. */
export function at(seconds: number): void {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime((T0 + seconds) * 1000);
}

afterEach(() => {
  vi.useRealTimers();
});

/** A cookie for a session made by `change` (a sign-in of `user` first, if given), sealed under `config`. */
export async function cookieFor(
  change: (data: import("./types").SessionData) => void,
  config: SessionConfig = testConfig(),
): Promise<string> {
  const jar = memoryJar();
  await createSessions(config).update(jar, change);
  return jar.value(config.cookieName)!;
}

/** The key id the current secret seals with (the second field of a seal). */
export async function keyIdOf(config: SessionConfig = testConfig()): Promise<string> {
  return (await cookieFor((data) => void (data.values.k = "v"), config)).split("*")[1];
}

/** The Redis store, as lib/session.ts passes it. */
export const stores: StoreLoaders = { redis: () => import("./stores/redis") };

/** A redis-server of the test file's own, started before its tests and stopped after them. */
export function redisForThisFile(): () => TestRedis {
  let redis: TestRedis | undefined;
  beforeAll(async () => {
    redis = await startRedis();
  }, 20_000);
  afterAll(async () => {
    await redis?.stop();
  });
  return () => redis!;
}
