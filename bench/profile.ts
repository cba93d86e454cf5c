/**
 * npm run bench:profile [-- --path /students] [-- --seconds 8] [-- --root <checkout>] [-- --floor] [-- --guide] [-- --redis] [-- --anonymous]
 *
 * Where the server's time goes: runs one `next start` (one process) with the
 * V8 CPU profiler ready (bench/cpu-profile-preload.cjs), signs in (the guide's pattern: a JWT of its own), warms up,
 * profiles the benchmark's load on one signed-in page (the load only, not
 * start-up), and sums the profile's self time by area (Next's render
 * runtime with React, Next's request path, Node internals, GC…) and by
 * function.
 * `--root` profiles another checkout's build (a worktree of an older commit,
 * to see what a change bought); `--floor` the benchmark's floor
 * (bench/floor/: the same table, no sessions), to see what is the framework's; `--guide` the auth
 * guide's pattern (bench/guide/: jose in a dal.ts), to see where this app spends more; `--redis` the
 * server-side store (a redis-server of its own; its CPU is not in the profile). The raw .cpuprofile is kept in
 * bench/results/ for Chrome DevTools (Performance → Load profile).
 */
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { signInByFetch } from "../e2e/support/http";
import { startRedis, type TestRedis } from "../e2e/support/redis-server";
import { startServer, type RunningServer } from "../e2e/support/server";
import { hashPassword } from "../lib/auth/password";
import { buildIfNeeded } from "./build";
import { guideToken } from "./guide-token";
import { load } from "./load";

const { values: args } = parseArgs({
  options: {
    path: { type: "string", default: "/students" },
    seconds: { type: "string", default: "8" },
    connections: { type: "string", default: "32" },
    root: { type: "string" },
    anonymous: { type: "boolean", default: false },
    floor: { type: "boolean", default: false },
    guide: { type: "boolean", default: false },
    redis: { type: "boolean", default: false },
    top: { type: "string", default: "25" },
  },
});

const project = path.resolve(__dirname, "..");
if (
  [args.floor, args.guide, args.root !== undefined].filter(Boolean).length > 1 ||
  (args.redis && (args.floor || args.guide))
) {
  console.error("--floor, --guide and --root each name what to profile: give one; --redis is for this app or --root.");
  process.exit(2);
}
const bundled = args.floor ? "floor" : args.guide ? "guide" : null; // bench/<bundled>/ runs on this checkout's Next
const root = bundled ? path.join(project, "bench", bundled) : path.resolve(args.root ?? project);
const secret = randomBytes(32).toString("base64");

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

/** The area a frame belongs to, from its script. */
function area(node: Node): string {
  const { url, functionName } = node.callFrame;
  if (functionName === "(garbage collector)") return "GC";
  if (functionName === "(idle)") return "idle";
  if (functionName === "(program)") return "native / program";
  if (/iron-webcrypto|iron-session/.test(url)) return "iron-session (WebCrypto)";
  if (/@redis\/|node_modules\/redis\/|rate-limiter-flexible/.test(url)) return "node-redis (client)";
  if (/app-page.*runtime|react-dom|react-server-dom|compiled\/react/.test(url))
    return "Next's app render runtime (React RSC + HTML, bundled)";
  if (/\.next\/server\/(middleware|edge)|\[middleware\]|middleware/.test(url)) return "our middleware bundle";
  if (/\.next\/server\/(app|chunks)/.test(url)) return "our app code (bundled)";
  if (/next\/dist/.test(url)) return "Next.js request path";
  if (url.startsWith("node:") || url === "") return "Node.js internals (http, streams, crypto, timers)";
  return "other";
}

let server: RunningServer | undefined;
let redis: TestRedis | undefined;

async function main() {
  buildIfNeeded(root, true, bundled ? project : root);
  const dir = path.join(os.tmpdir(), `bench-profile-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const profileFile = path.join(dir, "server.cpuprofile");
  if (args.redis) redis = await startRedis();
  server = await startServer(
    {
      ...(redis ? { SESSION_STORE: "redis", REDIS_URL: redis.url, REDIS_KEY_PREFIX: "profile:" } : {}),
      BENCH_PROFILE_FILE: profileFile,
      SESSION_SECRET: secret,
      AUTH_USERS: `admin:${await hashPassword("admin123", { logN: 14, r: 8, p: 1 })}`,
    },
    {
      root,
      next: bundled ? project : root,
      nodeArgs: ["--require", path.join(__dirname, "cpu-profile-preload.cjs")],
    },
  );
  const { url, pid } = server;
  const headers: Record<string, string> =
    args.anonymous || args.floor
      ? {}
      : {
          cookie: args.guide
            ? `session=${await guideToken(secret, "admin")}`
            : await signInByFetch(url, "admin", "admin123"),
        };
  const request = { url: `${url}${args.path}`, headers, expect: args.anonymous && !args.floor ? 307 : 200 };
  const options = { connections: Number(args.connections), seconds: Number(args.seconds), serverPid: pid };
  await load(request, { ...options, seconds: 2, warmupSeconds: 0 }); // warm-up, not profiled
  process.kill(pid, "SIGUSR2"); // start profiling
  const result = await load(request, { ...options, warmupSeconds: 0 });
  process.kill(pid, "SIGUSR2"); // stop and write
  for (let waited = 0; !existsSync(profileFile); waited += 100) {
    if (waited > 20_000) throw new Error("the server wrote no profile");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  console.log(
    `${args.path}: ${result.rps.toFixed(0)} req/s, p99 ${result.p99.toFixed(1)} ms, ${result.cpuMsPerRequest.toFixed(2)} ms CPU/req, ${result.errors} errors (while profiled)`,
  );
  await server.stop();
  await redis?.stop();
  const profile = JSON.parse(readFileSync(profileFile, "utf8")) as Profile;
  const kept = path.resolve(__dirname, "results/latest.cpuprofile");
  mkdirSync(path.dirname(kept), { recursive: true });
  copyFileSync(profileFile, kept);
  rmSync(dir, { recursive: true, force: true });

  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, index) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const total = [...self.values()].reduce((sum, value) => sum + value, 0);
  const busy = [...self.entries()].filter(([id]) => byId.get(id)!.callFrame.functionName !== "(idle)");
  const busyTotal = busy.reduce((sum, [, value]) => sum + value, 0);

  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, micros] of busy) {
    const node = byId.get(id)!;
    areas.set(area(node), (areas.get(area(node)) ?? 0) + micros);
    const where = node.callFrame.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\.next\//, ".next/");
    const key = `${node.callFrame.functionName || "(anonymous)"}  ${where}:${node.callFrame.lineNumber + 1}`;
    functions.set(key, (functions.get(key) ?? 0) + micros);
  }
  // A share of the busy time, and what it is of the CPU per request (the main thread does nearly all the work).
  const percent = (value: number) =>
    `${((value / busyTotal) * 100).toFixed(1).padStart(5)}% ${((value / busyTotal) * result.cpuMsPerRequest).toFixed(2).padStart(5)} ms`;
  console.log(
    `\nMain thread busy ${((busyTotal / total) * 100).toFixed(0)}% of the profile; self time of the busy part by area:`,
  );
  for (const [name, micros] of [...areas.entries()].sort((a, b) => b[1] - a[1])) {
    console.log(`  ${percent(micros)}  ${name}`);
  }
  console.log(`\nTop functions (self time):`);
  for (const [name, micros] of [...functions.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(args.top))) {
    console.log(`  ${percent(micros)}  ${name.slice(0, 150)}`);
  }
  console.log(`\nProfile: ${path.relative(process.cwd(), kept)} (open in Chrome DevTools → Performance).`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  void Promise.all([server?.stop(), redis?.stop()]).finally(() => process.exit(1));
});
