/**
 * The Redis store on a real Redis Cluster (three primaries, a replica each)
 * and a real Sentinel set (a primary, a replica, three sentinels), each
 * started once: the contract every Redis meets (e2e/support/store-contract.ts),
 * the process's copies on them, and the keys spread over the primaries. The
 * failovers and a slot migration under traffic are e2e/ha/'s.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ask,
  startCluster,
  startSentinelSet,
  type TestCluster,
  type TestSentinelSet,
} from "../../../e2e/support/redis-ha";
import { request, session, storeContract } from "../../../e2e/support/store-contract";
import { redisStore, type RedisTarget } from ".";
import { clientAddress } from "../../../e2e/support/session-harness";

/** How many HGETALLs the Redis servers on `ports` have answered so far. */
async function hashReads(ports: number[]): Promise<number> {
  const stats = await Promise.all(ports.map((port) => ask(port, "INFO", "commandstats")));
  return stats.reduce<number>(
    (sum, text) => sum + Number(/cmdstat_hgetall:calls=(\d+)/i.exec(String(text))?.[1] ?? 0),
    0,
  );
}

/** A session in use is read once on these servers: its next pages make no round trip. */
function readsOnce(target: () => RedisTarget, servers: () => Promise<number[]>) {
  it("reads a session in use once: its next pages make no round trip (client-side cache)", async () => {
    const sessions = redisStore({ ...target(), keyPrefix: "ha-once:", clientAddress });
    const id = await sessions.create(session(), 60, request());
    const before = await hashReads(await servers());
    for (let page = 0; page < 5; page++) expect((await sessions.load(id))?.user).toBe("alice");
    expect((await hashReads(await servers())) - before).toBe(1);
  });
}

/** Last (it leaves them without): with every replica gone, a burst of writes is answered, none waits long. */
function withoutReplicas(target: () => RedisTarget, killReplicas: () => Promise<void>) {
  it("answers a burst of writes on primaries whose replicas are gone: one WAIT covers many", async () => {
    const sessions = redisStore({ ...target(), keyPrefix: "ha-alone:", clientAddress });
    await sessions.create(session(), 60, request()); // connected
    await killReplicas();
    const writes = await Promise.allSettled(
      Array.from({ length: 30 }, () => sessions.create(session(), 60, request())),
    );
    expect(writes.filter((write) => write.status === "rejected")).toEqual([]);
  });
}

/** The ports of `nodes` that are not among `primaries`. */
const replicasOf = (nodes: Map<number, { kill(): Promise<void> }>, primaries: number[]) =>
  [...nodes].filter(([port]) => !primaries.includes(port)).map(([, node]) => node);

describe("on a Redis Cluster", { timeout: 20_000 }, () => {
  let cluster: TestCluster;
  const target = () => ({ clusterNodes: cluster.seedUrls });
  // Longer than startCluster's own deadlines usually add up to, so that its error says what failed.
  beforeAll(async () => void (cluster = await startCluster()), 120_000);
  afterAll(() => cluster?.stop());

  storeContract(target);
  readsOnce(target, () => cluster.primaries());

  it("spreads sessions over every primary, each record on one node with no cross-slot script", async () => {
    const sessions = redisStore({ ...target(), keyPrefix: "ha-spread:", clientAddress });
    for (let n = 0; n < 30; n++) await sessions.create(session(`user${n}`), 60, request());
    const counts = await Promise.all(
      (await cluster.primaries()).map(async (port) => ((await ask(port, "KEYS", "ha-spread:s:*")) as string[]).length),
    );
    expect(counts).toHaveLength(3);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(30);
    for (const count of counts) expect(count).toBeGreaterThan(0);
  });

  withoutReplicas(target, async () => {
    for (const replica of replicasOf(cluster.nodes, await cluster.primaries())) await replica.kill();
  });
});

describe("on a Sentinel set", { timeout: 20_000 }, () => {
  let set: TestSentinelSet;
  const target = (): RedisTarget => ({
    sentinels: set.sentinels.split(",").map((entry) => {
      const [host, port] = entry.split(":");
      return { host, port: Number(port) };
    }),
    masterName: set.masterName,
  });
  beforeAll(async () => void (set = await startSentinelSet()), 120_000);
  afterAll(() => set?.stop());

  storeContract(target);
  readsOnce(target, async () => [await set.primary()]);
  withoutReplicas(target, async () => {
    for (const replica of replicasOf(set.nodes, [await set.primary()])) await replica.kill();
  });
});
