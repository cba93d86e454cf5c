/**
 * `npm start` (scripts/start.mjs): WEB_CONCURRENCY workers of `next start`
 * behind one port. Each request here goes on a connection of its own, which
 * whichever worker is free takes, so consecutive requests land on either.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { realpathSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { freePort } from "../support/free-port";
import { childrenOf, isAlive, processTree } from "../support/process-tree";
import { TEST_SECRET, testAuthUsers, USERS } from "../support/fixtures";
import { actionFields, formData, fresh } from "../support/http";
import { startServer, type RunningServer } from "../support/server";

async function login(server: RunningServer, fields: Record<string, string>, username: string, password: string) {
  return fresh(`${server.url}/login`, {
    method: "POST",
    headers: { origin: server.url },
    body: formData({ ...fields, username, password, next: "/students" }),
  });
}

async function waitFor(condition: () => boolean, what: string) {
  for (const deadline = Date.now() + 20_000; !condition();) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test("npm start: the workers share sign-ins and the login throttle, replace a dead worker and stop together", async () => {
  test.setTimeout(90_000);
  const server = await startServer(
    { SESSION_SECRET: TEST_SECRET, AUTH_USERS: await testAuthUsers(), WEB_CONCURRENCY: "2" },
    { cluster: true },
  );
  try {
    await waitFor(() => childrenOf(server.pid).length === 2, "two workers");
    const workers = childrenOf(server.pid);
    const fields = actionFields((await fresh(`${server.url}/login`)).body);

    // The liveness answer: prerendered, but never from a cache on the way.
    const health = await fresh(`${server.url}/healthz`);
    expect([health.status, health.body, health.headers["cache-control"]]).toEqual([200, "ok\n", "no-store"]);

    // A cookie made by one worker opens on the other.
    const signedIn = await login(server, fields, "bob", USERS.bob);
    expect(signedIn.status).toBe(303);
    const cookie = String(signedIn.headers["set-cookie"]).split(";")[0];
    for (let i = 0; i < 4; i++) {
      const page = await fresh(`${server.url}/students`, { headers: { cookie } });
      expect(page.status).toBe(200);
      expect(page.body).toContain('data-testid="signed-in-user">bob<');
    }

    // Five failures spread over both workers lock the account for this address, on both.
    for (let i = 1; i <= 4; i++) {
      expect((await login(server, fields, "alice", `guess ${i}`)).body).toContain("Wrong username or password.");
    }
    expect((await login(server, fields, "alice", "guess 5")).body).toContain("Too many failed sign-ins.");
    for (let i = 0; i < 2; i++) {
      const refused = await login(server, fields, "alice", USERS.alice);
      expect(refused.status).toBe(200);
      expect(refused.body).toContain("Too many failed sign-ins.");
    }

    // A worker that dies is replaced, and the server keeps answering.
    process.kill(workers[0], "SIGKILL");
    await waitFor(() => {
      const now = childrenOf(server.pid);
      return now.length === 2 && !now.includes(workers[0]);
    }, "a replacement worker");
    for (let i = 0; i < 2; i++) expect((await fresh(`${server.url}/login`)).status).toBe(200);

    // SIGTERM to the primary stops every worker, then the primary.
    const running = childrenOf(server.pid);
    await server.stop();
    expect(isAlive(server.pid)).toBe(false);
    for (const pid of running) expect(isAlive(pid)).toBe(false);
    expect(server.output()).toContain("starting another");
  } finally {
    await server.stop();
  }
});

test("npm start: a worker that dies leaves no request hanging; each is answered, or reset at once", async () => {
  test.setTimeout(90_000);
  const server = await startServer(
    { SESSION_SECRET: TEST_SECRET, AUTH_USERS: await testAuthUsers(), WEB_CONCURRENCY: "2" },
    { cluster: true },
  );
  try {
    await waitFor(() => childrenOf(server.pid).length === 2, "two workers");
    const [victim] = childrenOf(server.pid);
    // Keep-alive clients, a steady load, and each of their requests followed to its end.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 12 });
    const outcomes = { answered: 0, reset: 0 };
    const pending = new Set<Promise<void>>();
    const one = () => {
      const request = new Promise<void>((resolve) => {
        let ended = false;
        const end = (outcome: keyof typeof outcomes) => {
          if (ended) return;
          ended = true;
          outcomes[outcome] += 1;
          resolve();
        };
        http
          .get(`${server.url}/login`, { agent }, (response) => {
            response.resume();
            response.on("end", () => end("answered"));
            response.on("error", () => end("reset"));
          })
          .on("error", () => end("reset"));
      });
      pending.add(request);
      void request.then(() => pending.delete(request));
      return request;
    };
    let loading = true;
    const load = Array.from({ length: 12 }, async () => {
      while (loading) await one();
    });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // Frozen first, so that connections reach it and wait, then killed: a crash in the middle of work.
    process.kill(victim, "SIGSTOP");
    const fresh = Array.from({ length: 12 }, () => one());
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    process.kill(victim, "SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    loading = false;
    const settled = await Promise.race([
      Promise.all([...load, ...fresh, ...pending]).then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 15_000)),
    ]);
    agent.destroy();
    console.log(
      `worker killed under load: ${outcomes.answered} requests answered, ${outcomes.reset} reset, ${pending.size} still waiting 15 s later`,
    );
    expect(settled, `${pending.size} requests neither answered nor reset`).toBe(true);
    expect(outcomes.answered).toBeGreaterThan(0);
    await waitFor(
      () => childrenOf(server.pid).length === 2 && !childrenOf(server.pid).includes(victim),
      "a new worker",
    );
  } finally {
    await server.stop();
  }
});

test("npm start with a bad configuration says so once and stops with exit status 1 (here: no SESSION_SECRET)", () => {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", WEB_CONCURRENCY: "2" };
  delete env.SESSION_SECRET;
  const result = spawnSync(process.execPath, [path.resolve(__dirname, "../../scripts/start.mjs"), "-p", "0"], {
    cwd: path.resolve(__dirname, "../.."),
    env,
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(result.status).toBe(1);
  expect(result.stderr.match(/SESSION_SECRET is not set/g)).toHaveLength(1);
  expect(result.stderr).toContain("The server cannot start until this is fixed");
  expect(result.stderr).not.toContain("starting another");
});

test("stopping npm start by npm's own process id stops the primary and its workers too", async () => {
  test.setTimeout(60_000);
  const npm = process.env.npm_execpath ?? realpathSync(execFileSync("which", ["npm"], { encoding: "utf8" }).trim());
  const port = await freePort();
  const child = spawn(process.execPath, [npm, "start", "--", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: path.resolve(__dirname, "../.."),
    env: {
      ...process.env,
      NODE_ENV: "production",
      WEB_CONCURRENCY: "2",
      SESSION_SECRET: TEST_SECRET,
      AUTH_USERS: await testAuthUsers(),
    },
    stdio: "ignore",
  });
  const answers = () =>
    fetch(`http://127.0.0.1:${port}/healthz`).then(
      (response) => response.status,
      () => 0,
    );
  await expect.poll(answers, { timeout: 30_000 }).toBe(200);
  await waitFor(
    () => processTree(child.pid!).filter((entry) => entry.pid !== child.pid).length >= 4,
    "npm's shell, the primary and two workers",
  );
  const below = processTree(child.pid!)
    .map((entry) => entry.pid)
    .filter((pid) => pid !== child.pid);
  child.kill("SIGTERM"); // npm itself, as `kill <pid of npm>` does
  await expect.poll(answers, { timeout: 15_000 }).toBe(0);
  await waitFor(() => below.every((pid) => !isAlive(pid)), "every process below npm to end");
});

test("node scripts/start.mjs, started from a shell that then goes, keeps serving: only npm is watched", async () => {
  test.setTimeout(60_000);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    WEB_CONCURRENCY: "1",
    SESSION_SECRET: TEST_SECRET,
    AUTH_USERS: await testAuthUsers(),
  };
  delete env.npm_lifecycle_event; // not under npm
  // The shell starts the server in the background and exits a second later, as a login shell at logout.
  const shell = spawnSync(
    "sh",
    ["-c", `"${process.execPath}" scripts/start.mjs -p ${port} -H 127.0.0.1 >/dev/null 2>&1 & echo $!; sleep 1`],
    { cwd: path.resolve(__dirname, "../.."), env, encoding: "utf8" },
  );
  const pid = Number(shell.stdout.trim());
  const answers = () =>
    fetch(`http://127.0.0.1:${port}/healthz`).then(
      (response) => response.status,
      () => 0,
    );
  try {
    await expect.poll(answers, { timeout: 30_000 }).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // four rounds of the watcher, had it watched the shell
    expect(await answers()).toBe(200);
  } finally {
    process.kill(pid, "SIGTERM");
    await waitFor(() => !isAlive(pid), "the server to stop");
  }
});

test("npm start refuses a WEB_CONCURRENCY that is not a number of workers, saying what it takes", () => {
  for (const value of ["two", "0x2", "1e0", "+1", "0"]) {
    const result = spawnSync(process.execPath, [path.resolve(__dirname, "../../scripts/start.mjs")], {
      env: { ...process.env, WEB_CONCURRENCY: value },
      encoding: "utf8",
      timeout: 10_000,
    });
    expect(result.status, value).toBe(1);
    expect(result.stderr, value).toContain(
      `WEB_CONCURRENCY must be a whole number of worker processes from 1 to 256 (got "${value}")`,
    );
  }
});

test("npm start with its port taken, or a port that is not one, stops at once and says so", async () => {
  const taken = http.createServer();
  const port = await freePort();
  await new Promise<void>((resolve) => taken.listen(port, resolve));
  const users = await testAuthUsers();
  try {
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, [path.resolve(__dirname, "../../scripts/start.mjs")], {
        env: { ...process.env, SESSION_SECRET: TEST_SECRET, AUTH_USERS: users, WEB_CONCURRENCY: "2", ...env },
        encoding: "utf8",
        timeout: 60_000,
      });
    const inUse = run({ PORT: String(port) });
    expect([inUse.status, inUse.signal]).toEqual([1, null]);
    // Said once, by the first worker: no second worker was started, none restarted in a loop.
    expect(inUse.stderr.match(/The server cannot listen: port \d+ is already in use/g)).toHaveLength(1);
    const notAPort = run({ PORT: "eighty" });
    expect(notAPort.status).toBe(1);
    expect(notAPort.stderr).toContain('The port must be a number from 0 to 65535 (got "eighty")');
  } finally {
    taken.close();
  }
});
