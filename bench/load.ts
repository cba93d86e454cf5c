/**
 * One load run: a fixed number of connections for a fixed time against one
 * URL, with `wrk` when it is installed (a C client: it leaves the CPU to the
 * server) or autocannon (in this process) otherwise. Every response whose
 * status is not the expected one counts as an error: a signed-in request
 * answered with a redirect is a failure, not a fast response.
 *
 * The server's CPU time over the run comes from /proc: the nanoseconds each
 * thread of the process and of all its descendants (gunicorn's or the
 * cluster's workers) has run (schedstat), or where that is missing their
 * ticks (stat: user + system, 10 ms each). It is steadier than req/s on a
 * shared, noisy machine.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { processTree } from "../e2e/support/process-tree";

export type LoadRequest = {
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  /** The one status that counts as a success. */
  expect: number;
};

export type LoadOptions = {
  connections: number;
  seconds: number;
  warmupSeconds: number;
  serverPid: number;
  /** Other processes whose CPU counts as the server's (Redis, for the Redis store). */
  alsoPids?: number[];
  /** The CPUs the load client may run on (taskset), away from the server's. */
  clientCpus?: string;
};

export type LoadResult = {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Server CPU (user + system, whole process tree) per request, in ms. */
  cpuMsPerRequest: number;
  /** Share of one core the server used over the run (1 = one core busy). */
  cores: number;
  client: "wrk" | "autocannon";
};

/* ---------------------------------------------------------------- CPU ---- */

const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux

/** CPU ticks used so far by `root` and every live descendant. */
export function treeTicks(root: number): number {
  return processTree(root).reduce((sum, process) => sum + process.ticks, 0);
}

/** Nanoseconds of CPU used so far by every thread of `root` and its live descendants; null without schedstat. */
function treeNanos(root: number): number | null {
  let total = 0;
  for (const { pid } of processTree(root)) {
    let threads: string[];
    try {
      threads = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // gone
    }
    for (const thread of threads) {
      try {
        total += Number(readFileSync(`/proc/${pid}/task/${thread}/schedstat`, "utf8").split(" ")[0]);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT" && !existsSync(`/proc/${pid}/task/${thread}`)) continue;
        return null; // no schedstat on this kernel
      }
    }
  }
  return total;
}

/** Milliseconds of CPU used so far by these processes and their descendants. */
function cpuMs(pids: number[]): number {
  const nanos = pids.map(treeNanos);
  if (nanos.every((value) => value !== null)) return (nanos as number[]).reduce((sum, value) => sum + value, 0) / 1e6;
  return pids.reduce((sum, pid) => sum + treeTicks(pid), 0) * TICK_MS;
}

/* ---------------------------------------------------------------- wrk ---- */

export function wrkBinary(): string | null {
  const candidates = [process.env.WRK_BIN, "/usr/bin/wrk", "/usr/local/bin/wrk"].filter(Boolean) as string[];
  return candidates.find((candidate) => existsSync(candidate)) ?? null;
}

/** A Lua string literal of any text: printable ASCII as it is, every other byte as a \ddd escape. */
function luaString(text: string): string {
  let literal = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const char = String.fromCharCode(byte);
    literal +=
      byte >= 0x20 && byte < 0x7f && char !== '"' && char !== "\\" ? char : `\\${String(byte).padStart(3, "0")}`;
  }
  return `"${literal}"`;
}

/** A wrk script: the request, the expected status, and a JSON line with the figures at the end. */
function wrkScript(request: LoadRequest): string {
  const headers = Object.entries(request.headers ?? {})
    .map(([name, value]) => `wrk.headers[${luaString(name)}] = ${luaString(value)}`)
    .join("\n");
  return `
wrk.method = ${luaString(request.method ?? "GET")}
${request.body !== undefined ? `wrk.body = ${luaString(request.body)}` : ""}
${headers}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status ~= ${request.expect} then bad = bad + 1 end
end
function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  for _, thread in ipairs(threads) do errors = errors + thread:get("bad") end
  io.write(string.format('BENCH {"requests":%d,"micros":%d,"p50":%d,"p99":%d,"errors":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), errors))
end
`;
}

function runWrk(
  binary: string,
  request: LoadRequest,
  connections: number,
  seconds: number,
  clientCpus?: string,
): Promise<LoadResult> {
  const script = path.join(os.tmpdir(), `bench-${process.pid}-${Date.now()}.lua`);
  writeFileSync(script, wrkScript(request));
  // One thread per CPU the client may use ("0", or "0-N"), two otherwise.
  const cpus = clientCpus ? Number(clientCpus.split("-").at(-1)) + 1 : 2;
  const threads = Math.min(cpus, 2, connections);
  const wrk = [
    binary,
    `-t${threads}`,
    `-c${connections}`,
    `-d${seconds}s`,
    "--timeout",
    "10s",
    "-s",
    script,
    request.url,
  ];
  const [command, ...args] = clientCpus ? ["taskset", "-c", clientCpus, ...wrk] : wrk;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.once("error", reject);
    // "close", not "exit": the result is the last thing wrk prints.
    child.once("close", (code) => {
      rmSync(script, { force: true });
      const line = output.split("\n").find((text) => text.startsWith("BENCH "));
      if (code !== 0 || !line) return reject(new Error(`wrk failed (exit ${code}):\n${output}`));
      const figures = JSON.parse(line.slice(6)) as Record<string, number>;
      resolve({
        requests: figures.requests,
        rps: figures.requests / (figures.micros / 1e6),
        p50: figures.p50 / 1000,
        p99: figures.p99 / 1000,
        errors: figures.errors,
        cpuMsPerRequest: 0,
        cores: 0,
        client: "wrk",
      });
    });
  });
}

/* --------------------------------------------------------- autocannon ---- */

async function runAutocannon(request: LoadRequest, connections: number, seconds: number): Promise<LoadResult> {
  let bad = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: request.url,
        method: request.method ?? "GET",
        headers: request.headers,
        body: request.body,
        connections,
        duration: seconds,
        timeout: 10,
      },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
    instance.on("response", (_client, status) => {
      if (status !== request.expect) bad += 1;
    });
  });
  return {
    requests: result.requests.total,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: bad + result.errors, // autocannon's errors include its timeouts
    cpuMsPerRequest: 0,
    cores: 0,
    client: "autocannon",
  };
}

/* --------------------------------------------------------------- run ---- */

function drive(request: LoadRequest, connections: number, seconds: number, clientCpus?: string): Promise<LoadResult> {
  const binary = process.env.BENCH_CLIENT === "autocannon" ? null : wrkBinary();
  return binary
    ? runWrk(binary, request, connections, seconds, clientCpus)
    : runAutocannon(request, connections, seconds);
}

/** Warms the server up, then measures. */
export async function load(request: LoadRequest, options: LoadOptions): Promise<LoadResult> {
  const { connections, clientCpus } = options;
  if (options.warmupSeconds > 0) await drive(request, connections, options.warmupSeconds, clientCpus);
  const pids = [options.serverPid, ...(options.alsoPids ?? [])];
  const before = cpuMs(pids);
  const started = process.hrtime.bigint();
  const result = await drive(request, connections, options.seconds, clientCpus);
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  const used = cpuMs(pids) - before;
  return {
    ...result,
    cpuMsPerRequest: result.requests > 0 ? used / result.requests : 0,
    cores: used / elapsedMs,
  };
}

/**
 * Keeps `pids` and their descendants, every thread, on the machine's last CPU, and returns the others
 * for the load client (taskset, Linux): a server measured against another then never shares a core
 * with the client that loads it. Null where that cannot be done (one CPU, no taskset).
 */
/**
 * Stops (SIGSTOP) or resumes (SIGCONT) a server's whole process tree. Servers wait stopped between their
 * turns: on the one CPU they share, an idle server's timers and collector would run in another's turn.
 */
/**
 * The servers taking turns. On Ctrl-C (or SIGTERM) the bench wakes and stops them before it goes: a
 * server stopped between its turns would never see the signal, and would be left behind.
 */
const turns = new Set<number>();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    for (const root of turns) {
      pause(root, false);
      try {
        process.kill(root, "SIGTERM");
      } catch {
        // gone
      }
    }
    process.kill(process.pid, signal); // then the bench goes as the signal would have taken it
  });
}

export function pause(root: number, paused: boolean) {
  turns.add(root);
  for (const { pid } of processTree(root)) {
    try {
      process.kill(pid, paused ? "SIGSTOP" : "SIGCONT");
    } catch {
      // gone
    }
  }
}

export function pinServer(pids: number[]): string | null {
  const cpus = os.availableParallelism();
  if (cpus < 2 || !existsSync("/usr/bin/taskset")) return null;
  for (const { pid } of pids.flatMap((root) => processTree(root))) {
    spawnSync("/usr/bin/taskset", ["-a", "-p", "-c", String(cpus - 1), String(pid)], { stdio: "ignore" });
  }
  return cpus === 2 ? "0" : `0-${cpus - 2}`;
}
