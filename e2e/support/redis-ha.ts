/**
 * A Redis Cluster (three primaries, a replica each) and a Sentinel set (a
 * primary, a replica and three sentinels) on loopback, for the tests of
 * sessions beyond one Redis: real redis-servers on free ports, with their
 * files in a temporary folder, stopped by process id.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createClient } from "redis";
import { freePort } from "./free-port";
import { startRedis, type TestRedis } from "./redis-server";

type Reply = string | number | null | Reply[];

/** One command to the redis-server on `port`, on a connection of its own; its reply as node-redis reads it. */
export async function ask(port: number, ...args: (string | number)[]): Promise<Reply> {
  const client = createClient({ socket: { host: "127.0.0.1", port, reconnectStrategy: false } });
  client.on("error", () => {});
  await client.connect();
  try {
    return (await client.sendCommand(args.map(String))) as Reply;
  } finally {
    client.destroy();
  }
}

/** The fields of an INFO or CLUSTER INFO reply. */
const fields = (text: Reply) =>
  Object.fromEntries(
    String(text)
      .split("\r\n")
      .map((line) => line.split(":"))
      .filter((pair) => pair.length === 2),
  );

async function until<T>(what: string, check: () => Promise<T | false>, timeout = 30_000): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const found = await check().catch(() => false as const);
    if (found !== false) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A free port whose cluster bus port (+10000) is free too. */
async function clusterPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port + 10_000 > 65_535) continue;
    const bus = await new Promise<boolean>((resolve) => {
      const probe = createServer().once("error", () => resolve(false));
      probe.listen(port + 10_000, "127.0.0.1", () => probe.close(() => resolve(true)));
    });
    if (bus) return port;
  }
}

/** Replicas that have finished their first sync. */
async function synced(port: number): Promise<boolean> {
  const replication = fields(await ask(port, "INFO", "replication"));
  return (
    replication.role !== "slave" ||
    (replication.master_link_status === "up" && replication.master_sync_in_progress === "0")
  );
}

/** Options every node here runs with: files in `dir`, a replica's first sync at once. */
const nodeArgs = (dir: string) => ["--dir", dir, "--repl-diskless-sync-delay", "0", "--repl-ping-replica-period", "1"];

export type TestCluster = {
  seedUrls: string[];
  nodes: Map<number, TestRedis>;
  /** The primaries now, by port. */
  primaries: () => Promise<number[]>;
  /** The primary that owns `key` now. */
  primaryFor: (key: string) => Promise<number>;
  keySlot: (key: string) => Promise<number>;
  /**
   * Moves a slot and its keys to another primary as redis-cli does (SETSLOT, MIGRATE), a second in each
   * state, so that traffic meets it half moved (ASK) and moved (MOVED).
   */
  migrateSlot: (slot: number, to: number) => Promise<number>;
  /** After a primary was killed: its replica owns its slots, and the cluster is ok again. */
  failedOver: (killed: number) => Promise<number>;
  /** The process ids of the servers running. */
  pids: () => number[];
  stop: () => Promise<void>;
};

export async function startCluster(): Promise<TestCluster> {
  const dir = mkdtempSync(path.join(tmpdir(), "redis-cluster-"));
  const nodes = new Map<number, TestRedis>();
  const stop = async () => {
    await Promise.all([...nodes.values()].map((node) => node.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let n = 0; n < 6; n++) {
      // Each port is picked as its node starts, so that no node's port is another's bus port.
      const args = ["--cluster-enabled", "yes", "--cluster-config-file", `nodes-${n}.conf`];
      // A patient node timeout while the cluster forms on a loaded machine (no failover then); 1 s once it has.
      args.push("--cluster-node-timeout", "5000", ...nodeArgs(dir));
      const node = await startRedis({ pick: clusterPort, args });
      nodes.set(node.port, node);
    }
    const ports = [...nodes.keys()];
    const hosts = ports.map((port) => `127.0.0.1:${port}`);
    // redis-cli waits for the nodes to agree with no deadline of its own; what it printed says why they did not.
    const create = ["--cluster", "create", ...hosts, "--cluster-replicas", "1", "--cluster-yes"];
    await promisify(execFile)("redis-cli", create, { timeout: 30_000 }).catch(
      (error: Error & { stdout?: string; stderr?: string }) => {
        throw new Error(`redis-cli --cluster create: ${error.message}\n${error.stdout ?? ""}${error.stderr ?? ""}`);
      },
    );
    const slots = async (via = ports[0]) =>
      ((await ask(via, "CLUSTER", "SLOTS")) as Reply[][]).map(([from, to, primary, ...replicas]) => ({
        from: Number(from),
        to: Number(to),
        primary: Number((primary as Reply[])[1]),
        replicas: replicas.length,
      }));
    const healthy = async () => {
      for (const port of ports) {
        if (fields(await ask(port, "CLUSTER", "INFO")).cluster_state !== "ok" || !(await synced(port))) return false;
      }
      return (await slots()).every((range) => range.replicas === 1);
    };
    await until("a healthy cluster", healthy, 45_000).catch(async (error: Error) => {
      const states = await Promise.all(
        ports.map(async (port) => `:${port} ${fields(await ask(port, "CLUSTER", "INFO").catch(String)).cluster_state}`),
      );
      throw new Error(
        `${error.message} (${states.join(", ")}; ${String(await ask(ports[0], "CLUSTER", "NODES").catch(String))})`,
      );
    });
    // Failures are noticed after a second from now on, as the failover tests want.
    for (const port of ports) await ask(port, "CONFIG", "SET", "cluster-node-timeout", "1000");
    const live = () => [...nodes].filter(([, node]) => node.pid() !== 0).map(([port]) => port);
    const keySlot = async (key: string) => Number(await ask(live()[0], "CLUSTER", "KEYSLOT", key));
    const primaryFor = async (key: string) => {
      const slot = await keySlot(key);
      return (await slots(live()[0])).find((range) => range.from <= slot && slot <= range.to)!.primary;
    };
    const ids = new Map<number, string>();
    for (const port of ports) ids.set(port, String(await ask(port, "CLUSTER", "MYID")));
    return {
      seedUrls: ports.map((port) => `redis://127.0.0.1:${port}`),
      nodes,
      primaries: async () => [...new Set((await slots(live()[0])).map((range) => range.primary))],
      primaryFor,
      keySlot,
      async migrateSlot(slot, to) {
        const from = (await slots(live()[0])).find((range) => range.from <= slot && slot <= range.to)!.primary;
        const pause = () => new Promise((resolve) => setTimeout(resolve, 1_000));
        await ask(to, "CLUSTER", "SETSLOT", slot, "IMPORTING", ids.get(from)!);
        await ask(from, "CLUSTER", "SETSLOT", slot, "MIGRATING", ids.get(to)!);
        await pause();
        let moved = 0;
        for (;;) {
          const keys = (await ask(from, "CLUSTER", "GETKEYSINSLOT", slot, 5)) as string[];
          if (keys.length === 0) break;
          await ask(from, "MIGRATE", "127.0.0.1", to, "", 0, 5_000, "REPLACE", "KEYS", ...keys);
          moved += keys.length;
        }
        await pause();
        for (const port of [to, from, ...(await slots(live()[0])).map((range) => range.primary)]) {
          await ask(port, "CLUSTER", "SETSLOT", slot, "NODE", ids.get(to)!).catch(() => {});
        }
        await pause();
        return moved;
      },
      async failedOver(killed) {
        const before = (await slots(live()[0])).filter((range) => range.primary === killed);
        return until(`a new primary for :${killed}'s slots`, async () => {
          for (const port of live()) {
            if (fields(await ask(port, "CLUSTER", "INFO")).cluster_state !== "ok") return false;
          }
          const owner = (await slots(live()[0])).find((range) => range.from === before[0].from)?.primary;
          return owner !== undefined && owner !== killed ? owner : false;
        });
      },
      pids: () => [...nodes.values()].map((node) => node.pid()).filter(Boolean),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export type TestSentinelSet = {
  masterName: string;
  /** host:port of each sentinel, as REDIS_SENTINELS takes them. */
  sentinels: string;
  nodes: Map<number, TestRedis>;
  /** The primary's port, as the sentinels say. */
  primary: () => Promise<number>;
  /** After the primary was killed: the sentinels name another, and it is one. */
  failedOver: (killed: number) => Promise<number>;
  /** The process ids of the servers and sentinels running. */
  pids: () => number[];
  stop: () => Promise<void>;
};

export async function startSentinelSet(masterName = "sessions"): Promise<TestSentinelSet> {
  const dir = mkdtempSync(path.join(tmpdir(), "redis-sentinel-"));
  const nodes = new Map<number, TestRedis>();
  const watchers: TestRedis[] = [];
  const stop = async () => {
    await Promise.all([...watchers, ...nodes.values()].map((node) => node.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const primary = await startRedis({ args: nodeArgs(dir) });
    nodes.set(primary.port, primary);
    const replica = await startRedis({ args: [...nodeArgs(dir), "--replicaof", "127.0.0.1", String(primary.port)] });
    nodes.set(replica.port, replica);
    await until("the replica's first sync", () => synced(replica.port));
    for (let n = 0; n < 3; n++) {
      const config = path.join(dir, `sentinel-${n}.conf`);
      writeFileSync(
        config,
        [
          "bind 127.0.0.1",
          `dir ${dir}`,
          `sentinel monitor ${masterName} 127.0.0.1 ${primary.port} 2`,
          `sentinel down-after-milliseconds ${masterName} 1000`,
          `sentinel failover-timeout ${masterName} 5000`,
          "",
        ].join("\n"),
      );
      watchers.push(await startRedis({ sentinel: config }));
    }
    // A failover needs sentinels that know the replica and each other.
    for (const sentinel of watchers) {
      await until("the sentinels to know the replica and each other", async () => {
        const replicas = (await ask(sentinel.port, "SENTINEL", "REPLICAS", masterName)) as Reply[];
        const others = (await ask(sentinel.port, "SENTINEL", "SENTINELS", masterName)) as Reply[];
        return replicas.length === 1 && others.length === 2;
      });
    }
    const primaryPort = async () => {
      for (const sentinel of watchers) {
        const address = await ask(sentinel.port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName).catch(() => null);
        if (Array.isArray(address)) return Number(address[1]);
      }
      throw new Error("no sentinel answers");
    };
    return {
      masterName,
      sentinels: watchers.map((sentinel) => `127.0.0.1:${sentinel.port}`).join(","),
      nodes,
      primary: primaryPort,
      failedOver: (killed) =>
        until(`a new primary in place of :${killed}`, async () => {
          const now = await primaryPort();
          return now !== killed && fields(await ask(now, "INFO", "replication")).role === "master" ? now : false;
        }),
      pids: () => [...nodes.values(), ...watchers].map((node) => node.pid()).filter(Boolean),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
