import { describe, expect, it } from "vitest";
import { envDuration, parseDuration } from "./duration";

describe("parseDuration", () => {
  it.each([
    ["7d", 604_800],
    ["12h", 43_200],
    ["30m", 1_800],
    ["45s", 45],
    ["90", 90],
    [" 31d ", 2_678_400],
    ["2H", 7_200],
  ])("%s is %i seconds", (text, seconds) => {
    expect(parseDuration(text)).toEqual({ ok: true, seconds });
  });

  it.each(["", "d", "7x", "1.5h", "-1d", "7 days", "0", "0s", "1e3", "99999999999", "3651d"])("refuses %j", (text) => {
    const result = parseDuration(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.length).toBeGreaterThan(5);
  });
});

describe("formatting", () => {
  it("picks the largest whole unit", () => {
    expect(envDuration(2_678_400)).toBe("31d");
    expect(envDuration(90)).toBe("90s");
    expect(envDuration(7_200)).toBe("2h");
  });
});
