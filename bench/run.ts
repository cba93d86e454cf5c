/**
 * npm run bench [-- --quick] [-- --anchor] [-- --only <text>]
 *
 * Measures the production build against its floor: builds both if needed
 * (the floor, bench/floor/, is the student table as a dynamic page with no
 * sessions, built with this project's own dependencies), then in each of
 * several rounds, in a shuffled order, starts one `next start` at a time on
 * a free loopback port (the floor; this app with the cookie store; with the
 * Redis store; and with --baseline another checkout), warms it up, puts a
 * fixed load on each scenario, and keeps req/s, p50, p99, errors and the
 * server's CPU per request. The targets compare medians over the rounds.
 * Then `npm start` (a worker per core) on every scenario, `--anchor` the
 * original Flask tutorial app (../shared/flask-anchor, gunicorn with 2
 * workers), and micro-benchmarks of the session layer. Writes
 * bench/results/latest.json and latest.md.
 *
 * Options: --quick (a ~30 s smoke), --anchor, --only <texts> (the scenarios
 * whose "group: name" contains one of these comma-separated texts), --connections N (32), --seconds N (8), --no-build, --rounds N (3:
 * the one-process scenarios, each round in a shuffled order), --baseline
 * <dir> (another checkout, built there, measured in the same rounds: how a
 * change compares with the commit before it). Exits 1 when
 * a scenario had errors (a response with another status than expected) or
 * served nothing; targets not met are reported, not an exit status (the
 * figures of a shared machine move).
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { actionFields, formData, signInByFetch } from "../e2e/support/http";
import { startProcess, startServer, type RunningServer } from "../e2e/support/server";
import { hashPassword } from "../lib/auth/password";
import { freePort } from "../e2e/support/free-port";
import { startRedis, type TestRedis } from "../e2e/support/redis-server";
import { startCluster, startSentinelSet } from "../e2e/support/redis-ha";
import { buildIfNeeded } from "./build";
import { load, wrkBinary, type LoadRequest, type LoadResult } from "./load";
import { formatReport, GROUP, type Report, type ScenarioResult } from "./report";

const root = path.resolve(__dirname, "..");

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    anchor: { type: "boolean", default: false },
    only: { type: "string" },
    connections: { type: "string" },
    seconds: { type: "string" },
    "no-build": { type: "boolean", default: false },
    rounds: { type: "string" },
    baseline: { type: "string" },
    help: { type: "boolean", default: false },
  },
});

if (args.help) {
  console.log(
    "npm run bench [-- --quick] [-- --anchor] [-- --only <name>] [-- --connections 32] [-- --seconds 8] [-- --no-build] [-- --rounds 3] [-- --baseline <checkout>]",
  );
  process.exit(0);
}

function positiveInteger(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name} takes a whole number above 0 (got "${raw}").`);
    process.exit(2);
  }
  return value;
}

const CONNECTIONS = positiveInteger("connections", args.connections, 32);
const SECONDS = positiveInteger("seconds", args.seconds, args.quick ? 1 : 8);
const WARMUP = args.quick ? 1 : 2;
const SERVER_WARMUP = args.quick ? 0 : 4;
const ROUNDS = positiveInteger("rounds", args.rounds, args.quick ? 1 : 3);
const BASELINE = args.baseline ? path.resolve(args.baseline) : undefined;
/** Sign-in runs scrypt on purpose: a few connections say what it costs. */
const SIGN_IN_CONNECTIONS = 4;
const ANCHOR_DIR = path.resolve(root, process.env.FLASK_ANCHOR_DIR ?? "../shared/flask-anchor");
const FLOOR_DIR = path.join(root, "bench/floor");
const GUNICORN = process.env.GUNICORN_BIN ?? "/usr/bin/gunicorn";

const USER = { name: "admin", password: "admin123" };
const SECRET = randomBytes(32).toString("base64");

/** `--only a,b`: the scenarios whose "group: name" contains any of the texts. */
const only = (args.only ?? "")
  .split(",")
  .map((text) => text.trim().toLowerCase())
  .filter(Boolean);
const selected = (name: string) => only.length === 0 || only.some((text) => name.toLowerCase().includes(text));

/* ----------------------------------------------------------- servers ---- */

type Target = { name: string; pid: number; url: string; stop: () => Promise<void>; alsoPids?: number[] };

async function appServer(env: Record<string, string | undefined>, cluster: boolean, at = root): Promise<RunningServer> {
  return startServer(
    {
      SESSION_SECRET: SECRET,
      AUTH_USERS: `${USER.name}:${await authHash}`,
      ...env,
    },
    { cluster, root: at },
  );
}

/** The Flask anchor under gunicorn (Debian's), on a free port. */
async function anchorServer(module: "app" | "app_cached"): Promise<Target> {
  const port = await freePort();
  const server = await startProcess(
    "gunicorn",
    GUNICORN,
    ["-w", "2", "-b", `127.0.0.1:${port}`, "--chdir", ANCHOR_DIR, "--log-level", "warning", `${module}:app`],
    { url: `http://127.0.0.1:${port}`, env: { ...process.env, SECRET_KEY: "bench-anchor-secret" } },
  );
  return { name: `flask ${module}.py`, ...server };
}

/* --------------------------------------------------------- scenarios ---- */

const results: ScenarioResult[] = [];

/** The size of a GET's response body, as the load client receives it (uncompressed, as wrk asks). */
async function responseBytes(request: LoadRequest): Promise<number | undefined> {
  if (request.method === "POST") return undefined;
  const response = await fetch(request.url, { headers: request.headers, redirect: "manual" });
  return (await response.arrayBuffer()).byteLength;
}

async function measure(
  target: { pid: number; alsoPids?: number[] },
  group: string,
  name: string,
  request: LoadRequest,
  connections = CONNECTIONS,
  seconds = SECONDS,
  round?: number,
): Promise<LoadResult | null> {
  const label = `${group}: ${name}`;
  if (!selected(label)) return null;
  process.stdout.write(`  ${label.padEnd(58)} `);
  const bytes = await responseBytes(request);
  const result = await load(request, {
    connections,
    seconds,
    warmupSeconds: WARMUP,
    serverPid: target.pid,
    alsoPids: target.alsoPids,
  });
  results.push({
    group,
    name,
    connections,
    ...(round ? { round } : {}),
    ...(bytes === undefined ? {} : { bytes }),
    ...result,
  });
  console.log(
    `${result.rps.toFixed(0).padStart(6)} req/s  p99 ${result.p99.toFixed(1).padStart(6)} ms  ` +
      `${result.cpuMsPerRequest.toFixed(2)} ms CPU/req  ${result.errors} errors`,
  );
  return result;
}

/** The sign-in form as a browser without JavaScript posts it. */
async function signInRequest(url: string): Promise<LoadRequest> {
  const fields = actionFields(await (await fetch(`${url}/login`)).text());
  const body = new Response(
    formData({
      ...fields,
      username: USER.name,
      password: USER.password,
      next: "/students",
    }),
  );
  return {
    url: `${url}/login`,
    method: "POST",
    headers: { "content-type": body.headers.get("content-type")!, origin: url },
    body: await body.text(),
    expect: 303,
  };
}

/**
 * A fresh server's first seconds run cold code (V8 compiles what turns out
 * hot as it goes): a few seconds of the heaviest page first, so that the
 * first scenario is not measured against a colder server than the last.
 */
async function warmUp(server: Target, request: LoadRequest) {
  if (SERVER_WARMUP === 0) return;
  await load(request, { connections: CONNECTIONS, seconds: SERVER_WARMUP, warmupSeconds: 0, serverPid: server.pid });
}

/** The scenarios, by the names the report and `--only` use. */
const SCENARIO = {
  ceiling: "static ceiling (/healthz)",
  login: "/login (anonymous)",
  anonymous: "/students anonymous → 307 /login",
  signedIn: "/students signed in",
  detail: "/students/3 signed in",
  refreshDue: "/students remembered, refresh due (re-sealed every time)",
  signIn: `sign-in action (scrypt included, c=${SIGN_IN_CONNECTIONS})`,
  floor: "/students: the table, no sessions",
} as const;
const COOKIE_SCENARIOS = ["ceiling", "login", "anonymous", "signedIn", "detail", "refreshDue", "signIn"] as const;
const COOKIE_GROUP = GROUP.cluster;
/** Measured in every round. */
const ROUND_SCENARIOS = ["signedIn", "login", "anonymous"] as const;
const REDIS_SCENARIOS = ["signedIn"] as const;

/** Fisher-Yates, so that no build is always measured first (the machine drifts within minutes). */
function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = Math.floor(Math.random() * (index + 1));
    [copy[index], copy[other]] = [copy[other], copy[index]];
  }
  return copy;
}

const anySelected = (group: string, names: readonly (keyof typeof SCENARIO)[]) =>
  names.some((name) => selected(`${group}: ${SCENARIO[name]}`));

/** The floor has no sessions: its one page, the table. */
async function floorScenarios(server: Target, round: number) {
  const request = { url: `${server.url}/students`, expect: 200 };
  await warmUp(server, request);
  await measure(server, GROUP.floor, SCENARIO.floor, request, CONNECTIONS, SECONDS, round);
}

type AppScenario = Exclude<keyof typeof SCENARIO, "floor">;

async function appScenarios(server: Target, group: string, names: readonly AppScenario[], round?: number) {
  const { url } = server;
  const signedIn = { cookie: await signInByFetch(url, USER.name, USER.password) };
  await warmUp(server, { url: `${url}/students`, headers: signedIn, expect: 200 });
  const requests: Record<AppScenario, () => Promise<LoadRequest>> = {
    ceiling: async () => ({ url: `${url}/healthz`, expect: 200 }),
    login: async () => ({ url: `${url}/login`, expect: 200 }),
    anonymous: async () => ({ url: `${url}/students`, expect: 307 }),
    signedIn: async () => ({ url: `${url}/students`, headers: signedIn, expect: 200 }),
    detail: async () => ({ url: `${url}/students/3`, headers: signedIn, expect: 200 }),
    refreshDue: async () => {
      const { staleRememberedCookie } = await import("./micro");
      return {
        url: `${url}/students`,
        headers: { cookie: await staleRememberedCookie(SECRET, USER.name) },
        expect: 200,
      };
    },
    signIn: () => signInRequest(url),
  };
  for (const name of names) {
    if (!selected(`${group}: ${SCENARIO[name]}`)) continue;
    // A sign-in takes about a second of scrypt: give it a few seconds even in a quick run.
    const [connections, seconds] =
      name === "signIn" ? [SIGN_IN_CONNECTIONS, Math.max(SECONDS, args.quick ? 3 : 5)] : [CONNECTIONS, SECONDS];
    await measure(server, group, SCENARIO[name], await requests[name](), connections, seconds, round);
  }
}

async function anchorScenarios(server: Target, group: string, full: boolean) {
  const { url } = server;
  const response = await fetch(`${url}/login`, {
    method: "POST",
    body: new URLSearchParams({ username: USER.name, password: USER.password }),
    redirect: "manual",
  });
  const cookie = response.headers.getSetCookie().find((line) => line.startsWith("session="));
  if (response.status !== 302 || !cookie) throw new Error(`Flask sign-in failed: ${response.status}`);
  const signedIn = { cookie: cookie.split(";")[0] };
  await warmUp(server, { url: `${url}/student_list`, headers: signedIn, expect: 200 });
  if (full) {
    await measure(server, group, "/login (anonymous)", { url: `${url}/login`, expect: 200 });
    await measure(server, group, "/student_list anonymous → 302 /login", { url: `${url}/student_list`, expect: 302 });
  }
  await measure(server, group, "/student_list signed in", {
    url: `${url}/student_list`,
    headers: signedIn,
    expect: 200,
  });
  if (full) {
    await measure(server, group, "sign-in (plain-text password compare)", {
      url: `${url}/login`,
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `username=${USER.name}&password=${USER.password}`,
      expect: 302,
    });
  }
}

async function using<T>(start: () => Promise<Target>, run: (target: Target) => Promise<T>): Promise<T> {
  const target = await start();
  try {
    return await run(target);
  } finally {
    await target.stop();
  }
}

const asTarget = (name: string, server: RunningServer): Target => ({
  name,
  pid: server.pid,
  url: server.url,
  stop: server.stop,
});

/* -------------------------------------------------------------- main ---- */

const authHash = hashPassword(USER.password);

async function main() {
  const started = Date.now();
  if (!existsSync("/proc/self/stat")) console.warn("No /proc here: server CPU per request will read 0.");
  if (args.anchor && !existsSync(path.join(ANCHOR_DIR, "app.py"))) {
    console.error(`--anchor needs the Flask anchor app in ${ANCHOR_DIR} (FLASK_ANCHOR_DIR sets another place).`);
    process.exit(2);
  }
  if (args.anchor && !existsSync(GUNICORN)) {
    console.error(`--anchor needs ${GUNICORN} (Debian: apt-get install -y python3-flask gunicorn).`);
    process.exit(2);
  }
  buildIfNeeded(root, !args["no-build"]);
  buildIfNeeded(FLOOR_DIR, !args["no-build"], root);
  if (BASELINE) {
    if (!existsSync(path.join(BASELINE, "node_modules/next"))) {
      console.error(`--baseline needs a checkout with its dependencies installed (npm ci in ${BASELINE}).`);
      process.exit(2);
    }
    buildIfNeeded(BASELINE, !args["no-build"]);
  }
  const workers = Number(process.env.WEB_CONCURRENCY) || os.availableParallelism();
  console.log(
    `Load: ${wrkBinary() && process.env.BENCH_CLIENT !== "autocannon" ? "wrk" : "autocannon"}, ${CONNECTIONS} connections, ` +
      `${WARMUP} s warm-up + ${SECONDS} s per scenario, one server at a time; ${os.availableParallelism()} cores.`,
  );

  const npmStart = `npm start (${workers} worker${workers === 1 ? "" : "s"})`;
  /** The app is told of one Redis at a time, whatever this shell's environment says. */
  const ONE_REDIS = { REDIS_URL: undefined, REDIS_CLUSTER_NODES: undefined, REDIS_SENTINELS: undefined };
  /** The Redis deployments of the rounds, each with the app's settings for it and the ids of its processes. */
  type Redis = { env: Record<string, string>; pids: () => number[]; stop: () => Promise<void> };
  const redises = new Map<string, Redis>();
  const deployments: [string, () => Promise<Redis>][] = [
    [
      GROUP.redis,
      async () => {
        const redis: TestRedis = await startRedis();
        return { env: { REDIS_URL: redis.url }, pids: () => [redis.pid()], stop: redis.stop };
      },
    ],
    [
      GROUP.redisCluster,
      async () => {
        const cluster = await startCluster();
        return { env: { REDIS_CLUSTER_NODES: cluster.seedUrls.join(",") }, pids: cluster.pids, stop: cluster.stop };
      },
    ],
    [
      GROUP.redisSentinel,
      async () => {
        const set = await startSentinelSet();
        const env = { REDIS_SENTINELS: set.sentinels, REDIS_SENTINEL_MASTER: set.masterName };
        return { env, pids: set.pids, stop: set.stop };
      },
    ],
  ];
  for (const [group, start] of deployments) {
    if (!anySelected(group, REDIS_SCENARIOS)) continue;
    const redis = await start().catch((error: Error) => console.warn(`\n${group}: skipped (${error.message})`));
    if (redis) redises.set(group, redis);
  }
  try {
    type RoundApp = {
      group: string;
      start: () => Promise<Target>;
      run: (target: Target, round: number) => Promise<void>;
    };
    const cookieApp = (group: string, at: string): RoundApp => ({
      group,
      start: async () => asTarget(group, await appServer({}, false, at)),
      run: (target, round) => appScenarios(target, group, ROUND_SCENARIOS, round),
    });
    const roundApps: RoundApp[] = [
      ...(selected(`${GROUP.floor}: ${SCENARIO.floor}`)
        ? [
            {
              group: GROUP.floor,
              start: async () => asTarget(GROUP.floor, await startServer({}, { root: FLOOR_DIR, next: root })),
              run: floorScenarios,
            },
          ]
        : []),
      ...(anySelected(GROUP.oneProcess, ROUND_SCENARIOS) ? [cookieApp(GROUP.oneProcess, root)] : []),
      ...[...redises].map(([group, redis]) => ({
        group,
        start: async () => ({
          ...asTarget(
            group,
            await appServer({ SESSION_STORE: "redis", REDIS_KEY_PREFIX: "bench:", ...ONE_REDIS, ...redis.env }, false),
          ),
          alsoPids: redis.pids(), // Redis works for the server: its CPU counts (replicas' and sentinels' too)
        }),
        run: (target: Target, round: number) => appScenarios(target, group, REDIS_SCENARIOS, round),
      })),
      ...(BASELINE && anySelected(GROUP.baseline, ROUND_SCENARIOS) ? [cookieApp(GROUP.baseline, BASELINE)] : []),
    ];
    for (let round = 1; round <= ROUNDS && roundApps.length > 0; round += 1) {
      console.log(`\nRound ${round} of ${ROUNDS}: one next start process at a time, in a shuffled order`);
      for (const app of shuffled(roundApps)) await using(app.start, (target) => app.run(target, round));
    }
  } finally {
    await Promise.all([...redises.values()].map((redis) => redis.stop()));
  }

  if (anySelected(COOKIE_GROUP, COOKIE_SCENARIOS)) {
    console.log(`\n${npmStart}, cookie store`);
    await using(
      async () => asTarget(npmStart, await appServer({}, true)),
      (server) => appScenarios(server, COOKIE_GROUP, COOKIE_SCENARIOS),
    );
  }

  if (args.anchor) {
    console.log("\nFlask anchor (gunicorn -w 2)");
    await using(
      () => anchorServer("app"),
      (server) => anchorScenarios(server, GROUP.anchor, true),
    );
    await using(
      () => anchorServer("app_cached"),
      (server) => anchorScenarios(server, `${GROUP.anchor}, templates compiled once`, false),
    );
  }

  console.log("\nSession layer, in process");
  const { microBenchmarks } = await import("./micro");
  const micro = await microBenchmarks(args.quick);

  const report: Report = {
    date: new Date().toISOString(),
    machine: `${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.availableParallelism()} cores, Node ${process.version}`,
    client: results[0]?.client ?? "none",
    connections: CONNECTIONS,
    seconds: SECONDS,
    warmupSeconds: WARMUP,
    workers,
    quick: args.quick,
    anchor: args.anchor,
    rounds: ROUNDS,
    scenarios: results,
    micro,
    durationSeconds: Math.round((Date.now() - started) / 1000),
  };
  const { markdown, failures } = formatReport(report);
  console.log(`\n${markdown}`);
  const out = path.join(root, "bench/results");
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "latest.json"), JSON.stringify(report, null, 2) + "\n");
  writeFileSync(path.join(out, "latest.md"), markdown);
  console.log(`Wrote bench/results/latest.json and latest.md (${report.durationSeconds} s).`);
  const broken = results.filter((result) => result.requests === 0 || result.errors > 0);
  if (broken.length > 0) {
    console.log(`Errors in: ${broken.map((result) => `${result.group}: ${result.name}`).join("; ")}.`);
    process.exitCode = 1;
  }
  if (failures > 0) console.log(`${failures} target(s) not met (see above).`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
