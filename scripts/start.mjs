/**
 * `npm start`: the production server (`next start`) on every core.
 *
 * One Node.js process runs JavaScript on one core; `next start` alone leaves
 * the others idle. This starts WEB_CONCURRENCY workers (default: one per
 * core the machine offers) with node:cluster; they share the port, and the
 * primary hands each new connection to the next worker. Arguments go to
 * `next start` as they are (`npm start -- -p 8080`).
 *
 * Node 20 counts the machine's cores, not a container's CPU quota: in a
 * container limited to fewer CPUs than the host has, set WEB_CONCURRENCY.
 *
 * What the workers share and what they do not:
 * - sessions: nothing to share. A cookie session lives in the cookie, a
 *   Redis session in Redis; any worker can serve any request.
 * - login throttling: counted in this primary process (RateLimiterCluster),
 *   so five wrong passwords are five whichever workers saw them. (With
 *   SESSION_STORE=redis the counters live in Redis, across servers too.)
 * - everything else a worker keeps in memory is a cache of its own.
 *
 * A worker that dies is replaced; SIGTERM/SIGINT stop the workers, then the
 * primary. On Vercel none of this runs: the platform scales the functions.
 */
import cluster from "node:cluster";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";

const require = createRequire(import.meta.url);

function workerCount() {
  const raw = process.env.WEB_CONCURRENCY;
  if (raw === undefined || raw.trim() === "") return availableParallelism();
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 1 || count > 256) {
    console.error(
      `WEB_CONCURRENCY must be a whole number of worker processes from 1 to 256 (got "${raw}"), e.g. WEB_CONCURRENCY=2. Leave it unset for one per core (${availableParallelism()} here).`,
    );
    process.exit(1);
  }
  return count;
}

const workers = workerCount();

// Login failures are counted here, for every worker (see lib/login-throttle.ts).
const { RateLimiterClusterMaster } = require("rate-limiter-flexible");
new RateLimiterClusterMaster();

cluster.setupPrimary({
  exec: require.resolve("next/dist/bin/next"),
  args: ["start", ...process.argv.slice(2)],
});

/** Tells lib/login-throttle.ts to count in this primary. */
const WORKER_ENV = { NEXT_SESSIONS_CLUSTER: "1" };

let stopping = false;
const recentDeaths = [];

cluster.on("exit", (worker, code, signal) => {
  if (stopping) return;
  const now = Date.now();
  recentDeaths.push(now);
  while (recentDeaths.length > 0 && recentDeaths[0] < now - 60_000) recentDeaths.shift();
  // A worker that cannot start (bad configuration or a port in use: it says why, exit 1) would die
  // again at once; so would one that exits by itself (`npm start -- --help`). Don't loop.
  if ((code === 1 && recentDeaths.length >= workers) || recentDeaths.length >= workers * 3) {
    console.error("The server's workers keep exiting; see the messages above. Stopping.");
    stop(code || 1);
    return;
  }
  console.error(`Worker ${worker.process.pid} ended (${signal ?? `exit ${code}`}); starting another.`);
  cluster.fork(WORKER_ENV);
});

function stop(code = 0) {
  process.exitCode = code;
  if (stopping) return;
  stopping = true;
  const alive = Object.values(cluster.workers ?? {}).filter((worker) => worker && !worker.isDead());
  let left = alive.length;
  if (left === 0) process.exit(code);
  for (const worker of alive) {
    worker.once("exit", () => {
      left -= 1;
      if (left === 0) process.exit(code);
    });
    worker.process.kill("SIGTERM");
  }
  setTimeout(() => process.exit(code), 10_000).unref();
}

process.on("SIGTERM", () => stop(0));
process.on("SIGINT", () => stop(0));

for (let index = 0; index < workers; index += 1) cluster.fork(WORKER_ENV);
