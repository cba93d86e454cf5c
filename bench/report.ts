/**
 * The benchmark's report: the tables (markdown, printed and written to
 * bench/results/latest.md), the medians over the rounds, the comparison
 * with the Flask anchor, and the targets with the figures of this run.
 */
import type { LoadResult } from "./load";
import type { MicroResult } from "./micro";

export type ScenarioResult = LoadResult & {
  group: string;
  name: string;
  connections: number;
  round?: number;
  /** The response body's size (GET scenarios). */
  bytes?: number;
};

export type Report = {
  date: string;
  machine: string;
  client: string;
  connections: number;
  seconds: number;
  warmupSeconds: number;
  workers: number;
  quick: boolean;
  anchor: boolean;
  /** How many rounds of the one-process scenarios. */
  rounds?: number;
  scenarios: ScenarioResult[];
  micro: MicroResult[];
  durationSeconds: number;
};

/** The servers' names, which the runner gives its results and the report looks up. */
export const GROUP = {
  cluster: "next, cookie store",
  anchor: "flask anchor",
  floor: "floor, next start",
  oneProcess: "next start, cookie store",
  redis: "next start, redis store",
  redisCluster: "next start, redis store on a cluster",
  redisSentinel: "next start, redis store on sentinel",
  baseline: "baseline, next start, cookie store",
} as const;
const COOKIE_GROUP = GROUP.cluster;
const ANCHOR_GROUP = GROUP.anchor;

const fixed = (value: number, digits: number) => value.toFixed(digits);
const ratio = (value: number) => `${value.toFixed(2)}×`;
const kilobytes = (bytes: number | undefined) => (bytes === undefined ? "—" : (bytes / 1000).toFixed(1));

function find(report: Report, group: string, start: string): ScenarioResult | undefined {
  return report.scenarios.find((scenario) => scenario.group === group && scenario.name.startsWith(start));
}

function scenarioTable(report: Report): string[] {
  const ceiling = find(report, COOKIE_GROUP, "static ceiling");
  const lines = [
    "| Server | Scenario | round | c | req/s | p50 ms | p99 ms | errors | CPU ms/req | cores busy | of ceiling |",
    "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
  ];
  for (const scenario of report.scenarios) {
    const ofCeiling =
      ceiling && !scenario.group.startsWith("flask") ? `${Math.round((scenario.rps / ceiling.rps) * 100)}%` : "—";
    lines.push(
      `| ${scenario.group} | ${scenario.name} | ${scenario.round ?? "—"} | ${scenario.connections} | ${fixed(scenario.rps, 0)} | ${fixed(scenario.p50, 1)} | ${fixed(scenario.p99, 1)} | ${scenario.errors} | ${fixed(scenario.cpuMsPerRequest, 2)} | ${fixed(scenario.cores, 2)} | ${ofCeiling} |`,
    );
  }
  return lines;
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** The medians over rounds of each (server, scenario) measured in rounds. */
export function roundMedians(
  report: Report,
): { group: string; name: string; rps: number; cpuMsPerRequest: number; rounds: number; bytes?: number }[] {
  const byKey = new Map<string, ScenarioResult[]>();
  for (const scenario of report.scenarios) {
    if (scenario.round === undefined) continue;
    const key = `${scenario.group}\u0000${scenario.name}`;
    byKey.set(key, [...(byKey.get(key) ?? []), scenario]);
  }
  return [...byKey.values()].map((runs) => ({
    group: runs[0].group,
    name: runs[0].name,
    rps: median(runs.map((run) => run.rps)),
    cpuMsPerRequest: median(runs.map((run) => run.cpuMsPerRequest)),
    rounds: runs.length,
    ...(runs[0].bytes === undefined ? {} : { bytes: runs[0].bytes }),
  }));
}

function mediansTable(report: Report): string[] {
  const medians = roundMedians(report);
  if (medians.length === 0) return [];
  const baseline = (name: string) => medians.find((entry) => entry.group.startsWith("baseline") && entry.name === name);
  const lines = [
    "| Server | Scenario | rounds | median req/s | median CPU ms/req | CPU vs baseline | response KB |",
    "|---|---|--:|--:|--:|--:|--:|",
  ];
  for (const entry of medians) {
    const base = baseline(entry.name);
    const versus =
      base && !entry.group.startsWith("baseline") ? ratio(entry.cpuMsPerRequest / base.cpuMsPerRequest) : "—";
    lines.push(
      `| ${entry.group} | ${entry.name} | ${entry.rounds} | ${fixed(entry.rps, 0)} | ${fixed(entry.cpuMsPerRequest, 2)} | ${versus} | ${kilobytes(entry.bytes)} |`,
    );
  }
  return lines;
}

function anchorTable(report: Report): string[] {
  const pairs: [string, ScenarioResult | undefined, ScenarioResult | undefined][] = [
    [
      "signed-in student list",
      find(report, COOKIE_GROUP, "/students signed in"),
      find(report, ANCHOR_GROUP, "/student_list signed in"),
    ],
    [
      "signed-in list vs templates compiled once",
      find(report, COOKIE_GROUP, "/students signed in"),
      find(report, `${ANCHOR_GROUP}, templates compiled once`, "/student_list signed in"),
    ],
    [
      "anonymous list → login redirect",
      find(report, COOKIE_GROUP, "/students anonymous"),
      find(report, ANCHOR_GROUP, "/student_list anonymous"),
    ],
    ["login page", find(report, COOKIE_GROUP, "/login"), find(report, ANCHOR_GROUP, "/login")],
  ];
  const lines = [
    "| Compared | ours req/s | Flask req/s | req/s ratio | ours CPU ms/req | Flask CPU ms/req | CPU ratio | ours p99 | Flask p99 |",
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
  ];
  for (const [name, ours, flask] of pairs) {
    if (!ours || !flask) continue;
    lines.push(
      `| ${name} | ${fixed(ours.rps, 0)} | ${fixed(flask.rps, 0)} | ${ratio(ours.rps / flask.rps)} | ${fixed(ours.cpuMsPerRequest, 2)} | ${fixed(flask.cpuMsPerRequest, 2)} | ${ratio(ours.cpuMsPerRequest / flask.cpuMsPerRequest)} | ${fixed(ours.p99, 1)} ms | ${fixed(flask.p99, 1)} ms |`,
    );
  }
  return lines;
}

type Target = { name: string; measured: string; met: boolean | null };

/** The groups and scenarios of bench/run.ts that the targets compare. */
const {
  floor: FLOOR_GROUP,
  oneProcess: ONE_PROCESS_GROUP,
  redis: REDIS_GROUP,
  redisCluster: CLUSTER_GROUP,
  redisSentinel: SENTINEL_GROUP,
  baseline: BASELINE_GROUP,
} = GROUP;

function versus(
  name: string,
  ours: number | undefined,
  theirs: number | undefined,
  limit: number,
  what: string,
): Target {
  if (ours === undefined || theirs === undefined) return { name, measured: `not measured (${what})`, met: null };
  const times = ours / theirs;
  return { name, measured: `${fixed(ours, 2)} vs ${fixed(theirs, 2)} ms (${ratio(times)})`, met: times <= limit };
}

function targets(report: Report): Target[] {
  const medians = roundMedians(report);
  const median = (group: string, start: string) =>
    medians.find((entry) => entry.group === group && entry.name.startsWith(start));
  const cpu = (group: string, start: string) => median(group, start)?.cpuMsPerRequest;
  const floor = cpu(FLOOR_GROUP, "/students");
  const cookie = report.micro.find((result) => result.name.startsWith("signed-in cookie"));
  const check = report.micro.find((result) => result.name.startsWith("session check, cookie already opened"));
  const list: Target[] = [
    versus(
      "signed-in /students: CPU per request ≤ 1.25× the floor's",
      cpu(ONE_PROCESS_GROUP, "/students signed in"),
      floor,
      1.25,
      "the floor and the cookie store in rounds",
    ),
    versus(
      "/login (anonymous): CPU per request ≤ 1.25× the floor's",
      cpu(ONE_PROCESS_GROUP, "/login"),
      floor,
      1.25,
      "rounds",
    ),
    versus(
      "signed-in /students, Redis store: CPU per request ≤ 1.15× the cookie store's",
      cpu(REDIS_GROUP, "/students signed in"),
      cpu(ONE_PROCESS_GROUP, "/students signed in"),
      1.15,
      "needs redis-server",
    ),
    ...(
      [
        [CLUSTER_GROUP, "a Redis Cluster (3 primaries, 3 replicas)"],
        [SENTINEL_GROUP, "a Sentinel set (primary, replica, 3 sentinels)"],
      ] as const
    ).map(([group, what]) =>
      versus(
        `signed-in /students, Redis store on ${what}: CPU per request ≤ 1.15× on one Redis`,
        cpu(group, "/students signed in"),
        cpu(REDIS_GROUP, "/students signed in"),
        1.15,
        "needs redis-server and redis-cli",
      ),
    ),
    versus(
      "anonymous /students redirect: CPU per request ≤ the baseline's (1.10×: the noise of one run)",
      cpu(ONE_PROCESS_GROUP, "/students anonymous"),
      cpu(BASELINE_GROUP, "/students anonymous"),
      1.1,
      "run with --baseline <a checkout of the commit before>",
    ),
  ];
  const cluster = find(report, COOKIE_GROUP, "/students signed in");
  const single = median(ONE_PROCESS_GROUP, "/students signed in");
  list.push(
    cluster && single
      ? {
          name: `\`npm start\` (${report.workers} workers) serves more than one process: signed-in req/s`,
          measured: `${fixed(cluster.rps, 0)} vs ${fixed(single.rps, 0)} (${ratio(cluster.rps / single.rps)})`,
          met: cluster.rps > single.rps,
        }
      : { name: "`npm start` against one process", measured: "not measured", met: null },
  );
  if (check) {
    list.push({
      // A cookie not seen before costs iron-session's unseal, once per cookie per process (reported above).
      name: "session check of a cookie already opened ≤ 0.01 ms",
      measured: `${fixed(check.value / 1000, 4)} ms`,
      met: check.value <= 10,
    });
  }
  if (cookie) {
    list.push({ name: "signed-in cookie ≤ 300 bytes", measured: `${cookie.value} bytes`, met: cookie.value <= 300 });
  }
  const errors = report.scenarios.reduce((sum, scenario) => sum + scenario.errors, 0);
  list.push({
    name: "no errors (every response had its expected status)",
    measured: String(errors),
    met: errors === 0,
  });
  return list;
}

export function formatReport(report: Report): { markdown: string; failures: number } {
  const list = targets(report);
  const mark = (met: boolean | null) => (met === null ? "—" : met ? "met" : "**not met**");
  const lines = [
    `# Benchmark results`,
    "",
    `${report.date.slice(0, 16).replace("T", " ")} UTC · ${report.machine} · ${report.client}, ${report.connections} connections, ` +
      `${report.warmupSeconds} s warm-up + ${report.seconds} s per scenario (sign-in: at least 5 s, 3 s in --quick), one server at a time · ` +
      `\`npm start\` with ${report.workers} worker(s)${report.quick ? " · **--quick** (smoke, not for comparison)" : ""} · ` +
      `whole run ${report.durationSeconds} s.`,
    "",
    "CPU ms/req is the server's CPU time (user + system, all its processes) over the run divided by the requests served; " +
      "cores busy is that CPU time over the wall time. Errors are responses with any status other than the expected one.",
    "",
    "## Scenarios",
    "",
    ...scenarioTable(report),
    "",
  ];
  const medians = mediansTable(report);
  if (medians.length > 0) lines.push(`## Medians over ${report.rounds ?? 1} round(s)`, "", ...medians, "");
  if (report.anchor) lines.push("## Against the Flask anchor", "", ...anchorTable(report), "");
  lines.push(
    "## Session layer (in process)",
    "",
    "| Measure | Value |",
    "|---|--:|",
    ...report.micro.map(
      (result) => `| ${result.name} | ${fixed(result.value, result.value < 10 ? 2 : 1)} ${result.unit} |`,
    ),
    "",
    "## Targets",
    "",
    "| Target | Measured | |",
    "|---|--:|---|",
    ...list.map((target) => `| ${target.name} | ${target.measured} | ${mark(target.met)} |`),
    "",
  );
  return { markdown: lines.join("\n"), failures: list.filter((target) => target.met === false).length };
}
