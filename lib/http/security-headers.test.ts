/**
 * The nonce policy, made in the middleware for each page as Next's CSP guide
 * shows: the same policy on the request (Next.js puts its nonce on the
 * scripts it renders) and on the response, whatever a client sent.
 */
import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { staticHeaders } from "./security-headers";

let middleware: typeof import("../../middleware").middleware;
beforeAll(async () => {
  // The middleware reads the app's configuration (the cookie store, a secret of the test's own).
  vi.stubEnv("SESSION_SECRET", "a test secret of at least thirty-two characters");
  vi.stubEnv("SESSION_STORE", "cookie");
  ({ middleware } = await import("../../middleware"));
});

const NONCE = /'nonce-([A-Za-z0-9+/=]+)'/;

/** The policy the middleware hands on to the page (how Next.js encodes a request header it sets). */
const handedOn = (response: Response) => response.headers.get("x-middleware-request-content-security-policy");

describe("the nonce policy", () => {
  it("is made for each page, the same on the request handed on and on the response", async () => {
    const response = await middleware(new NextRequest("http://localhost/login"));
    const policy = response.headers.get("content-security-policy")!;
    expect(policy).toMatch(NONCE);
    expect(handedOn(response)).toBe(policy);
    const again = await middleware(new NextRequest("http://localhost/login"));
    expect(NONCE.exec(again.headers.get("content-security-policy")!)![1]).not.toBe(NONCE.exec(policy)![1]);
  });

  it("replaces whatever policy a client sent", async () => {
    const forged = { "content-security-policy": "script-src *", "x-nonce": "guess" };
    const response = await middleware(new NextRequest("http://localhost/login", { headers: forged }));
    const policy = response.headers.get("content-security-policy")!;
    expect(policy).not.toContain("script-src *");
    expect(handedOn(response)).toBe(policy);
  });

  it("goes with the middleware's rewrite to the app's 404 page", async () => {
    const response = await middleware(new NextRequest("http://localhost/students/%E0%A4%A"));
    expect(response.headers.get("x-middleware-rewrite")).toMatch(/\/_not-found$/);
    expect(handedOn(response)).toMatch(NONCE);
  });

  it("is not made for the guard's redirect, which says it depends on the cookie", async () => {
    const response = await middleware(new NextRequest("http://localhost/students"));
    expect(response.status).toBe(307);
    expect(response.headers.get("content-security-policy")).toBeNull();
    expect(response.headers.get("vary")).toBe("Cookie");
  });
});

describe("the fixed headers", () => {
  it("include Strict-Transport-Security in production only", () => {
    const names = (production: boolean) => staticHeaders(production).map(({ key }) => key);
    expect(names(true)).toContain("Strict-Transport-Security");
    expect(names(false)).not.toContain("Strict-Transport-Security");
    expect(names(false)).toEqual(
      expect.arrayContaining(["X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Permissions-Policy"]),
    );
  });
});
