/**
 * Starts `next start` (the production build) on a free loopback port with a
 * given environment, and stops it by process id. Used by the e2e fixtures,
 * by any test that needs a server of its own (other secrets, lifetimes) and
 * by the benchmark. `{ cluster: true }` starts what `npm start` runs
 * instead (scripts/start.mjs: WEB_CONCURRENCY workers of `next start`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { freePort } from "../lib/testing/free-port";
import path from "node:path";

export type RunningServer = {
  url: string;
  port: number;
  /** The process id of `next start`, or of the cluster's primary. */
  pid: number;
  output: () => string;
  stop: () => Promise<void>;
};

const root = path.resolve(__dirname, "..");

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

export async function startServer(
  env: Record<string, string | undefined>,
  { cluster = false }: { cluster?: boolean } = {},
): Promise<RunningServer> {
  const port = await freePort();
  // `node .../next start` so that the pid is the server's own, not a shell's.
  const entry = cluster ? "scripts/start.mjs" : "node_modules/next/dist/bin/next";
  const child = spawn(
    process.execPath,
    [path.join(root, entry), ...(cluster ? [] : ["start"]), "-p", String(port), "-H", "127.0.0.1"],
    {
      cwd: root,
      env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`${url}/login`, { redirect: "manual" });
      if (response.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`next start did not answer within 30 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    port,
    pid: child.pid!,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited(child);
        clearTimeout(timer);
      }
    },
  };
}
