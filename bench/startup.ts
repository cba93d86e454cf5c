/**
 * What a build costs before its first request: the middleware's traced files
 * (what a deploy ships with it: on Vercel, its function's size and so its
 * cold start) and the time from `next start` to the first signed-in page.
 */
import { spawn } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { freePort } from "../e2e/support/free-port";
import { median, type Startup } from "./report";

/** The middleware's trace in `root`'s build. */
export function middlewareTrace(root: string) {
  const server = path.join(root, ".next/server");
  const { files } = JSON.parse(readFileSync(path.join(server, "middleware.js.nft.json"), "utf8")) as {
    files: string[];
  };
  const bytes = [...files, "middleware.js"].reduce((sum, file) => {
    try {
      return sum + statSync(path.join(server, file)).size;
    } catch {
      return sum; // a directory the trace lists, or a file of another platform
    }
  }, 0);
  const redis = files.filter((file) => /node_modules\/(@redis|redis)\//.test(file)).length;
  return { middlewareFiles: files.length, middlewareBytes: bytes, middlewareRedisFiles: redis };
}

/** One cold start: spawn, then ask for the signed-in page every 5 ms until it answers 200. */
async function coldStart(root: string, env: Record<string, string>, cookie: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [path.join(root, "node_modules/next/dist/bin/next"), "start", "-p", String(port), "-H", "127.0.0.1"],
    {
      cwd: root,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env, NODE_ENV: "production" },
      stdio: "ignore",
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    for (;;) {
      if (performance.now() - started > 30_000) throw new Error(`no signed-in page from ${root} within 30 s`);
      if (child.exitCode !== null) throw new Error(`next start in ${root} exited with ${child.exitCode}`);
      const status = await fetch(`http://127.0.0.1:${port}/students`, { headers: { cookie }, redirect: "manual" })
        .then((response) => response.arrayBuffer().then(() => response.status))
        .catch(() => 0);
      if (status === 200) return performance.now() - started;
      if (status !== 0) throw new Error(`the signed-in page of ${root} answered ${status}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    child.kill("SIGKILL");
    await exited;
  }
}

/** The trace, and `runs` cold starts to the first signed-in page (`cookie` must open with `env`'s secret). */
export async function startup(root: string, env: Record<string, string>, cookie: string, runs = 10): Promise<Startup> {
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) times.push(await coldStart(root, env, cookie));
  return { ...middlewareTrace(root), firstPageMs: median(times), runs: times.map((ms) => Math.round(ms)) };
}
