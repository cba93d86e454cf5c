import { describe, expect, it } from "vitest";
import { clientIp } from "./client-ip";

const ip = (forwarded?: string, trustProxy = false) =>
  clientIp(new Headers(forwarded === undefined ? {} : { "x-forwarded-for": forwarded }), trustProxy);

describe("the visitor's address", () => {
  it("is the last X-Forwarded-For hop, which the server wrote, unless a proxy in front is trusted", () => {
    expect(ip("203.0.113.9, 198.51.100.7")).toBe("198.51.100.7");
    expect(ip("203.0.113.9, 198.51.100.7", true)).toBe("203.0.113.9");
  });

  it("shows an IPv4 client of a dual-stack socket as IPv4, and says when there is none", () => {
    expect(ip("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(ip("::1")).toBe("::1");
    expect(ip()).toBe("unknown");
    expect(ip(" , ")).toBe("unknown");
    expect(ip("x".repeat(500))).toHaveLength(64);
  });
});
