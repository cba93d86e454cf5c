/**
 * npm start's screen of the requests Next.js cannot read. That the
 * router-state check refuses exactly what Next.js throws on is tested against
 * plain `next start`, over HTTP, in e2e/attack/next-start.spec.ts.
 */
import { describe, expect, it } from "vitest";
import { BROKEN_TREES, NOT_TREES, tree, VALID_TREES } from "./router-trees";
import { readableRouterState, screen } from "./screen.mjs";

describe("requests Next.js cannot read", () => {
  it("refuses TRACE, answers OPTIONS * with what is allowed, and refuses other asterisk targets", () => {
    expect(screen({ method: "TRACE", url: "/" })?.answer).toMatchObject({
      status: 405,
      allow: "GET, HEAD, POST, OPTIONS",
    });
    expect(screen({ method: "OPTIONS", url: "*" })?.answer).toMatchObject({
      status: 204,
      allow: "GET, HEAD, POST, OPTIONS",
    });
    expect(screen({ method: "GET", url: "*" })?.answer?.status).toBe(400);
  });

  it("serves an absolute-form target of its own host as the path, and refuses any other host", () => {
    const headers = { host: "127.0.0.1:3000" };
    expect(screen({ method: "GET", url: "http://127.0.0.1:3000/students?x=1", headers })).toEqual({
      url: "/students?x=1",
    });
    for (const url of [
      "http://evil.example/students",
      "https://evil.example/",
      "http://127.0.0.1/students",
      "students",
      "ftp://127.0.0.1:3000/",
    ]) {
      expect(screen({ method: "GET", url, headers })?.answer?.status, url).toBe(400);
    }
  });

  it("lets every ordinary request through untouched", () => {
    for (const method of ["GET", "HEAD", "POST", "PUT", "DELETE", "PROPFIND", "BREW"]) {
      expect(screen({ method, url: "/students/%ZZ", headers: {} })).toBeNull();
    }
    expect(screen({ method: "GET", url: "/", headers: { "next-router-state-tree": "x" } })).toBeNull(); // no RSC: unread
    for (const rsc of ["0", "true", "1, 1"]) {
      // Next.js reads a request as RSC for "1" only: it serves these as pages, never reading the state.
      expect(screen({ method: "GET", url: "/", headers: { rsc, "next-router-state-tree": "x" } })).toBeNull();
    }
  });

  it("refuses a client navigation whose router state Next.js would throw on", () => {
    for (const value of ["x", "%", "%E0%A4%A", "[]", "{}", "null", "[1,2]", "[".repeat(50_000)]) {
      expect(
        screen({ method: "GET", url: "/", headers: { rsc: "1", "next-router-state-tree": value } })?.answer?.status,
      ).toBe(400);
    }
    expect(
      screen({ method: "GET", url: "/", headers: { rsc: "1", "next-router-state-tree": tree(["", {}]) } }),
    ).toBeNull();
  });
});

describe("the router state check", () => {
  it("reads the trees Next's client sends, and refuses broken ones and what is no tree", () => {
    for (const value of VALID_TREES) expect(readableRouterState(tree(value)), JSON.stringify(value)).toBe(true);
    for (const value of BROKEN_TREES) expect(readableRouterState(tree(value)), JSON.stringify(value)).toBe(false);
    for (const header of NOT_TREES) expect(readableRouterState(header), header.slice(0, 20)).toBe(false);
  });
});
