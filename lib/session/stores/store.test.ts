/**
 * The contract both stores keep: what is saved comes back through the
 * cookie's payload, an update with the id keeps it, and a payload the store
 * did not write is refused. What only a server-side store does is in
 * redis.test.ts.
 */
import { describe, expect, it } from "vitest";
import { blankSession } from "../policy";
import { redisUrl, testConfig } from "../test-support";
import type { StoreConfig } from "../types";
import { cookieStore } from "./cookie";
import { redisStore } from "./redis";
import { parseRef } from "./ref";
import type { SessionStore } from "./types";

const redisConfig = (): StoreConfig & { kind: "redis" } => ({
  kind: "redis",
  url: redisUrl(),
  keyPrefix: "contract:",
});
const stores: [string, () => { config: StoreConfig; store: SessionStore }][] = [
  ["cookie", () => ({ config: { kind: "cookie" }, store: cookieStore })],
  [
    "redis",
    () => ({ config: redisConfig(), store: redisStore(redisConfig(), testConfig({ absoluteLifetime: 3600 })) }),
  ],
];

const now = () => Math.floor(Date.now() / 1000);
const session = (values: Record<string, string> = { colour: "blue" }) => ({
  ...blankSession(now()),
  user: "alice",
  values: Object.assign(blankSession(0).values, values),
});

/** What the session layer does between save and load: the payload goes through the cookie as JSON. */
const throughCookie = (payload: object) => JSON.parse(JSON.stringify(payload)) as unknown;

describe.each(stores)("%s store", (_kind, make) => {
  it("gives back what was saved, through the cookie's payload", async () => {
    const { config, store } = make();
    const data = session();
    const { payload } = await store.create(data, { ttl: 60, context: { userAgent: "test" } });
    const ref = parseRef(config, throughCookie(payload));
    expect(ref).not.toBeNull();
    expect((await store.load(ref!))?.data).toEqual(data);
  });

  it("updates in place with the same id", async () => {
    const { config, store } = make();
    const before = session();
    const first = await store.create(before, { ttl: 60 });
    const ref = parseRef(config, throughCookie(first.payload))!;
    const updated = await store.update(ref, before, session({ colour: "red" }), { ttl: 60 });
    expect(updated.id).toBe(first.id);
    const after = parseRef(config, throughCookie(updated.payload))!;
    expect({ ...(await store.load(after))?.data.values }).toEqual({ colour: "red" });
  });

  it("refuses payloads it did not write", async () => {
    const { config } = make();
    for (const payload of [null, "x", 42, [], {}, { i: "short" }, { i: 5 }, { c: "1", r: 1 }, { c: 1, r: 1, v: [1] }]) {
      expect(parseRef(config, payload), JSON.stringify(payload)).toBeNull();
    }
  });
});
