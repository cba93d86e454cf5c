import { execFileSync, spawn } from "node:child_process";
import { realpathSync } from "node:fs";
import { connect } from "node:net";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { freePort } from "../support/free-port";
import { isAlive, processTree } from "../support/process-tree";
import { TEST_SECRET } from "../support/fixtures";
import { withoutUnset } from "../support/server";

/** Whether something listens on the port. */
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" }, () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });

for (const signal of ["SIGTERM", "SIGKILL"] as const) {
  test(`stopping npm run dev by npm's process id (${signal}) stops the dev server too`, async () => {
    test.setTimeout(90_000);
    const npm = process.env.npm_execpath ?? realpathSync(execFileSync("which", ["npm"], { encoding: "utf8" }).trim());
    const port = await freePort();
    // npm run dev is development: no NODE_ENV of the test runner's.
    const env = withoutUnset({ ...process.env, NODE_ENV: undefined, SESSION_SECRET: TEST_SECRET });
    const child = spawn(process.execPath, [npm, "run", "dev", "--", "-p", String(port), "-H", "127.0.0.1"], {
      cwd: path.resolve(__dirname, "../.."),
      env,
      stdio: "ignore",
    });
    await expect.poll(() => listening(port), { timeout: 60_000 }).toBe(true);
    const below = processTree(child.pid!)
      .map((entry) => entry.pid)
      .filter((pid) => pid !== child.pid);
    expect(below.length).toBeGreaterThanOrEqual(2); // the wrapper and next dev, at least
    child.kill(signal); // npm itself, as `kill <pid of npm>` does
    await expect.poll(() => listening(port), { timeout: 15_000 }).toBe(false);
    await expect.poll(() => below.filter(isAlive), { timeout: 15_000 }).toEqual([]);
  });
}
