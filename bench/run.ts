/**
 * npm run bench [-- --quick] [-- --anchor] [-- --only <text>]
 *
 * Measures the production build: builds it if needed, starts one server at a
 * time on a free loopback port (what `npm start` runs), warms it up, puts a
 * fixed load on each scenario, and reports req/s, p50, p99, errors, the
 * server's CPU per request and each scenario against the static ceiling of
 * the same run. `--anchor` measures the original Flask tutorial app
 * (../shared/flask-anchor, gunicorn with 2 workers) the same way, in the
 * same run, and prints the ratios. Then micro-benchmarks of the session
 * layer. Writes bench/results/latest.json and latest.md.
 *
 * Options: --quick (a ~30 s smoke), --anchor, --only <substring of scenario
 * names>, --connections N (32), --seconds N (8), --no-build, --json-only.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { actionFields, formData, postLogin, signInByFetch } from "../e2e/http";
import { startServer, type RunningServer } from "../e2e/server";
import { hashPassword } from "../lib/password";
import { freePort } from "../lib/testing/free-port";
import { startRedis, type TestRedis } from "../lib/testing/redis-server";
import { load, wrkBinary, type LoadRequest, type LoadResult } from "./load";
import { formatReport, type Report, type ScenarioResult } from "./report";

const root = path.resolve(__dirname, "..");

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    anchor: { type: "boolean", default: false },
    only: { type: "string" },
    connections: { type: "string" },
    seconds: { type: "string" },
    "no-build": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

if (args.help) {
  console.log(
    "npm run bench [-- --quick] [-- --anchor] [-- --only <name>] [-- --connections 32] [-- --seconds 8] [-- --no-build]",
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
const SECONDS = positiveInteger("seconds", args.seconds, args.quick ? 2 : 8);
const WARMUP = args.quick ? 1 : 2;
const SERVER_WARMUP = args.quick ? 1 : 4;
/** Sign-in runs scrypt on purpose: a few connections say what it costs. */
const SIGN_IN_CONNECTIONS = 4;
const ANCHOR_DIR = path.resolve(root, process.env.FLASK_ANCHOR_DIR ?? "../shared/flask-anchor");
const GUNICORN = process.env.GUNICORN_BIN ?? "/usr/bin/gunicorn";

const USER = { name: "admin", password: "admin123" };
const SECRET = randomBytes(32).toString("base64");

const selected = (name: string) => !args.only || name.toLowerCase().includes(args.only.toLowerCase());

/* ------------------------------------------------------------- build ---- */

const SOURCES = ["app", "lib", "middleware.ts", "instrumentation.ts", "next.config.ts", "package-lock.json"];

function newestSource(file: string): number {
  const full = path.join(root, file);
  if (!existsSync(full)) return 0;
  const stat = statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(full).map((entry) => newestSource(path.join(file, entry))));
}

function buildIfNeeded() {
  const buildId = path.join(root, ".next/BUILD_ID");
  const built = existsSync(buildId) ? statSync(buildId).mtimeMs : 0;
  const changed = Math.max(...SOURCES.map(newestSource));
  if (built > changed) return;
  if (args["no-build"]) {
    console.error(
      "The production build is missing or older than the sources; run `npm run build` (or drop --no-build).",
    );
    process.exit(2);
  }
  console.log(built ? "Sources changed since the last build: building…" : "No production build yet: building…");
  const result = spawnSync(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/* ----------------------------------------------------------- servers ---- */

type Target = { name: string; pid: number; url: string; stop: () => Promise<void> };

async function appServer(env: Record<string, string>, cluster: boolean): Promise<RunningServer> {
  return startServer(
    {
      SESSION_SECRET: SECRET,
      AUTH_USERS: `${USER.name}:${await authHash}`,
      ...env,
    },
    { cluster },
  );
}

/** The Flask anchor under gunicorn (Debian's), on a free port. */
async function anchorServer(module: "app" | "app_cached"): Promise<Target> {
  const port = await freePort();
  const child = spawn(
    GUNICORN,
    ["-w", "2", "-b", `127.0.0.1:${port}`, "--chdir", ANCHOR_DIR, "--log-level", "warning", `${module}:app`],
    { env: { ...process.env, SECRET_KEY: "bench-anchor-secret" }, stdio: ["ignore", "ignore", "pipe"] },
  );
  let output = "";
  child.stderr.on("data", (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gunicorn exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${url}/login`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`gunicorn did not answer within 20 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    name: `flask ${module}.py`,
    pid: child.pid!,
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/* --------------------------------------------------------- scenarios ---- */

const results: ScenarioResult[] = [];

async function measure(
  target: { pid: number },
  group: string,
  name: string,
  request: LoadRequest,
  connections = CONNECTIONS,
): Promise<LoadResult | null> {
  const label = `${group}: ${name}`;
  if (!selected(label)) return null;
  process.stdout.write(`  ${label.padEnd(58)} `);
  const result = await load(request, { connections, seconds: SECONDS, warmupSeconds: WARMUP, serverPid: target.pid });
  results.push({ group, name, connections, ...result });
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

async function rememberedCookie(url: string): Promise<string> {
  const response = await postLogin(url, { username: USER.name, password: USER.password, remember: "on" });
  const cookie = response.headers.getSetCookie().find((line) => /session=Fe26/.test(line));
  if (response.status !== 303 || !cookie) throw new Error(`remembered sign-in failed: ${response.status}`);
  return cookie.split(";")[0];
}

/**
 * A fresh server's first seconds run cold code (V8 compiles what turns out
 * hot as it goes): a few seconds of the heaviest page first, so that the
 * first scenario is not measured against a colder server than the last.
 */
async function warmUp(server: Target, request: LoadRequest) {
  await load(request, { connections: CONNECTIONS, seconds: SERVER_WARMUP, warmupSeconds: 0, serverPid: server.pid });
}

async function appScenarios(server: Target, group: string, redis: boolean) {
  const { url } = server;
  const cookie = await signInByFetch(url, USER.name, USER.password);
  const signedIn = { cookie };
  await warmUp(server, { url: `${url}/students`, headers: signedIn, expect: 200 });
  if (!redis) {
    await measure(server, group, "static ceiling (/healthz)", { url: `${url}/healthz`, expect: 200 });
    await measure(server, group, "/login (anonymous)", { url: `${url}/login`, expect: 200 });
    await measure(server, group, "/students anonymous → 307 /login", { url: `${url}/students`, expect: 307 });
  }
  await measure(server, group, "/students signed in", { url: `${url}/students`, headers: signedIn, expect: 200 });
  await measure(server, group, "/students/3 signed in", { url: `${url}/students/3`, headers: signedIn, expect: 200 });
  if (redis) {
    await measure(server, group, "/students remembered (permanent)", {
      url: `${url}/students`,
      headers: { cookie: await rememberedCookie(url) },
      expect: 200,
    });
  } else {
    const { staleRememberedCookie } = await import("./micro");
    await measure(server, group, "/students remembered, refresh due (re-sealed every time)", {
      url: `${url}/students`,
      headers: { cookie: await staleRememberedCookie(SECRET, USER.name) },
      expect: 200,
    });
  }
  if (!redis) {
    // The same in both stores but for one Redis write: scrypt is the cost, measured once.
    await measure(
      server,
      group,
      `sign-in action (scrypt included, c=${SIGN_IN_CONNECTIONS})`,
      await signInRequest(url),
      SIGN_IN_CONNECTIONS,
    );
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
  if (args.anchor && !existsSync(GUNICORN)) {
    console.error(`--anchor needs ${GUNICORN} (Debian: apt-get install -y python3-flask gunicorn).`);
    process.exit(2);
  }
  buildIfNeeded();
  const workers = Number(process.env.WEB_CONCURRENCY) || os.availableParallelism();
  console.log(
    `Load: ${wrkBinary() && process.env.BENCH_CLIENT !== "autocannon" ? "wrk" : "autocannon"}, ${CONNECTIONS} connections, ` +
      `${WARMUP} s warm-up + ${SECONDS} s per scenario, one server at a time; ${os.availableParallelism()} cores.`,
  );

  const npmStart = `npm start (${workers} worker${workers === 1 ? "" : "s"})`;
  console.log(`\n${npmStart}, cookie store`);
  await using(
    async () => asTarget(npmStart, await appServer({}, true)),
    (server) => appScenarios(server, "next, cookie store", false),
  );

  if (selected("next start (one process): /students signed in")) {
    console.log("\nnext start (one process, for comparison), cookie store");
    await using(
      async () => asTarget("next start", await appServer({}, false)),
      async (server) => {
        const cookie = await signInByFetch(server.url, USER.name, USER.password);
        const request = { url: `${server.url}/students`, headers: { cookie }, expect: 200 };
        await warmUp(server, request);
        await measure(server, "next start (one process)", "/students signed in", request);
      },
    );
  }

  if (selected("redis")) {
    let redis: TestRedis | undefined;
    try {
      redis = await startRedis();
    } catch (error) {
      console.warn(`\nRedis scenarios skipped: ${(error as Error).message}`);
    }
    if (redis) {
      console.log(`\n${npmStart}, Redis store`);
      try {
        await using(
          async () =>
            asTarget(
              npmStart,
              await appServer({ SESSION_STORE: "redis", REDIS_URL: redis.url, REDIS_KEY_PREFIX: "bench:" }, true),
            ),
          (server) => appScenarios(server, "next, redis store", true),
        );
      } finally {
        await redis.stop();
      }
    }
  }

  if (args.anchor) {
    console.log("\nFlask anchor (gunicorn -w 2)");
    await using(
      () => anchorServer("app"),
      (server) => anchorScenarios(server, "flask anchor", true),
    );
    await using(
      () => anchorServer("app_cached"),
      (server) => anchorScenarios(server, "flask anchor, templates compiled once", false),
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
  if (results.some((result) => result.requests === 0)) process.exitCode = 1;
  if (failures > 0) console.log(`${failures} target(s) not met (see above).`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
