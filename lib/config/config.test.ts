import { describe, expect, it, vi } from "vitest";
import { ConfigError, DEMO_USER, loadConfig } from ".";

const SECRET = "s".repeat(32);
const HASH = DEMO_USER.hash;

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("loadConfig", () => {
  it("has Flask-like defaults in development, with the demo account", () => {
    const config = loadConfig({ NODE_ENV: "development", SESSION_SECRET: SECRET });
    expect(config).toMatchObject({
      production: false,
      session: { lifetime: 31 * 86_400, absoluteLifetime: 90 * 86_400, cookieName: "session", fallbackSecrets: [] },
      demoAccount: true,
      loginThrottle: { maxFailures: 5, lockout: 900 },
    });
    expect(config.session.deviceLifetime).toBe(600);
    expect(
      loadConfig({ SESSION_SECRET: SECRET, DEVICE_BOUND_SESSIONS: "false" }).session.deviceLifetime,
    ).toBeUndefined();
    expect([...config.users.keys()]).toEqual(["admin"]);
  });

  it("prefixes the cookie with __Host- in production and takes users from AUTH_USERS", () => {
    const config = loadConfig({
      NODE_ENV: "production",
      SESSION_SECRET: SECRET,
      AUTH_USERS: `alice:${HASH}, bob:${HASH}`,
      SESSION_COOKIE_NAME: "sid",
    });
    expect(config.session.cookieName).toBe("__Host-sid");
    expect(config.demoAccount).toBe(false);
    expect([...config.users.keys()]).toEqual(["alice", "bob"]);
    expect(
      loadConfig({
        NODE_ENV: "production",
        SESSION_SECRET: SECRET,
        AUTH_USERS: `a:${HASH}`,
        SESSION_COOKIE_NAME: "__Host-x",
      }).session.cookieName,
    ).toBe("__Host-x");
  });

  it("says once when a request came through fewer proxies than TRUST_PROXY counts: the sign that it is too high", () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      loadConfig({ SESSION_SECRET: SECRET }).clientAddress(new Headers());
      const config = loadConfig({ SESSION_SECRET: SECRET, TRUST_PROXY: "2" });
      config.clientAddress(new Headers({ "x-forwarded-for": "198.51.100.7, 203.0.113.9, 10.0.0.1" }));
      expect(logged).not.toHaveBeenCalled();
      config.clientAddress(new Headers({ "x-forwarded-for": "203.0.113.9, 10.0.0.1" }));
      config.clientAddress(new Headers({ "x-forwarded-for": "10.0.0.1" }));
      expect(logged).toHaveBeenCalledTimes(1);
      expect(logged.mock.calls[0][0]).toMatch(
        /"event":"config\.trust-proxy".*TRUST_PROXY=2 counts 2 proxies.*came with 2 X-Forwarded-For entries/,
      );
    } finally {
      logged.mockRestore();
    }
  });

  it("takes the client's address as many X-Forwarded-For entries from the end as TRUST_PROXY counts proxies", () => {
    const forwarded = new Headers({ "x-forwarded-for": "6.6.6.6, 203.0.113.9, 172.68.1.1, 10.0.0.2" });
    const address = (TRUST_PROXY?: string) =>
      loadConfig({ SESSION_SECRET: SECRET, ...(TRUST_PROXY === undefined ? {} : { TRUST_PROXY }) }).clientAddress(
        forwarded,
      );
    expect([address(), address("false"), address("0")]).toEqual(["10.0.0.2", "10.0.0.2", "10.0.0.2"]);
    expect([address("1"), address("true"), address(" TRUE ")]).toEqual(["172.68.1.1", "172.68.1.1", "172.68.1.1"]);
    expect(address("2")).toBe("203.0.113.9");
  });

  it("reads durations and fallbacks", () => {
    const config = loadConfig({
      SESSION_SECRET: SECRET,
      SESSION_LIFETIME: "12h",
      SESSION_ABSOLUTE_LIFETIME: "7d",
      SESSION_SECRET_FALLBACKS: ` ${"a".repeat(32)} ,,${SECRET},${"b".repeat(40)}`,
    });
    expect(config.session.lifetime).toBe(43_200);
    expect(config.session.absoluteLifetime).toBe(604_800);
    // The current secret is not its own fallback.
    expect(config.session.fallbackSecrets).toEqual(["a".repeat(32), "b".repeat(40)]);
  });

  it("trims the secret as it trims the old ones: a secret from a file, newline and all, survives rotation", () => {
    // Before a rotation: the newline is not part of the key, and cookies it sealed with the newline still open.
    const before = loadConfig({ SESSION_SECRET: `${SECRET}\n` });
    expect([before.session.secret, before.session.fallbackSecrets]).toEqual([SECRET, [`${SECRET}\n`]]);
    // After `npm run rotate-secret -- --promote`: the old secret, newline and all, is a fallback, the same key.
    const after = loadConfig({ SESSION_SECRET: "n".repeat(40), SESSION_SECRET_FALLBACKS: `${SECRET}\n` });
    expect(after.session.fallbackSecrets).toEqual([SECRET]);
  });

  it("defaults the absolute lifetime to the idle one when that is longer than 90 days", () => {
    expect(loadConfig({ SESSION_SECRET: SECRET, SESSION_LIFETIME: "120d" }).session.absoluteLifetime).toBe(
      120 * 86_400,
    );
  });

  it("stops production without a secret or users, saying how to fix it", () => {
    const found = problems({ NODE_ENV: "production" });
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^SESSION_SECRET is not set.*openssl rand -base64 32/);
    expect(found[1]).toMatch(/^AUTH_USERS is not set.*npm run hash-password/);
  });

  it.each([
    [{ SESSION_SECRET: "short" }, /SESSION_SECRET is 5 characters long; it must be at least 32/],
    [
      { SESSION_SECRET: `${"a".repeat(32)},${"b".repeat(32)}` },
      /SESSION_SECRET contains a comma: SESSION_SECRET_FALLBACKS separates old secrets with commas.*openssl rand/,
    ],
    [{ SESSION_SECRET_FALLBACKS: "old" }, /SESSION_SECRET_FALLBACKS: entry 1 is 3 characters long/],
    [{ SESSION_LIFETIME: "7x" }, /SESSION_LIFETIME: "7x" is not a duration.*e\.g\. SESSION_LIFETIME=31d/],
    [{ SESSION_LIFETIME: "0" }, /SESSION_LIFETIME: it must be at least 1 second/],
    [{ SESSION_ABSOLUTE_LIFETIME: "forever" }, /SESSION_ABSOLUTE_LIFETIME: "forever" is not a duration/],
    [
      { SESSION_LIFETIME: "7d", SESSION_ABSOLUTE_LIFETIME: "1d" },
      /SESSION_ABSOLUTE_LIFETIME \(1 day\) is shorter than SESSION_LIFETIME \(7 days\)/,
    ],
    [{ SESSION_COOKIE_NAME: "my session" }, /SESSION_COOKIE_NAME: "my session" is not a valid cookie name/],
    [{ SESSION_COOKIE_NAME: "a;b=c" }, /not a valid cookie name/],
    [{ AUTH_USERS: "alice" }, /AUTH_USERS: entry 1 has no ":"/],
    [{ AUTH_USERS: `al ice:${HASH}` }, /AUTH_USERS: entry 1 has an invalid user name/],
    [{ AUTH_USERS: `alice:${HASH},alice:${HASH}` }, /the user "alice" is listed twice/],
    [{ AUTH_USERS: "alice:admin123" }, /the hash of "alice" is not an scrypt hash from 'npm run hash-password'/],
    [{ AUTH_USERS: " , " }, /AUTH_USERS lists no users/],
    [{ TRUST_PROXY: "yes" }, /TRUST_PROXY: "yes" is not a number of proxies.*TRUST_PROXY=1 behind nginx/],
    [{ TRUST_PROXY: "-1" }, /TRUST_PROXY: "-1" is not a number of proxies/],
    [{ TRUST_PROXY: "1.5" }, /TRUST_PROXY: "1.5" is not a number of proxies/],
    [{ TRUST_PROXY: "11" }, /TRUST_PROXY: "11" is not a number of proxies.*at most 10/],
    [{ LOGIN_MAX_FAILURES: "0" }, /LOGIN_MAX_FAILURES: "0" is not a whole number from 1 to 100/],
    [{ LOGIN_MAX_FAILURES: "many" }, /LOGIN_MAX_FAILURES: "many" is not a whole number/],
    [{ LOGIN_LOCKOUT: "soon" }, /LOGIN_LOCKOUT: "soon" is not a duration.*LOGIN_LOCKOUT=15m/],
    [
      { LOGIN_LOCKOUT: "30d" },
      /LOGIN_LOCKOUT \(30 days\) is over a day; locks grow to four times it\. e\.g\. LOGIN_LOCKOUT=15m/,
    ],
    [{ LOGIN_LOCKOUT: "86401" }, /LOGIN_LOCKOUT .* is over a day/],
    [{ SESSION_SECRET: " ".repeat(40) }, /SESSION_SECRET is not set/],
    [
      { SESSION_STORE: "redis" },
      /SESSION_STORE=redis needs a Redis: set REDIS_URL .*, REDIS_CLUSTER_NODES .* or REDIS_SENTINELS/,
    ],
    [{ REDIS_URL: "localhost:6379" }, /REDIS_URL is not a redis:\/\/ or rediss:\/\/ URL/],
    [{ REDIS_URL: "redis://" }, /REDIS_URL is not a redis:\/\/ or rediss:\/\/ URL/],
    [
      { SESSION_STORE: "redis", REDIS_CLUSTER_NODES: " , " },
      /SESSION_STORE=redis needs a Redis: set REDIS_URL .*, REDIS_CLUSTER_NODES .* or REDIS_SENTINELS/,
    ],
    [{ SESSION_STORE: "redis", REDIS_SENTINELS: "," }, /SESSION_STORE=redis needs a Redis/],
    [
      { REDIS_URL: "redis://a:6379", REDIS_CLUSTER_NODES: "redis://b:7000" },
      /REDIS_URL and REDIS_CLUSTER_NODES are both set: set only one of/,
    ],
    [
      { REDIS_URL: "redis://a", REDIS_CLUSTER_NODES: "redis://b", REDIS_SENTINELS: "c:1", REDIS_SENTINEL_MASTER: "m" },
      /REDIS_URL and REDIS_CLUSTER_NODES and REDIS_SENTINELS are all set: set only one of/,
    ],
    // node-redis would refuse these when it connects: refused at start instead.
    [{ REDIS_URL: "redis://a:6379/abc" }, /REDIS_URL is not a redis:\/\/ or rediss:\/\/ URL with a host/],
    [{ REDIS_URL: "redis://:%zz@a:6379" }, /REDIS_URL is not a redis:\/\/ or rediss:\/\/ URL/],
    [
      { REDIS_CLUSTER_NODES: "rediss://:pw@b:7000,redis://c:7001" },
      /REDIS_CLUSTER_NODES: the seeds differ in redis:\/\/ or rediss:\/\/, or in their password/,
    ],
    [
      { REDIS_CLUSTER_NODES: "redis://b:7000", REDIS_SENTINELS: "c:26379", REDIS_SENTINEL_MASTER: "m" },
      /REDIS_CLUSTER_NODES and REDIS_SENTINELS are both set/,
    ],
    [
      { REDIS_CLUSTER_NODES: "redis://b:7000,b:7001" },
      /REDIS_CLUSTER_NODES: "b:7001" is not a redis:\/\/ or rediss:\/\/ URL/,
    ],
    [
      { REDIS_SENTINELS: "c:26379,d:26379" },
      /REDIS_SENTINELS needs REDIS_SENTINEL_MASTER.*REDIS_SENTINEL_MASTER=mymaster/,
    ],
    [{ REDIS_SENTINELS: "c", REDIS_SENTINEL_MASTER: "m" }, /REDIS_SENTINELS: "c" is not host:port/],
    [{ REDIS_SENTINEL_MASTER: "m" }, /REDIS_SENTINEL_MASTER goes with REDIS_SENTINELS, which is not set/],
    [{ REDIS_URL: "redis://a:6379", REDIS_PASSWORD: "p" }, /REDIS_PASSWORD goes with REDIS_SENTINELS.*in the URL/],
    [
      { DEVICE_BOUND_SESSIONS: "maybe" },
      /DEVICE_BOUND_SESSIONS: "maybe" is not true or false. e.g. DEVICE_BOUND_SESSIONS=false/,
    ],
    [
      { DEVICE_BOUND_LIFETIME: "5s" },
      /DEVICE_BOUND_LIFETIME \(5 seconds\) must be from 10 seconds to a day.*DEVICE_BOUND_LIFETIME=10m/,
    ],
    [{ DEVICE_BOUND_LIFETIME: "2d" }, /DEVICE_BOUND_LIFETIME \(2 days\) must be from 10 seconds to a day/],
    [{ DEVICE_BOUND_LIFETIME: "soon" }, /DEVICE_BOUND_LIFETIME: .*e\.g\. DEVICE_BOUND_LIFETIME=10m/],
  ])("reports %j", (env, message) => {
    const found = problems({ SESSION_SECRET: SECRET, ...env } as Record<string, string>);
    expect(found.join("\n")).toMatch(message);
  });

  it("takes one of three Redis configurations, for the store and the login throttle", () => {
    const base = { SESSION_SECRET: SECRET, SESSION_STORE: "redis" };
    expect(loadConfig({ ...base, REDIS_URL: "rediss://:pw@r.example:6380" }).redis?.target).toEqual({
      url: "rediss://:pw@r.example:6380",
    });
    expect(loadConfig({ ...base, REDIS_URL: "redis://r.example:6379/2" }).redis?.target).toEqual({
      url: "redis://r.example:6379/2",
    });
    expect(loadConfig({ ...base, REDIS_CLUSTER_NODES: " redis://a:7000, redis://b:7001 " }).redis?.target).toEqual({
      clusterNodes: ["redis://a:7000", "redis://b:7001"],
    });
    const sentinel = {
      ...base,
      REDIS_SENTINELS: "a:26379,b:26380",
      REDIS_SENTINEL_MASTER: "mymaster",
      REDIS_PASSWORD: "data",
      REDIS_SENTINEL_PASSWORD: "watch",
    };
    expect(loadConfig(sentinel).redis?.target).toEqual({
      sentinels: [
        { host: "a", port: 26379 },
        { host: "b", port: 26380 },
      ],
      masterName: "mymaster",
      password: "data",
      sentinelPassword: "watch",
    });
    // With the cookie store, a Redis is where the login throttle counts.
    const cookieStore = loadConfig({ SESSION_SECRET: SECRET, REDIS_URL: "redis://a:6379" });
    expect([cookieStore.session.store, cookieStore.redis?.target]).toEqual([undefined, { url: "redis://a:6379" }]);
  });

  it("reports every problem at once", () => {
    expect(problems({ SESSION_SECRET: "x", SESSION_LIFETIME: "?", AUTH_USERS: "nope" })).toHaveLength(3);
  });

  it("never puts a secret in a message", () => {
    const secret = "do-not-print-me";
    expect(problems({ SESSION_SECRET: secret }).join(" ")).not.toContain(secret);
  });
});
