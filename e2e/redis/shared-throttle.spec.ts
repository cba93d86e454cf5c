import { expect, serverWith, test, testRedisUrl } from "../support/fixtures";
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
