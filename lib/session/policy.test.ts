import { describe, expect, it } from "vitest";
import {
  blankSession,
  copySession,
  expiresAt,
  expiryReason,
  isBlank,
  isFresh,
  refreshDue,
  refreshInterval,
} from "./policy";
import type { SessionData } from "./types";

const lifetimes = { lifetime: 60, absoluteLifetime: 300, store: { kind: "cookie" } } as const;
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
    expect(refreshDue(session(), T0 + 5, lifetimes)).toBe(false);
    expect(refreshDue(session(), T0 + 6, lifetimes)).toBe(true);
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

describe("an anonymous session in a server-side store", () => {
  const redis = {
    lifetime: 60,
    absoluteLifetime: 300,
    anonymousLifetime: 120,
    store: { kind: "redis", url: "", keyPrefix: "" },
  } as const;
  const anonymous = blankSession(T0);

  it("lasts the anonymous lifetime at most, however active: visitors cannot keep records alive on the server", () => {
    const active = { ...anonymous, refreshedAt: T0 + 100 };
    expect(expiresAt(active, redis)).toBe(T0 + 120);
    expect(expiryReason(active, T0 + 119, redis)).toBeNull();
    expect(expiryReason(active, T0 + 120, redis)).toBe("absolute-expired");
  });

  it("is not shortened in the cookie store, and a signed-in one never is", () => {
    expect(expiresAt(anonymous, { ...redis, store: { kind: "cookie" } })).toBe(T0 + 60);
    expect(expiresAt({ ...anonymous, user: "alice", refreshedAt: T0 + 200 }, redis)).toBe(T0 + 260);
  });
});

describe("a fresh sign-in", () => {
  it("lasts the fresh age from the last password entry, or from sign-in when there was none since", () => {
    const signedIn = session();
    expect(isFresh(signedIn, T0 + 599, {})).toBe(true);
    expect(isFresh(signedIn, T0 + 600, {})).toBe(false);
    expect(isFresh({ ...signedIn, authenticatedAt: T0 + 1000 }, T0 + 1050, { freshAge: 60 })).toBe(true);
    expect(isFresh({ ...signedIn, authenticatedAt: T0 + 1000 }, T0 + 1060, { freshAge: 60 })).toBe(false);
    expect(isFresh(blankSession(T0), T0, {})).toBe(false); // nobody signed in
  });
});
