import { describe, expect, it } from "vitest";
import { clientIp, network } from "./client-ip";

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
    expect(ip("::FFFF:192.0.2.1")).toBe("192.0.2.1");
    expect(ip("::1")).toBe("::1");
    expect(ip()).toBe("unknown");
    expect(ip(" , ")).toBe("unknown");
    expect(ip("x".repeat(500))).toHaveLength(64);
  });
});

describe("the network the limits count by", () => {
  it("is an IPv4 address itself, and an IPv6 address's /64 however it is written", () => {
    expect(network("203.0.113.9")).toBe("203.0.113.9");
    expect(network("2001:db8:85a3:8d3:1319:8a2e:370:7348")).toBe("2001:db8:85a3:8d3::/64");
    expect(network("2001:DB8:85A3:08D3:ffff::1")).toBe("2001:db8:85a3:8d3::/64");
    expect(network("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(network("2001:db8:0:0:1::")).toBe("2001:db8:0:0::/64");
    expect(network("::1")).toBe("0:0:0:0::/64");
    expect(network("64:ff9b::192.0.2.33")).toBe("64:ff9b:0:0::/64");
    expect(network("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    // IPv4 clients written as IPv6, in any spelling, and Teredo clients are each their own.
    for (const one of [
      "::FFFF:1.2.3.4",
      "::ffff:102:304",
      "0:0:0:0:0:ffff:1.2.3.4",
      "2001:0:4136:e378:8000:63bf:3fff:fdd2",
    ])
      expect(network(one)).toBe(one.toLowerCase());
  });

  it("leaves what is not an address as it is", () => {
    for (const text of ["unknown", "1:2:3", "a::b::c", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::9", "x:y:z:w::1"])
      expect(network(text)).toBe(text);
  });
});
