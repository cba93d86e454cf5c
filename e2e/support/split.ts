/**
 * A Vercel-like split of this app, for tests that must not depend on one
 * process serving everything: the middleware runs in a process of its own
 * (split-proxy.ts), as Vercel runs Routing Middleware, and the pages in two
 * `next start` processes of a build without middleware.ts, which take the
 * requests in turn. Nothing passes between them but the request itself.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execFileSync, spawn } from "node:child_process";
import { freePort } from "./free-port";
import { startProcess, startServer, type RunningServer } from "./server";

const root = path.resolve(__dirname, "../..");
let built: string | undefined;

/** A copy of this app without its middleware.ts, node_modules hard-linked in, ready for `next build`. */
function pagesCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "split-pages-"));
  for (const entry of [
    "app",
    "lib",
    "next.config.ts",
    "tsconfig.json",
    "postcss.config.mjs",
    "package.json",
    "instrumentation.ts",
  ]) {
    cpSync(path.join(root, entry), path.join(dir, entry), {
      recursive: true,
      filter: (file) => !file.endsWith(".test.ts"),
    });
  }
  // Next.js builds only what lies under its root: node_modules hard-linked in (quick, no copy of the files).
  execFileSync("cp", ["-al", path.join(root, "node_modules"), path.join(dir, "node_modules")]);
  return dir;
}

const nextBuild = (dir: string) => [path.join(dir, "node_modules/next/dist/bin/next"), "build"];
const buildEnv = () => ({ ...process.env, NEXT_TELEMETRY_DISABLED: "1" });

/**
 * Starts the pages' build in the background (e2e/support/global-setup.ts, at
 * the start of a run that has the split's tests): it uses the CPU that tests
 * waiting on timers leave idle. SPLIT_PAGES_BUILD names its folder for the
 * workers; its file `done` holds the build's exit status once it has one.
 */
export function startPagesBuild(): () => void {
  const dir = pagesCopy();
  const child = spawn(process.execPath, nextBuild(dir), { cwd: dir, env: buildEnv(), stdio: "ignore" });
  child.on("exit", (code) => writeFileSync(path.join(dir, "done"), String(code ?? 1)));
  child.on("error", () => writeFileSync(path.join(dir, "done"), "1"));
  process.env.SPLIT_PAGES_BUILD = dir;
  return () => {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
}

/** This app built without its middleware: what Vercel's page functions run. Waits for the background build, or builds. */
async function pagesBuild(): Promise<string> {
  const background = process.env.SPLIT_PAGES_BUILD;
  if (background) {
    const done = path.join(background, "done");
    while (!existsSync(done)) await new Promise((resolve) => setTimeout(resolve, 250));
    if (readFileSync(done, "utf8") !== "0") throw new Error(`the pages' build in ${background} failed`);
    return background;
  }
  if (built && existsSync(path.join(built, ".next"))) return built;
  const dir = pagesCopy();
  execFileSync(process.execPath, nextBuild(dir), { cwd: dir, env: buildEnv(), stdio: "pipe" });
  built = dir;
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The split, with `env` for every process, and `middlewareEnv` on top for the middleware's own. */
export async function startSplit(
  env: Record<string, string | undefined>,
  { middlewareEnv = {} }: { middlewareEnv?: Record<string, string> } = {},
): Promise<RunningServer & { pages: RunningServer[] }> {
  const build = await pagesBuild();
  const pages = await Promise.all([
    startServer(env, { root: build, next: root }),
    startServer(env, { root: build, next: root }),
  ]);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proxy = await startProcess(
    "split proxy",
    process.execPath,
    [
      path.join(root, "node_modules/tsx/dist/cli.mjs"),
      "--conditions=react-server",
      path.join(__dirname, "split-proxy.ts"),
      String(port),
      ...pages.map((page) => page.url),
    ],
    { url, cwd: root, env: { ...process.env, NODE_ENV: "production", ...env, ...middlewareEnv } },
  );
  return {
    ...proxy,
    port,
    pages,
    output: () => [proxy.output(), ...pages.map((page) => page.output())].join("\n"),
    stop: async () => {
      await proxy.stop();
      await Promise.all(pages.map((page) => page.stop()));
    },
  };
}
