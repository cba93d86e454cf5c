/**
 * The production build the benchmark measures: built when it is missing or
 * older than anything it is built from.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const SOURCES = [
  "app",
  "lib",
  "public",
  "middleware.ts",
  "proxy.ts",
  "instrumentation.ts",
  "next.config.ts",
  "postcss.config.mjs",
  "tsconfig.json",
  "package.json",
  "package-lock.json",
];

/** The newest change under `file`: files' and directories' times (a deleted file changes its directory's). */
function newest(file: string): number {
  if (!existsSync(file)) return 0;
  const stat = statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(file).map((entry) => newest(path.join(file, entry))));
}

/** Builds `root` (with the Next.js of `next`) if needed; with `allowBuild` false, says what to do and exits instead. */
export function buildIfNeeded(root: string, allowBuild = true, next = root) {
  const buildId = path.join(root, ".next/BUILD_ID");
  const built = existsSync(buildId) ? statSync(buildId).mtimeMs : 0;
  const changed = Math.max(...SOURCES.map((source) => newest(path.join(root, source))));
  if (built > changed) return;
  if (!allowBuild) {
    console.error(
      "The production build is missing or older than the sources; run `npm run build` (or drop --no-build).",
    );
    process.exit(2);
  }
  const what = path.relative(process.cwd(), root) || ".";
  console.log(built ? `Sources of ${what} changed since its build: building…` : `No build of ${what} yet: building…`);
  const result = spawnSync(process.execPath, [path.join(next, "node_modules/next/dist/bin/next"), "build"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
