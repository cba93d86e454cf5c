import { expect, serverWith, test, testRedisUrl, USERS } from "../support/fixtures";
import { postLogin } from "../support/http";

/**
 * REDIS_URL set means one login throttle for every server, with the cookie
 * store as well: failures split between two servers count as one.
 */
test("two servers on one Redis, cookie store: failures split between them lock the account and the address as one count", async () => {
  test.setTimeout(60_000);
  const shared = {
    SESSION_STORE: "cookie",
    REDIS_URL: testRedisUrl(),
    REDIS_KEY_PREFIX: `shared-throttle-${Date.now()}:`,
    LOGIN_MAX_FAILURES: "4",
  };
  const servers = [await serverWith(shared), await serverWith(shared)];
  try {
    const answers: string[] = [];
    for (let n = 0; n < 6; n++) {
      const server = servers[n % 2];
      const response = await postLogin(server.url, { username: "alice", password: `guess ${n}` });
      const text = await response.text();
      answers.push(
        /Too many failed sign-ins/.test(text)
          ? "locked"
          : /Wrong username or password/.test(text)
            ? "wrong"
            : `?${response.status}`,
      );
    }
    console.log(`shared throttle: 6 wrong passwords, alternating between two servers: ${answers.join(" ")}`);
    // The fourth failure, the second on each server, starts the lockout; every later attempt is refused unread.
    expect(answers).toEqual(["wrong", "wrong", "wrong", "locked", "locked", "locked"]);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
});

test("two servers on one Redis, cookie store: failures over many accounts from one address lock the address for both", async () => {
  test.setTimeout(60_000);
  // Two failures per account and address; ten times that from one address, whatever the accounts.
  const shared = {
    SESSION_STORE: "cookie",
    REDIS_URL: testRedisUrl(),
    REDIS_KEY_PREFIX: `shared-address-${Date.now()}:`,
    LOGIN_MAX_FAILURES: "2",
  };
  const servers = [await serverWith(shared), await serverWith(shared)];
  try {
    const answer = async (server: number, username: string, password: string) => {
      const text = await (await postLogin(servers[server].url, { username, password })).text();
      return /Too many failed sign-ins/.test(text) ? "locked" : /Wrong username or password/.test(text) ? "wrong" : "?";
    };
    const answers: string[] = [];
    for (let n = 0; n < 20; n++) answers.push(await answer(n % 2, `someone${n}`, "a guess"));
    expect(answers).toEqual(Array(20).fill("wrong"));
    // The 21st failure, on either server, passes the address's limit: every account is locked for it.
    expect(await answer(0, "someone20", "a guess")).toBe("locked");
    expect(await answer(1, "alice", USERS.alice)).toBe("locked");
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
});
