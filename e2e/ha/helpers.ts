/**
 * What the cluster and Sentinel specs share: test accounts for many users,
 * the flows and the throttle, the session records in a Redis node, and
 * traffic that records every answer.
 */
import type { Browser } from "@playwright/test";
import { hashPassword } from "../../lib/auth/password";
import { expect, signIn, testAuthUsers, USERS } from "../support/fixtures";
import { loginOutcome } from "../support/http";
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

/**
 * alice signs in on a phone and a laptop, opens a student, ends the phone's
 * session from the laptop's device list, then signs out everywhere.
 * `between` runs once both devices are signed in.
 */
export async function devicesFlow(browser: Browser, url: string, between?: () => Promise<void>) {
  const device = async (userAgent: string) => {
    const context = await browser.newContext({ baseURL: url, userAgent });
    const page = await context.newPage();
    await signIn(page);
    await expect(page.getByTestId("signed-in-user")).toHaveText("alice");
    return page;
  };
  const phone = await device("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/605.1");
  const laptop = await device("Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36");
  await between?.();
  await laptop.goto("/students/3");
  await expect(laptop.getByRole("heading", { name: "EDU" })).toBeVisible();
  await laptop.goto("/session");
  const list = laptop.getByTestId("active-sessions");
  await expect(list.getByRole("listitem")).toHaveCount(2);
  await list.getByRole("listitem").filter({ hasText: "Safari on iPhone" }).getByRole("button").click();
  await expect(list.getByRole("listitem")).toHaveCount(1);
  await phone.goto("/students");
  await expect(phone).toHaveURL(/\/login/);
  await laptop.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(laptop).toHaveURL(/signed-out=everywhere/);
  await laptop.goto("/students");
  await expect(laptop).toHaveURL(/\/login/);
}

/** Four wrong passwords for mallory on a server with LOGIN_MAX_FAILURES=3: two refused, then locked. */
export async function expectThrottled(url: string) {
  const answers: string[] = [];
  for (let n = 0; n < 4; n++) answers.push(await loginOutcome(url, "mallory", `guess ${n}`));
  expect(answers).toEqual(["wrong", "wrong", "locked", "locked"]);
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
