import type { RunningServer } from "../support/server";
import { expect, serverWith, test, testRedisUrl, USERS } from "../support/fixtures";
import { loginOutcome } from "../support/http";

/**
 * REDIS_URL set means one login throttle for every server, with the cookie
 * store as well: failures split between two servers count as one. Two
 * servers on one Redis, started once for this file.
 */
test.describe.configure({ mode: "serial" });

let servers: RunningServer[] = [];

test.beforeAll(async () => {
  test.setTimeout(60_000);
  // Two failures per account and address; ten times that from one address, whatever the accounts.
  const shared = {
    SESSION_STORE: "cookie",
    REDIS_URL: testRedisUrl(),
    REDIS_KEY_PREFIX: `shared-throttle-${Date.now()}:`,
    LOGIN_MAX_FAILURES: "2",
  };
  servers = [await serverWith(shared), await serverWith(shared)];
});

test.afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
});

test("two servers on one Redis, cookie store: failures split between them lock the account as one count", async () => {
  const answers: string[] = [];
  for (let n = 0; n < 4; n++) answers.push(await loginOutcome(servers[n % 2].url, "bob", `guess ${n}`));
  console.log(`shared throttle: 4 wrong passwords, alternating between two servers: ${answers.join(" ")}`);
  // The second failure, the first that the second server sees, starts the lockout; later attempts are refused unread.
  expect(answers).toEqual(["wrong", "locked", "locked", "locked"]);
});

test("two servers on one Redis, cookie store: failures over many accounts from one address lock the address for both", async () => {
  // bob's two failures above count for the address as well: 2 of its 20 (the attempts refused unread do not).
  const answers: string[] = [];
  for (let n = 0; n < 18; n++) answers.push(await loginOutcome(servers[n % 2].url, `someone${n}`, "a guess"));
  // The 20th failure, on either server, uses the address's last place and locks it: every account is locked for it.
  expect(answers).toEqual([...Array(17).fill("wrong"), "locked"]);
  expect(await loginOutcome(servers[0].url, "someone18", "a guess")).toBe("locked");
  expect(await loginOutcome(servers[1].url, "alice", USERS.alice)).toBe("locked");
});
