/**
 * What the cluster and Sentinel specs share: test accounts for many users,
 * the session records in a Redis node, and traffic that records every answer.
 */
import { hashPassword } from "../../lib/auth/password";
import { testAuthUsers, USERS } from "../support/fixtures";
import { ask } from "../support/redis-ha";

/** alice and bob, and `count` more users (user01…), hashed cheaply: AUTH_USERS and their passwords. */
export async function manyUsers(count: number) {
  const names = Array.from({ length: count }, (_, n) => `user${String(n + 1).padStart(2, "0")}`);
  const hashes = await Promise.all(names.map((name) => hashPassword(`pw-${name}`, { logN: 10, r: 8, p: 1 })));
  const authUsers = [await testAuthUsers(), ...names.map((name, n) => `${name}:${hashes[n]}`)].join(",");
  const passwords: Record<string, string> = { ...USERS };
  for (const name of names) passwords[name] = `pw-${name}`;
  return { authUsers, names, passwords };
}

/** The session records (`<prefix>s:*`) held by the Redis on `port`. */
export async function sessionKeys(port: number, prefix: string): Promise<string[]> {
  return ((await ask(port, "KEYS", `${prefix}s:*`)) as string[]) ?? [];
}

/** The key of `user`'s newest session, among the nodes on `ports`. */
export async function newestSessionOf(ports: number[], prefix: string, user: string): Promise<string> {
  let newest: { key: string; created: number } | undefined;
  for (const port of ports) {
    for (const key of await sessionKeys(port, prefix)) {
      const [owner, created] = (await ask(port, "HMGET", key, "u", "c")) as [string | null, string | null];
      if (owner === user && (!newest || Number(created) >= newest.created)) newest = { key, created: Number(created) };
    }
  }
  if (!newest) throw new Error(`no session of ${user}`);
  return newest.key;
}

/** GETs of `path` with each cookie in turn, redirects followed, for `ms`: the statuses and where they ended. */
export async function traffic(url: string, cookies: string[], ms: number, until?: () => boolean) {
  const answers: { status: number; at: number; signedOut: boolean }[] = [];
  const started = Date.now();
  for (let n = 0; Date.now() - started < ms && !(until?.() ?? false); n++) {
    const response = await fetch(`${url}/students`, { headers: { cookie: cookies[n % cookies.length] } }).catch(
      () => null,
    );
    const status = response?.status ?? 0;
    answers.push({
      status,
      at: Date.now() - started,
      signedOut: response ? new URL(response.url).pathname === "/login" : false,
    });
    await response?.arrayBuffer().catch(() => {});
  }
  return answers;
}

/**
 * Traffic in one-second rounds until a round is all 200s (at most `ms`):
 * every answer, and how long it took until that last round began.
 */
export async function untilServed(url: string, cookies: string[], ms = 20_000) {
  const answers: Awaited<ReturnType<typeof traffic>> = [];
  const started = Date.now();
  for (;;) {
    const began = Date.now() - started;
    const round = await traffic(url, cookies, 1_000);
    answers.push(...round);
    if (round.every((answer) => answer.status === 200)) return { answers, ms: began };
    if (Date.now() - started > ms) throw new Error(`still not served after ${ms} ms: ${tally(round)}`);
  }
}

/** "200 ×41, 503 ×12", in the order each status first came. */
export function tally(answers: { status: number }[]): string {
  const counts = new Map<number, number>();
  for (const { status } of answers) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts].map(([status, count]) => `${status} ×${count}`).join(", ");
}
