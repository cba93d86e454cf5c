/**
 * `npm start`: the production server on every core.
 *
 * One Node.js process runs JavaScript on one core; one server alone leaves
 * the others idle. This starts WEB_CONCURRENCY workers (default: one per
 * core the machine offers) with node:cluster, each running scripts/server.mjs
 * (Next.js's request handler behind a screen for the requests it cannot
 * read); they share the port, and the primary hands each new connection to
 * the next worker. Arguments go to the server (`npm start -- -p 8080`).
 *
 * availableParallelism() may count the host's cores rather than a
 * container's CPU quota: in a container limited to fewer CPUs, set
 * WEB_CONCURRENCY.
 *
 * What the workers share and what they do not:
 * - sessions: nothing to share. A cookie session lives in the cookie, a
 *   Redis session in Redis; any worker can serve any request.
 * - login throttling: counted in this primary process (RateLimiterCluster),
 *   so five wrong passwords are five whichever workers saw them. (With a
 *   Redis configured, the counters live in Redis, across servers too.)
 * - everything else a worker keeps in memory is a cache of its own.
 *
 * The workers take connections from the shared socket themselves
 * (SCHED_NONE), not from the primary in turn: Node's round robin keeps each
 * connection it hands over until the worker acknowledges it, so one handed to
 * a worker that dies first would be neither answered nor closed, and its
 * client would wait for nothing (e2e/site/cluster.spec.ts). Now a worker that
 * dies takes only the connections it had accepted, which are reset at once.
 *
 * The first worker starts alone, so that a configuration problem or a port
 * in use is printed once and stops everything (exit 1). A worker that dies
 * later is replaced. SIGTERM and SIGINT drain the workers and then stop the
 * primary (scripts/shutdown.mjs), and so does the end of whatever started it
 * (npm, when `npm start` is stopped by npm's process id). On Vercel none of
 * this runs: the platform scales the functions.
 */
import cluster from "node:cluster";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { log } from "../lib/log.mjs";
import { shutdownSettings } from "./shutdown.mjs";
import { whenStarterGoes } from "./when-starter-goes.mjs";

const require = createRequire(import.meta.url);

function workerCount() {
  const raw = process.env.WEB_CONCURRENCY;
  if (raw === undefined || raw.trim() === "") return availableParallelism();
  const count = /^\s*\d{1,3}\s*$/.test(raw) ? Number(raw) : NaN; // digits only: not 0x2, 1e0 or +1
  if (!Number.isInteger(count) || count < 1 || count > 256) {
    console.error(
      `WEB_CONCURRENCY must be a whole number of worker processes from 1 to 256 (got "${raw}"), e.g. WEB_CONCURRENCY=2. Leave it unset for one per core (${availableParallelism()} here).`,
    );
    process.exit(1);
  }
  return count;
}

const workers = workerCount();
const shutdown = shutdownSettings();
if ("problem" in shutdown) {
  console.error(shutdown.problem);
  process.exit(1);
}

// Login failures are counted here, for every worker (see lib/auth/login-throttle.ts).
const { RateLimiterClusterMaster } = require("rate-limiter-flexible");
new RateLimiterClusterMaster();

cluster.schedulingPolicy = cluster.SCHED_NONE;
cluster.setupPrimary({
  exec: fileURLToPath(new URL("./server.mjs", import.meta.url)),
  args: process.argv.slice(2),
});

/** Tells lib/auth/login-throttle.ts to count in this primary. */
const WORKER_ENV = { NEXT_SESSIONS_CLUSTER: "1" };

let stopping = false;
/** Whether a worker serves (it says so once it listens, scripts/server.mjs): until then an exit is a failed start. */
let started = false;
const recentDeaths = [];

cluster.on("exit", (worker, code, signal) => {
  if (stopping) {
    if (alive().length === 0) process.exit(process.exitCode ?? 0);
    return;
  }
  if (!started) {
    // The first worker could not start: bad configuration or a port in use (it printed why, once).
    // The others would only say the same again: stop with its status.
    stop(code ?? 1);
    return;
  }
  const now = Date.now();
  recentDeaths.push(now);
  while (recentDeaths.length > 0 && recentDeaths[0] < now - 60_000) recentDeaths.shift();
  // Workers that keep dying would be replaced in a loop: stop instead.
  if (recentDeaths.length >= workers * 3) {
    console.error("The server's workers keep exiting; see the messages above. Stopping.");
    stop(code || 1);
    return;
  }
  console.error(`Worker ${worker.process.pid} ended (${signal ?? `exit ${code}`}); starting another.`);
  cluster.fork(WORKER_ENV);
});

const alive = () => Object.values(cluster.workers ?? {}).filter((worker) => worker && !worker.isDead());

/** Passes the signal on to the workers, which drain and exit; then this process exits too. */
function stop(code = 0, signal = "SIGTERM", cause = signal) {
  process.exitCode ||= code;
  if (!stopping) {
    stopping = true;
    if (started)
      log("info", "server.stopping", {
        signal,
        ...(cause === signal ? {} : { cause }),
        workers: alive().length,
        delaySeconds: signal === "SIGTERM" ? shutdown.delayMs / 1000 : 0,
        timeoutSeconds: shutdown.timeoutMs / 1000,
      });
    // The workers exit by the timeout themselves; this is for one that cannot.
    setTimeout(() => {
      for (const worker of alive()) worker.process.kill("SIGKILL");
      process.exit(process.exitCode || 1);
    }, shutdown.timeoutMs + 2_000).unref();
  }
  if (alive().length === 0) process.exit(process.exitCode);
  for (const worker of alive()) worker.process.kill(signal);
}

process.on("SIGTERM", () => stop(0, "SIGTERM"));
process.on("SIGINT", () => stop(0, "SIGINT"));

// `npm start` runs this under npm (and a shell): stopping npm by its process id, a SIGTERM or a
// SIGKILL, does not reach this process, which would keep serving the port.
whenStarterGoes(() => stop(0, "SIGTERM", "npm, which started it, ended"));

// One worker first: the configuration is checked as it starts (instrumentation.ts), then it listens, so a
// problem is printed once, by it, and no other worker is started. The rest follow once it listens.
const first = cluster.fork(WORKER_ENV);
first.on("message", (message) => {
  if (started || message?.nextSessions !== "listening") return;
  started = true;
  console.log(`Ready on ${message.url} (${workers} worker${workers === 1 ? "" : "s"})`);
  for (let index = 1; index < workers; index += 1) cluster.fork(WORKER_ENV);
});
