import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { processTree } from "../e2e/support/process-tree";
import { treeTicks } from "./load";
import { bootstrapMedian, formatReport, type Report, type ScenarioResult } from "./report";

const scenario = (group: string, name: string, rps: number, cpu: number, errors = 0): ScenarioResult => ({
  group,
  name,
  connections: 32,
  requests: rps * 8,
  rps,
  p50: 10,
  p99: 50,
  errors,
  cpuMsPerRequest: cpu,
  cores: 1.8,
  client: "wrk",
});

function report(scenarios: ScenarioResult[], cookieBytes = 294, checkMicros = 1.5, rounds = 3): Report {
  return {
    date: "2026-12-01T02:00:00.000Z",
    machine: "test",
    client: "wrk",
    connections: 32,
    seconds: 8,
    warmupSeconds: 2,
    workers: 2,
    quick: false,
    anchor: scenarios.some((s) => s.group.startsWith("flask")),
    rounds,
    scenarios,
    micro: [
      { name: "session check, cookie already opened (cache hit)", value: checkMicros, unit: "µs/op" },
      { name: "signed-in cookie (Cookie header: name=value)", value: cookieBytes, unit: "bytes" },
    ],
    durationSeconds: 100,
  };
}

/** A scenario's rounds, with these CPU ms per request. */
const rounds = (group: string, name: string, cpus: number[], rps = 300, bytes?: number) =>
  cpus.map((cpu, index) => ({ ...scenario(group, name, rps, cpu), round: index + 1, ...(bytes ? { bytes } : {}) }));

describe("the benchmark's report", () => {
  it("compares round by round: a drift that moves both sides of a round cancels out", () => {
    // The machine slows down by up to 2x within the run; the app costs 4% more than the baseline in every round.
    const drift = [1, 1.4, 2, 1.2, 1.8, 1, 1.5, 1.1, 1.9, 1.3];
    const { markdown, failures } = formatReport(
      report(
        [
          ...rounds(
            "floor, next start",
            "/students: the table, no sessions",
            drift.map((d) => 2 * d),
            300,
            8_150,
          ),
          ...rounds(
            "next start, cookie store",
            "/students signed in",
            drift.map((d) => 4.16 * d),
          ),
          ...rounds(
            "baseline, next start, cookie store",
            "/students signed in",
            drift.map((d) => 4 * d),
          ),
          ...rounds(
            "next start, cookie store",
            "/login (anonymous)",
            drift.map((d, n) => (n % 2 ? 3.3 : 2.7) * d),
          ),
          ...rounds(
            "baseline, next start, cookie store",
            "/login (anonymous)",
            drift.map((d) => 3 * d),
          ),
          ...rounds(
            "next start, cookie store",
            "/students anonymous → 307 /login",
            drift.map((d) => 0.36 * d),
          ),
          ...rounds(
            "baseline, next start, cookie store",
            "/students anonymous → 307 /login",
            drift.map((d) => 0.3 * d),
          ),
          ...rounds(
            "next start, redis store",
            "/students signed in",
            drift.map((d) => 4.16 * 1.2 * d),
          ),
          scenario("next, cookie store", "/students signed in", 500, 2.5),
        ],
        294,
        1.5,
        drift.length,
      ),
    );
    expect(bootstrapMedian([1.04, 1.04, 1.04])).toEqual({ median: 1.04, low: 1.04, high: 1.04 });
    expect(markdown).toContain(
      "| signed-in /students against the baseline | 10 | 1.04× | 1.04× – 1.04× | ≤ 1.05×, upper end < 1.15× |",
    );
    expect(markdown).toContain("| signed-in /students against the floor | 10 | 2.08× | 2.08× – 2.08× | — |");
    // Half the rounds 0.9x, half 1.1x: not measurably more.
    expect(markdown).toMatch(/\| \/login against the baseline \| 10 \| 1\.00× \| 0\.90× – 1\.10× \| no more/);
    expect(markdown).toContain(
      "| the anonymous redirect against the baseline: no more: interval reaches 1.00× | 1.20× (1.20× – 1.20×) | **not met** |",
    );
    expect(markdown).toContain(
      "| signed-in /students, the Redis store against the cookie store: ≤ 1.15× | 1.20× (1.20× – 1.20×) | **not met** |",
    );
    expect(markdown).toContain(
      "| `npm start` (2 workers) serves more than one process: signed-in req/s | 500 vs 300 (1.67×) | met |",
    );
    expect(markdown).toContain("| session check of a cookie already opened ≤ 0.01 ms | 0.0015 ms | met |");
    expect(markdown).toContain("| signed-in cookie ≤ 300 bytes | 294 bytes | met |");
    expect(failures).toBe(2);
  });

  it("gives an interval that narrows with the rounds, and counts errors, an oversized cookie and a slow check", () => {
    const noisy = [0.93, 1.06, 1.01, 0.97, 1.04, 0.99, 1.02, 0.96, 1.05, 1.0];
    const few = bootstrapMedian(noisy.slice(0, 4));
    const many = bootstrapMedian([...noisy, ...noisy, ...noisy]);
    expect(many.high - many.low).toBeLessThan(few.high - few.low);
    expect(many.low).toBeLessThanOrEqual(1.0);
    expect(many.high).toBeGreaterThanOrEqual(1.0);
    const { markdown, failures } = formatReport(
      report([scenario("next, cookie store", "/students signed in", 300, 6, 3)], 301, 15),
    );
    expect(markdown).not.toContain("Compared, round by round");
    expect(markdown).toContain("| no errors (every response had its expected status) | 3 | **not met** |");
    expect(failures).toBe(3);
  });
});

describe.runIf(existsSync("/proc/self/stat"))("CPU accounting", () => {
  it("reads this process's CPU time from /proc, and it grows while the process works", () => {
    const before = treeTicks(process.pid);
    const start = process.cpuUsage();
    // 50 ms of CPU (not of wall time): at least 5 more ticks of 10 ms, on any machine.
    while (process.cpuUsage(start).user + process.cpuUsage(start).system < 60_000) Math.sqrt(Math.random());
    expect(treeTicks(process.pid)).toBeGreaterThanOrEqual(before + 5);
    expect(processTree(process.pid)[0].pid).toBe(process.pid);
  });
});
