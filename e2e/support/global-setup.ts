import { readdirSync } from "node:fs";
import path from "node:path";
import { startRedis } from "./redis-server";
import { startPagesBuild } from "./split";

/** The folders of e2e/ that a Playwright project runs (playwright.config.ts): a spec anywhere else would run in none. */
const PROJECT_FOLDERS = ["flows", "site", "redis", "ha", "copy", "attack", "proxy", "screenshots"];

function strayedSpecs(dir: string, relative = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const name = path.join(relative, entry.name);
    if (entry.isDirectory()) return strayedSpecs(path.join(dir, entry.name), name);
    return entry.name.endsWith(".spec.ts") && !PROJECT_FOLDERS.includes(name.split(path.sep)[0]) ? [name] : [];
  });
}

/**
 * Refuses to run with a spec outside the project folders; then one throwaway
 * redis-server for the whole run (the Redis project's servers share it, as
 * several app servers would; tests that stop Redis on purpose start their
 * own). Its URL is TEST_REDIS_URL; servers get it as REDIS_URL where a test asks (fixtures.ts).
 * When the run has the redis project's split tests, the build they need starts now, in the background.
 */
export default async function globalSetup() {
  const strayed = strayedSpecs(path.resolve(__dirname, ".."));
  if (strayed.length > 0) {
    throw new Error(
      `Specs outside ${PROJECT_FOLDERS.map((folder) => `e2e/${folder}/`).join(", ")} run in no project: ${strayed.join(", ")}`,
    );
  }
  const redis = await startRedis();
  process.env.TEST_REDIS_URL = redis.url;
  const args = process.argv.slice(2);
  const projects = args.filter((arg, n) => arg.startsWith("--project") || args[n - 1] === "--project").join(" ");
  const files = args.filter((arg) => !arg.startsWith("-") && /\.ts\b|e2e\//.test(arg));
  const splitRuns =
    (projects === "" || projects.includes("redis")) && (files.length === 0 || files.some((file) => /split/.test(file)));
  let stopBuild = () => {};
  try {
    if (splitRuns) stopBuild = startPagesBuild();
  } catch (error) {
    // The split's tests then build for themselves, and fail there if the build cannot be made.
    console.warn(`The split's pages build could not start in the background: ${String(error)}`);
  }
  return async () => {
    stopBuild();
    await redis.stop();
  };
}
