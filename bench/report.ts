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
  /** The rounds come in epochs, each with new server processes. */
  epoch?: number;
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
  /** The rounds' measurements: connections, and seconds each. */
  roundConnections?: number;
  roundSeconds?: number;
  workers: number;
  quick: boolean;
  anchor: boolean;
  /** How many rounds of the one-process scenarios. */
  rounds?: number;
  scenarios: ScenarioResult[];
  micro: MicroResult[];
  /** Before the first request: this build's, and the baseline's with --baseline. */
  startup?: { name: string; result: Startup }[];
  durationSeconds: number;
};

/** Before the first request (bench/startup.ts). */
export type Startup = {
  /** Files in .next/server/middleware.js.nft.json, their bytes, and how many are node-redis's. */
  middlewareFiles: number;
  middlewareBytes: number;
  middlewareRedisFiles: number;
  /** Milliseconds from spawning `next start` to the first signed-in page answered 200: the median, and each run. */
  firstPageMs: number;
  runs: number[];
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
  npmStartOne: "npm start, one worker, cookie store",
  baselineNpmStartOne: "baseline, npm start, one worker, cookie store",
  guide: "auth guide's pattern (jose, a DAL), next start",
  bound: "next start, cookie store, device-bound (DBSC)",
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

/** A small seeded generator (mulberry32), so that a report's intervals are the same every time it is made. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The median of `values` and its 95% interval: the 2.5th and 97.5th
 * percentiles of the medians of 10,000 resamples. With `groups` (the epoch
 * of each value), a resample draws epochs first, then values within each:
 * what differs between epochs (the server processes) counts as noise too.
 */
export function bootstrapMedian(
  values: number[],
  groups: number[] = values.map(() => 0),
  resamples = 10_000,
): { median: number; low: number; high: number } {
  const random = seeded(values.length);
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
  const byGroup = [...new Set(groups)].map((group) => values.filter((_, n) => groups[n] === group));
  const medians = Array.from({ length: resamples }, () =>
    median(byGroup.flatMap(() => ((group) => Array.from(group, () => pick(group)))(pick(byGroup)))),
  ).sort((a, b) => a - b);
  return {
    median: median(values),
    low: medians[Math.floor(resamples * 0.025)],
    high: medians[Math.ceil(resamples * 0.975) - 1],
  };
}

/** A scenario of a server in the rounds: its group, and its scenario's name or how it starts. */
type Side = { group: string; name: string };

/** The ratios of `a`'s CPU per request to `b`'s, round by round (both measured seconds apart in each), with each round's epoch. */
export function pairedRatios(report: Report, a: Side, b: Side): { ratios: number[]; epochs: number[] } {
  const entry = ({ group, name }: Side, round: number) =>
    report.scenarios.find((entry) => entry.group === group && entry.name.startsWith(name) && entry.round === round);
  const ratios: number[] = [];
  const epochs: number[] = [];
  for (let round = 1; round <= (report.rounds ?? 0); round += 1) {
    const [ours, theirs] = [entry(a, round), entry(b, round)];
    if (ours?.cpuMsPerRequest && theirs?.cpuMsPerRequest) {
      ratios.push(ours.cpuMsPerRequest / theirs.cpuMsPerRequest);
      epochs.push(ours.epoch ?? 0);
    }
  }
  return { ratios, epochs };
}

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
  const lines = [
    "| Server | Scenario | rounds | median req/s | median CPU ms/req | response KB |",
    "|---|---|--:|--:|--:|--:|",
  ];
  for (const entry of medians) {
    lines.push(
      `| ${entry.group} | ${entry.name} | ${entry.rounds} | ${fixed(entry.rps, 0)} | ${fixed(entry.cpuMsPerRequest, 2)} | ${kilobytes(entry.bytes)} |`,
    );
  }
  return lines;
}

/**
 * What the rounds compare, each a ratio per round of CPU per request, and
 * the target it is held to: `most` for the median (and `below` for the
 * interval's upper end), or `noMore`: not measurably more, the interval
 * reaching down to 1.00×.
 */
type Comparison = { name: string; a: Side; b: Side; most?: number; below?: number; noMore?: true };

const SIGNED_IN = "/students signed in";
const COMPARISONS: Comparison[] = [
  {
    name: "signed-in /students against the baseline",
    a: { group: GROUP.oneProcess, name: SIGNED_IN },
    b: { group: GROUP.baseline, name: SIGNED_IN },
    most: 1.05,
    below: 1.15,
  },
  {
    name: "/login against the baseline",
    a: { group: GROUP.oneProcess, name: "/login" },
    b: { group: GROUP.baseline, name: "/login" },
    noMore: true,
  },
  {
    name: "the anonymous redirect against the baseline",
    a: { group: GROUP.oneProcess, name: "/students anonymous" },
    b: { group: GROUP.baseline, name: "/students anonymous" },
    noMore: true,
  },
  {
    name: "signed-in /students, npm start (one worker) against next start: the server in front costs next to nothing",
    a: { group: GROUP.npmStartOne, name: SIGNED_IN },
    b: { group: GROUP.oneProcess, name: SIGNED_IN },
    most: 1.05,
  },
  {
    name: "signed-in /students, npm start (one worker) against the baseline's npm start",
    a: { group: GROUP.npmStartOne, name: SIGNED_IN },
    b: { group: GROUP.baselineNpmStartOne, name: SIGNED_IN },
    most: 1.05,
    below: 1.15,
  },
  {
    name: "signed-in /students against the auth guide's pattern (jose in a DAL): cheaper, provably",
    a: { group: GROUP.oneProcess, name: SIGNED_IN },
    b: { group: GROUP.guide, name: SIGNED_IN },
    most: 1,
    below: 1,
  },
  {
    name: "signed-in /students of a device-bound session (DBSC) against an unbound one",
    a: { group: GROUP.bound, name: SIGNED_IN },
    b: { group: GROUP.oneProcess, name: SIGNED_IN },
    most: 1.1,
  },
  {
    name: "signed-in /students against the floor",
    a: { group: GROUP.oneProcess, name: SIGNED_IN },
    b: { group: GROUP.floor, name: "/students" },
  },
  {
    name: "signed-in /students, the Redis store against the cookie store",
    a: { group: GROUP.redis, name: SIGNED_IN },
    b: { group: GROUP.oneProcess, name: SIGNED_IN },
    most: 1.15,
  },
  {
    name: "signed-in /students, a Redis Cluster (3 primaries, 3 replicas) against one Redis",
    a: { group: GROUP.redisCluster, name: SIGNED_IN },
    b: { group: GROUP.redis, name: SIGNED_IN },
    most: 1.15,
  },
  {
    name: "signed-in /students, a Sentinel set (primary, replica, 3 sentinels) against one Redis",
    a: { group: GROUP.redisSentinel, name: SIGNED_IN },
    b: { group: GROUP.redis, name: SIGNED_IN },
    most: 1.15,
  },
];

type Compared = Comparison & { rounds: number; median: number; low: number; high: number; met: boolean | null };

export function comparisons(report: Report): Compared[] {
  return COMPARISONS.flatMap((comparison) => {
    const { ratios, epochs } = pairedRatios(report, comparison.a, comparison.b);
    if (ratios.length === 0) return [];
    const { median, low, high } = bootstrapMedian(ratios, epochs);
    const held = comparison.most !== undefined || comparison.noMore;
    const met = !held
      ? null
      : comparison.noMore
        ? low <= 1
        : median <= comparison.most! && (comparison.below === undefined || high < comparison.below);
    return [{ ...comparison, rounds: ratios.length, median, low, high, met }];
  });
}

const targetOf = (comparison: Comparison) =>
  comparison.noMore
    ? "no more: interval reaches 1.00×"
    : comparison.most === undefined
      ? "—"
      : `≤ ${ratio(comparison.most)}${comparison.below ? `, upper end < ${ratio(comparison.below)}` : ""}`;

function comparisonsTable(report: Report): string[] {
  const compared = comparisons(report);
  if (compared.length === 0) return [];
  return [
    "| Compared (CPU per request) | rounds | median ratio | 95% interval | target |",
    "|---|--:|--:|--:|---|",
    ...compared.map(
      (entry) =>
        `| ${entry.name} | ${entry.rounds} | ${ratio(entry.median)} | ${ratio(entry.low)} – ${ratio(entry.high)} | ${targetOf(entry)} |`,
    ),
  ];
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

function targets(report: Report): Target[] {
  const medians = roundMedians(report);
  const median = (group: string, start: string) =>
    medians.find((entry) => entry.group === group && entry.name.startsWith(start));
  const cookie = report.micro.find((result) => result.name.startsWith("signed-in cookie"));
  const check = report.micro.find((result) => result.name.startsWith("session check, cookie already opened"));
  const list: Target[] = comparisons(report)
    .filter((entry) => entry.met !== null)
    .map((entry) => ({
      name: `${entry.name}: ${targetOf(entry)}`,
      measured: `${ratio(entry.median)} (${ratio(entry.low)} – ${ratio(entry.high)})`,
      met: entry.met,
    }));
  const cluster = find(report, COOKIE_GROUP, "/students signed in");
  const single = median(GROUP.oneProcess, "/students signed in");
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
    `${report.date.slice(0, 16).replace("T", " ")} UTC · ${report.machine} · ${report.client} · ` +
      `${report.rounds ?? 0} rounds of ${report.roundSeconds ?? report.seconds} s per server and scenario, ${report.roundConnections ?? report.connections} connections, each server on a CPU of its own · ` +
      `\`npm start\`: ${report.connections} connections, ${report.warmupSeconds} s warm-up + ${report.seconds} s per scenario (sign-in: at least 5 s) · ` +
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
  const paired = comparisonsTable(report);
  if (paired.length > 0) {
    lines.push(
      `## Compared, round by round`,
      "",
      "Each ratio is taken within a round, between measurements seconds apart; the table gives their median over the rounds and its 95% interval (bootstrap).",
      "",
      ...paired,
      "",
    );
  }
  const medians = mediansTable(report);
  if (medians.length > 0) lines.push(`## Medians over ${report.rounds ?? 1} round(s)`, "", ...medians, "");
  if (report.anchor) lines.push("## Against the Flask anchor", "", ...anchorTable(report), "");
  if (report.startup?.length) {
    lines.push(
      "## Before the first request",
      "",
      "| Build | middleware's traced files | their size | of them node-redis | `next start` to the first signed-in page (median) | each run |",
      "|---|--:|--:|--:|--:|---|",
      ...report.startup.map(
        ({ name, result }) =>
          `| ${name} | ${result.middlewareFiles} | ${(result.middlewareBytes / 1e6).toFixed(2)} MB | ${result.middlewareRedisFiles} | ${Math.round(result.firstPageMs)} ms | ${result.runs.join(", ")} |`,
      ),
      "",
    );
  }
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
