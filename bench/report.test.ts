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
    date: "2026-11-26T02:00:00.000Z",
    machine: "test",
    client: "wrk",
    connections: 32,
    seconds: 8,
    warmupSeconds: 2,
    workers: 2,
    quick: false,
    anchor: scenarios.some((s) => s.group.startsWith("flask")),
    scenarios,
    micro: [
      { name: "session check, cookie already opened (cache hit)", value: checkMicros, unit: "µs/op" },
      { name: "signed-in cookie (Cookie header: name=value)", value: cookieBytes, unit: "bytes" },
    ],
    durationSeconds: 100,
  };
}

describe("the benchmark's report", () => {
  it("judges each target from the run's own figures", () => {
    const { markdown, failures } = formatReport(
      report([
        scenario("next, cookie store", "static ceiling (/healthz)", 1000, 1),
        scenario("next, cookie store", "/students anonymous → 307 /login", 900, 0.6),
        scenario("next, cookie store", "/students signed in", 300, 6),
        scenario("flask anchor", "/student_list signed in", 1000, 1.8),
      ]),
    );
    expect(markdown).toContain(
      "| signed-in /students: server CPU per request ≤ the Flask anchor's | 6.00 ms vs 1.80 ms | **not met** |",
    );
    expect(markdown).toContain("| signed-in /students: req/s ≥ the Flask anchor's | 300 vs 1000 | **not met** |");
    expect(markdown).toContain("| anonymous /students redirect ≥ 80% of the static ceiling | 90% | met |");
    expect(markdown).toContain("| session check of a cookie already opened ≤ 0.01 ms | 0.0015 ms | met |");
    expect(markdown).toContain("| signed-in cookie ≤ 300 bytes | 294 bytes | met |");
    expect(markdown).toContain("| signed-in student list | 300 | 1000 | 0.30× | 6.00 | 1.80 | 3.33× |");
    expect(failures).toBe(2);
  });

  it("counts errors, an oversized cookie and a slow check as failures, and says when the anchor is missing", () => {
    const { markdown, failures } = formatReport(
      report([scenario("next, cookie store", "/students signed in", 300, 6, 3)], 301, 15),
    );
    expect(markdown).toContain("| signed-in /students vs the Flask anchor | run with --anchor | — |");
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
