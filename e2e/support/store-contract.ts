/**
 * What the Redis store does on any Redis, one server, a Cluster or a Sentinel
 * set: the tests that need nothing but a store and a client of another
 * process. store.test.ts runs them on one server, ha.test.ts on a cluster and
 * on a Sentinel set.
 */
import { createClient, createCluster, createSentinel } from "redis";
import { describe, expect, it } from "vitest";
import type { Session, SessionData } from "@/lib/session";
import {
  BindingChangedError,
  RecordTooLargeError,
  redisStore,
  SessionEndedError,
  TooManySessionsError,
  type RedisTarget,
} from "@/lib/session/redis";
import { clientAddress } from "./session-harness";

export const session = (user: string | null = "alice"): SessionData => {
  const now = Math.floor(Date.now() / 1000);
  return { ...(user ? { user } : {}), permanent: false, values: Object.create(null), createdAt: now, refreshedAt: now };
};
export const copy = (data: SessionData): SessionData => ({
  ...data,
  values: Object.assign(Object.create(null), data.values),
});
export const request = (headers: Record<string, string> = {}) => new Headers(headers);
const as = (data: SessionData, id?: string): Session => ({ data, id, expiresAt: 0, cookieBytes: 0 });

/** Another process's connection to the same Redis (a plain client, no cache); closed after `work`. */
export async function otherProcess<T>(
  target: RedisTarget,
  work: (client: Pick<ReturnType<typeof createClient>, "hSet" | "del">) => Promise<T>,
): Promise<T> {
  const client =
    "url" in target
      ? createClient({ url: target.url })
      : "clusterNodes" in target
        ? createCluster({ rootNodes: target.clusterNodes.map((url) => ({ url })) })
        : createSentinel({ name: target.masterName, sentinelRootNodes: target.sentinels });
  await client.connect();
  try {
    return await work(client as unknown as Pick<ReturnType<typeof createClient>, "hSet" | "del">);
  } finally {
    client.destroy();
  }
}

/** The store's tests on the Redis `target` names (read when each test runs). */
export function storeContract(target: () => RedisTarget) {
  let prefixes = 0;
  /** A store with keys of its own (so that its per-address limits are its own too). */
  const store = (keyPrefix = `contract-${process.pid}-${++prefixes}:`) =>
    redisStore({ ...target(), keyPrefix, clientAddress });

  describe("redis store", () => {
    it("issues a new random id for every new session, and ends one on destroy", async () => {
      const sessions = store();
      const ids = new Set<string>();
      for (let i = 0; i < 5; i++) ids.add(await sessions.create(session(), 60, request()));
      expect(ids.size).toBe(5);
      for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const [first] = [...ids];
      await sessions.destroy(first, "alice");
      expect(await sessions.load(first)).toBeNull();
    });

    it("never adopts an id that is not in the store, not even by changing or refreshing it", async () => {
      const sessions = store();
      const ghost = "A".repeat(43);
      expect(await sessions.load(ghost)).toBeNull();
      await expect(sessions.update(ghost, session(), session(), 60)).rejects.toBeInstanceOf(SessionEndedError);
      await sessions.touch(ghost, session(), 60);
      expect(await sessions.load(ghost)).toBeNull();
    });

    it("refuses a change of the device binding made from a read it has moved on from", async () => {
      const sessions = store();
      const jwk = { kty: "EC", crv: "P-256", x: "x".repeat(43), y: "y".repeat(43) };
      const bound = (refreshes: number): SessionData => ({
        ...session(),
        device: { jwk, until: 2_000_000_000, refreshedAt: 1_000_000_000, refreshes },
      });
      const id = await sessions.create(bound(0), 60, request());
      // Two renewals that read the same record: the first holds, the second finds the binding moved on.
      expect(await sessions.update(id, bound(0), bound(1), 60)).toBe(true);
      await expect(sessions.update(id, bound(0), bound(1), 60)).rejects.toBeInstanceOf(BindingChangedError);
      // A change that leaves the binding as it read it is not held to it.
      const valued = { ...bound(0), values: Object.assign(Object.create(null), { a: "1" }) };
      expect(await sessions.update(id, bound(0), valued, 60)).toBe(true);
      expect(await sessions.load(id)).toMatchObject({ device: { refreshes: 1 }, values: { a: "1" } });
    });

    it("ends a session that a change leaves empty, unless another change put something in it meanwhile", async () => {
      const sessions = store();
      const anonymous = (values: Record<string, string>) => ({ ...session(null), values });
      const id = await sessions.create(anonymous({ a: "1" }), 60, request());
      // One change sets b; another, which read the session before that, deletes a, its last value as it saw it.
      expect(await sessions.update(id, anonymous({ a: "1" }), anonymous({ a: "1", b: "2" }), 60)).toBe(true);
      expect(await sessions.update(id, anonymous({ a: "1" }), anonymous({}), 60)).toBe(true);
      expect({ ...(await sessions.load(id))?.values }).toEqual({ b: "2" });
      expect(await sessions.update(id, anonymous({ b: "2" }), anonymous({}), 60)).toBe(false);
      expect(await sessions.load(id)).toBeNull();
      // Permanence alone, or a user, is something.
      const kept = await sessions.create({ ...anonymous({ a: "1" }), permanent: true }, 60, request());
      expect(
        await sessions.update(
          kept,
          { ...anonymous({ a: "1" }), permanent: true },
          { ...anonymous({}), permanent: true },
          60,
        ),
      ).toBe(true);
    });

    it("lets a stored session expire with its TTL", async () => {
      const sessions = store();
      const id = await sessions.create(session(), 1, request());
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      expect(await sessions.load(id)).toBeNull();
    });

    it("lists a user's sessions with their devices, and ends any of them, or all", async () => {
      const sessions = store();
      const ids: string[] = [];
      for (const userAgent of ["phone", "laptop", "tablet"]) {
        ids.push(await sessions.create(session(), 60, request({ "user-agent": userAgent })));
      }
      const mine = as(session(), ids[1]);
      mine.data.authenticatedAt = mine.data.createdAt; // a fresh sign-in
      const listed = await sessions.list(mine);
      expect(listed.map((entry) => entry.userAgent).sort()).toEqual(["laptop", "phone", "tablet"]);
      expect(listed.filter((entry) => entry.current).map((entry) => entry.userAgent)).toEqual(["laptop"]);
      expect(
        listed.every((entry) => /^[0-9a-f]{16}$/.test(entry.handle) && !ids.some((id) => id.includes(entry.handle))),
      ).toBe(true);
      const phone = listed.find((entry) => entry.userAgent === "phone")!;
      expect(await sessions.end(mine, phone.handle)).toEqual({ ended: 1, signedOutHere: false });
      expect(await sessions.load(ids[0])).toBeNull();
      expect(await sessions.list(mine)).toHaveLength(2);
      expect(await sessions.end(mine, "0123456789abcdef")).toEqual({ ended: 0, signedOutHere: false });
      expect(await sessions.end(mine, "all")).toEqual({ ended: 2, signedOutHere: true });
      expect(await sessions.list(mine)).toEqual([]);
    });

    it("ends another session only after a fresh sign-in; the user's own needs none", async () => {
      const sessions = store();
      const stale = session();
      stale.createdAt -= 3_600; // signed in an hour ago, password not given since
      const [here, there] = [
        await sessions.create(stale, 60, request()),
        await sessions.create(session(), 60, request()),
      ];
      const mine = as(stale, here);
      const other = (await sessions.list(mine)).find((entry) => !entry.current)!;
      await expect(sessions.end(mine, other.handle)).rejects.toMatchObject({ name: "FreshSignInRequiredError" });
      await expect(sessions.end(mine, "all")).rejects.toMatchObject({ name: "FreshSignInRequiredError" });
      expect(await sessions.load(there)).not.toBeNull();
      const own = (await sessions.list(mine)).find((entry) => entry.current)!;
      expect(await sessions.end(mine, own.handle)).toEqual({ ended: 1, signedOutHere: true });
    });

    it("refuses a session larger than it keeps, new or changed, writing nothing", async () => {
      const sessions = store();
      const big = session();
      big.values.big = "x".repeat(16 * 1024);
      await expect(sessions.create(big, 60, request())).rejects.toBeInstanceOf(RecordTooLargeError);
      const small = session();
      const id = await sessions.create(small, 60, request());
      await expect(sessions.update(id, small, big, 60)).rejects.toBeInstanceOf(RecordTooLargeError);
      expect({ ...(await sessions.load(id))?.values }).toEqual({});
    });
  });

  describe("writes at the same time", () => {
    it("keeps every one of 40 changes made at once, each from the session as it was read", async () => {
      const sessions = store();
      const read = session();
      const id = await sessions.create(read, 60, request());
      await Promise.all(
        Array.from({ length: 40 }, (_, n) => {
          const after = copy(read);
          after.values[`p${n}`] = `value ${n}`;
          return sessions.update(id, read, after, 60);
        }),
      );
      expect(Object.keys((await sessions.load(id))!.values)).toHaveLength(40);
    });

    it("never lets a sliding refresh undo a change, nor move the session back in time", async () => {
      const sessions = store();
      const read = session();
      const id = await sessions.create(read, 60, request());
      const changed = copy(read);
      changed.values.colour = "blue";
      changed.refreshedAt = read.refreshedAt + 10;
      await sessions.update(id, read, changed, 60);
      await sessions.touch(id, { ...read, refreshedAt: read.refreshedAt + 5 }, 60); // read before the change
      const stored = (await sessions.load(id))!;
      expect(stored.values.colour).toBe("blue");
      expect(stored.refreshedAt).toBe(read.refreshedAt + 10);
    });
  });

  describe("new sessions per address", () => {
    it("are limited for visitors who never sign in, and apart from that for sign-ins", async () => {
      const sessions = store();
      const from = (address: string, user: string | null = null) =>
        sessions.create(session(user), 60, request({ "x-forwarded-for": `198.51.100.9, ${address}` }));
      for (let i = 0; i < 20; i++) await from("192.0.2.1");
      const refused = await from("192.0.2.1").catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(TooManySessionsError);
      expect((refused as TooManySessionsError).retryAfterSeconds).toBeGreaterThan(600 - 60);
      await expect(from("192.0.2.2")).resolves.toBeTruthy(); // another address
      await expect(from("192.0.2.1", "alice")).resolves.toBeTruthy(); // a sign-in has its own budget
    });
  });

  describe("the process's copies of sessions", () => {
    it("sees its own changes and ends at once", async () => {
      const sessions = store();
      const id = await sessions.create(session(), 60, request());
      const before = (await sessions.load(id))!;
      const after = copy(before);
      after.values.colour = "green";
      await sessions.update(id, before, after, 60);
      expect({ ...(await sessions.load(id))!.values }).toEqual({ colour: "green" });
      await sessions.destroy(id, "alice");
      expect(await sessions.load(id)).toBeNull();
    });

    it("drops its copy when another process changes or ends the session (Redis says so)", async () => {
      const prefix = `contract-elsewhere-${process.pid}-${++prefixes}:`;
      const sessions = store(prefix);
      const id = await sessions.create(session(), 60, request());
      const key = `${prefix}s:${id}`;
      expect((await sessions.load(id))?.user).toBe("alice");
      await otherProcess(target(), (client) => client.hSet(key, "u", "bob"));
      await expect.poll(async () => (await sessions.load(id))?.user, { timeout: 1_000 }).toBe("bob");
      await otherProcess(target(), (client) => client.del(key));
      await expect.poll(() => sessions.load(id), { timeout: 1_000 }).toBeNull();
    });
  });
}
