import { describe, expect, it } from "vitest";
import { describeDuration, formatDuration, parseDuration } from "./duration";

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
    expect(formatDuration(2_678_400)).toBe("31d");
    expect(formatDuration(90)).toBe("90s");
    expect(formatDuration(7_200)).toBe("2h");
  });
  it("describes for people", () => {
    expect(describeDuration(2_678_400)).toBe("31 days");
    expect(describeDuration(3_600)).toBe("1 hour");
    expect(describeDuration(61)).toBe("61 seconds");
  });
});
