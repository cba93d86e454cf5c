/** The session layer's core with the Redis store, against a real redis-server. */
import { describe, expect, it } from "vitest";
import { memoryJar } from "./memory-jar";
import { createSessions } from "./sessions";
import { at, stores, testConfig, redisUrl } from "./test-support";

let prefixes = 0;
/** A Redis-store configuration with keys of its own. */
const config = () =>
  testConfig({
    store: { kind: "redis", url: redisUrl(), keyPrefix: `core-${++prefixes}:` },
    lifetime: 600,
    absoluteLifetime: 3_600,
  });

describe("server-side sessions", () => {
  it("signs in with a new id, and the session id of before sign-in is worth nothing after", async () => {
    const sessions = createSessions(config(), stores);
    const jar = memoryJar();
    await sessions.update(jar, (data) => {
      data.values.theme = "dark";
    });
    const planted = jar.value("session")!;
    const signedIn = jar.next();
    await sessions.signIn(signedIn, "alice", false);
    expect(signedIn.value("session")).not.toBe(planted);
    expect((await sessions.get(signedIn.next()))?.data).toMatchObject({ user: "alice", values: { theme: "dark" } });
    expect(await sessions.get(memoryJar({ session: planted }))).toBeNull();
  });

  it("carries an expiration of its own in the id's seal: the absolute lifetime", async () => {
    const jar = memoryJar();
    await createSessions(config(), stores).signIn(jar, "alice", true);
    const expiration = Number(jar.value("session")!.split("*")[5]);
    expect(Math.abs(expiration - (Date.now() + 3_600_000))).toBeLessThan(5_000);
    expect(jar.options("session")?.maxAge).toBe(3_600);
  });

  it("signs out for good: a copy of the cookie replayed afterwards is anonymous", async () => {
    const sessions = createSessions(config(), stores);
    const jar = memoryJar();
    await sessions.signIn(jar, "alice", false);
    const copy = jar.value("session")!;
    expect((await sessions.destroy(jar.next())).user).toBe("alice");
    expect(await sessions.get(memoryJar({ session: copy }))).toBeNull();
  });

  it("slides a session in use forward in the store, and leaves the cookie as it is", async () => {
    const settings = config();
    const sessions = createSessions(settings, stores);
    at(0);
    const jar = memoryJar();
    await sessions.signIn(jar, "alice", false);
    at(500); // the idle lifetime is 600 s, the refresh interval 60 s
    const used = jar.next();
    expect((await sessions.get(used))?.data.refreshedAt).toBe(1_800_000_500);
    at(1_000); // 1,000 s after sign-in: alive because it slid at 500
    expect((await createSessions(settings, stores).get(jar.next()))?.data.user).toBe("alice");
    expect(used.value("session")).toBe(jar.value("session"));
  });

  it("lists where the user is signed in, and ends one session or all of them", async () => {
    const settings = config();
    const sessions = createSessions(settings, stores);
    const devices = await Promise.all(
      ["phone", "laptop", "tablet"].map(async (userAgent) => {
        const jar = memoryJar();
        await sessions.signIn(jar, "bob", false, { userAgent });
        return jar;
      }),
    );
    const [phone, laptop, tablet] = devices;
    const listed = await sessions.list(laptop.next());
    expect(listed.map((entry) => [entry.userAgent, entry.current]).sort()).toEqual([
      ["laptop", true],
      ["phone", false],
      ["tablet", false],
    ]);
    const phoneHandle = listed.find((entry) => entry.userAgent === "phone")!.handle;
    expect(await sessions.end(laptop.next(), phoneHandle)).toEqual({ ended: 1, signedOutHere: false });
    expect(await sessions.get(phone.next())).toBeNull();
    expect(await sessions.end(laptop.next(), "0123456789abcdef")).toEqual({ ended: 0, signedOutHere: false });
    const here = laptop.next();
    expect(await sessions.end(here, "all")).toEqual({ ended: 2, signedOutHere: true });
    expect(here.value("session")).toBeUndefined();
    expect(await sessions.get(tablet.next())).toBeNull();
  });
});
