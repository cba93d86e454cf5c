import { describe, expect, it } from "vitest";
import { screenRequestLine, unreadableRouterState } from "./request-line";

describe("request lines Next.js cannot read", () => {
  it("refuses TRACE and TRACK with 405 and the methods that are allowed", () => {
    for (const method of ["TRACE", "TRACK"]) {
      expect(screenRequestLine(method, "/login", "h")).toMatchObject({
        answer: { status: 405, allow: "GET, HEAD, POST, OPTIONS" },
      });
    }
  });

  it("answers the asterisk form: OPTIONS * with the allowed methods, anything else 400", () => {
    expect(screenRequestLine("OPTIONS", "*", "h")?.answer).toMatchObject({
      status: 204,
      allow: "GET, HEAD, POST, OPTIONS",
    });
    expect(screenRequestLine("GET", "*", "h")?.answer?.status).toBe(400);
  });

  it("serves an absolute-form target of its own host as the path, and refuses any other host", () => {
    expect(screenRequestLine("GET", "http://127.0.0.1:3000/students?x=1", "127.0.0.1:3000")).toEqual({
      url: "/students?x=1",
    });
    for (const target of [
      "http://evil.example/students",
      "https://evil.example/",
      "http://127.0.0.1/students",
      "students",
      "ftp://127.0.0.1:3000/",
    ]) {
      expect(screenRequestLine("GET", target, "127.0.0.1:3000")?.answer?.status, target).toBe(400);
    }
  });

  it("lets every ordinary request through untouched", () => {
    for (const method of ["GET", "HEAD", "POST", "PUT", "DELETE", "PROPFIND", "BREW"]) {
      expect(screenRequestLine(method, "/students/%ZZ", "h")).toBeNull();
    }
  });
});

describe("the router state of a client-side navigation", () => {
  const tree = (value: unknown) => encodeURIComponent(JSON.stringify(value));

  it("is unreadable when Next.js's own parser refuses it", () => {
    for (const value of ["x", "%", "%E0%A4%A", "[]", "{}", "null", "[1,2]", "[".repeat(50_000)]) {
      expect(unreadableRouterState({ rsc: "1", "next-router-state-tree": value }), value.slice(0, 20)).toBe(true);
    }
  });

  it("is read as Next.js reads it otherwise, and without RSC it is not looked at", () => {
    expect(unreadableRouterState({ rsc: "1", "next-router-state-tree": tree(["", {}]) })).toBe(false);
    expect(unreadableRouterState({ rsc: "1" })).toBe(false);
    expect(unreadableRouterState({ "next-router-state-tree": "x" })).toBe(false);
  });
});
