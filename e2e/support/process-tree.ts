/**
 * Processes under a process id, read from /proc (Linux): the workers of
 * `npm start`'s cluster or of gunicorn, for the benchmark's CPU accounting
 * and for the tests that start and stop them.
 */
import { readdirSync, readFileSync } from "node:fs";

type Stat = { ppid: number; ticks: number };

function statOf(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: split after its closing one.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null; // gone
  }
}

function allStats(): Map<number, Stat> {
  const stats = new Map<number, Stat>();
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return stats; // not Linux: no process accounting
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = statOf(pid);
    if (stat) stats.set(pid, stat);
  }
  return stats;
}

/** `root` and every live process below it, with their CPU ticks (user + system; 100 per second). */
export function processTree(root: number): { pid: number; ppid: number; ticks: number }[] {
  const stats = allStats();
  const children = new Map<number, number[]>();
  for (const [pid, { ppid }] of stats) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const tree: { pid: number; ppid: number; ticks: number }[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    const stat = stats.get(pid);
    if (stat) tree.push({ pid, ...stat });
    pending.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** The live direct children of `pid`. */
export function childrenOf(pid: number): number[] {
  return processTree(pid)
    .filter((process) => process.ppid === pid)
    .map((process) => process.pid);
}

export function isAlive(pid: number): boolean {
  return statOf(pid) !== null;
}
