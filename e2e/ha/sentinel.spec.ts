import { ask, startSentinelSet, type TestSentinelSet } from "../support/redis-ha";
import type { RunningServer } from "../support/server";
import { expect, serverWith, test } from "../support/fixtures";
import { signInByFetch } from "../support/http";
import { devicesFlow, expectThrottled, manyUsers, sessionKeys, tally, traffic, untilServed } from "./helpers";

/**
 * The Redis store on a Sentinel set (a primary, a replica, three sentinels),
 * started once for this file (REDIS_SENTINELS): the flows, the throttle, and
 * a failover under traffic, which comes last.
 */
test.describe.configure({ mode: "serial" });

const PREFIX = "ha-sentinel:";
let set: TestSentinelSet;
let server: RunningServer;

const env = () => ({
  SESSION_STORE: "redis",
  REDIS_URL: undefined,
  REDIS_SENTINELS: set.sentinels,
  REDIS_SENTINEL_MASTER: set.masterName,
  REDIS_KEY_PREFIX: PREFIX,
  LOGIN_MAX_FAILURES: "3",
});

test.beforeAll(async () => {
  test.setTimeout(120_000);
  set = await startSentinelSet();
  server = await serverWith(env());
});

test.afterAll(async () => {
  await server?.stop();
  await set?.stop();
});

test("sign-in, pages, ending another device's session, and signing out everywhere", async ({ browser }) => {
  await devicesFlow(browser, server.url, async () => {
    expect((await sessionKeys(await set.primary(), PREFIX)).length).toBeGreaterThanOrEqual(2);
  });
});

test("the login throttle counts on the Sentinel set's primary", async () => {
  await expectThrottled(server.url);
  expect(((await ask(await set.primary(), "KEYS", `${PREFIX}login-*`)) as string[]).length).toBeGreaterThan(0);
});

test("a failover under traffic: only 200s and 503s, service back by itself, and sessions written before it survive", async () => {
  test.setTimeout(90_000);
  const users = await manyUsers(8);
  await server.stop();
  server = await serverWith({ ...env(), AUTH_USERS: users.authUsers });
  const sign = (names: string[]) =>
    Promise.all(names.map((name) => signInByFetch(server.url, name, users.passwords[name])));
  const [inUse, unread] = [await sign(["alice", "bob"]), await sign(users.names)];
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // all written more than a second before the failover
  const old = await set.primary();
  let failedOver = false;
  // Sessions in use are read all along; the others are first read once the primary is gone.
  const used = traffic(server.url, inUse, 60_000, () => failedOver);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const killed = Date.now();
  await set.nodes.get(old)!.kill();
  const first = traffic(server.url, unread, 60_000, () => failedOver);
  const replacement = await set.failedOver(old);
  const ms = Date.now() - killed;
  failedOver = true;
  const [inUseAnswers, unreadAnswers] = await Promise.all([used, first]);
  // The app follows the sentinels to the new primary without a restart.
  const { answers: after, ms: back } = await untilServed(server.url, [...inUse, ...unread]);
  console.log(
    `sentinel failover: primary :${old} killed, :${replacement} promoted in ${ms} ms; sessions in use: ${tally(inUseAnswers)}; sessions first read meanwhile: ${tally(unreadAnswers)}; then ${tally(after)}, all 200 from ${back} ms on`,
  );
  const all = [...inUseAnswers, ...unreadAnswers, ...after];
  expect(all.every((answer) => answer.status === 200 || answer.status === 503)).toBe(true);
  expect(unreadAnswers.some((answer) => answer.status === 503)).toBe(true);
  // Every session was written before the failover: the new primary has them all (WAIT), nobody was signed out.
  expect(all.some((answer) => answer.signedOut)).toBe(false);
});
