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

/**
 * Whether the redis-server answering on `port` is the process `pid`: a port probed free a moment ago may
 * be another server's by now, and a server that accepts and never replies must not hold us up.
 */
function answers(port: number, pid: number): Promise<boolean> {
  return new Promise((resolve) => {
    let reply = "";
    const socket = createConnection({ port, host: "127.0.0.1" }, () => socket.write("INFO server\r\n"));
    const done = (ours: boolean) => {
      socket.destroy();
      resolve(ours);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.on("data", (data) => {
      reply += data.toString();
      const id = /process_id:(\d+)\r\n/.exec(reply)?.[1];
      if (id) done(Number(id) === pid);
    });
    socket.once("error", () => done(false));
    socket.once("close", () => done(false));
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

/** The server stopped before it answered because its port was taken (after it was found free). */
class PortTaken extends Error {}

/**
 * A redis-server on `port` (by default one that `pick` finds free, picked again should another process
 * take it first) that keeps nothing on disk; `args` add to its options, or with `sentinel` (a
 * configuration file) it runs as a sentinel instead.
 */
export async function startRedis({
  port: chosen,
  pick = freePort,
  args = [],
  sentinel,
}: { port?: number; pick?: () => Promise<number>; args?: string[]; sentinel?: string } = {}): Promise<TestRedis> {
  const binary = process.env.REDIS_SERVER_BIN || "redis-server";
  let port = chosen ?? (await pick());
  let child: ChildProcess | undefined;
  // Worked out once (debugOption runs the binary), not on every start. A sentinel's --port comes before
  // --sentinel: Redis 7.0.1-7.0.5 take what follows --sentinel as its own.
  const serverOptions = sentinel
    ? []
    : ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...debugOption(binary)];
  const options = () =>
    sentinel ? [sentinel, "--port", String(port), "--sentinel"] : ["--port", String(port), ...serverOptions, ...args];
  const start = async () => {
    const server = spawn(binary, options(), { stdio: ["ignore", "pipe", "pipe"] });
    child = server;
    let log = ""; // its last words, for the error
    const keep = (chunk: Buffer) => (log = (log + chunk.toString()).slice(-2_000));
    server.stdout!.on("data", keep);
    server.stderr!.on("data", keep);
    const failed = new Promise<never>((_, reject) => {
      server.once("error", (error) =>
        reject(new Error(`cannot start ${binary} (Debian: apt-get install redis-server): ${error.message}`)),
      );
      server.once("exit", (code, signal) => {
        const message = `${binary} on port ${port} stopped (${signal ?? `exit code ${code}`}) before it answered:\n${log}`;
        reject(/address already in use/i.test(log) ? new PortTaken(message) : new Error(message));
      });
    });
    failed.catch(() => {}); // it rejects on every exit, also the ones after it answered
    const deadline = Date.now() + 10_000;
    while (!(await Promise.race([answers(port, server.pid!), failed]))) {
      if (Date.now() > deadline) {
        server.kill("SIGKILL");
        throw new Error(`${binary} did not answer on port ${port} within 10 s:\n${log}`);
      }
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
  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      break;
    } catch (error) {
      if (chosen !== undefined || !(error instanceof PortTaken) || attempt === 5) throw error;
      port = await pick();
    }
  }
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
