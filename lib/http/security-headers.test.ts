/**
 * The nonce policy's two paths: made as the request reaches the app's Node.js
 * server (node-hooks), or, where that server is not Node's own, by the
 * middleware. Either way the nonce Next.js renders is the one the browser is sent.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { policyMadeOnArrival, policyOnArrival } from "./security-headers";

let middleware: typeof import("../../middleware").middleware;
beforeAll(async () => {
  // The middleware reads the app's configuration (the cookie store, a secret of the test's own).
  vi.stubEnv("SESSION_SECRET", "a test secret of at least thirty-two characters");
  vi.stubEnv("SESSION_STORE", "cookie");
  ({ middleware } = await import("../../middleware"));
});

const NONCE = /'nonce-([A-Za-z0-9+/=]+)'/;

/** What node-hooks does to a request arriving at Node's server: its headers, and the response's. */
function arrive(url: string, headers: Record<string, string> = {}) {
  const request = { url, headers: { ...headers } } as unknown as IncomingMessage;
  const sent: Record<string, string> = {};
  const response = { setHeader: (name: string, value: string) => (sent[name] = value) } as unknown as ServerResponse;
  policyOnArrival(request, response);
  return { requestHeaders: request.headers as Record<string, string>, sent };
}

/** The request headers the middleware hands on to the page (how Next.js encodes its overrides). */
function handedOn(response: Response) {
  const names = response.headers.get("x-middleware-override-headers");
  return { overridden: names !== null, csp: response.headers.get("x-middleware-request-content-security-policy") };
}

describe("the nonce policy", () => {
  it("is made on arrival, the same policy on the request (for Next.js) and on the response", () => {
    const { requestHeaders, sent } = arrive("/login");
    expect(sent["content-security-policy"]).toMatch(NONCE);
    expect(requestHeaders["content-security-policy"]).toBe(sent["content-security-policy"]);
    expect(policyMadeOnArrival(new Headers(requestHeaders))).toBe(true);
    expect(arrive("/login").sent["content-security-policy"]).not.toBe(sent["content-security-policy"]);
  });

  it("is not made for Next's build files", () => {
    expect(arrive("/_next/static/chunks/main.js").sent).toEqual({});
  });

  it("is not made for a guarded page without a session cookie, which the middleware sends to sign in", async () => {
    for (const url of ["/students", "/students/3", "/students?sort=age"]) {
      const { sent, requestHeaders } = arrive(url, { cookie: "lang=zh" });
      expect(sent, url).toEqual({});
      const response = await middleware(new NextRequest(`http://localhost${url}`, { headers: requestHeaders }));
      expect(response.status, url).toBe(307);
    }
    // What a client sent as a policy is not kept on such a request.
    const forged = arrive("/students", { "content-security-policy": "script-src *", "x-next-sessions-policy": "x" });
    expect(forged.requestHeaders["content-security-policy"]).toBeUndefined();
    expect(forged.requestHeaders["x-next-sessions-policy"]).toBeUndefined();
    // With a session cookie (even a bad one), on a path the middleware may not see (a dot), or on any
    // other page, it is made.
    expect(arrive("/students/3.json").sent["content-security-policy"]).toMatch(NONCE);
    expect(arrive("/students", { cookie: "session=whatever" }).sent["content-security-policy"]).toMatch(NONCE);
    expect(arrive("/studentsx").sent["content-security-policy"]).toMatch(NONCE);
    expect(arrive("/login").sent["content-security-policy"]).toMatch(NONCE);
  });

  it("made on arrival, is left alone by the middleware: no policy of its own, no request headers copied", async () => {
    const { requestHeaders } = arrive("/login");
    const response = await middleware(new NextRequest("http://localhost/login", { headers: requestHeaders }));
    expect(response.headers.get("content-security-policy")).toBeNull();
    expect(handedOn(response).overridden).toBe(false);
  });

  it("is made by the middleware where no server made it, and handed on to the page with the same nonce", async () => {
    const response = await middleware(new NextRequest("http://localhost/login"));
    const policy = response.headers.get("content-security-policy");
    expect(policy).toMatch(NONCE);
    expect(handedOn(response).csp).toBe(policy);
  });

  it("is made by the middleware when a client sends a mark of its own (only this process knows the real one)", async () => {
    const forged = { "x-next-sessions-policy": "guess", "content-security-policy": "script-src *" };
    expect(policyMadeOnArrival(new Headers(forged))).toBe(false);
    const response = await middleware(new NextRequest("http://localhost/login", { headers: forged }));
    const policy = response.headers.get("content-security-policy")!;
    expect(policy).toMatch(NONCE);
    expect(policy).not.toContain("script-src *");
    expect(handedOn(response).csp).toBe(policy);
  });

  it("on the middleware's rewrite to the app's 404 page, goes the same way", async () => {
    const own = await middleware(new NextRequest("http://localhost/%E0%A4%A"));
    expect(own.headers.get("content-security-policy")).toMatch(NONCE);
    const { requestHeaders } = arrive("/%E0%A4%A");
    const left = await middleware(new NextRequest("http://localhost/%E0%A4%A", { headers: requestHeaders }));
    expect(left.headers.get("content-security-policy")).toBeNull();
  });
});
