import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { processTree } from "../e2e/support/process-tree";
import { treeTicks } from "./load";
import { formatReport, type Report, type ScenarioResult } from "./report";

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

function report(scenarios: ScenarioResult[], cookieBytes = 294, checkMicros = 1.5): Report {
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
    rounds: 3,
    scenarios,
    micro: [
      { name: "session check, cookie already opened (cache hit)", value: checkMicros, unit: "µs/op" },
      { name: "signed-in cookie (Cookie header: name=value)", value: cookieBytes, unit: "bytes" },
    ],
    durationSeconds: 100,
  };
}

/** Three rounds of a scenario, with these CPU ms per request: the median is the middle one. */
const rounds = (group: string, name: string, cpus: [number, number, number], rps = 300, bytes?: number) =>
  cpus.map((cpu, index) => ({ ...scenario(group, name, rps, cpu), round: index + 1, ...(bytes ? { bytes } : {}) }));

describe("the benchmark's report", () => {
  it("judges each target from the medians of the run's own rounds", () => {
    const { markdown, failures } = formatReport(
      report([
        ...rounds("floor, next start", "/students: the table, no sessions", [2.0, 9.0, 2.2], 300, 8_150),
        ...rounds("next start, cookie store", "/students signed in", [2.4, 2.6, 30]),
        ...rounds("next start, cookie store", "/login (anonymous)", [3.0, 2.9, 3.1]),
        ...rounds("next start, cookie store", "/students anonymous → 307 /login", [0.3, 0.31, 0.32]),
        ...rounds("next start, redis store", "/students signed in", [2.9, 3.2, 3.1]),
        ...rounds("next start, redis store on a cluster", "/students signed in", [3.3, 3.4, 3.5]),
        ...rounds("next start, redis store on sentinel", "/students signed in", [3.6, 3.7, 3.8]),
        ...rounds("baseline, next start, cookie store", "/students anonymous → 307 /login", [0.3, 0.3, 0.3]),
        scenario("next, cookie store", "/students signed in", 500, 2.5),
      ]),
    );
    expect(markdown).toContain("| floor, next start | /students: the table, no sessions | 3 | 300 | 2.20 | — | 8.2 |");
    expect(markdown).toContain(
      "| signed-in /students: CPU per request ≤ 1.25× the floor's | 2.60 vs 2.20 ms (1.18×) | met |",
    );
    expect(markdown).toContain(
      "| /login (anonymous): CPU per request ≤ 1.25× the floor's | 3.00 vs 2.20 ms (1.36×) | **not met** |",
    );
    expect(markdown).toContain(
      "Redis store: CPU per request ≤ 1.15× the cookie store's | 3.10 vs 2.60 ms (1.19×) | **not met** |",
    );
    expect(markdown).toContain(
      "Redis store on a Redis Cluster (3 primaries, 3 replicas): CPU per request ≤ 1.15× on one Redis | 3.40 vs 3.10 ms (1.10×) | met |",
    );
    expect(markdown).toContain(
      "Redis store on a Sentinel set (primary, replica, 3 sentinels): CPU per request ≤ 1.15× on one Redis | 3.70 vs 3.10 ms (1.19×) | **not met** |",
    );
    expect(markdown).toContain("≤ the baseline's (1.10×: the noise of one run) | 0.31 vs 0.30 ms (1.03×) | met |");
    expect(markdown).toContain(
      "| `npm start` (2 workers) serves more than one process: signed-in req/s | 500 vs 300 (1.67×) | met |",
    );
    expect(markdown).toContain("| session check of a cookie already opened ≤ 0.01 ms | 0.0015 ms | met |");
    expect(markdown).toContain("| signed-in cookie ≤ 300 bytes | 294 bytes | met |");
    expect(failures).toBe(3);
  });

  it("counts errors, an oversized cookie and a slow check as failures, and says what was not measured", () => {
    const { markdown, failures } = formatReport(
      report([scenario("next, cookie store", "/students signed in", 300, 6, 3)], 301, 15),
    );
    expect(markdown).toContain("| signed-in /students: CPU per request ≤ 1.25× the floor's | not measured");
    expect(markdown).toContain("run with --baseline");
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
