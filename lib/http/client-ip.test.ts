import { describe, expect, it } from "vitest";
import { clientIp } from "./client-ip";

const ip = (forwarded?: string, proxies = 0) =>
  clientIp(new Headers(forwarded === undefined ? {} : { "x-forwarded-for": forwarded }), proxies);

describe("the visitor's address", () => {
  it("is the last X-Forwarded-For entry with no proxy in front: the one npm start's server (or Vercel) wrote", () => {
    expect(ip("203.0.113.9, 198.51.100.7")).toBe("198.51.100.7");
    expect(ip("198.51.100.7")).toBe("198.51.100.7");
  });

  it("is as many entries from the end as there are proxies in front, whatever the client wrote before them", () => {
    // nginx with $proxy_add_x_forwarded_for (or an AWS ALB) appends the client; npm start appends nginx.
    expect(ip("6.6.6.6, 203.0.113.9, 10.0.0.2", 1)).toBe("203.0.113.9");
    expect(ip("1.1.1.1, 2.2.2.2, 203.0.113.9, 10.0.0.2", 1)).toBe("203.0.113.9");
    // nginx with $remote_addr overwrites: the same count.
    expect(ip("203.0.113.9, 10.0.0.2", 1)).toBe("203.0.113.9");
    // Cloudflare, then nginx, then npm start.
    expect(ip("6.6.6.6, 203.0.113.9, 172.68.1.1, 10.0.0.2", 2)).toBe("203.0.113.9");
  });

  it("is the first entry when fewer proxies wrote to the list than are counted (Vercel's single entry)", () => {
    expect(ip("203.0.113.9", 1)).toBe("203.0.113.9");
    expect(ip("203.0.113.9, 10.0.0.2", 2)).toBe("203.0.113.9");
  });

  it("shows an IPv4 client of a dual-stack socket as IPv4, and says when there is none", () => {
    expect(ip("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(ip("::1")).toBe("::1");
    expect(ip()).toBe("unknown");
    expect(ip(" , ")).toBe("unknown");
    expect(ip("x".repeat(500))).toHaveLength(64);
  });
});
