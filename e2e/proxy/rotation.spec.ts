import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { serverWith, sessionCookie, signIn } from "../support/fixtures";
import { freePort } from "../support/free-port";
import { startNginx, type Nginx } from "../support/nginx";
import type { RunningServer } from "../support/server";

/**
 * A secret rotated in a rolling deploy, the README's way (`npm run
 * rotate-secret`, then `-- --promote`): nginx balances round-robin between
 * an "old" and a "new" npm start, each step is deployed to one and then the
 * other, and a signed-in browser moves back and forth between them the whole
 * time. It is never signed out. Done in one step instead, it is.
 */
const root = path.resolve(__dirname, "../..");
/** Short, so that the cookie is sealed again (every tenth of it) many times during the rotation. */
const LIFETIME = "30s";

type Env = { SESSION_SECRET: string; SESSION_SECRET_FALLBACKS?: string };

/** What `npm run rotate-secret [-- --promote]` prints for `env`, as the environment to deploy. */
function rotateSecret(env: Env, args: string[] = []): Env {
  const result = spawnSync(
    process.execPath,
    [path.join(root, "node_modules/tsx/dist/cli.mjs"), path.join(root, "scripts/rotate-secret.ts"), ...args],
    { cwd: root, env: { ...process.env, ...env }, encoding: "utf8" },
  );
  const value = (name: string) => new RegExp(`^${name}=(.*)$`, "m").exec(result.stdout)?.[1] ?? "";
  expect(result.status, result.stderr).toBe(0);
  return { SESSION_SECRET: value("SESSION_SECRET"), SESSION_SECRET_FALLBACKS: value("SESSION_SECRET_FALLBACKS") };
}

/** The password id iron-session writes into a seal for a secret (lib/session.ts). */
const passwordId = (secret: string) =>
  String(Number.parseInt(createHash("sha256").update(secret).digest("hex").slice(0, 6), 16) + 1);

test("a secret rotated in two steps during a rolling deploy signs nobody out; in one step, it does", async ({
  browser,
}) => {
  test.setTimeout(300_000);
  const start: Env = { SESSION_SECRET: randomBytes(32).toString("base64") };
  const step1 = rotateSecret(start);
  const step2 = rotateSecret(step1, ["--promote"]);
  const oneStep: Env = {
    SESSION_SECRET: randomBytes(32).toString("base64"),
    SESSION_SECRET_FALLBACKS: step2.SESSION_SECRET,
  };
  expect(step2.SESSION_SECRET).toBe(step1.SESSION_SECRET_FALLBACKS!.split(",")[0]);

  const ports = [await freePort(), await freePort()];
  const run = (env: Env, port: number) => serverWith({ ...env, SESSION_LIFETIME: LIFETIME }, { npmStart: true, port });
  const servers: RunningServer[] = await Promise.all(ports.map((port) => run(start, port)));
  const nginx: Nginx = await startNginx(servers.map((server) => server.url));
  const context = await browser.newContext({ baseURL: nginx.url });
  const page = await context.newPage();
  const served = (port: number) =>
    nginx
      .requests()
      .filter(
        (entry) => entry.uri === "/students" && entry.upstreams.at(-1) === `127.0.0.1:${port}` && entry.status === 200,
      ).length;
  /**
   * Signed-in pages through nginx until `until` resolves and then both servers have served pages again (nginx
   * sends to a restarted server after its fail_timeout), for `atLeast` ms at least; how many, or -1 once
   * signed out.
   */
  async function browse(until: Promise<unknown> = Promise.resolve(), atLeast = 0): Promise<number> {
    let since: number[] | undefined;
    void until.then(() => (since = ports.map(served)));
    const started = Date.now();
    let pages = 0;
    while (!since || ports.some((port, n) => served(port) < since![n] + 2) || Date.now() - started < atLeast) {
      const response = await page.goto("/students");
      if (response?.status() !== 200) throw new Error(`/students answered ${response?.status()}:\n${nginx.output()}`);
      if (!(await signedIn(page))) return -1;
      pages += 1;
      await page.waitForTimeout(200);
      await alternate();
    }
    return pages;
  }
  /**
   * nginx balances round-robin, and a page view may be an even number of requests (the page and its
   * icon, nothing prefetched): when two pages in a row went to one server, one request more sends the
   * next page to the other, so that the browser really moves between them.
   */
  async function alternate() {
    const [before, last] = nginx
      .requests()
      .filter((entry) => entry.uri === "/students")
      .slice(-2);
    if (before && last && before.upstreams.at(-1) === last.upstreams.at(-1)) await page.request.get("/healthz");
  }
  async function deploy(n: number, env: Env, atLeast = 0) {
    const restarted = (async () => {
      await servers[n].stop();
      servers[n] = await run(env, ports[n]);
    })();
    return browse(restarted, atLeast);
  }

  try {
    await signIn(page);
    const steps: [string, number][] = [["start", await browse()]];
    steps.push(["step 1 on the new server", await deploy(1, step1)]);
    steps.push(["step 1 on the old server", await deploy(0, step1)]);
    steps.push(["step 2 on the new server", await deploy(1, step2)]);
    steps.push(["step 2 on the old server", await deploy(0, step2)]);
    // The cookie has been sealed again since, with the new secret.
    expect((await sessionCookie(context))!.value.split("*")[1]).toBe(passwordId(step2.SESSION_SECRET));
    console.log(
      `rotation in a rolling deploy: ${steps.map(([name, pages]) => `${name}, ${pages} pages`).join("; ")}; never signed out`,
    );
    expect(steps.filter(([, pages]) => pages < 0)).toEqual([]);

    // In one step, the server not yet deployed cannot open what the other now seals. The cookie is sealed
    // again every 3 s by whichever server has the page, so the browser is signed out at the old server soon
    // after the new one is back in nginx's rotation (up to 10 s after its restart, its fail_timeout): browse
    // until then. A fixed 20 s left the new server a few pages, sometimes none of them a seal (CI: "still
    // signed in" after 35 pages).
    const deployed = Date.now();
    const signedOut = await deploy(1, oneStep, 90_000);
    console.log(
      `a one-step rotation on one server of two: ${signedOut < 0 ? "signed out" : "still signed in"} ${Date.now() - deployed} ms after the deploy began`,
    );
    expect(signedOut).toBe(-1);
  } finally {
    await context.close();
    await nginx.stop();
    await Promise.all(servers.map((server) => server.stop()));
  }
});

async function signedIn(page: Page): Promise<boolean> {
  if (!page.url().endsWith("/students")) return false;
  return (await page.getByTestId("signed-in-user").textContent({ timeout: 5_000 })) === "alice";
}
