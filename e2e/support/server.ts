/**
 * Starts `next start` (the production build) on a free loopback port with a
 * given environment, and stops it by process id. Used by the e2e fixtures,
 * by any test that needs a server of its own (other secrets, lifetimes) and
 * by the benchmark. `{ cluster: true }` starts what `npm start` runs
 * instead (scripts/start.mjs: WEB_CONCURRENCY workers of `next start`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { freePort } from "./free-port";
import path from "node:path";

export type RunningServer = {
  url: string;
  port: number;
  /** The process id of `next start`, or of the cluster's primary. */
  pid: number;
  output: () => string;
  stop: () => Promise<void>;
};

const root = path.resolve(__dirname, "../..");

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

/**
 * Starts `command` (a server that takes its port from `args`) and waits until
 * `url`/login answers below 500; stops it by process id (SIGTERM, then
 * SIGKILL after 5 s). Throws with the server's output if it exits or does
 * not answer within 30 s.
 */
export async function startProcess(
  name: string,
  command: string,
  args: string[],
  { url, cwd, env }: { url: string; cwd?: string; env: NodeJS.ProcessEnv },
): Promise<Omit<RunningServer, "port">> {
  const child = spawn(command, args, { cwd, env: withoutUnset(env), stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
    try {
      // A deadline a try: a port found free may be held by now by a process that accepts and never replies.
      const wait = Math.max(1, Math.min(10_000, deadline - Date.now()));
      const response = await fetch(`${url}/login`, { redirect: "manual", signal: AbortSignal.timeout(wait) });
      if (response.status < 500) break;
    } catch {
      // not listening yet, or not answering
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${name} did not answer within 30 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
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

/** An environment without the variables set to undefined (the way to unset one that the test runner has). */
export function withoutUnset(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined)) as NodeJS.ProcessEnv;
}

export async function startServer(
  env: Record<string, string | undefined>,
  {
    cluster = false,
    root: at = root,
    next = at,
    nodeArgs = [],
    port: chosen,
  }: {
    cluster?: boolean;
    /** A given port (a server restarted where a proxy expects it), rather than a free one. */
    port?: number;
    /** Another app's build (a checkout of an older commit, the benchmark's floor). */
    root?: string;
    /** The checkout whose node_modules hold the Next.js to run (default: `root`). */
    next?: string;
    nodeArgs?: string[];
  } = {},
): Promise<RunningServer> {
  const port = chosen ?? (await freePort());
  // `node .../next start` so that the pid is the server's own, not a shell's.
  const entry = cluster ? path.join(at, "scripts/start.mjs") : path.join(next, "node_modules/next/dist/bin/next");
  const server = await startProcess(
    "next start",
    process.execPath,
    [...nodeArgs, entry, ...(cluster ? [] : ["start"]), "-p", String(port), "-H", "127.0.0.1"],
    {
      url: `http://127.0.0.1:${port}`,
      cwd: at,
      env: withoutUnset({ ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", ...env }),
    },
  );
  return { ...server, port };
}
