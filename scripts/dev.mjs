/**
 * `npm run dev`: `next dev`, stopped as a whole. Stopping npm by its process
 * id (a SIGTERM, even a SIGKILL) does not reach the dev server that npm
 * started, which would keep the port; this runs it in a process group of its
 * own and ends the group when it is told to stop, or when whatever started it
 * goes. Arguments go to `next dev` (`npm run dev -- -p 4000`).
 */
import { spawn } from "node:child_process";
import { whenStarterGoes } from "./when-starter-goes.mjs";

// `next` from node_modules/.bin, which npm puts on the PATH of its scripts.
const child = spawn("next", ["dev", ...process.argv.slice(2)], { stdio: "inherit", detached: true });

function stop(signal = "SIGTERM") {
  try {
    process.kill(-child.pid, signal); // the dev server and every process it started
  } catch {
    // already gone
  }
}

child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
child.on("error", (error) => {
  // Not started at all (`next` missing: dependencies not installed), so there is nothing to stop.
  console.error(`Cannot start next dev: ${error.message}. Run npm install first.`);
  process.exit(1);
});
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(signal, () => stop(signal));

whenStarterGoes(() => stop());
