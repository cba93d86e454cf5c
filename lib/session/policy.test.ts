import { describe, expect, it } from "vitest";
import { blankSession, copySession, expiresAt, expiryReason, isBlank, refreshDue, refreshInterval } from "./policy";
import type { SessionData } from "./types";

const lifetimes = { lifetime: 60, absoluteLifetime: 300 };
const T0 = 1_800_000_000;
const session = (overrides: Partial<SessionData> = {}): SessionData => ({
  ...blankSession(T0),
  user: "alice",
  ...overrides,
});

describe("expiry", () => {
  it("ends a session unused for the idle lifetime, to the second", () => {
    expect(expiryReason(session(), T0 + 59, lifetimes)).toBeNull();
    expect(expiryReason(session(), T0 + 60, lifetimes)).toBe("idle-expired");
  });

  it("counts the idle lifetime from the last refresh", () => {
    const refreshed = session({ refreshedAt: T0 + 100 });
    expect(expiryReason(refreshed, T0 + 159, lifetimes)).toBeNull();
    expect(expiryReason(refreshed, T0 + 160, lifetimes)).toBe("idle-expired");
    expect(expiresAt(refreshed, lifetimes)).toBe(T0 + 160);
  });

  it("ends even an active session at the absolute lifetime since it began", () => {
    const active = session({ refreshedAt: T0 + 280 });
    expect(expiryReason(active, T0 + 299, lifetimes)).toBeNull();
    expect(expiryReason(active, T0 + 300, lifetimes)).toBe("absolute-expired");
    expect(expiresAt(active, lifetimes)).toBe(T0 + 300); // capped, not T0 + 340
  });
});

describe("sliding refresh", () => {
  it("comes every tenth of the lifetime, at least every second and at most every 5 minutes", () => {
    expect(refreshInterval(31 * 86_400)).toBe(300);
    expect(refreshInterval(60)).toBe(6);
    expect(refreshInterval(3)).toBe(1);
  });

  it("is due once the interval has passed since the last refresh", () => {
    expect(refreshDue(session(), T0 + 5, 60)).toBe(false);
    expect(refreshDue(session(), T0 + 6, 60)).toBe(true);
  });
});

describe("the session's values", () => {
  it("keep keys that collide with Object.prototype as ordinary keys", () => {
    const data = blankSession(T0);
    data.values["__proto__"] = "a";
    data.values["constructor"] = "b";
    const copy = copySession(data);
    copy.values["__proto__"] = "changed";
    expect(Object.keys(copy.values)).toEqual(["__proto__", "constructor"]);
    expect(JSON.stringify(copy.values)).toBe('{"__proto__":"changed","constructor":"b"}');
    expect(data.values["__proto__"]).toBe("a"); // a copy
  });

  it("make a session worth a cookie only with a user, a permanent flag or a value", () => {
    expect(isBlank(blankSession(T0))).toBe(true);
    expect(isBlank({ ...blankSession(T0), permanent: true })).toBe(false);
    expect(isBlank(session())).toBe(false);
    const withValue = blankSession(T0);
    withValue.values.k = "v";
    expect(isBlank(withValue)).toBe(false);
  });
});
