import { describe, expect, it } from "vitest";
import { safeNext } from "./safe-next";

describe("safeNext", () => {
  it.each(["/students", "/students/3", "/students/3?tab=1#top", "/session", "/a/b/../c"])("keeps %s", (next) => {
    expect(safeNext(next)).toBe(
      new URL(next, "http://x.invalid").pathname +
        new URL(next, "http://x.invalid").search +
        new URL(next, "http://x.invalid").hash,
    );
  });

  it.each([
    undefined,
    null,
    42,
    ["/students/1"],
    "",
    "students",
    "//evil.example",
    "//evil.example/path",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,hi",
    "/%2F%2Fevil.example",
    "/%5Cevil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "/login",
    "/login?next=/students",
    "/" + "a".repeat(3000),
    "/%E0%A4%A",
  ])("replaces %j with /students", (next) => {
    expect(safeNext(next)).toBe("/students");
  });
});
