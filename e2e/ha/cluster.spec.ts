import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ask, startCluster, type TestCluster } from "../support/redis-ha";
import { startRedis } from "../support/redis-server";
import type { RunningServer } from "../support/server";
import { expect, serverWith, test } from "../support/fixtures";
import { formFieldsOf, postForm, signInByFetch } from "../support/http";
import {
  devicesFlow,
  expectThrottled,
  manyUsers,
  newestSessionOf,
  sessionKeys,
  tally,
  traffic,
  untilServed,
} from "./helpers";

/**
 * The Redis store on a Redis Cluster of three primaries with a replica each,
 * started once for this file (REDIS_CLUSTER_NODES): the flows, the throttle,
 * sessions spread over the primaries, a slot migrated and a primary lost
 * while the app serves. The failover comes last: it leaves a node dead.
 */
test.describe.configure({ mode: "serial" });

const PREFIX = "ha-cluster:";
let cluster: TestCluster;
let server: RunningServer;
let users: Awaited<ReturnType<typeof manyUsers>>;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  cluster = await startCluster();
  users = await manyUsers(24);
  server = await serverWith({
    SESSION_STORE: "redis",
    REDIS_URL: undefined,
    REDIS_CLUSTER_NODES: cluster.seedUrls.join(","),
    REDIS_KEY_PREFIX: PREFIX,
    AUTH_USERS: users.authUsers,
    LOGIN_MAX_FAILURES: "3",
  });
});

test.afterAll(async () => {
  await server?.stop();
  await cluster?.stop();
});

test("sign-in, pages, ending another device's session, and signing out everywhere", async ({ browser }) => {
  await devicesFlow(browser, server.url);
  expect(server.output()).not.toMatch(/CROSSSLOT|⨯/);
});

test("the login throttle counts in the cluster", async () => {
  await expectThrottled(server.url);
});

test("the sessions of many users are spread over all three primaries", async () => {
  for (const name of users.names) await signInByFetch(server.url, name, users.passwords[name]);
  const primaries = await cluster.primaries();
  const counts = await Promise.all(primaries.map(async (port) => (await sessionKeys(port, PREFIX)).length));
  console.log(`cluster: ${users.names.length} users signed in, sessions per primary: ${counts.join(", ")}`);
  expect(counts).toHaveLength(3);
  for (const count of counts) expect(count).toBeGreaterThan(0);
});

test("a slot migrated while the app serves (MOVED, ASK): every page and every change answered", async () => {
  const cookie = await signInByFetch(server.url, "alice", users.passwords.alice);
  const key = await newestSessionOf(await cluster.primaries(), PREFIX, "alice");
  const slot = await cluster.keySlot(key);
  const from = await cluster.primaryFor(key);
  const to = (await cluster.primaries()).find((port) => port !== from)!;
  const fields = formFieldsOf(
    await (await fetch(`${server.url}/session`, { headers: { cookie } })).text(),
    "Set a key",
  );
  let moving = true;
  const changes: string[] = [];
  const writes = (async () => {
    for (let n = 0; moving; n++) {
      const response = await postForm(server.url, "/session", { ...fields, key: `m${n}`, value: "x" }, { cookie });
      changes.push((await response.text()).includes(`Set “m${n}”`) ? "set" : `? ${response.status}`);
    }
  })();
  const reads = traffic(server.url, [cookie], 60_000, () => !moving);
  const moved = await cluster.migrateSlot(slot, to);
  moving = false;
  const [answers] = await Promise.all([reads, writes]);
  console.log(
    `cluster: slot ${slot} (${moved} keys) moved :${from} → :${to} under traffic: pages ${tally(answers)}; changes ${changes.filter((c) => c === "set").length} set of ${changes.length}`,
  );
  expect(await cluster.primaryFor(key)).toBe(to);
  expect(answers.every((answer) => answer.status === 200)).toBe(true);
  expect(changes.every((change) => change === "set")).toBe(true);
  expect(server.output()).not.toMatch(/TRYAGAIN|CROSSSLOT|MOVED|⨯/);
});

test("moving from one Redis: sessions copied over with redis-cli --cluster import stay signed in", async () => {
  const single = await startRedis();
  try {
    const env = { SESSION_STORE: "redis", REDIS_KEY_PREFIX: "moved:", AUTH_USERS: users.authUsers };
    const before = await serverWith({ ...env, REDIS_URL: single.url });
    const cookies = await Promise.all(
      ["alice", "user01"].map((name) => signInByFetch(before.url, name, users.passwords[name])),
    );
    await before.stop();
    await promisify(execFile)("redis-cli", [
      "--cluster",
      "import",
      `127.0.0.1:${(await cluster.primaries())[0]}`,
      "--cluster-from",
      `127.0.0.1:${single.port}`,
      "--cluster-copy",
    ]);
    const after = await serverWith({ ...env, REDIS_URL: undefined, REDIS_CLUSTER_NODES: cluster.seedUrls.join(",") });
    try {
      for (const cookie of cookies) {
        const page = await fetch(`${after.url}/students`, { headers: { cookie } });
        expect([page.status, new URL(page.url).pathname]).toEqual([200, "/students"]);
      }
      // The users' indexes came along (the device list, signing out everywhere), and every lifetime.
      for (const name of ["alice", "user01"]) {
        const key = `moved:u:${name}`;
        expect(await ask(await cluster.primaryFor(key), "ZCARD", key)).toBe(1);
      }
      const ttls = await Promise.all(
        (await cluster.primaries()).flatMap(async (port) =>
          Promise.all(((await ask(port, "KEYS", "moved:s:*")) as string[]).map((key) => ask(port, "PTTL", key))),
        ),
      );
      expect(ttls.flat()).toHaveLength(2);
      for (const ttl of ttls.flat()) expect(Number(ttl)).toBeGreaterThan(0);
    } finally {
      await after.stop();
    }
  } finally {
    await single.stop();
  }
});

test("a primary lost and replaced by its replica under traffic: only 200s and 503s, then 200s again", async () => {
  test.setTimeout(90_000);
  const sign = (names: string[]) =>
    Promise.all(names.map((name) => signInByFetch(server.url, name, users.passwords[name])));
  const alice = await signInByFetch(server.url, "alice", users.passwords.alice);
  const victim = await cluster.primaryFor(await newestSessionOf(await cluster.primaries(), PREFIX, "alice"));
  const inUse = await sign(users.names.slice(0, 8));
  // Sessions not read yet, two of them at least on the primary to be killed (where a session lands is random).
  const unread: string[] = [];
  for (let n = 0, onVictim = 0; (onVictim < 2 || n < 8) && n < 100; n++) {
    const name = users.names[8 + (n % 16)];
    unread.push(await signInByFetch(server.url, name, users.passwords[name]));
    if ((await cluster.primaryFor(await newestSessionOf(await cluster.primaries(), PREFIX, name))) === victim)
      onVictim++;
  }
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // all written more than a second before the failover
  let failedOver = false;
  // Sessions in use are read all along; the others are first read once the primary is gone.
  const used = traffic(server.url, [...inUse, alice], 60_000, () => failedOver);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const killed = Date.now();
  await cluster.nodes.get(victim)!.kill();
  const first = traffic(server.url, unread, 60_000, () => failedOver);
  const replacement = await cluster.failedOver(victim);
  const ms = Date.now() - killed;
  failedOver = true;
  const [inUseAnswers, unreadAnswers] = await Promise.all([used, first]);
  const { answers: after, ms: back } = await untilServed(server.url, [...inUse, ...unread, alice]);
  console.log(
    `cluster failover: primary :${victim} killed, :${replacement} took its slots in ${ms} ms; sessions in use: ${tally(inUseAnswers)}; sessions first read meanwhile: ${tally(unreadAnswers)}; then ${tally(after)}, all 200 from ${back} ms on`,
  );
  const all = [...inUseAnswers, ...unreadAnswers, ...after];
  expect(all.every((answer) => answer.status === 200 || answer.status === 503)).toBe(true);
  expect(all.some((answer) => answer.signedOut)).toBe(false);
  expect(unreadAnswers.some((answer) => answer.status === 503)).toBe(true);
  // The client asks the cluster who owns the lost slots every second while a node is away.
  expect(back).toBeLessThan(3_000);
  // Alice's session was on the killed primary; its replica had it (WAIT), so she is still signed in.
  const page = await fetch(`${server.url}/students`, { headers: { cookie: alice } });
  expect([page.status, new URL(page.url).pathname]).toEqual([200, "/students"]);
});
