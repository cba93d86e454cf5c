/**
 * Starts a throwaway redis-server on a free loopback port (no persistence),
 * for tests; stops it by process id. Debian: `apt-get install redis-server`;
 * REDIS_SERVER_BIN picks another binary.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createConnection } from "node:net";
import { freePort } from "./free-port";

export type TestRedis = {
  url: string;
  port: number;
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

export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  const binary = process.env.REDIS_SERVER_BIN || "redis-server";
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(binary, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: "ignore",
    });
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
  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once("exit", () => resolve());
      running.kill("SIGTERM");
    });
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, pid: () => child?.pid ?? 0, start, stop };
}
