/** What the session layer's unit tests share: a configuration, a fixed clock, a signed-in cookie. */
import { afterEach, inject, vi } from "vitest";
import { memoryJar, type MemoryJar } from "./memory-jar";
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

/** A jar (a browser) holding the cookie of a session made by `change`, sealed under `config`. */
export async function jarWith(
  change: (data: import("./types").SessionData) => void,
  config: SessionConfig = testConfig(),
): Promise<MemoryJar> {
  const jar = memoryJar();
  await createSessions(config).update(jar, change);
  return jar;
}

/** The cookie of a session made by `change`, sealed under `config`. */
export async function cookieFor(
  change: (data: import("./types").SessionData) => void,
  config: SessionConfig = testConfig(),
): Promise<string> {
  return (await jarWith(change, config)).value(config.cookieName)!;
}

/** The key id the current secret seals with (the second field of a seal). */
export async function keyIdOf(config: SessionConfig = testConfig()): Promise<string> {
  return (await cookieFor((data) => void (data.values.k = "v"), config)).split("*")[1];
}

/** The Redis store, as lib/session.ts passes it. */
export const stores: StoreLoaders = { redis: () => import("./stores/redis") };

/** The URL of the redis-server the unit tests share (e2e/support/vitest-setup.ts); keep to a key prefix of your own. */
export const redisUrl = (): string => inject("redisUrl");
