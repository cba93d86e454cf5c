/**
 * npm run bench [-- --quick] [-- --anchor] [-- --only <text>] [-- --baseline <checkout>]
 *
 * Measures the production build against its floor (bench/floor/: the student
 * table as a dynamic page with no sessions, built with this project's own
 * dependencies) and, with --baseline, against another checkout. Builds what
 * is missing, then, in epochs of 4 rounds, starts fresh processes of every
 * server of the rounds on free loopback ports (the floor; this app with the
 * cookie store; with the Redis store on one Redis, a Cluster and a Sentinel
 * set; the guide's pattern; the baseline) and, round after round, puts a
 * short fixed load on each scenario of each server in turn,
 * keeping req/s, p50, p99, errors and the server's CPU per request. A
 * comparison is a ratio per round between two measurements seconds apart,
 * their median and its 95% interval (bootstrap): the machine's drift, up to
 * 2x within minutes, falls on both sides of each ratio. Then `npm start` (a
 * worker per core) on every scenario, `--anchor` the original Flask tutorial
 * app (../shared/flask-anchor, gunicorn with 2 workers), and micro-benchmarks
 * of the session layer. Writes bench/results/latest.json and latest.md.
 *
 * Options: --quick (a ~30 s smoke), --anchor, --only <texts> (the scenarios
 * whose "group: name" contains one of these texts, separated by ";"),
 * --connections N (8 in the rounds), --seconds N (1 per measurement, after a
 * warm-up), --no-build, --rounds N (48), --baseline <dir> (another checkout, built
 * there: how a change compares with the commit before it; the same checkout
 * twice shows what the method can tell apart). Exits 1 when a scenario had
 * errors (a response with another status than expected) or served nothing;
 * targets not met are reported, not an exit status.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { DeviceBrowser } from "../e2e/support/dbsc-client";
import { actionFields, formData, signInByFetch } from "../e2e/support/http";
import { startProcess, startServer, type RunningServer } from "../e2e/support/server";
import { hashPassword } from "../lib/auth/password";
import { freePort } from "../e2e/support/free-port";
import { startRedis, type TestRedis } from "../e2e/support/redis-server";
import { startCluster, startSentinelSet } from "../e2e/support/redis-ha";
import { buildIfNeeded } from "./build";
import { guideToken } from "./guide-token";
import { load, pause, pinServer, wrkBinary, type LoadRequest, type LoadResult } from "./load";
import { startup } from "./startup";
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
    "npm run bench [-- --quick] [-- --anchor] [-- --only <name>] [-- --connections 8] [-- --seconds 1] [-- --no-build] [-- --rounds 48] [-- --baseline <checkout>]",
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

/** The rounds: many short measurements of each server in turn, with a few connections (see bench/README.md). */
const ROUND_CONNECTIONS = positiveInteger("connections", args.connections, 8);
const ROUND_SECONDS = positiveInteger("seconds", args.seconds, 1);
const ROUNDS = positiveInteger("rounds", args.rounds, args.quick ? 2 : 48);
/** New server processes every EPOCH rounds. */
const EPOCH = args.quick ? 1 : 4;
/** npm start's scenarios and the anchor's: a saturating load, one server, a scenario at a time. */
const CONNECTIONS = 32;
const SECONDS = args.quick ? 1 : 5;
const WARMUP = 1;
const SERVER_WARMUP = args.quick ? 0 : 4;
const BASELINE = args.baseline ? path.resolve(args.baseline) : undefined;
/** Sign-in runs scrypt on purpose: a few connections say what it costs. */
const SIGN_IN_CONNECTIONS = 4;
const ANCHOR_DIR = path.resolve(root, process.env.FLASK_ANCHOR_DIR ?? "../shared/flask-anchor");
const FLOOR_DIR = path.join(root, "bench/floor");
const GUIDE_DIR = path.join(root, "bench/guide");
const GUNICORN = process.env.GUNICORN_BIN ?? "/usr/bin/gunicorn";

const USER = { name: "admin", password: "admin123" };
const SECRET = randomBytes(32).toString("base64");

/** `--only "a;b"`: the scenarios whose "group: name" contains any of the texts (names hold commas). */
const only = (args.only ?? "")
  .split(";")
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

const sizes = new Map<string, number | undefined>();

async function measure(
  target: { pid: number; alsoPids?: number[] },
  group: string,
  name: string,
  request: LoadRequest,
  {
    connections = CONNECTIONS,
    seconds = SECONDS,
    warmupSeconds = WARMUP,
    round,
    epoch,
    clientCpus,
  }: {
    connections?: number;
    seconds?: number;
    warmupSeconds?: number;
    round?: number;
    epoch?: number;
    clientCpus?: string;
  } = {},
): Promise<LoadResult | null> {
  const label = `${group}: ${name}`;
  if (!selected(label)) return null;
  process.stdout.write(`  ${label.padEnd(58)} `);
  if (!sizes.has(label)) sizes.set(label, await responseBytes(request));
  const bytes = sizes.get(label);
  const result = await load(request, {
    connections,
    seconds,
    warmupSeconds,
    serverPid: target.pid,
    alsoPids: target.alsoPids,
    clientCpus,
  });
  results.push({
    group,
    name,
    connections,
    ...(round ? { round, epoch } : {}),
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
type RoundScenario = (typeof ROUND_SCENARIOS)[number];
const REDIS_SCENARIOS = ["signedIn"] as const;

const anySelected = (group: string, names: readonly (keyof typeof SCENARIO)[]) =>
  names.some((name) => selected(`${group}: ${SCENARIO[name]}`));

type AppScenario = Exclude<keyof typeof SCENARIO, "floor">;

/** Each scenario's request against an app server (signed in over HTTP first). */
async function appRequests(url: string): Promise<Record<AppScenario, () => Promise<LoadRequest>>> {
  const signedIn = { cookie: await signInByFetch(url, USER.name, USER.password) };
  return {
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
}

/** Every scenario of `names`, one after the other, on one server (npm start's). */
async function appScenarios(server: Target, group: string, names: readonly AppScenario[]) {
  const requests = await appRequests(server.url);
  await warmUp(server, await requests.signedIn());
  for (const name of names) {
    if (!selected(`${group}: ${SCENARIO[name]}`)) continue;
    // A sign-in takes about a second of scrypt: give it a few seconds even in a quick run.
    const [connections, seconds] =
      name === "signIn" ? [SIGN_IN_CONNECTIONS, Math.max(SECONDS, args.quick ? 3 : 5)] : [CONNECTIONS, SECONDS];
    await measure(server, group, SCENARIO[name], await requests[name](), { connections, seconds });
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
  buildIfNeeded(GUIDE_DIR, !args["no-build"], root);
  if (BASELINE) {
    if (!existsSync(path.join(BASELINE, "node_modules/next"))) {
      console.error(`--baseline needs a checkout with its dependencies installed (npm ci in ${BASELINE}).`);
      process.exit(2);
    }
    buildIfNeeded(BASELINE, !args["no-build"]);
  }
  const workers = Number(process.env.WEB_CONCURRENCY) || os.availableParallelism();
  console.log(
    `Load: ${wrkBinary() && process.env.BENCH_CLIENT !== "autocannon" ? "wrk" : "autocannon"}; ${ROUNDS} rounds of ` +
      `${ROUND_SECONDS} s per server and scenario, ${ROUND_CONNECTIONS} connections; then npm start, ${CONNECTIONS} connections, ` +
      `${WARMUP} s warm-up + ${SECONDS} s per scenario; ${os.availableParallelism()} cores.`,
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
  /** The servers of the rounds: each with its group and its requests, by the scenario they stand for. */
  type RoundServer = { group: string; target: Target; requests: Partial<Record<RoundScenario, LoadRequest>> };
  const cookieApp = async (
    group: string,
    at: string,
    env: Record<string, string | undefined> = {},
    npmStart = false,
  ): Promise<RoundServer> => {
    // npm start with one worker: what its own server in front of Next's handler costs, on the one pinned CPU.
    const target = asTarget(group, await appServer(npmStart ? { WEB_CONCURRENCY: "1", ...env } : env, npmStart, at));
    const requests = await appRequests(target.url);
    return {
      group,
      target,
      requests: {
        signedIn: await requests.signedIn(),
        login: await requests.login(),
        anonymous: await requests.anonymous(),
      },
    };
  };
  /** The servers of the rounds, each a function that starts it: the floor, the app, the guide's pattern, the baseline, the Redis stores. */
  const roundServers: (() => Promise<RoundServer>)[] = [];
  if (selected(`${GROUP.floor}: ${SCENARIO.floor}`)) {
    roundServers.push(async () => {
      const target = asTarget(GROUP.floor, await startServer({}, { root: FLOOR_DIR, next: root }));
      // The floor's one page stands beside the signed-in page.
      return { group: GROUP.floor, target, requests: { signedIn: { url: `${target.url}/students`, expect: 200 } } };
    });
  }
  if (anySelected(GROUP.oneProcess, ROUND_SCENARIOS)) roundServers.push(() => cookieApp(GROUP.oneProcess, root));
  if (anySelected(GROUP.guide, ["signedIn", "anonymous"])) {
    roundServers.push(async () => {
      // The Next.js auth guide's pattern (bench/guide/): its cookie is a JWT that jose signs.
      const target = asTarget(
        GROUP.guide,
        await startServer({ SESSION_SECRET: SECRET }, { root: GUIDE_DIR, next: root }),
      );
      const jwt = await guideToken(SECRET, USER.name);
      return {
        group: GROUP.guide,
        target,
        requests: {
          signedIn: { url: `${target.url}/students`, headers: { cookie: `session=${jwt}` }, expect: 200 },
          anonymous: { url: `${target.url}/students`, expect: 307 },
        },
      };
    });
  }
  if (selected(`${GROUP.bound}: ${SCENARIO.signedIn}`)) {
    roundServers.push(async () => {
      // A session bound to a key, as a browser with DBSC registers it (e2e/support/dbsc-client.ts); a day's window.
      const target = asTarget(GROUP.bound, await appServer({ DEVICE_BOUND_LIFETIME: "1d" }, false, root));
      const browser = new DeviceBrowser(target.url);
      await browser.signIn(USER.name, USER.password);
      if ((await browser.register()).status !== 200) throw new Error("the bench's DBSC registration failed");
      const cookie = browser.jar.header("/students");
      return {
        group: GROUP.bound,
        target,
        requests: { signedIn: { url: `${target.url}/students`, headers: { cookie }, expect: 200 } },
      };
    });
  }
  if (BASELINE && anySelected(GROUP.baseline, ROUND_SCENARIOS)) {
    roundServers.push(() => cookieApp(GROUP.baseline, BASELINE));
  }
  // npm start, for the signed-in page only: this build's, and the baseline's.
  for (const [group, at] of [[GROUP.npmStartOne, root], ...(BASELINE ? [[GROUP.baselineNpmStartOne, BASELINE]] : [])]) {
    if (!anySelected(group, ["signedIn"])) continue;
    roundServers.push(async () => {
      const server = await cookieApp(group, at, {}, true);
      return { ...server, requests: { signedIn: server.requests.signedIn } };
    });
  }
  for (const [group, redis] of redises) {
    roundServers.push(async () => {
      const server = await cookieApp(group, root, {
        SESSION_STORE: "redis",
        REDIS_KEY_PREFIX: "bench:",
        ...ONE_REDIS,
        ...redis.env,
      });
      // Redis works for the server: its CPU counts (replicas' and sentinels' too).
      server.target.alsoPids = redis.pids();
      server.requests = { signedIn: server.requests.signedIn };
      return server;
    });
  }
  let servers: RoundServer[] = [];
  try {
    // The rounds come in epochs of EPOCH rounds, each with new server processes, started in another order:
    // two processes of one build can differ by a few percent for as long as they live (what V8 compiled,
    // where things landed in memory), and epochs make that a part of the noise, not of a comparison.
    for (let epoch = 0; epoch * EPOCH < ROUNDS && roundServers.length > 0; epoch += 1) {
      const starts = epoch % 2 ? [...roundServers].reverse() : roundServers;
      servers = [];
      for (const start of starts) servers.push(await start());
      for (const server of servers) await warmUp(server.target, server.requests.signedIn!);
      // Each server and its Redis on one CPU, the load client on the others: they never share a core.
      const clientCpus =
        pinServer(servers.flatMap(({ target }) => [target.pid, ...(target.alsoPids ?? [])])) ?? undefined;
      // Every server stays up, stopped but for its turns: the measurements compared are seconds apart, and the
      // order of the turns is reversed every other round, so that the machine's drift falls on both sides.
      for (const { target } of servers) pause(target.pid, true);
      for (let round = epoch * EPOCH + 1; round <= Math.min(ROUNDS, (epoch + 1) * EPOCH); round += 1) {
        console.log(`\nRound ${round} of ${ROUNDS}: every server in turn, ${round % 2 ? "in order" : "in reverse"}`);
        const order = round % 2 ? servers : [...servers].reverse();
        for (const scenario of ROUND_SCENARIOS) {
          for (const { group, target, requests } of order) {
            const request = requests[scenario];
            const name = group === GROUP.floor ? SCENARIO.floor : SCENARIO[scenario];
            if (request) {
              pause(target.pid, false);
              await measure(target, group, name, request, {
                connections: ROUND_CONNECTIONS,
                seconds: ROUND_SECONDS,
                warmupSeconds: 0,
                round,
                epoch: epoch + 1,
                clientCpus,
              }).finally(() => pause(target.pid, true));
            }
          }
        }
      }
      for (const { target } of servers) pause(target.pid, false);
      await Promise.all(servers.map((server) => server.target.stop()));
      servers = [];
    }
  } finally {
    for (const { target } of servers) pause(target.pid, false);
    await Promise.all(servers.map((server) => server.target.stop()));
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

  const startups: Report["startup"] = [];
  if (!args.quick && args.only === undefined) {
    for (const [name, at] of [[GROUP.oneProcess, root], ...(BASELINE ? [[GROUP.baseline, BASELINE]] : [])]) {
      console.log(`\n${name}: the middleware's trace, and 10 cold starts to the first signed-in page`);
      const server = await appServer({}, false, at);
      const cookie = await signInByFetch(server.url, USER.name, USER.password).finally(() => server.stop());
      const env = { SESSION_SECRET: SECRET, AUTH_USERS: `${USER.name}:${await authHash}` };
      startups.push({ name, result: await startup(at, env, cookie) });
    }
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
    roundConnections: ROUND_CONNECTIONS,
    roundSeconds: ROUND_SECONDS,
    workers,
    quick: args.quick,
    anchor: args.anchor,
    rounds: ROUNDS,
    scenarios: results,
    micro,
    startup: startups,
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
