/**
 * Starts a throwaway redis-server on a free loopback port (no persistence),
 * for tests; stops it by process id. Debian: `apt-get install redis-server`;
 * REDIS_SERVER_BIN picks another binary.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createConnection } from "node:net";
import { freePort } from "./free-port";

export type TestRedis = {
  /** Kills it at once (SIGKILL), as a crash would. */
  kill: () => Promise<void>;
  url: string;
  port: number;
  /** Sends one command (RESP) on a connection of its own; resolves with the first line of the reply. */
  send: (...args: string[]) => Promise<string>;
  /** The running redis-server's process id (0 when stopped). */
  pid: () => number;
  stop: () => Promise<void>;
  start: () => Promise<void>;
};

function answering(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" }, () => {
      socket.write("PING\r\n");
    });
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString().startsWith("+PONG"));
    });
    socket.once("error", () => resolve(false));
  });
}

/** Sends one command to a Redis on `port`; resolves with the first line of its reply. */
function send(port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: "127.0.0.1" }, () => {
      socket.write(`*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join("")}`);
    });
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString().split("\r\n")[0]);
    });
    socket.once("error", reject);
  });
}

/** Redis 7 refuses DEBUG (the tests' DEBUG SLEEP) unless it is enabled; older versions do not know the option. */
function debugOption(binary: string): string[] {
  const version = /v=(\d+)/.exec(spawnSync(binary, ["--version"], { encoding: "utf8" }).stdout ?? "")?.[1];
  return Number(version) >= 7 ? ["--enable-debug-command", "local"] : [];
}

/**
 * A redis-server on `port` (a free one by default) that keeps nothing on disk; `args` add to its
 * options, or with `config` it runs a configuration file of its own (a sentinel's) instead.
 */
export async function startRedis({
  port: chosen,
  args = [],
  config,
}: { port?: number; args?: string[]; config?: string[] } = {}): Promise<TestRedis> {
  const port = chosen ?? (await freePort());
  const binary = process.env.REDIS_SERVER_BIN || "redis-server";
  let child: ChildProcess | undefined;
  const options = config ?? ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
  if (!config) options.push(...debugOption(binary), ...args);
  const start = async () => {
    child = spawn(binary, options, { stdio: "ignore" });
    const failed = new Promise<never>((_, reject) =>
      child!.once("error", (error) =>
        reject(new Error(`cannot start ${binary} (Debian: apt-get install redis-server): ${error.message}`)),
      ),
    );
    const deadline = Date.now() + 10_000;
    while (!(await Promise.race([answering(port), failed]))) {
      if (Date.now() > deadline) throw new Error(`${binary} did not answer on port ${port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const end = async (signal: NodeJS.Signals) => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once("exit", () => resolve());
      running.kill(signal);
    });
  };
  const stop = () => end("SIGTERM");
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    send: (...args) => send(port, args),
    pid: () => (child && child.exitCode === null && child.signalCode === null ? (child.pid ?? 0) : 0),
    start,
    stop,
    kill: () => end("SIGKILL"),
  };
}
