import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createLoginThrottle } from "./login-throttle";

// rate-limiter-flexible's memory store reads Date.now() and expires keys with timers: a fake clock waits for it.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});
const sleep = (ms: number) => vi.advanceTimersByTimeAsync(ms);

describe("login throttle", () => {
  it("locks an account+address after max failures, lifts it, and doubles the next lockout", async () => {
    const throttle = createLoginThrottle({ maxFailures: 3, lockout: 1 });
    for (let i = 0; i < 2; i++) expect(await throttle.recordFailure("alice", "1.1.1.1")).toBe(0);
    expect(await throttle.retryAfter("alice", "1.1.1.1")).toBe(0);
    expect(await throttle.recordFailure("Alice", "1.1.1.1")).toBe(1); // names are case-insensitive
    expect(await throttle.retryAfter("alice", "1.1.1.1")).toBe(1);
    // Another address, or another account, is not affected.
    expect(await throttle.retryAfter("alice", "2.2.2.2")).toBe(0);
    expect(await throttle.retryAfter("bob", "1.1.1.1")).toBe(0);

    await sleep(1_100);
    expect(await throttle.retryAfter("alice", "1.1.1.1")).toBe(0);
    for (let i = 0; i < 2; i++) await throttle.recordFailure("alice", "1.1.1.1");
    expect(await throttle.recordFailure("alice", "1.1.1.1")).toBe(2); // repeat offender: doubled
    expect(await throttle.retryAfter("alice", "1.1.1.1")).toBe(2);
  });

  it("caps the lockout at four times the base", async () => {
    const throttle = createLoginThrottle({ maxFailures: 1, lockout: 1 });
    const lockouts: number[] = [];
    for (let round = 0; round < 4; round++) {
      lockouts.push(await throttle.recordFailure("alice", "1.1.1.1"));
      // Skip the wait: a success would reset, so clear only the lock by failing again after it.
      await sleep(lockouts[round] * 1000 + 50);
    }
    expect(lockouts).toEqual([1, 2, 4, 4]);
  });

  it("clears the failures on success", async () => {
    const throttle = createLoginThrottle({ maxFailures: 3, lockout: 60 });
    await throttle.recordFailure("alice", "1.1.1.1");
    await throttle.recordFailure("alice", "1.1.1.1");
    await throttle.recordSuccess("alice", "1.1.1.1");
    expect(await throttle.recordFailure("alice", "1.1.1.1")).toBe(0);
    expect(await throttle.recordFailure("alice", "1.1.1.1")).toBe(0);
    expect(await throttle.recordFailure("alice", "1.1.1.1")).toBe(60);
  });

  it("locks an address that sprays many accounts", async () => {
    const throttle = createLoginThrottle({ maxFailures: 2, lockout: 60 });
    for (let i = 0; i < 20; i++) expect(await throttle.recordFailure(`user${i}`, "6.6.6.6")).toBe(0);
    expect(await throttle.recordFailure("user20", "6.6.6.6")).toBe(240); // four lockouts' worth
    expect(await throttle.retryAfter("someone-new", "6.6.6.6")).toBeGreaterThan(230);
    expect(await throttle.retryAfter("someone-new", "7.7.7.7")).toBe(0);
  });

  it("counts an IPv6 client by its /64: a new address from the same block is no fresh start", async () => {
    const throttle = createLoginThrottle({ maxFailures: 2, lockout: 60 });
    expect(await throttle.recordFailure("alice", "2001:db8:1:2::1")).toBe(0);
    expect(await throttle.recordFailure("alice", "2001:db8:1:2:aaaa:bbbb:cccc:dddd")).toBe(60);
    expect(await throttle.retryAfter("alice", "2001:db8:1:2::99")).toBe(60);
    expect(await throttle.retryAfter("alice", "2001:db8:1:3::1")).toBe(0); // another /64
    for (let i = 0; i < 19; i++) await throttle.recordFailure(`user${i}`, `2001:db8:1:2::${i + 1000}`);
    expect(await throttle.retryAfter("someone-new", "2001:db8:1:2:ffff::")).toBeGreaterThan(230);
  });
});
