/**
 * npm start's screen of the requests Next.js cannot read. The router-state
 * check is held against Next's own parser (imported here, in a test only):
 * it must refuse exactly what Next would throw on, for the trees Next's
 * client sends and for many broken ones, and this fails when Next changes its schema.
 */
import { parseAndValidateFlightRouterState } from "next/dist/server/app-render/parse-and-validate-flight-router-state";
import { describe, expect, it } from "vitest";
import { readableRouterState, screen } from "./screen.mjs";

const tree = (value: unknown) => encodeURIComponent(JSON.stringify(value));
const nextReads = (header: string) => {
  try {
    parseAndValidateFlightRouterState(header);
    return true;
  } catch {
    return false;
  }
};

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

describe("the router state check, against Next's own parser", () => {
  const valid: unknown[] = [
    ["", {}],
    ["", { children: ["students", { children: ["__PAGE__", {}] }] }, null, "refetch"],
    [
      "",
      { children: ["students", { children: [["id", "3", "d", null], { children: ["__PAGE__", {}] }] }] },
      null,
      null,
      1,
    ],
    ["", { children: [["id", "3", "d", ["all"]], {}, ["/students/3", "/students/3"], "inside-shared-layout", 0, "k"] }],
    ["", { children: ['__PAGE__?{"x":1}', {}, null, "metadata-only"] }],
  ];
  const broken: unknown[] = [
    [],
    {},
    null,
    1,
    "x",
    [1, 2],
    ["", []],
    ["", { children: 1 }],
    ["", {}, "url"],
    ["", {}, null, "other"],
    ["", {}, null, null, "1"],
    ["", {}, null, null, 1, null],
    ["", {}, null, null, 1, "k", "extra"],
    [["id", "3", "x", null], {}],
    [["id", "3", "d"], {}],
    [["id", 3, "d", null], {}],
    [["id", "3", "d", [1]], {}],
    ["", { children: ["a", { children: [] }] }],
  ];

  it("reads what Next's parser reads, and refuses what it refuses", () => {
    for (const value of [...valid, ...broken]) {
      const header = tree(value);
      expect(readableRouterState(header), JSON.stringify(value)).toBe(nextReads(header));
    }
    for (const header of ["x", "%", "%E0%A4%A", "[".repeat(50_000), tree(["", {}]).repeat(2), " "]) {
      expect(readableRouterState(header), header.slice(0, 20)).toBe(nextReads(header));
    }
    expect(valid.every((value) => nextReads(tree(value)))).toBe(true);
  });

  it("agrees with it on a thousand trees mutated at random", () => {
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
    const junk = () =>
      pick<unknown>([null, 0, 1.5, "", "x", "refetch", "d", [], {}, ["a"], true, ["id", "3", "d", null]]);
    function mutate(value: unknown, depth = 0): unknown {
      if (random() < 0.08) return junk();
      if (Array.isArray(value)) {
        const copy = value.map((item) => mutate(item, depth + 1));
        if (random() < 0.05) copy.push(junk());
        if (random() < 0.05) copy.pop();
        return copy;
      }
      if (value && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mutate(item, depth + 1)]));
      }
      return value;
    }
    let disagreements = 0;
    for (let n = 0; n < 1_000; n++) {
      const header = tree(mutate(pick(valid)));
      if (readableRouterState(header) !== nextReads(header)) {
        disagreements += 1;
        if (disagreements < 5) console.log(decodeURIComponent(header), readableRouterState(header), nextReads(header));
      }
    }
    expect(disagreements).toBe(0);
  });
});
