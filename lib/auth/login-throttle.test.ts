import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createLoginThrottle, type LoginThrottle } from "./login-throttle";

// rate-limiter-flexible's memory store reads Date.now() and expires keys with timers: a fake clock waits for it.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});
const sleep = (ms: number) => vi.advanceTimersByTimeAsync(ms);

/** A wrong password: the attempt (which must be let through), then its failure; the seconds of the lockout it started. */
async function fail(throttle: LoginThrottle, username: string, ip: string) {
  const { wait, taken } = await throttle.attempt(username, ip);
  expect(wait, `${username} from ${ip} refused`).toBe(0);
  return throttle.recordFailure(username, ip, taken!);
}

/** The seconds an attempt is told to wait (0: let through). */
const waitFor = async (throttle: LoginThrottle, username: string, ip: string) =>
  (await throttle.attempt(username, ip)).wait;

describe("login throttle", () => {
  it("locks an account+address after max failures, lifts it, and doubles the next lockout", async () => {
    const throttle = createLoginThrottle({ maxFailures: 3, lockout: 1 });
    for (let i = 0; i < 2; i++) expect(await fail(throttle, "alice", "1.1.1.1")).toBe(0);
    expect(await fail(throttle, "Alice", "1.1.1.1")).toBe(1); // names are case-insensitive
    expect(await waitFor(throttle, "alice", "1.1.1.1")).toBe(1);
    // Another address, or another account, is not affected.
    expect(await waitFor(throttle, "alice", "2.2.2.2")).toBe(0);
    expect(await waitFor(throttle, "bob", "1.1.1.1")).toBe(0);

    await sleep(1_100);
    for (let i = 0; i < 2; i++) expect(await fail(throttle, "alice", "1.1.1.1")).toBe(0);
    expect(await fail(throttle, "alice", "1.1.1.1")).toBe(2); // repeat offender: doubled
    expect(await waitFor(throttle, "alice", "1.1.1.1")).toBe(2);
  });

  it("caps the lockout at four times the base", async () => {
    const throttle = createLoginThrottle({ maxFailures: 1, lockout: 1 });
    const lockouts: number[] = [];
    for (let round = 0; round < 4; round++) {
      lockouts.push(await fail(throttle, "alice", "1.1.1.1"));
      await sleep(lockouts[round] * 1000 + 50); // the lock lifts; the history stays (a success would clear it)
    }
    expect(lockouts).toEqual([1, 2, 4, 4]);
  });

  it("clears the failures on success", async () => {
    const throttle = createLoginThrottle({ maxFailures: 3, lockout: 60 });
    await fail(throttle, "alice", "1.1.1.1");
    await fail(throttle, "alice", "1.1.1.1");
    expect(await waitFor(throttle, "alice", "1.1.1.1")).toBe(0);
    await throttle.recordSuccess("alice", "1.1.1.1");
    expect(await fail(throttle, "alice", "1.1.1.1")).toBe(0);
    expect(await fail(throttle, "alice", "1.1.1.1")).toBe(0);
    expect(await fail(throttle, "alice", "1.1.1.1")).toBe(60);
  });

  it("lets through no more attempts sent at once than the pair has left; the rest are told to wait a moment", async () => {
    const throttle = createLoginThrottle({ maxFailures: 5, lockout: 60 });
    const attempts = await Promise.all(Array.from({ length: 40 }, () => throttle.attempt("alice", "1.1.1.1")));
    const through = attempts.flatMap(({ taken }) => (taken ? [taken] : []));
    expect(through.map(({ nth }) => nth).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(attempts.filter(({ busy, wait }) => busy && wait === 2)).toHaveLength(35);
    // Each of them fails: the one that took the last place starts the lockout, once.
    const lockouts = await Promise.all(through.map((taken) => throttle.recordFailure("alice", "1.1.1.1", taken)));
    expect(lockouts.sort()).toEqual([0, 0, 0, 0, 60]);
    expect(await throttle.attempt("alice", "1.1.1.1")).toEqual({ wait: 60 });
  });

  it("a second press of Sign in after four failures is told to wait a moment, not locked out", async () => {
    const throttle = createLoginThrottle({ maxFailures: 5, lockout: 60 });
    for (let i = 0; i < 4; i++) await fail(throttle, "alice", "1.1.1.1");
    const [first, second] = await Promise.all([1, 2].map(() => throttle.attempt("alice", "1.1.1.1")));
    expect(first.taken?.nth).toBe(5);
    expect(second).toEqual({ wait: 2, busy: true });
    await throttle.recordSuccess("alice", "1.1.1.1");
    expect(await fail(throttle, "alice", "1.1.1.1")).toBe(0);
  });

  it("many sign-ins at once from one address, each right, lock nothing", async () => {
    const throttle = createLoginThrottle({ maxFailures: 2, lockout: 60 });
    const attempts = await Promise.all(Array.from({ length: 30 }, (_, i) => throttle.attempt(`user${i}`, "6.6.6.6")));
    expect(attempts.filter(({ taken }) => taken)).toHaveLength(20);
    expect(attempts.filter(({ busy }) => busy)).toHaveLength(10);
    await Promise.all(attempts.map((attempt, i) => attempt.taken && throttle.recordSuccess(`user${i}`, "6.6.6.6")));
    expect(await waitFor(throttle, "someone-new", "6.6.6.6")).toBe(0);
  });

  it("locks an address that sprays many accounts", async () => {
    const throttle = createLoginThrottle({ maxFailures: 2, lockout: 60 });
    for (let i = 0; i < 19; i++) expect(await fail(throttle, `user${i}`, "6.6.6.6")).toBe(0);
    expect(await fail(throttle, "user19", "6.6.6.6")).toBe(240); // the twentieth: four lockouts' worth
    expect(await waitFor(throttle, "user20", "6.6.6.6")).toBe(240);
    expect(await waitFor(throttle, "someone-new", "6.6.6.6")).toBeGreaterThan(230);
    expect(await waitFor(throttle, "someone-new", "7.7.7.7")).toBe(0);
  });

  it("gives the address back an attempt that succeeded", async () => {
    const throttle = createLoginThrottle({ maxFailures: 2, lockout: 60 });
    for (let i = 0; i < 30; i++) {
      expect(await waitFor(throttle, `user${i}`, "6.6.6.6")).toBe(0);
      await throttle.recordSuccess(`user${i}`, "6.6.6.6");
    }
  });

  it("counts an IPv6 client by its /64: a new address from the same block is no fresh start", async () => {
    const throttle = createLoginThrottle({ maxFailures: 2, lockout: 60 });
    expect(await fail(throttle, "alice", "2001:db8:1:2::1")).toBe(0);
    expect(await fail(throttle, "alice", "2001:db8:1:2:aaaa:bbbb:cccc:dddd")).toBe(60);
    expect(await waitFor(throttle, "alice", "2001:db8:1:2::99")).toBe(60);
    expect(await waitFor(throttle, "alice", "2001:db8:1:3::1")).toBe(0); // another /64
    for (let i = 0; i < 18; i++) await fail(throttle, `user${i}`, `2001:db8:1:2::${i + 1000}`);
    expect(await waitFor(throttle, "someone-new", "2001:db8:1:2:ffff::")).toBeGreaterThan(230);
  });
});
