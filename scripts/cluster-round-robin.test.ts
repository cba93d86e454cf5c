/**
 * Why scripts/start.mjs sets `cluster.schedulingPolicy = SCHED_NONE`: with
 * Node's default round robin, the primary keeps each connection it hands to
 * a worker until that worker acknowledges it, so a connection handed to a
 * worker that dies first stays open with nobody to answer it. The first test
 * fails once Node closes such a connection; SCHED_NONE may then go.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

function run(policy: "rr" | "none") {
  const script = path.join(import.meta.dirname, "fixtures/cluster-dies.mjs");
  const result = spawnSync(process.execPath, [script, policy], { encoding: "utf8", timeout: 30_000 });
  return JSON.parse(result.stdout.trim().split("\n").at(-1)!) as { answered: number; reset: number; waiting: number };
}

describe("a worker that dies with connections on their way to it", () => {
  it("leaves one waiting for nothing under Node's round robin (Node's behaviour, not ours)", () => {
    expect(run("rr").waiting).toBeGreaterThan(0);
  }, 30_000);

  it("leaves none waiting when the workers accept for themselves (SCHED_NONE, as npm start runs)", () => {
    const outcome = run("none");
    expect(outcome.waiting).toBe(0);
    expect(outcome.answered).toBeGreaterThan(0);
  }, 30_000);
});
